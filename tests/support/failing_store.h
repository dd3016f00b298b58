#pragma once

// A fault-injecting decorator (leveldb ErrorEnv style) over the stores the poller uses, for
// tests that need the database "down" or one write to fail. Wrap the real SQL store on a temp
// SQLite file (store::OpenDatabase) rather than re-implementing it.

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.h"
#include "store/entry_store.h"
#include "store/feed_store.h"
#include "store/notice_store.h"

namespace feedbridge::testing {

// Passes every call to the stores of `inner` (which must outlive it) and counts it; a call can
// be made to fail with Unavailable instead: the Nth call from now (FailNthCall), every call of
// one method (FailMethod), or all calls (SetDown). A failed call changes nothing. Thread-safe.
class FailingStore : public store::FeedStore, public store::EntryStore, public store::NoticeStore {
 public:
  explicit FailingStore(store::Database& inner)
      : feeds_(inner.feeds()), entries_(inner.entries()), notices_(inner.notices()) {}
  FailingStore(const FailingStore&) = delete;
  FailingStore& operator=(const FailingStore&) = delete;

  void FailNthCall(int n);                   // 1: the next call.
  void FailMethod(std::string_view method);  // "RecordPoll", "MarkEnqueued", ...; "" clears.
  void SetDown(bool down);
  int calls() const;
  int calls(std::string_view method) const;  // Calls of that method so far.

  // FeedStore
  Result<store::FeedRecord> AddFeed(const store::NewFeed& feed) override;
  Result<store::FeedRecord> GetFeed(int64_t feed_id) override;
  Result<std::vector<store::FeedRecord>> GetFeeds(const std::vector<int64_t>& feed_ids) override;
  Result<store::FeedRecord> FindFeed(std::string_view url_or_nickname) override;
  Result<store::FeedRecord> FindFeedByAccount(int64_t account_id) override;
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

  store::FeedStore& feeds_;
  store::EntryStore& entries_;
  store::NoticeStore& notices_;
  mutable std::mutex mu_;
  int calls_ = 0;                                         // Guarded by mu_.
  std::map<std::string, int, std::less<>> method_calls_;  // Guarded by mu_.
  int fail_at_call_ = 0;                                  // Guarded by mu_. 0: none.
  std::string fail_method_;                               // Guarded by mu_.
  bool down_ = false;                                     // Guarded by mu_.
};

}  // namespace feedbridge::testing
