// The service commands (feeds, poll, status, serve) run as a user runs them: the built binary,
// a SQLite file in a temp dir, a real redis-server and a blog on a loopback HTTP server.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "app/exit_codes.h"
#include "queue/redis_connection.h"
#include "tests/support/http_test_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::app {
namespace {

using ::feedbridge::testing::HttpTestServer;
using ::feedbridge::testing::ProcessResult;
using ::feedbridge::testing::RedisTestServer;
using ::feedbridge::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class FeedsCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(redis_.Start());
    web_.Route("/site", [this](const HttpTestServer::Request&, HttpTestServer::Response& r) {
      r.SetHeader("Content-Type", "text/html; charset=utf-8");
      r.SetBody(
          "<!DOCTYPE html><html><head><title>Garden</title>"
          "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.rss\">"
          "</head><body>hello</body></html>");
    });
    web_.Route("/nofeed", [](const HttpTestServer::Request&, HttpTestServer::Response& r) {
      r.SetHeader("Content-Type", "text/html");
      r.SetBody("<!DOCTYPE html><html><head><title>x</title></head><body>no feed</body></html>");
    });
    web_.Route("/feed.rss",
               [this](const HttpTestServer::Request& req, HttpTestServer::Response& r) {
                 if (req.Header("If-None-Match") == "\"v1\"") {
                   r.SetStatus(304);
                   return;
                 }
                 r.SetHeader("ETag", "\"v1\"");
                 r.SetHeader("Content-Type", "application/rss+xml");
                 r.SetBody("<rss version=\"2.0\"><channel><title>The Sample Garden</title><link>" +
                           web_.Url("/site") +
                           "</link>"
                           "<item><title>One</title><link>" +
                           web_.Url("/1") +
                           "</link></item>"
                           "<item><title>Two</title><link>" +
                           web_.Url("/2") +
                           "</link></item>"
                           "</channel></rss>");
               });
    env_ = {{"FEEDBRIDGE_DATABASE_URL", "sqlite:" + (dir_.path() / "fb.db").string()},
            {"FEEDBRIDGE_REDIS_URL", redis_.url()},
            {"FEEDBRIDGE_POLLER_ALLOW_PRIVATE_NETWORKS", "true"},
            {"FEEDBRIDGE_LOG_LEVEL", "warning"}};
  }

  ProcessResult Feedbridge(const std::vector<std::string>& args) {
    return ::feedbridge::testing::RunProcess(FB_FEEDBRIDGE_BINARY, args, env_);
  }

  // An OPML file of `n` subscriptions, "Blog I" at http://127.0.0.1:9/I.xml (nothing listens).
  std::filesystem::path WriteOpml(const std::string& name, int n) {
    std::string body;
    for (int i = 0; i < n; ++i) {
      body += "<outline text=\"Blog " + std::to_string(i) +
              "\" type=\"rss\" xmlUrl=\"http://127.0.0.1:9/" + std::to_string(i) + ".xml\"/>\n";
    }
    return dir_.WriteFile(name, "<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>" +
                                    name + "</title></head><body>\n" + body + "</body></opml>");
  }

  // `status` counts `feeds` in the database and `scheduled` on the poll schedule.
  void ExpectStatusCounts(int feeds, int scheduled) {
    const ProcessResult status = Feedbridge({"status"});
    ASSERT_EQ(status.exit_code, kExitOk) << status.err;
    EXPECT_THAT(status.out, HasSubstr("feeds:     " + std::to_string(feeds) + " "));
    EXPECT_THAT(status.out,
                HasSubstr("schedule:  " + std::to_string(scheduled) + " feeds scheduled"));
  }

  TempDir dir_;
  RedisTestServer redis_;
  HttpTestServer web_;
  std::map<std::string, std::string> env_;
};

TEST_F(FeedsCommandsTest, AddDiscoversTheFeedOfASiteAndDerivesTheNickname) {
  const ProcessResult r = Feedbridge({"feeds", "add", web_.Url("/site")});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("added feed 1: thesamplegarden <" + web_.Url("/feed.rss") + ">"));
  EXPECT_THAT(r.out, HasSubstr("2 entries (not broadcast)"));
  EXPECT_THAT(r.out, HasSubstr("profile: http://localhost:8080/thesamplegarden"));
}

