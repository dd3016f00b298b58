// Several processes of the service on one Redis and one PostgreSQL (issue 16): separate
// `feedbridge serve` processes, one `--roles poller`, two `--roles publisher`, one `--roles web`,
// with the same configuration. Three blogs' feeds on a loopback HTTP server; a loopback OMB peer
// that verifies each signature. The new entries of each blog reach the peer once each and both
// publishers deliver; the web process serves the blogs' pages. (In order per blog: not yet, see
// the disabled test at the end.)

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "omb/messages.h"
#include "omb/oauth.h"
#include "store/database.h"
#include "tests/support/http_test_server.h"
#include "tests/support/postgres_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/seen_nonces.h"
#include "tests/support/status_matchers.h"
#include "tests/support/subprocess.h"

namespace feedbridge {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using testing::HttpTestServer;
using testing::ProcessResult;

constexpr int kBlogs = 3;
constexpr int kNewPosts = 4;  // Per blog.
// How long each `serve` runs (timeout sends SIGTERM then): the test's wall time, about.
constexpr int kServeSeconds = 16;

// A listener's postNotice: each request verified (OAuth HMAC-SHA1 with the subscription's
// token), each notice URI kept in arrival order, with the listenee it came from.
class Listener {
 public:
  Listener(HttpTestServer& server, std::string consumer_key)
      : server_(server), consumer_key_(std::move(consumer_key)) {
    server_.Route("/omb", [this](const HttpTestServer::Request& req, HttpTestServer::Response& r) {
      Handle(req, r);
    });
  }
  std::string endpoint() const { return server_.Url("/omb") + "?action=postnotice"; }
  void Allow(const std::string& token, const std::string& secret) {
    std::lock_guard lock(mu_);
    secrets_[token] = secret;
  }
  // Per listenee, the notice URIs in the order they came.
  std::map<std::string, std::vector<std::string>> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  size_t count() {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [who, uris] : received_) n += uris.size();
    return n;
  }
  std::vector<std::string> refused() {
    std::lock_guard lock(mu_);
    return refused_;
  }

 private:
  void Handle(const HttpTestServer::Request& req, HttpTestServer::Response& r) {
    // A peer a little slow to answer, so that one publisher alone cannot take every job.
    std::this_thread::sleep_for(milliseconds(150));
    const auto refuse = [&](int status, const std::string& why) {
      std::lock_guard lock(mu_);
      refused_.push_back(why);
      r.SetStatus(status);
      r.SetBody(why);
    };
    Result<omb::ParamList> params =
        omb::CollectRequestParams(req.query, req.body, req.Header("Authorization"));
    if (req.method != "POST" || !params.ok()) return refuse(400, "not a signed POST");
    Result<omb::OAuthProtocolParams> oauth = omb::ReadOAuthParams(*params);
    if (!oauth.ok()) return refuse(400, oauth.status().message());
    if (oauth->consumer_key != consumer_key_) return refuse(400, "consumer " + oauth->consumer_key);
    std::string secret;
    {
      std::lock_guard lock(mu_);
      const auto found = secrets_.find(oauth->token);
      if (found == secrets_.end()) return refuse(403, "unknown token " + oauth->token);
      secret = found->second;
    }
    const int64_t now =
        std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    if (Status s =
            omb::VerifyRequest({"POST", endpoint(), *params}, *oauth, "", secret, now, nonces_);
        !s.ok()) {
      return refuse(401, s.message());
    }
    Result<omb::PostNotice> notice = omb::ParsePostNotice(*params);
    if (!notice.ok()) return refuse(400, notice.status().message());
    {
      std::lock_guard lock(mu_);
      received_[notice->listenee].push_back(notice->notice);
    }
    r.SetHeader("Content-Type", "text/plain");
    r.SetBody(std::string(omb::kOmbSuccessBody));
  }

  HttpTestServer& server_;
  const std::string consumer_key_;
  testing::SeenNonces nonces_;
  std::mutex mu_;
  std::map<std::string, std::string> secrets_;
  std::map<std::string, std::vector<std::string>> received_;
  std::vector<std::string> refused_;
};

// The status and body of GET url (a loopback http URL).
std::pair<int, std::string> Get(int port, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(5, 0));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::ostringstream body;
  body << in.rdbuf();
  return {static_cast<int>(response.getStatus()), body.str()};
}

