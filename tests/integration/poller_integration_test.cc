// The poller end to end against real dependencies on this machine: a POCO HTTP server on
// loopback serving a changing feed, a real redis-server, a SQLite file, the real PocoHttpClient,
// all built by the real composition root (app/wiring.h) from a configuration.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "app/wiring.h"
#include "common/clock.h"
#include "poller/poller.h"
#include "store/database.h"
#include "tests/support/http_test_server.h"
#include "tests/support/redis_server.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge {
namespace {

using testing::HttpTestServer;
using testing::RedisTestServer;
using testing::TempDir;

// A blog whose feed grows by one post at a time, with ETags like a real blog engine.
class ChangingBlog {
 public:
  explicit ChangingBlog(HttpTestServer& server) : server_(server) {
    server_.Route("/feed.rss",
                  [this](const HttpTestServer::Request& req, HttpTestServer::Response& resp) {
                    std::lock_guard lock(mu_);
                    const std::string etag = "\"v" + std::to_string(posts_) + "\"";
                    if (req.Header("If-None-Match") == etag) {
                      resp.SetStatus(304);
                      resp.SetHeader("ETag", etag);
                      ++not_modified_;
                      return;
                    }
                    resp.SetHeader("ETag", etag);
                    resp.SetHeader("Content-Type", "application/rss+xml; charset=utf-8");
                    resp.SetBody(Render());
                  });
  }
  void Publish(int n) {
    std::lock_guard lock(mu_);
    posts_ += n;
  }
  int not_modified() const {
    std::lock_guard lock(mu_);
    return not_modified_;
  }
  std::string PostUrl(int i) const { return server_.Url("/post/" + std::to_string(i)); }

 private:
  std::string Render() const {
    std::string items;
    for (int i = posts_; i >= 1; --i) {  // Newest first, as blogs write them.
      items += "<item><title>Post number " + std::to_string(i) + " &amp; more</title><link>" +
               PostUrl(i) + "</link><guid>" + PostUrl(i) + "</guid><pubDate>Mon, " +
               std::to_string(i) + " Nov 2026 10:00:00 GMT</pubDate><description>Body " +
               std::to_string(i) + "</description></item>";
    }
    return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Changing blog</title>"
           "<link>" +
           server_.Url("/") + "</link>" + items + "</channel></rss>";
  }

  HttpTestServer& server_;
  mutable std::mutex mu_;
  int posts_ = 3;         // Guarded by mu_.
  int not_modified_ = 0;  // Guarded by mu_.
};

class PollerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(redis_.Start());
    config::Config config;
    config.server.base_url = "http://127.0.0.1:8080/";
    config.database.url = "sqlite:" + (dir_.path() / "fb.db").string();
    config.redis.url = redis_.url();
    config.redis.prefix = "fbtest:";
    config.poller.interval_min = std::chrono::seconds(1);
    config.poller.user_agent = "feedbridge-test";
    config.poller.allow_private_networks = true;
    auto services = app::Services::Open(config, {.poller = true});
    ASSERT_OK(services);
    services_ = std::move(services).value();
    db_ = &services_->database();
    queue_ = &services_->notice_queue();
    schedule_ = &services_->schedule();
    poller_ = &services_->poller();
    auto feed = db_->feeds().AddFeed({.url = web_.Url("/feed.rss"), .nickname = "blog"});
    ASSERT_OK(feed);
    feed_id_ = feed->id;
  }

  // Every message on the notices stream, claimed by a test consumer and acknowledged.
  std::vector<store::Notice> DrainQueue() {
    std::vector<store::Notice> out;
    for (;;) {
      auto claimed =
          queue_->Claim("test", 100, std::chrono::milliseconds(0), std::chrono::minutes(5));
      EXPECT_OK(claimed);
      if (!claimed.ok() || claimed->empty()) break;
      for (const queue::ClaimedNotice& c : *claimed) {
        auto notice = db_->notices().GetNotice(c.notice.notice_id);
        EXPECT_OK(notice);
        if (notice.ok()) out.push_back(*notice);
        EXPECT_OK(queue_->Ack(c));
      }
    }
    return out;
  }

  TempDir dir_;
  RedisTestServer redis_;
  HttpTestServer web_;
  ChangingBlog blog_{web_};
  std::unique_ptr<app::Services> services_;
  store::Database* db_ = nullptr;  // Owned by services_, as the rest.
  queue::NoticeQueue* queue_ = nullptr;
  queue::PollSchedule* schedule_ = nullptr;
  poller::Poller* poller_ = nullptr;
  int64_t feed_id_ = 0;
};