TEST_F(FeedsCommandsTest, AddWithABadNicknameExits64) {
  const ProcessResult r = Feedbridge({"feeds", "add", web_.Url("/feed.rss"), "--nickname", "Bad!"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("must be 1 to 64 characters of [0-9a-z]"));
}

TEST_F(FeedsCommandsTest, AddOfAPageWithoutAFeedExits65) {
  const ProcessResult r = Feedbridge({"feeds", "add", web_.Url("/nofeed")});
  EXPECT_EQ(r.exit_code, kExitDataError);
  EXPECT_THAT(r.err, HasSubstr("advertises no feed"));
}

TEST_F(FeedsCommandsTest, AddingTheSameFeedTwiceIsRefused) {
  ASSERT_EQ(Feedbridge({"feeds", "add", web_.Url("/feed.rss"), "--nickname", "g"}).exit_code,
            kExitOk);
  const ProcessResult again = Feedbridge({"feeds", "add", web_.Url("/feed.rss")});
  EXPECT_EQ(again.exit_code, kExitDataError);
  EXPECT_THAT(again.err, HasSubstr("feeds add"));
}

// A 200 whose decompressed body passes the cap is an error of that answer: `feeds show` names
// the status the server sent with the error, whether `feeds add` or `poll` met it.
TEST_F(FeedsCommandsTest, ShowKeepsTheStatusOfAGzipBombWithItsError) {
  std::atomic<bool> bomb{false};
  const std::string feed =
      "<rss version=\"2.0\"><channel><title>Bombed</title><item><title>One"
      "</title><link>https://blog.test/1</link></item></channel></rss>";
  web_.Route("/bomb.rss",
             [&bomb, feed](const HttpTestServer::Request&, HttpTestServer::Response& r) {
               r.SetHeader("Content-Type", "application/rss+xml");
               if (bomb) {
                 r.SetGzipBody(std::string(20u << 20, '\0'));  // Over the 15 MiB default cap.
               } else {
                 r.SetBody(feed);
               }
             });
  ASSERT_EQ(Feedbridge({"feeds", "add", web_.Url("/bomb.rss"), "--nickname", "bombed"}).exit_code,
            kExitOk);
  bomb = true;
  const ProcessResult poll = Feedbridge({"poll", "bombed"});
  const std::string message = web_.Url("/bomb.rss") + ": decompressed body over 15 MiB";
  EXPECT_THAT(poll.out + poll.err, HasSubstr(message));
  EXPECT_THAT(poll.out + poll.err, Not(HasSubstr("bytes")));
  const ProcessResult show = Feedbridge({"feeds", "show", "bombed"});
  ASSERT_EQ(show.exit_code, kExitOk) << show.err;
  EXPECT_THAT(show.out, HasSubstr("last status:   200\n"));
  EXPECT_THAT(show.out, HasSubstr(message));
}

TEST_F(FeedsCommandsTest, ListShowPollStatusAndRemove) {
  ASSERT_EQ(Feedbridge({"feeds", "add", web_.Url("/feed.rss"), "--nickname", "garden"}).exit_code,
            kExitOk);
  const ProcessResult list = Feedbridge({"feeds", "list"});
  ASSERT_EQ(list.exit_code, kExitOk) << list.err;
  EXPECT_THAT(list.out, HasSubstr("1\tgarden\t" + web_.Url("/feed.rss")));
  EXPECT_THAT(list.out, HasSubstr("\tok\n"));

  const ProcessResult show = Feedbridge({"feeds", "show", "garden"});
  ASSERT_EQ(show.exit_code, kExitOk) << show.err;
  EXPECT_THAT(show.out, HasSubstr("entries:       2"));
  EXPECT_THAT(show.out, HasSubstr("etag:          \"v1\""));

  const ProcessResult poll = Feedbridge({"poll", "garden"});
  ASSERT_EQ(poll.exit_code, kExitOk) << poll.err;
  EXPECT_THAT(poll.out, HasSubstr("HTTP 304, not modified"));

  const ProcessResult status = Feedbridge({"status"});
  ASSERT_EQ(status.exit_code, kExitOk) << status.err;
  EXPECT_THAT(status.out, HasSubstr("feeds:     1 (1 ok, 0 failing, 0 disabled"));
  EXPECT_THAT(status.out, HasSubstr("outbox:    0 notices"));

  const ProcessResult removed = Feedbridge({"feeds", "remove", "1"});
  ASSERT_EQ(removed.exit_code, kExitOk) << removed.err;
  EXPECT_EQ(Feedbridge({"feeds", "show", "garden"}).exit_code, kExitNoInput);
}

TEST_F(FeedsCommandsTest, StatusCountsOneScheduledFeedInTheSingular) {
  ASSERT_EQ(Feedbridge({"feeds", "add", web_.Url("/feed.rss"), "--nickname", "garden"}).exit_code,
            kExitOk);
  const ProcessResult status = Feedbridge({"status"});
  ASSERT_EQ(status.exit_code, kExitOk) << status.err;
  EXPECT_THAT(status.out, HasSubstr("schedule:  1 feed scheduled, "));
}

TEST_F(FeedsCommandsTest, ShowOfAnUnknownFeedExits66) {
  const ProcessResult r = Feedbridge({"feeds", "show", "nobody"});
  EXPECT_EQ(r.exit_code, kExitNoInput);
  EXPECT_THAT(r.err, HasSubstr("feedbridge: feeds show: "));
}

TEST_F(FeedsCommandsTest, ImportThenExportRoundTripsTheSubscriptions) {
  const auto opml = dir_.WriteFile("subs.opml", R"(<?xml version="1.0"?>
<opml version="2.0"><head><title>s</title></head><body>
<outline text="A blog" type="rss" xmlUrl="http://127.0.0.1:9/a.xml"/>
<outline text="Folder"><outline text="B" type="rss" xmlUrl="http://127.0.0.1:9/b.xml"/></outline>
<outline text="bad" xmlUrl="ftp://127.0.0.1/c.xml"/>
</body></opml>)");
  const ProcessResult imported = Feedbridge({"feeds", "import", opml.string()});
  ASSERT_EQ(imported.exit_code, kExitOk) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("imported 2 feeds, 0 already bridged, 1 skipped"));
  const ProcessResult again = Feedbridge({"feeds", "import", opml.string()});
  EXPECT_THAT(again.out, HasSubstr("imported 0 feeds, 2 already bridged, 1 skipped"));
  const ProcessResult exported = Feedbridge({"feeds", "export"});
  ASSERT_EQ(exported.exit_code, kExitOk) << exported.err;
  EXPECT_THAT(exported.out, HasSubstr("xmlUrl=\"http://127.0.0.1:9/a.xml\""));
  EXPECT_THAT(exported.out, HasSubstr("xmlUrl=\"http://127.0.0.1:9/b.xml\""));
  EXPECT_THAT(exported.out, HasSubstr("<opml version=\"2.0\">"));
  // Not on a terminal: no progress bar, only the summary.
  EXPECT_THAT(imported.err, Not(HasSubstr("\r[")));
}