// "postgresql:host=DIR dbname=NAME user=USER" (PostgresServer) as the URI the configuration
// takes: "postgresql://USER@/NAME?host=DIR".
std::string UriForm(const std::string& key_value) {
  std::map<std::string, std::string> keys;
  std::istringstream words(key_value.substr(key_value.find(':') + 1));
  for (std::string word; words >> word;) {
    const size_t eq = word.find('=');
    keys[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return "postgresql://" + keys["user"] + "@/" + keys["dbname"] + "?host=" + keys["host"];
}

class MultiProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      postgres_ = std::make_unique<testing::PostgresServer>();
    } catch (const std::runtime_error& e) {
      GTEST_SKIP() << "PostgreSQL 15 is not available here: " << e.what();
    }
  }

  // Runs the four processes for kServeSeconds with three blogs, each posting kNewPosts once
  // its backlog was polled; keeps what the peer received and what the processes said.
  void RunTheService() {
    const std::string database_url = UriForm(postgres_->CreateDatabase());
    testing::RedisTestServer redis(testing::RedisTestServer::Transport::kTcp);
    const int web_port = testing::FreeLoopbackPort();
    const std::string base = "http://127.0.0.1:" + std::to_string(web_port) + "/";

    HttpTestServer blogs;
    std::mutex posts_mu;
    int posts = 2;  // Per blog; the backlog at the first poll.
    for (int b = 1; b <= kBlogs; ++b) {
      blogs.Route("/" + std::to_string(b) + ".rss",
                  [&, b](const HttpTestServer::Request&, HttpTestServer::Response& r) {
                    int n;
                    {
                      std::lock_guard lock(posts_mu);
                      n = posts;
                    }
                    std::string items;
                    for (int i = n; i >= 1; --i) {
                      const std::string id = std::to_string(b) + "-" + std::to_string(i);
                      items += "<item><title>Post " + id + "</title><link>http://blog.example/" +
                               id + "</link><guid>post-" + id + "</guid></item>";
                    }
                    r.SetHeader("Content-Type", "application/rss+xml");
                    r.SetBody("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog " +
                              std::to_string(b) + "</title><link>http://blog.example/</link>" +
                              items + "</channel></rss>");
                  });
    }
    HttpTestServer peer_server;
    Listener listener(peer_server, base);

    const std::map<std::string, std::string> env = {
        {"FEEDBRIDGE_DATABASE_URL", database_url},
        {"FEEDBRIDGE_REDIS_URL", redis.url()},
        {"FEEDBRIDGE_REDIS_AUTOSTART", "false"},
        {"FEEDBRIDGE_SERVER_BASE_URL", base},
        {"FEEDBRIDGE_SERVER_LISTEN", "127.0.0.1:" + std::to_string(web_port)},
        {"FEEDBRIDGE_POLLER_INTERVAL_MIN", "1s"},
        {"FEEDBRIDGE_POLLER_INTERVAL_MAX", "2s"},
        {"FEEDBRIDGE_POLLER_ALLOW_PRIVATE_NETWORKS", "true"},
        {"FEEDBRIDGE_PUBLISHER_ALLOW_PRIVATE_NETWORKS", "true"},
        {"FEEDBRIDGE_LOG_LEVEL", "debug"},
    };
    for (int b = 1; b <= kBlogs; ++b) {
      const ProcessResult added =
          testing::RunProcess(FB_FEEDBRIDGE_BINARY,
                              {"feeds", "add", blogs.Url("/" + std::to_string(b) + ".rss"),
                               "--nickname", "blog" + std::to_string(b)},
                              env);
      ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
    }
    SystemClock clock;
    Result<std::unique_ptr<store::Database>> opened = store::OpenDatabase(database_url, clock);
    ASSERT_OK(opened);
    store::Database* db = opened->get();
    {
      // One subscriber per blog, stored as the OMB subscribe flow stores it.
      Result<std::vector<store::FeedRecord>> feeds = db->feeds().ListFeeds(0, 10);
      ASSERT_OK(feeds);
      ASSERT_EQ(feeds->size(), static_cast<size_t>(kBlogs));
      for (const store::FeedRecord& feed : *feeds) {
        const std::string who = "reader" + std::to_string(feed.account_id);
        store::Subscription s;
        s.account_id = feed.account_id;
        s.subscriber.uri = "http://peer.example/user/" + who;
        s.subscriber.nickname = who;
        s.post_notice_url = listener.endpoint();
        s.update_profile_url = "http://peer.example/index.php?action=updateprofile";
        s.token = "token-" + who;
        s.token_secret = "secret-" + who;
        listener.Allow(s.token, s.token_secret);
        ASSERT_OK(db->subscriptions().Subscribe(s));
      }
    }

    const std::vector<std::string> roles = {"poller", "publisher", "publisher", "web"};
    results_.assign(roles.size(), {});
    std::vector<std::thread> processes;
    for (size_t i = 0; i < roles.size(); ++i) {
      processes.emplace_back([&, i] {
        results_[i] = testing::RunProcess("/usr/bin/timeout",
                                          {"-s", "TERM", std::to_string(kServeSeconds),
                                           FB_FEEDBRIDGE_BINARY, "serve", "--roles", roles[i]},
                                          env);
      });
    }
    // The feeds' first polls store their backlogs (no notices); then each blog posts kNewPosts.
    const auto polled_by = std::chrono::steady_clock::now() + seconds(8);
    for (bool polled = false; !polled && std::chrono::steady_clock::now() < polled_by;) {
      std::this_thread::sleep_for(milliseconds(100));
      Result<std::vector<store::FeedRecord>> feeds = db->feeds().ListFeeds(0, 10);
      ASSERT_OK(feeds);
      polled = std::all_of(feeds->begin(), feeds->end(), [](const store::FeedRecord& f) {
        return f.last_success_at.has_value();
      });
    }
    {
      std::lock_guard lock(posts_mu);
      posts += kNewPosts;
    }
    const size_t expected = static_cast<size_t>(kBlogs * kNewPosts);
    const auto until = std::chrono::steady_clock::now() + seconds(kServeSeconds - 4);
    while (listener.count() < expected && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    try {
      page_ = Get(web_port, "/blog1");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "GET /blog1 of the web process: " << e.what();
    }
    for (std::thread& t : processes) t.join();
    received_ = listener.received();
    refused_ = listener.refused();
  }

  // Notice ids, per listenee, in the order they reached the peer.
  std::map<std::string, std::vector<int64_t>> ReceivedIds() const {
    std::map<std::string, std::vector<int64_t>> out;
    for (const auto& [listenee, uris] : received_) {
      for (const std::string& uri : uris) {
        out[listenee].push_back(std::stoll(uri.substr(uri.rfind('/') + 1)));
      }
    }
    return out;
  }

  std::unique_ptr<testing::PostgresServer> postgres_;
  std::map<std::string, std::vector<std::string>> received_;
  std::vector<std::string> refused_;
  std::pair<int, std::string> page_{0, ""};
  std::vector<ProcessResult> results_;  // poller, publisher, publisher, web.
};

