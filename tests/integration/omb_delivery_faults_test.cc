// Delivery faults through the real wiring: the publisher role (its threads, the real POCO client,
// Redis, SQLite) against tests/peers/omb_peer.py processes misbehaving on purpose. Each peer gets
// its own loopback address (127.0.0.N), as distinct hosts would, since the publisher limits and
// breaks per host. Long outages run in compressed time (FastForward: the injected clock and the
// Redis retry schedule together). The unit-level versions are in
// tests/publisher/delivery_engine_test.cc; a 403 is covered by OmbPublishTest and
// OmbInteropTest.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/omb_bridge_fixture.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_certificates.h"

namespace feedbridge {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::ChildProcess;
using testing::HttpTestServer;
using testing::OmbPeerProcess;
using testing::PeerRequest;

// The notice URIs a peer took, in arrival order.
std::vector<std::string> NoticeUris(const std::vector<PeerRequest>& requests) {
  std::vector<std::string> out;
  for (const PeerRequest& r : requests) out.push_back(r.Param("omb_notice"));
  return out;
}

int64_t NoticeNumber(const std::string& uri) { return std::stoll(uri.substr(uri.rfind('/') + 1)); }

std::vector<int64_t> Sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class OmbDeliveryFaultsTest : public testing::OmbBridgeFixture {
 protected:
  // The notice ids of the blog, oldest first, from the store.
  std::vector<int64_t> NoticeIds() {
    Result<std::vector<store::Notice>> notices =
        services_->database().notices().ListNotices(feed_.account_id, 0, 1000);
    std::vector<int64_t> ids;
    if (notices.ok()) {
      for (const store::Notice& n : *notices) ids.push_back(n.id);
    }
    return Sorted(ids);
  }
  std::vector<int64_t> Numbers(const std::vector<PeerRequest>& got) {
    std::vector<int64_t> out;
    for (const std::string& uri : NoticeUris(got)) out.push_back(NoticeNumber(uri));
    return out;
  }
};

TEST_F(OmbDeliveryFaultsTest, PeerDownForAnHourGetsEverythingOnceWhenItReturnsOthersNotSlowed) {
  OmbPeerProcess down({.bind = "127.0.0.2", .fault = "down"});
  OmbPeerProcess up({.variant = "statusnet-0.9", .bind = "127.0.0.3"});
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  ASSERT_NO_FATAL_FAILURE(Subscribe(down, "alice"));
  ASSERT_NO_FATAL_FAILURE(Subscribe(up, "alice"));
  services_->publisher().Start();
  constexpr size_t kNotices = 6;
  ASSERT_NO_FATAL_FAILURE(Publish(1 + kNotices, kNotices));
  // The healthy peer gets everything at once, while the other one refuses connections.
  EXPECT_TRUE(WaitFor([&] { return Accepted(up).size() >= kNotices; }, seconds(5))) << up.Log();
  // An hour passes in 5-minute steps: attempts fail, back off, the breaker opens.
  for (int step = 0; step < 12; ++step) {
    ASSERT_NO_FATAL_FAILURE(FastForward(minutes(5)));
    std::this_thread::sleep_for(milliseconds(150));
  }
  const size_t tried_while_down = Received(down).size();
  EXPECT_GT(tried_while_down, 0u) << "the down peer was never tried";
  EXPECT_LT(tried_while_down, 12 * kNotices) << "the breaker should hold most attempts back";
  EXPECT_THAT(Accepted(down), ::testing::IsEmpty());
  ASSERT_OK(down.SetFault("none"));
  // Back: the retries (at most 2 h apart by now) bring everything.
  for (int step = 0; step < 30 && Accepted(down).size() < kNotices; ++step) {
    ASSERT_NO_FATAL_FAILURE(FastForward(minutes(10)));
    WaitFor([&] { return Accepted(down).size() >= kNotices; }, milliseconds(300));
  }
  services_->publisher().Stop();
  const std::vector<PeerRequest> got = Accepted(down);
  EXPECT_EQ(Sorted(Numbers(got)), NoticeIds()) << "each notice once, none lost";
  EXPECT_EQ(Sorted(Numbers(Accepted(up))), NoticeIds()) << "each notice once";
  EXPECT_EQ(Outstanding(), 0);
  for (const PeerRequest& r : got) EXPECT_TRUE(r.signature_ok);
  // The arrival order is not asserted: the publisher's threads deliver one endpoint's jobs
  // concurrently, and after an outage each job comes back on its own jittered schedule.
  std::ostringstream order;
  for (int64_t n : Numbers(Accepted(up))) order << n << " ";
  order << "/ after the outage: ";
  for (int64_t n : Numbers(got)) order << n << " ";
  std::cout << "[ arrival order ] " << order.str() << "\n";
}

TEST_F(OmbDeliveryFaultsTest, DuplicateNotice500IsDeliveredAndNotSentAgain) {
  OmbPeerProcess peer({.variant = "statusnet-0.9", .fault = "500-duplicate"});
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  ASSERT_NO_FATAL_FAILURE(Subscribe(peer, "alice"));
  services_->publisher().Start();
  ASSERT_NO_FATAL_FAILURE(Publish(3, 2));
  EXPECT_TRUE(WaitFor([&] { return Received(peer).size() >= 2 && Outstanding() == 0; }));
  // Later retries would show as more requests.
  ASSERT_NO_FATAL_FAILURE(FastForward(minutes(30)));
  std::this_thread::sleep_for(milliseconds(500));
  services_->publisher().Stop();
  const std::vector<PeerRequest> got = Received(peer);
  ASSERT_EQ(got.size(), 2u);
  for (const PeerRequest& r : got) {
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.answer, "Duplicate notice.");
  }
  EXPECT_EQ(Outstanding(), 0) << "delivered: nothing retrying, nothing dead";
}