TEST_F(FeedsCommandsTest, ImportOfThousandsOfFeedsShowsAProgressBarOnATerminal) {
  constexpr int kFeeds = 3000;
  const auto opml = WriteOpml("many.opml", kFeeds);
  const ProcessResult imported = ::feedbridge::testing::RunProcessOnTerminal(
      FB_FEEDBRIDGE_BINARY, {"feeds", "import", opml.string()}, env_);
  ASSERT_EQ(imported.exit_code, kExitOk) << imported.out;
  EXPECT_THAT(imported.out, HasSubstr("\r[" + std::string(40, '=') + "] 3000/3000"));
  EXPECT_THAT(imported.out, HasSubstr("] 1501/3000"));
  EXPECT_THAT(imported.out, HasSubstr("imported 3000 feeds, 0 already bridged, 0 skipped"));
  // Every one is in the database and on the poll schedule.
  ExpectStatusCounts(kFeeds, kFeeds);
}

TEST_F(FeedsCommandsTest, ImportWhileRedisIsDownExits69AndAddsNothing) {
  const auto opml = WriteOpml("subs.opml", 1);
  redis_.Stop();
  const ProcessResult imported = Feedbridge({"feeds", "import", opml.string()});
  EXPECT_EQ(imported.exit_code, kExitUnavailable);
  EXPECT_THAT(imported.err, HasSubstr("redis"));
  const ProcessResult list = Feedbridge({"feeds", "list"});
  EXPECT_EQ(list.exit_code, kExitOk) << list.err;
  EXPECT_EQ(list.out, "");
}

TEST_F(FeedsCommandsTest, ImportWhileRedisRefusesWritesKeepsTheFeedsForThePollerToSchedule) {
  const auto opml = WriteOpml("subs.opml", 2);
  // Redis answers, but refuses every write (out of memory, no eviction).
  auto redis = queue::RedisConnection::Open({.url = redis_.url()});
  ASSERT_OK(redis);
  ASSERT_OK((*redis)->Command({"CONFIG", "SET", "maxmemory", "1"}));
  const ProcessResult imported = Feedbridge({"feeds", "import", opml.string()});
  ASSERT_OK((*redis)->Command({"CONFIG", "SET", "maxmemory", "0"}));
  EXPECT_EQ(imported.exit_code, kExitOk) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("imported 2 feeds"));
  EXPECT_THAT(imported.err, HasSubstr("2 new feeds are not on the poll schedule yet"));
  EXPECT_THAT(imported.err, HasSubstr("OOM"));
  EXPECT_THAT(imported.err, HasSubstr("the poller schedules them when it starts"));
  ExpectStatusCounts(2, 0);
}