TEST_F(MultiProcessTest, OnePollerTwoPublishersAndAWebServerShareOneRedisAndOnePostgres) {
  RunTheService();
  EXPECT_EQ(page_.first, 200);
  EXPECT_THAT(page_.second, HasSubstr("Blog 1"));
  // Every request signed with the subscription's token (the peer verified each one).
  EXPECT_THAT(refused_, ::testing::IsEmpty());
  ASSERT_EQ(received_.size(), static_cast<size_t>(kBlogs));
  for (const auto& [listenee, ids] : ReceivedIds()) {
    // Each new entry's notice once.
    EXPECT_EQ(ids.size(), static_cast<size_t>(kNewPosts)) << listenee;
    EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), ids.size()) << listenee;
  }
  for (size_t i = 0; i < results_.size(); ++i) {
    // timeout's SIGTERM: serve stops cleanly (0); 124 is timeout's own code for it.
    EXPECT_THAT(results_[i].exit_code, ::testing::AnyOf(0, 124)) << i << results_[i].err;
  }
  for (size_t i : {size_t{1}, size_t{2}}) {
    EXPECT_THAT(results_[i].err, HasSubstr(": delivered")) << "publisher " << i << results_[i].err;
  }
  EXPECT_THAT(results_[0].err, ::testing::Not(HasSubstr(": delivered")));
}

// Disabled: fails today. With two publisher processes the notices of one account reach the
// peer in whatever order their jobs are claimed (seen: notice ids 5, 7, 6, 8). Nothing in
// DESIGN.md promises an account's order yet; run it with --gtest_also_run_disabled_tests once
// delivery keeps it.
TEST_F(MultiProcessTest, DISABLED_TheNoticesOfOneAccountReachThePeerInOrder) {
  RunTheService();
  for (const auto& [listenee, ids] : ReceivedIds()) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()))
        << listenee << ": " << ::testing::PrintToString(ids);
  }
}

}  // namespace
}  // namespace feedbridge