TEST_F(OmbDeliveryFaultsTest, SlowPeerIsCutAtTheTimeoutAndOtherPeersKeepFlowing) {
  OmbPeerProcess slow({.bind = "127.0.0.4", .fault = "slow"});
  ASSERT_OK(slow.SetFault("slow", 30));
  OmbPeerProcess fast({.bind = "127.0.0.5"});
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  ASSERT_NO_FATAL_FAILURE(Subscribe(slow, "alice"));
  ASSERT_NO_FATAL_FAILURE(Subscribe(fast, "alice"));
  constexpr size_t kNotices = 8;  // Twice the per-host limit (4) of in-flight deliveries.
  ASSERT_NO_FATAL_FAILURE(Publish(1 + kNotices, kNotices));
  const auto start = std::chrono::steady_clock::now();
  services_->publisher().Start();
  EXPECT_TRUE(WaitFor([&] { return Accepted(fast).size() >= kNotices; }, seconds(5)));
  const auto fast_done = std::chrono::steady_clock::now() - start;
  // Every job of the slow peer is back on the retry schedule within a few timeouts (2 s): none
  // is stuck on a thread waiting 30 s.
  EXPECT_TRUE(WaitFor(
      [&] {
        Result<queue::QueueStats> s = services_->delivery_inspector().Stats();
        return s.ok() && s->retrying == static_cast<int64_t>(kNotices) && s->length == 0;
      },
      seconds(12)));
  const auto slow_bounded = std::chrono::steady_clock::now() - start;
  services_->publisher().Stop();
  EXPECT_LT(fast_done, seconds(4)) << "the fast peer waited for the slow one";
  EXPECT_LT(slow_bounded, seconds(12));
  EXPECT_THAT(Accepted(slow), ::testing::IsEmpty());
}

