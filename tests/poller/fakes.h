#pragma once

// Test doubles for the poller's dependencies: a scripted HTTP client, an in-memory store and a
// fault-injecting decorator over it (leveldb ErrorEnv style). The queue and the schedule are
// queue/memory_* behind the decorators of tests/support/failing_queue.h.

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "http/http_client.h"
#include "store/entry_store.h"
#include "store/feed_store.h"
#include "store/notice_store.h"

namespace feedbridge::testing {

// Answers each URL from a script: a queue of responses or errors per URL, used in order; the last
// one repeats until another is scripted. Records every request. Thread-safe.
class FakeHttpClient final : public http::HttpClient {
 public:
  void Script(const std::string& url, Result<http::HttpResponse> answer);
  // Runs `hook` (outside the client's lock) at every Send, before it answers: a slow server.
  void OnSend(std::function<void()> hook);
  Result<http::HttpResponse> Send(const http::HttpRequest& request) override;

  std::vector<http::HttpRequest> requests() const;
  // The value of header `name` in the `index`th request, or "" when absent.
  std::string RequestHeader(size_t index, std::string_view name) const;

  // A 200 with `body`, fetched from `url` without redirects.
  static http::HttpResponse Ok(const std::string& url, std::string body,
                               std::vector<http::Header> headers = {});
  // A response with only a status (and headers).
  static http::HttpResponse WithStatus(const std::string& url, int status,
                                       std::vector<http::Header> headers = {});

