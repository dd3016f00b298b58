// The poller over the real HTTP client against a loopback server, on a real SQLite file: what a
// feed's document says about where it lives takes effect on the next poll.

#include <Poco/Logger.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "http/poco_http_client.h"
#include "poller/poller.h"
#include "queue/memory_notice_queue.h"
#include "queue/memory_poll_schedule.h"
#include "store/database.h"
#include "tests/poller/fakes.h"
#include "tests/support/fake_clock.h"
#include "tests/support/http_test_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::poller {
namespace {

using testing::HttpTestServer;

// A podcast with one episode `guid`; `new_feed_url` (if not empty) in itunes:new-feed-url.
std::string Podcast(const std::string& guid, const std::string& new_feed_url) {
  std::string out =
      "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">"
      "<channel><title>Cast</title><link>https://cast.example/</link>";
  if (!new_feed_url.empty())
    out += "<itunes:new-feed-url>" + new_feed_url + "</itunes:new-feed-url>";
  return out + "<item><title>Episode " + guid + "</title><guid>" + guid +
         "</guid></item></channel></rss>";
}

class PollerHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<store::Database>> db =
        store::OpenDatabase("sqlite:" + (dir_.path() / "poller.db").string(), clock_);
    ASSERT_OK(db);
    db_ = std::move(*db);
    http_ = std::make_unique<http::PocoHttpClient>(
        http::PocoHttpClientOptions{.allow_private_networks = true});
    poller_ = std::make_unique<Poller>(options_, config::OmbOptions{}, "http://bridge.example/",
                                       PollerDependencies{.feeds = db_->feeds(),
                                                          .entries = db_->entries(),
                                                          .notices = db_->notices(),
                                                          .queue = queue_,
                                                          .schedule = schedule_,
                                                          .http = *http_,
                                                          .clock = clock_,
                                                          .random = random_,
                                                          .log = log_});
  }

  testing::FakeClock clock_;
  testing::FixedRandom random_;
  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<http::PocoHttpClient> http_;
  queue::MemoryNoticeQueue queue_{clock_};
  queue::MemoryPollSchedule schedule_;
  Poco::Logger& log_ = Poco::Logger::get("feedbridge.poller.http_test");
  config::PollerOptions options_;
  std::unique_ptr<Poller> poller_;
  HttpTestServer server_;
};

TEST_F(PollerHttpTest, NewFeedUrlMovesTheFeedAndTheNextPollGoesThere) {
  const std::string old_url = server_.Url("/old.rss");
  const std::string new_url = server_.Url("/new.rss");
  server_.Route("/old.rss", [&](const HttpTestServer::Request&, HttpTestServer::Response& r) {
    r.SetHeader("Content-Type", "application/rss+xml");
    r.SetBody(Podcast("ep1", new_url));
  });
  server_.Route("/new.rss", [&](const HttpTestServer::Request&, HttpTestServer::Response& r) {
    r.SetHeader("Content-Type", "application/rss+xml");
    r.SetBody(Podcast("ep2", new_url));  // Naming itself: no further move.
  });
  Result<store::FeedRecord> feed =
      db_->feeds().AddFeed({.url = old_url, .nickname = "cast", .title = "Cast"});
  ASSERT_OK(feed);

  auto first = poller_->PollFeed(feed->id);
  ASSERT_OK(first);
  EXPECT_EQ(first->error, "");
  EXPECT_EQ(first->url, new_url);
  Result<store::FeedRecord> moved = db_->feeds().GetFeed(feed->id);
  ASSERT_OK(moved);
  EXPECT_EQ(moved->url, new_url);
  EXPECT_EQ(server_.RequestCount("/old.rss"), 1);
  // The target was asked once whether it names the old URL back (a ping-pong, not a move).
  EXPECT_EQ(server_.RequestCount("/new.rss"), 1);

  clock_.Advance(std::chrono::hours(1));
  auto second = poller_->PollFeed(feed->id);
  ASSERT_OK(second);
  EXPECT_EQ(second->error, "");
  EXPECT_EQ(second->url, new_url);
  EXPECT_EQ(second->new_entries, 1u);  // ep2, from the new feed.
  EXPECT_EQ(server_.RequestCount("/old.rss"), 1);
  EXPECT_EQ(server_.RequestCount("/new.rss"), 2);
  Result<store::FeedRecord> after = db_->feeds().GetFeed(feed->id);
  ASSERT_OK(after);
  EXPECT_EQ(after->url, new_url);
}

}  // namespace
}  // namespace feedbridge::poller