TEST_F(FeedsCommandsTest, ImportOfSomethingElseExits65) {
  const auto bad = dir_.WriteFile("x.opml", "<rss version=\"2.0\"/>");
  const ProcessResult r = Feedbridge({"feeds", "import", bad.string()});
  EXPECT_EQ(r.exit_code, kExitDataError);
  EXPECT_THAT(r.err, HasSubstr("not <opml>"));
}

TEST_F(FeedsCommandsTest, UnknownActionExits64) {
  const ProcessResult r = Feedbridge({"feeds", "frob"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown action 'frob'"));
}

TEST_F(FeedsCommandsTest, ServeOnTheEmbeddedDefaultsRunsAPrivateRedisAndStopsOnSigterm) {
  env_.erase("FEEDBRIDGE_REDIS_URL");  // The embedded default: a private redis-server.
  env_["FEEDBRIDGE_LOG_LEVEL"] = "information";
  env_["FEEDBRIDGE_SERVER_LISTEN"] = "127.0.0.1:0";  // Hermetic: any free port.
  ASSERT_EQ(Feedbridge({"feeds", "add", web_.Url("/feed.rss"), "--nickname", "g"}).exit_code,
            kExitOk);
  // `timeout` sends SIGTERM after 3 s, as an init system would.
  const ProcessResult r = ::feedbridge::testing::RunProcess(
      "/usr/bin/timeout", {"-s", "TERM", "3", FB_FEEDBRIDGE_BINARY, "serve"}, env_);
  EXPECT_THAT(r.err, HasSubstr("private redis-server at unix:"));
  EXPECT_THAT(r.err, HasSubstr("SIGTERM received, stopping"));
  EXPECT_THAT(r.err, HasSubstr("serve: web server on port "));
  // The private Redis stopped with it: the next command starts (and stops) its own again.
  const ProcessResult status = Feedbridge({"status"});
  EXPECT_EQ(status.exit_code, kExitOk) << status.err;
  EXPECT_THAT(status.out, HasSubstr("(started by this process)"));
}

TEST_F(FeedsCommandsTest, PollOfAGoneFeedSaysItIsDisabled) {
  ASSERT_EQ(Feedbridge({"feeds", "add", web_.Url("/feed.rss"), "--nickname", "garden"}).exit_code,
            kExitOk);
  web_.Route("/feed.rss",
             [](const HttpTestServer::Request&, HttpTestServer::Response& r) { r.SetStatus(410); });
  const ProcessResult poll = Feedbridge({"poll", "garden"});
  EXPECT_THAT(poll.out, HasSubstr("410 Gone"));
  EXPECT_THAT(poll.out, HasSubstr("; disabled, not polled again"));
  EXPECT_THAT(poll.out, Not(HasSubstr("1970-01-01")));
}

TEST_F(FeedsCommandsTest, PollOfAFailingFeedNamesItsUrlOnce) {
  ASSERT_EQ(Feedbridge({"feeds", "add", web_.Url("/feed.rss"), "--nickname", "garden"}).exit_code,
            kExitOk);
  web_.Route("/feed.rss", [](const HttpTestServer::Request&, HttpTestServer::Response& r) {
    r.SetBody(std::string(4096, 'x'));
    r.CloseEarly();
  });
  const ProcessResult poll = Feedbridge({"poll", "garden"});
  EXPECT_EQ(poll.exit_code, kExitUnavailable) << poll.err;
  const std::string url = web_.Url("/feed.rss");
  EXPECT_THAT(poll.out, StartsWith("feed 1 <" + url + ">: failed: "));
  EXPECT_EQ(poll.out.find(url), poll.out.rfind(url)) << poll.out;
  EXPECT_THAT(poll.out, HasSubstr("; next poll 20"));
}

TEST_F(FeedsCommandsTest, PollOfAThrottledFeedSaysHowLongItWaits) {
  ASSERT_EQ(Feedbridge({"feeds", "add", web_.Url("/feed.rss"), "--nickname", "garden"}).exit_code,
            kExitOk);
  web_.Route("/feed.rss", [](const HttpTestServer::Request&, HttpTestServer::Response& r) {
    r.SetStatus(429);
    r.SetHeader("Retry-After", "120");
  });
  const ProcessResult poll = Feedbridge({"poll", "garden"});
  ASSERT_EQ(poll.exit_code, kExitOk) << poll.err;
  EXPECT_THAT(poll.out, HasSubstr("HTTP 429, throttled, retry after 120s; next poll 20"));
}

}  // namespace
}  // namespace feedbridge::app