TEST_F(OmbDeliveryFaultsTest, HostilePeersCannotHurtThePublisher) {
  OmbPeerProcess huge({.bind = "127.0.0.11", .fault = "huge"});
  OmbPeerProcess endless({.bind = "127.0.0.12", .fault = "endless"});
  OmbPeerProcess redirect({.bind = "127.0.0.13", .fault = "redirect"});
  OmbPeerProcess good({.bind = "127.0.0.14"});
  // An https peer whose certificate no CA the publisher trusts signed.
  testing::TestCertificates certs;
  HttpTestServer tls({certs.server_cert_file(), certs.server_key_file()});
  tls.Route("/index.php", [](const HttpTestServer::Request&, HttpTestServer::Response& r) {
    r.SetBody(std::string(omb::kOmbSuccessBody));
  });
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  for (OmbPeerProcess* p : {&huge, &endless, &redirect, &good}) {
    ASSERT_NO_FATAL_FAILURE(Subscribe(*p, "alice"));
  }
  store::Subscription tls_sub;
  tls_sub.account_id = feed_.account_id;
  tls_sub.subscriber.uri = "https://127.0.0.1/user/1";
  tls_sub.subscriber.nickname = "mallory";
  tls_sub.post_notice_url = tls.Url("/index.php?action=postnotice");
  tls_sub.update_profile_url = tls.Url("/index.php?action=updateprofile");
  tls_sub.token = "t";
  tls_sub.token_secret = "s";
  ASSERT_OK(services_->database().subscriptions().Subscribe(tls_sub));

  constexpr size_t kNotices = 3;
  ASSERT_NO_FATAL_FAILURE(Publish(1 + kNotices, kNotices));
  const auto start = std::chrono::steady_clock::now();
  services_->publisher().Start();
  EXPECT_TRUE(WaitFor([&] { return Accepted(good).size() >= kNotices; }, seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
  // Every hostile job ends (cut at the answer cap, the redirect not followed, the handshake
  // refused) and waits for a retry: none is delivered, none hangs a thread.
  EXPECT_TRUE(WaitFor(
      [&] {
        Result<queue::QueueStats> s = services_->delivery_inspector().Stats();
        return s.ok() && s->retrying == static_cast<int64_t>(4 * kNotices) && s->length == 0;
      },
      seconds(10)));
  services_->publisher().Stop();
  EXPECT_EQ(tls.RequestCount("/index.php"), 0) << "a request went over an untrusted TLS session";
  for (OmbPeerProcess* p : {&huge, &endless, &redirect}) {
    EXPECT_FALSE(Received(*p).empty()) << p->options().fault << " was never tried";
  }
  for (const PeerRequest& r : Received(redirect)) {
    EXPECT_NE(r.action, "followed-redirect") << "the publisher followed a 307";
  }
  Result<std::vector<store::EndpointHealth>> health =
      services_->database().deliveries().Health({huge.PostNoticeUrl(), redirect.PostNoticeUrl(),
                                                 tls_sub.post_notice_url, good.PostNoticeUrl()});
  EXPECT_OK(health);
  if (health.ok()) {
    std::map<std::string, std::string> errors;
    for (const store::EndpointHealth& h : *health) errors[h.endpoint] = h.last_error;
    EXPECT_THAT(errors[huge.PostNoticeUrl()], ::testing::HasSubstr("over 65536 bytes"));
    EXPECT_THAT(errors[redirect.PostNoticeUrl()], ::testing::HasSubstr("307"));
    EXPECT_THAT(errors[tls_sub.post_notice_url], ::testing::HasSubstr("TLS"));
    EXPECT_EQ(errors[good.PostNoticeUrl()], "");
  }
  EXPECT_EQ(Outstanding(), static_cast<int64_t>(4 * kNotices));
}

TEST_F(OmbDeliveryFaultsTest, RedisRestartedMidRunLosesNoNotice) {
  OmbPeerProcess peer({.fault = "slow"});
  ASSERT_OK(peer.SetFault("slow", 0.15));
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  ASSERT_NO_FATAL_FAILURE(Subscribe(peer, "alice"));
  constexpr size_t kNotices = 16;
  ASSERT_NO_FATAL_FAILURE(Publish(1 + kNotices, kNotices));
  services_->publisher().Start();
  ASSERT_TRUE(WaitFor([&] { return Accepted(peer).size() >= 3; }));
  ASSERT_OK(redis_.Restart());  // SIGTERM (append-only file kept), then up again.
  // Claims whose acknowledgement failed while it was down are stale at once in compressed time.
  std::this_thread::sleep_for(milliseconds(500));
  for (int step = 0; step < 40 && Accepted(peer).size() < kNotices; ++step) {
    AgePendingClaims();
    ASSERT_NO_FATAL_FAILURE(FastForward(minutes(5)));
    WaitFor([&] { return Accepted(peer).size() >= kNotices; }, milliseconds(300));
  }
  ASSERT_TRUE(WaitFor([&] { return Outstanding() == 0; }, seconds(5)));
  services_->publisher().Stop();
  EXPECT_EQ(Sorted(Numbers(Accepted(peer))), NoticeIds()) << "each notice once, none lost";
}

// DESIGN.md: "a process killed at any instant loses nothing". `feedbridge serve --roles
// publisher` runs as a subprocess and is SIGKILLed at random instants (seeded) while it
// delivers; restarted, it takes over the dead process's claims. Every notice reaches each peer;
// a notice in flight at the kill may arrive twice, which the peer drops by notice URI.
TEST_F(OmbDeliveryFaultsTest, PublisherSigkilledMidDeliveryLosesNothing) {
  OmbPeerProcess a({.bind = "127.0.0.6", .fault = "slow"});
  OmbPeerProcess b({.variant = "statusnet-0.9", .bind = "127.0.0.7", .fault = "slow"});
  ASSERT_OK(a.SetFault("slow", 0.08));
  ASSERT_OK(b.SetFault("slow", 0.08));
  ASSERT_NO_FATAL_FAILURE(OpenBridgedBlog());
  ASSERT_NO_FATAL_FAILURE(Subscribe(a, "alice"));
  ASSERT_NO_FATAL_FAILURE(Subscribe(b, "alice"));
  constexpr size_t kNotices = 40;  // Two polls: the poller sends at most 20 notices a poll.
  ASSERT_NO_FATAL_FAILURE(Publish(1 + kNotices / 2, kNotices / 2));
  ASSERT_NO_FATAL_FAILURE(Publish(1 + kNotices, kNotices / 2));
  const config::Config c = Config();
  const std::map<std::string, std::string> env = {
      {"FEEDBRIDGE_SERVER_BASE_URL", c.server.base_url},
      {"FEEDBRIDGE_DATABASE_URL", c.database.url},
      {"FEEDBRIDGE_REDIS_URL", c.redis.url},
      {"FEEDBRIDGE_PUBLISHER_ALLOW_PRIVATE_NETWORKS", "true"},
      {"FEEDBRIDGE_PUBLISHER_TIMEOUT", "2s"},
      {"FEEDBRIDGE_LOG_LEVEL", "warning"},
  };
  const std::filesystem::path log = dir_.path() / "publisher.log";
  std::mt19937 rng(20261204);
  std::uniform_int_distribution<int> delay_ms(100, 700);
  const auto done = [&] {
    return Accepted(a).size() >= kNotices && Accepted(b).size() >= kNotices;
  };
  int kills = 0;
  int interrupting_kills = 0;  // Kills that came while some notice was still undelivered.
  for (int round = 0; round < 4 && !done(); ++round) {
    ChildProcess publisher(FB_FEEDBRIDGE_BINARY, {"serve", "--roles", "publisher"}, env, log);
    std::this_thread::sleep_for(milliseconds(delay_ms(rng)));
    publisher.Signal(SIGKILL);
    ASSERT_EQ(publisher.Wait(seconds(5)), 128 + SIGKILL);
    ++kills;
    if (!done()) ++interrupting_kills;
    AgePendingClaims();  // The dead one's claims, stale at once in compressed time.
  }
  {
    ChildProcess publisher(FB_FEEDBRIDGE_BINARY, {"serve", "--roles", "publisher"}, env, log);
    const bool all = WaitFor(done, seconds(12));
    publisher.Signal(SIGTERM);
    publisher.Wait(seconds(10));
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    ASSERT_TRUE(all) << "publisher log:\n" << text.str();
  }
  EXPECT_GT(interrupting_kills, 0) << "every kill came after the work was done";
  for (OmbPeerProcess* p : {&a, &b}) {
    SCOPED_TRACE(p->options().variant);
    EXPECT_EQ(Sorted(Numbers(Accepted(*p))), NoticeIds()) << "a notice lost or taken twice";
    size_t duplicates = 0;
    for (const PeerRequest& r : Received(*p)) {
      EXPECT_TRUE(r.signature_ok);
      if (r.duplicate) ++duplicates;
    }
    std::cout << "[ " << p->options().variant
              << " ] duplicates dropped by notice URI: " << duplicates << " after " << kills
              << " kills\n";
  }
}

}  // namespace
}  // namespace feedbridge
