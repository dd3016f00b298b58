#pragma once

// What the delivery engine tests share (delivery_engine_test.cc: one job at a time;
// delivery_batch_test.cc: a worker's batches): the in-memory queues, a real SQLite delivery log,
// and a test protocol adapter whose peers are scripted behind the HttpClient interface.

#include <Poco/Logger.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "publisher/delivery_engine.h"
#include "queue/memory_delivery_queue.h"
#include "queue/memory_notice_queue.h"
#include "store/database.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::publisher::testing {

using ::feedbridge::testing::FakeClock;
using std::chrono::milliseconds;

class HalfRandom final : public Random {
 public:
  uint64_t Next() override { return uint64_t{1} << 63; }  // UniformUnit: 0.5.
};

// Answers each URL from a script (the last answer repeats); records what was sent.
class ScriptedHttp final : public http::HttpClient {
 public:
  void Answer(const std::string& url, std::vector<Result<http::HttpResponse>> answers) {
    std::lock_guard lock(mu_);
    script_[url] = std::deque<Result<http::HttpResponse>>(answers.begin(), answers.end());
  }
  http::SendResult Send(const http::HttpRequest& request) override {
    std::lock_guard lock(mu_);
    sent_.push_back(request);
    auto it = script_.find(request.url);
    if (it == script_.end() || it->second.empty()) {
      return Status::Unavailable("http: " + request.url + ": connection refused");
    }
    Result<http::HttpResponse> r = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return r;
  }
  std::vector<http::HttpRequest> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::deque<Result<http::HttpResponse>>> script_;
  std::vector<http::HttpRequest> sent_;
};

// SendEach as a batch client: every request of a call recorded as one batch, answered by
// `inner`; requests from `not_sent_from` on are reported NotSent (the batch ran out of time).
class BatchHttp final : public http::HttpClient {
 public:
  explicit BatchHttp(http::HttpClient& inner) : inner_(inner) {}
  http::SendResult Send(const http::HttpRequest& request) override {
    ++single_sends_;
    return inner_.Send(request);
  }
  void SendEach(std::span<const http::HttpRequest> requests, std::chrono::steady_clock::time_point,
                const EachDone& done) override {
    batches_.push_back(requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      if (i >= not_sent_from_) {
        done(i, http::NotSent{"not sent: the batch ran out of time"});
        continue;
      }
      if (!done(i, inner_.Send(requests[i]))) {
        for (size_t j = i + 1; j < requests.size(); ++j) done(j, http::NotSent{"stopped"});
        return;
      }
    }
  }
  std::vector<size_t> batches_;
  int single_sends_ = 0;
  size_t not_sent_from_ = static_cast<size_t>(-1);

 private:
  http::HttpClient& inner_;
};