TEST_F(PollerIntegrationTest, PicksUpExactlyTheNewEntriesInOrderWithConditionalRequests) {
  // First poll: the backlog is stored, not broadcast.
  auto first = poller_->PollFeed(feed_id_);
  ASSERT_OK(first);
  EXPECT_EQ(first->http_status, 200);
  EXPECT_EQ(first->new_entries, 3u);
  EXPECT_EQ(first->notices, 0u);
  EXPECT_TRUE(DrainQueue().empty());

  // Nothing new: the conditional GET is answered 304.
  auto unchanged = poller_->PollFeed(feed_id_);
  ASSERT_OK(unchanged);
  EXPECT_TRUE(unchanged->not_modified);
  EXPECT_EQ(blog_.not_modified(), 1);
  auto request = web_.LastRequest("/feed.rss");
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->Header("If-None-Match"), "\"v3\"");

  // Two new posts: exactly two notices, oldest first, with the title and the permalink.
  blog_.Publish(2);
  auto second = poller_->PollFeed(feed_id_);
  ASSERT_OK(second);
  EXPECT_EQ(second->new_entries, 2u);
  EXPECT_EQ(second->notices, 2u);
  std::vector<store::Notice> notices = DrainQueue();
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].text, "Post number 4 & more " + blog_.PostUrl(4));
  EXPECT_EQ(notices[1].text, "Post number 5 & more " + blog_.PostUrl(5));
  EXPECT_EQ(notices[0].url, blog_.PostUrl(4));
  EXPECT_LT(notices[0].id, notices[1].id);

  // And again nothing new: 304, no notice.
  auto third = poller_->PollFeed(feed_id_);
  ASSERT_OK(third);
  EXPECT_TRUE(third->not_modified);
  EXPECT_EQ(blog_.not_modified(), 2);
  EXPECT_TRUE(DrainQueue().empty());
  auto count = db_->entries().CountEntries(feed_id_);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 5);
}

TEST_F(PollerIntegrationTest, RedisDownDuringAPollLosesNothingAndEnqueuesEachNoticeOnce) {
  ASSERT_OK(poller_->PollFeed(feed_id_));  // Baseline.
  blog_.Publish(2);
  redis_.Kill();
  auto during = poller_->PollFeed(feed_id_);
  // The entries and notices are in the database; the notices wait in the outbox.
  if (during.ok()) {
    EXPECT_EQ(during->new_entries, 2u);
  }
  auto pending = db_->notices().CountPendingOutbox();
  ASSERT_OK(pending);
  EXPECT_EQ(*pending, 2);

  ASSERT_OK(redis_.Restart());
  auto flushed = poller_->FlushOutbox();
  ASSERT_OK(flushed);
  EXPECT_EQ(*flushed, 2u);
  // A second flush (a restart replaying the outbox) adds nothing twice.
  ASSERT_OK(poller_->FlushOutbox());
  std::vector<store::Notice> notices = DrainQueue();
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].url, blog_.PostUrl(4));
  EXPECT_EQ(notices[1].url, blog_.PostUrl(5));
  auto after = db_->notices().CountPendingOutbox();
  ASSERT_OK(after);
  EXPECT_EQ(*after, 0);
}

TEST_F(PollerIntegrationTest, RunOnceClaimsDueFeedsFromTheSharedSchedule) {
  ASSERT_OK(poller_->ScheduleAll());
  auto reports = poller_->RunOnce(10);
  ASSERT_OK(reports);
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_EQ((*reports)[0].feed_id, feed_id_);
  // Rescheduled into the future: not due again now.
  auto again = poller_->RunOnce(10);
  ASSERT_OK(again);
  EXPECT_TRUE(again->empty());
  auto due = schedule_->CountDue(services_->clock().Now());
  ASSERT_OK(due);
  EXPECT_EQ(*due, 0);
}

}  // namespace
}  // namespace feedbridge