 private:
  struct Answers {
    std::deque<Result<http::HttpResponse>> queue;
    bool last_used = false;  // The only answer left has been given at least once.
  };
  mutable std::mutex mu_;
  std::map<std::string, Answers> script_;    // Guarded by mu_.
  std::vector<http::HttpRequest> requests_;  // Guarded by mu_.
  std::function<void()> on_send_;            // Guarded by mu_.
};

// FeedStore + EntryStore + NoticeStore in memory. RecordPoll is all or nothing. Thread-safe.
class MemoryStore final : public store::FeedStore,
                          public store::EntryStore,
                          public store::NoticeStore {
 public:
  explicit MemoryStore(Clock& clock) : clock_(clock) {}

  // Direct access for assertions and set-up.
  store::FeedRecord Feed(int64_t feed_id) const;
  void PutFeed(const store::FeedRecord& feed);
  std::vector<store::StoredEntry> Entries(int64_t feed_id) const;  // Insertion order.
  std::vector<store::Notice> Notices() const;                      // Insertion order.

  // FeedStore
  Result<store::FeedRecord> AddFeed(const store::NewFeed& feed) override;
  Result<store::FeedRecord> GetFeed(int64_t feed_id) override;
  Result<std::vector<store::FeedRecord>> GetFeeds(const std::vector<int64_t>& feed_ids) override;
  Result<store::FeedRecord> FindFeed(std::string_view url_or_nickname) override;
  Result<std::vector<store::FeedRecord>> ListFeeds(int64_t after_id, size_t limit) override;
  Result<int64_t> CountFeeds() override;
  Status SaveFetchState(int64_t feed_id, const store::FetchState& state) override;
  Status SaveFetchStates(const std::vector<store::FeedFetchState>& states) override;
  Status RemoveFeed(int64_t feed_id) override;

  // EntryStore
  Result<std::vector<std::string>> KnownIdentities(
      int64_t feed_id, const std::vector<std::string>& identities) override;
  Result<std::vector<store::Notice>> RecordPoll(
      int64_t feed_id, const store::FetchState& state,
      const std::vector<store::NewEntry>& entries) override;
  Result<std::vector<store::StoredEntry>> ListEntries(int64_t feed_id, int64_t before_id,
                                                      size_t limit) override;
  Result<store::StoredEntry> GetEntry(int64_t entry_id) override;
  Result<int64_t> CountEntries(int64_t feed_id) override;
  Result<store::MirrorStamp> StampMirror(std::string_view nickname) override;

  // NoticeStore
  Result<std::vector<store::Notice>> PendingOutbox(size_t limit) override;
  Status MarkEnqueued(int64_t notice_id) override;
  Result<store::Notice> GetNotice(int64_t notice_id) override;
  Result<store::NoticeSource> GetNoticeSource(int64_t notice_id) override;
  Result<std::vector<store::Notice>> ListNotices(int64_t account_id, int64_t before_id,
                                                 size_t limit) override;
  Result<int64_t> CountPendingOutbox() override;

 private:
  static void Apply(store::FeedRecord& feed, const store::FetchState& state);

  Clock& clock_;
  mutable std::mutex mu_;
  std::map<int64_t, store::FeedRecord> feeds_;  // Guarded by mu_.
  std::vector<store::StoredEntry> entries_;     // Guarded by mu_.
  std::vector<store::Notice> notices_;          // Guarded by mu_.
  int64_t next_id_ = 1;                         // Guarded by mu_.
};

// The stores of a MemoryStore (which must outlive it) with faults injected (leveldb ErrorEnv
// style): any call can be made to fail with Unavailable: the Nth call from now (FailNthCall),
// every call of one method (FailMethod), or all calls (SetDown). A failed call changes nothing.
// Feed, PutFeed, Entries and Notices show the MemoryStore. Thread-safe.
class FailingStore final : public store::FeedStore,
                           public store::EntryStore,
                           public store::NoticeStore {
 public:
  explicit FailingStore(MemoryStore& inner) : inner_(inner) {}
  FailingStore(const FailingStore&) = delete;
  FailingStore& operator=(const FailingStore&) = delete;

  void FailNthCall(int n);                   // 1: the next call.
  void FailMethod(std::string_view method);  // "RecordPoll", "MarkEnqueued", ...; "" clears.
  void SetDown(bool down);
  int calls() const;
  int calls(std::string_view method) const;  // Calls of that method so far.

  store::FeedRecord Feed(int64_t feed_id) const { return inner_.Feed(feed_id); }
  void PutFeed(const store::FeedRecord& feed) { inner_.PutFeed(feed); }
  std::vector<store::StoredEntry> Entries(int64_t feed_id) const { return inner_.Entries(feed_id); }
  std::vector<store::Notice> Notices() const { return inner_.Notices(); }

  // FeedStore
  Result<store::FeedRecord> AddFeed(const store::NewFeed& feed) override;
  Result<store::FeedRecord> GetFeed(int64_t feed_id) override;
  Result<std::vector<store::FeedRecord>> GetFeeds(const std::vector<int64_t>& feed_ids) override;
  Result<store::FeedRecord> FindFeed(std::string_view url_or_nickname) override;
  Result<std::vector<store::FeedRecord>> ListFeeds(int64_t after_id, size_t limit) override;
  Result<int64_t> CountFeeds() override;
  Status SaveFetchState(int64_t feed_id, const store::FetchState& state) override;
  Status SaveFetchStates(const std::vector<store::FeedFetchState>& states) override;
  Status RemoveFeed(int64_t feed_id) override;

  // EntryStore
  Result<std::vector<std::string>> KnownIdentities(
      int64_t feed_id, const std::vector<std::string>& identities) override;
  Result<std::vector<store::Notice>> RecordPoll(
      int64_t feed_id, const store::FetchState& state,
      const std::vector<store::NewEntry>& entries) override;
  Result<std::vector<store::StoredEntry>> ListEntries(int64_t feed_id, int64_t before_id,
                                                      size_t limit) override;
  Result<store::StoredEntry> GetEntry(int64_t entry_id) override;
  Result<int64_t> CountEntries(int64_t feed_id) override;
  Result<store::MirrorStamp> StampMirror(std::string_view nickname) override;

  // NoticeStore
  Result<std::vector<store::Notice>> PendingOutbox(size_t limit) override;
  Status MarkEnqueued(int64_t notice_id) override;
  Result<store::Notice> GetNotice(int64_t notice_id) override;
  Result<store::NoticeSource> GetNoticeSource(int64_t notice_id) override;
  Result<std::vector<store::Notice>> ListNotices(int64_t account_id, int64_t before_id,
                                                 size_t limit) override;
  Result<int64_t> CountPendingOutbox() override;

 private:
  // Counts the call; Unavailable if it is to fail.
  Status Enter(std::string_view method);

  MemoryStore& inner_;
  mutable std::mutex mu_;
  int calls_ = 0;                                         // Guarded by mu_.
  std::map<std::string, int, std::less<>> method_calls_;  // Guarded by mu_.
  int fail_at_call_ = 0;                                  // Guarded by mu_. 0: none.
  std::string fail_method_;                               // Guarded by mu_.
  bool down_ = false;                                     // Guarded by mu_.
};

// Always returns the same value (default: 2^63, which UniformUnit makes 0.5: no jitter).
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(uint64_t value = uint64_t{1} << 63) : value_(value) {}
  uint64_t Next() override { return value_; }

 private:
  const uint64_t value_;
};

}  // namespace feedbridge::testing