inline Result<http::HttpResponse> Reply(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// A protocol whose recipients are names behind endpoints; the request body names the
// recipient and the notice. 200 "taken" delivers, 403 removes the recipient, 5xx and transport
// errors retry, 400 gives up.
class TestAdapter final : public ProtocolAdapter {
 public:
  void Subscribe(int64_t account, const std::string& endpoint, const std::string& who) {
    std::lock_guard lock(mu_);
    recipients_[{account, endpoint}].push_back(who);
  }
  std::vector<std::string> Recipients(int64_t account, const std::string& endpoint) {
    std::lock_guard lock(mu_);
    return recipients_[{account, endpoint}];
  }

  std::string_view protocol() const override { return "test"; }
  const RetryPolicy& retry_policy() const override { return policy_; }
  Status ForEachEndpoint(const queue::DeliveryJob& job, size_t chunk,
                         const EndpointChunk& each) override {
    std::vector<std::string> out;
    {
      std::lock_guard lock(mu_);
      for (const auto& [key, who] : recipients_) {
        if (key.first == job.account_id && !who.empty()) out.push_back(key.second);
      }
    }
    for (size_t i = 0; i < out.size(); i += chunk) {
      const size_t n = std::min(chunk, out.size() - i);
      if (Status s = each(std::span<const std::string>(out).subspan(i, n)); !s.ok()) return s;
    }
    return Status::Ok();
  }
  Result<PreparedDelivery> Prepare(const queue::DeliveryJob& job) override {
    std::lock_guard lock(mu_);
    const auto& who = recipients_[{job.account_id, job.endpoint}];
    if (who.empty()) return Status::NotFound("nobody left at " + job.endpoint);
    PreparedDelivery d;
    d.request.method = "POST";
    d.request.url = job.endpoint;
    d.request.body = who.front() + " " + std::to_string(job.notice_id);
    d.recipient = who.front();
    return d;
  }
  AttemptResult Interpret(const PreparedDelivery&,
                          const Result<http::HttpResponse>& answer) override {
    if (!answer.ok()) {
      return {AttemptResult::Kind::kRetryLater, answer.status().message(), std::nullopt, true};
    }
    const int status = answer->status;
    const std::string reason = "HTTP " + std::to_string(status);
    if (status == 200 && answer->body == "taken") return {AttemptResult::Kind::kDelivered};
    if (status == 403) return {AttemptResult::Kind::kRecipientGone, reason};
    if (status >= 500) return {AttemptResult::Kind::kRetryLater, reason, std::nullopt, true};
    return {AttemptResult::Kind::kGiveUp, reason};
  }
  Status DropRecipient(const PreparedDelivery& d) override {
    std::lock_guard lock(mu_);
    for (auto& [key, who] : recipients_) {
      if (key.second == d.request.url && !who.empty() && who.front() == d.recipient) {
        who.erase(who.begin());
        return Status::Ok();
      }
    }
    return Status::NotFound("no recipient " + d.recipient);
  }

 private:
  std::mutex mu_;
  RetryPolicy policy_ = OmbRetryPolicy();
  std::map<std::pair<int64_t, std::string>, std::vector<std::string>> recipients_;
};

inline constexpr milliseconds kNoBlock(0);
inline const std::string kA = "http://a.example/post";
inline const std::string kB = "http://b.example/post";

class DeliveryEngineTest : public ::testing::Test {
 protected:
  DeliveryEngineTest() {
    Result<std::unique_ptr<store::Database>> db =
        store::OpenDatabase("sqlite:" + (dir_.path() / "fb.db").string(), clock_);
    EXPECT_OK(db);
    if (db.ok()) db_ = std::move(*db);
  }

  std::unique_ptr<DeliveryEngine> Engine(EngineOptions options = {},
                                         http::HttpClient* client = nullptr) {
    return std::make_unique<DeliveryEngine>(
        DeliveryEngine::Deps{notices_, *deliveries_, db_->deliveries(),
                             client != nullptr ? *client : http_, clock_, random_,
                             Poco::Logger::get("feedbridge.publisher.test")},
        options, std::vector<ProtocolAdapter*>{&adapter_});
  }

  bool Delivered(int64_t notice_id, const std::string& endpoint) {
    Result<bool> was = db_->deliveries().WasDelivered({"test", "notice", notice_id, endpoint});
    EXPECT_OK(was);
    return was.ok() && *was;
  }

  void Publish(int64_t notice_id, int64_t account = 1) {
    ASSERT_OK(notices_.Enqueue({.notice_id = notice_id, .account_id = account}));
  }

  // Claims and delivers every job due now; returns the outcomes in order.
  std::vector<DeliveryOutcome> DeliverAll(DeliveryEngine& engine) {
    std::vector<DeliveryOutcome> out;
    for (int i = 0; i < 100; ++i) {
      auto claimed = deliveries_->Claim("t", 1, kNoBlock, std::chrono::minutes(10));
      EXPECT_OK(claimed);
      if (!claimed.ok() || claimed->empty()) break;
      Result<DeliveryOutcome> o = engine.Deliver((*claimed)[0]);
      EXPECT_OK(o);
      if (o.ok()) out.push_back(*o);
    }
    return out;
  }

  std::vector<std::string> Bodies() {
    std::vector<std::string> out;
    for (const http::HttpRequest& r : http_.sent()) out.push_back(r.url + " " + r.body);
    return out;
  }

  FakeClock clock_;
  HalfRandom random_;
  ::feedbridge::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  queue::MemoryNoticeQueue notices_{clock_};
  std::unique_ptr<queue::MemoryDeliveryQueue> deliveries_ = queue::MakeMemoryDeliveryQueue(clock_);
  ScriptedHttp http_;
  TestAdapter adapter_;
};

}  // namespace feedbridge::publisher::testing
