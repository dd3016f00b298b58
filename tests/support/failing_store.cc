#include "tests/support/failing_store.h"

namespace feedbridge::testing {

void FailingStore::FailNthCall(int n) {
  std::lock_guard lock(mu_);
  fail_at_call_ = calls_ + n;
}

void FailingStore::FailMethod(std::string_view method) {
  std::lock_guard lock(mu_);
  fail_method_ = std::string(method);
}

void FailingStore::SetDown(bool down) {
  std::lock_guard lock(mu_);
  down_ = down;
}

int FailingStore::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

int FailingStore::calls(std::string_view method) const {
  std::lock_guard lock(mu_);
  const auto it = method_calls_.find(method);
  return it == method_calls_.end() ? 0 : it->second;
}

Status FailingStore::Enter(std::string_view method) {
  std::lock_guard lock(mu_);
  ++calls_;
  ++method_calls_[std::string(method)];
  if (down_ || calls_ == fail_at_call_ || method == fail_method_) {
    return Status::Unavailable("failing store: " + std::string(method) + ": database down");
  }
  return Status::Ok();
}

Result<store::FeedRecord> FailingStore::AddFeed(const store::NewFeed& feed) {
  if (Status s = Enter("AddFeed"); !s.ok()) return s;
  return feeds_.AddFeed(feed);
}

Result<store::FeedRecord> FailingStore::GetFeed(int64_t feed_id) {
  if (Status s = Enter("GetFeed"); !s.ok()) return s;
  return feeds_.GetFeed(feed_id);
}

Result<std::vector<store::FeedRecord>> FailingStore::GetFeeds(
    const std::vector<int64_t>& feed_ids) {
  if (Status s = Enter("GetFeeds"); !s.ok()) return s;
  return feeds_.GetFeeds(feed_ids);
}

Result<store::FeedRecord> FailingStore::FindFeed(std::string_view url_or_nickname) {
  if (Status s = Enter("FindFeed"); !s.ok()) return s;
  return feeds_.FindFeed(url_or_nickname);
}

Result<store::FeedRecord> FailingStore::FindFeedByAccount(int64_t account_id) {
  if (Status s = Enter("FindFeedByAccount"); !s.ok()) return s;
  return feeds_.FindFeedByAccount(account_id);
}

Result<std::vector<store::FeedRecord>> FailingStore::ListFeeds(int64_t after_id, size_t limit) {
  if (Status s = Enter("ListFeeds"); !s.ok()) return s;
  return feeds_.ListFeeds(after_id, limit);
}

Result<int64_t> FailingStore::CountFeeds() {
  if (Status s = Enter("CountFeeds"); !s.ok()) return s;
  return feeds_.CountFeeds();
}

Status FailingStore::SaveFetchState(int64_t feed_id, const store::FetchState& state) {
  if (Status s = Enter("SaveFetchState"); !s.ok()) return s;
  return feeds_.SaveFetchState(feed_id, state);
}

Status FailingStore::SaveFetchStates(const std::vector<store::FeedFetchState>& states) {
  if (Status s = Enter("SaveFetchStates"); !s.ok()) return s;
  return feeds_.SaveFetchStates(states);
}

Status FailingStore::RemoveFeed(int64_t feed_id) {
  if (Status s = Enter("RemoveFeed"); !s.ok()) return s;
  return feeds_.RemoveFeed(feed_id);
}

Result<std::vector<std::string>> FailingStore::KnownIdentities(
    int64_t feed_id, const std::vector<std::string>& identities) {
  if (Status s = Enter("KnownIdentities"); !s.ok()) return s;
  return entries_.KnownIdentities(feed_id, identities);
}

Result<std::vector<store::Notice>> FailingStore::RecordPoll(
    int64_t feed_id, const store::FetchState& state, const std::vector<store::NewEntry>& entries) {
  if (Status s = Enter("RecordPoll"); !s.ok()) return s;
  return entries_.RecordPoll(feed_id, state, entries);
}

Result<std::vector<store::StoredEntry>> FailingStore::ListEntries(int64_t feed_id,
                                                                  int64_t before_id, size_t limit) {
  if (Status s = Enter("ListEntries"); !s.ok()) return s;
  return entries_.ListEntries(feed_id, before_id, limit);
}

Result<store::StoredEntry> FailingStore::GetEntry(int64_t entry_id) {
  if (Status s = Enter("GetEntry"); !s.ok()) return s;
  return entries_.GetEntry(entry_id);
}

Result<int64_t> FailingStore::CountEntries(int64_t feed_id) {
  if (Status s = Enter("CountEntries"); !s.ok()) return s;
  return entries_.CountEntries(feed_id);
}

Result<store::MirrorStamp> FailingStore::StampMirror(std::string_view nickname) {
  if (Status s = Enter("StampMirror"); !s.ok()) return s;
  return entries_.StampMirror(nickname);
}

Result<std::vector<store::Notice>> FailingStore::PendingOutbox(size_t limit) {
  if (Status s = Enter("PendingOutbox"); !s.ok()) return s;
  return notices_.PendingOutbox(limit);
}

Status FailingStore::MarkEnqueued(int64_t notice_id) {
  if (Status s = Enter("MarkEnqueued"); !s.ok()) return s;
  return notices_.MarkEnqueued(notice_id);
}

Result<store::Notice> FailingStore::GetNotice(int64_t notice_id) {
  if (Status s = Enter("GetNotice"); !s.ok()) return s;
  return notices_.GetNotice(notice_id);
}

Result<store::NoticeSource> FailingStore::GetNoticeSource(int64_t notice_id) {
  if (Status s = Enter("GetNoticeSource"); !s.ok()) return s;
  return notices_.GetNoticeSource(notice_id);
}

Result<std::vector<store::Notice>> FailingStore::ListNotices(int64_t account_id, int64_t before_id,
                                                             size_t limit) {
  if (Status s = Enter("ListNotices"); !s.ok()) return s;
  return notices_.ListNotices(account_id, before_id, limit);
}

Result<int64_t> FailingStore::CountPendingOutbox() {
  if (Status s = Enter("CountPendingOutbox"); !s.ok()) return s;
  return notices_.CountPendingOutbox();
}

}  // namespace feedbridge::testing
