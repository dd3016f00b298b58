#include "tests/poller/fakes.h"

#include <strings.h>

#include <algorithm>
#include <unordered_set>

namespace feedbridge::testing {

// ---- FakeHttpClient

void FakeHttpClient::Script(const std::string& url, Result<http::HttpResponse> answer) {
  std::lock_guard lock(mu_);
  Answers& answers = script_[url];
  // The last answer repeats only until a new one is scripted.
  if (answers.last_used) answers.queue.clear();
  answers.last_used = false;
  answers.queue.push_back(std::move(answer));
}

void FakeHttpClient::OnSend(std::function<void()> hook) {
  std::lock_guard lock(mu_);
  on_send_ = std::move(hook);
}

Result<http::HttpResponse> FakeHttpClient::Send(const http::HttpRequest& request) {
  std::function<void()> hook;
  {
    std::lock_guard lock(mu_);
    hook = on_send_;
  }
  if (hook) hook();
  std::lock_guard lock(mu_);
  requests_.push_back(request);
  auto it = script_.find(request.url);
  if (it == script_.end() || it->second.queue.empty()) {
    return Status::Unavailable("fake http: " + request.url + ": no answer scripted");
  }
  Answers& answers = it->second;
  if (answers.queue.size() == 1) {
    answers.last_used = true;
    return answers.queue.front();
  }
  Result<http::HttpResponse> answer = std::move(answers.queue.front());
  answers.queue.pop_front();
  return answer;
}

std::vector<http::HttpRequest> FakeHttpClient::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::string FakeHttpClient::RequestHeader(size_t index, std::string_view name) const {
  std::lock_guard lock(mu_);
  if (index >= requests_.size()) return {};
  for (const http::Header& h : requests_[index].headers) {
    if (h.name.size() == name.size() &&
        strncasecmp(h.name.c_str(), name.data(), name.size()) == 0) {
      return h.value;
    }
  }
  return {};
}

http::HttpResponse FakeHttpClient::Ok(const std::string& url, std::string body,
                                      std::vector<http::Header> headers) {
  http::HttpResponse r = WithStatus(url, 200, std::move(headers));
  r.body = std::move(body);
  return r;
}

http::HttpResponse FakeHttpClient::WithStatus(const std::string& url, int status,
                                              std::vector<http::Header> headers) {
  http::HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.final_url = url;
  return r;
}

// ---- FailingStore

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
    return Status::Unavailable("fake store: " + std::string(method) + ": database down");
  }
  return Status::Ok();
}

Result<store::FeedRecord> FailingStore::AddFeed(const store::NewFeed& feed) {
  if (Status s = Enter("AddFeed"); !s.ok()) return s;
  return inner_.AddFeed(feed);
}

Result<store::FeedRecord> FailingStore::GetFeed(int64_t feed_id) {
  if (Status s = Enter("GetFeed"); !s.ok()) return s;
  return inner_.GetFeed(feed_id);
}

Result<std::vector<store::FeedRecord>> FailingStore::GetFeeds(
    const std::vector<int64_t>& feed_ids) {
  if (Status s = Enter("GetFeeds"); !s.ok()) return s;
  return inner_.GetFeeds(feed_ids);
}

Result<store::FeedRecord> FailingStore::FindFeed(std::string_view url_or_nickname) {
  if (Status s = Enter("FindFeed"); !s.ok()) return s;
  return inner_.FindFeed(url_or_nickname);
}

Result<std::vector<store::FeedRecord>> FailingStore::ListFeeds(int64_t after_id, size_t limit) {
  if (Status s = Enter("ListFeeds"); !s.ok()) return s;
  return inner_.ListFeeds(after_id, limit);
}

Result<int64_t> FailingStore::CountFeeds() {
  if (Status s = Enter("CountFeeds"); !s.ok()) return s;
  return inner_.CountFeeds();
}

Status FailingStore::SaveFetchState(int64_t feed_id, const store::FetchState& state) {
  if (Status s = Enter("SaveFetchState"); !s.ok()) return s;
  return inner_.SaveFetchState(feed_id, state);
}

Status FailingStore::SaveFetchStates(const std::vector<store::FeedFetchState>& states) {
  if (Status s = Enter("SaveFetchStates"); !s.ok()) return s;
  return inner_.SaveFetchStates(states);
}

Status FailingStore::RemoveFeed(int64_t feed_id) {
  if (Status s = Enter("RemoveFeed"); !s.ok()) return s;
  return inner_.RemoveFeed(feed_id);
}

Result<std::vector<std::string>> FailingStore::KnownIdentities(
    int64_t feed_id, const std::vector<std::string>& identities) {
  if (Status s = Enter("KnownIdentities"); !s.ok()) return s;
  return inner_.KnownIdentities(feed_id, identities);
}

Result<std::vector<store::Notice>> FailingStore::RecordPoll(
    int64_t feed_id, const store::FetchState& state, const std::vector<store::NewEntry>& entries) {
  if (Status s = Enter("RecordPoll"); !s.ok()) return s;
  return inner_.RecordPoll(feed_id, state, entries);
}

Result<std::vector<store::StoredEntry>> FailingStore::ListEntries(int64_t feed_id,
                                                                  int64_t before_id, size_t limit) {
  if (Status s = Enter("ListEntries"); !s.ok()) return s;
  return inner_.ListEntries(feed_id, before_id, limit);
}

Result<store::StoredEntry> FailingStore::GetEntry(int64_t entry_id) {
  if (Status s = Enter("GetEntry"); !s.ok()) return s;
  return inner_.GetEntry(entry_id);
}

Result<int64_t> FailingStore::CountEntries(int64_t feed_id) {
  if (Status s = Enter("CountEntries"); !s.ok()) return s;
  return inner_.CountEntries(feed_id);
}

Result<store::MirrorStamp> FailingStore::StampMirror(std::string_view nickname) {
  if (Status s = Enter("StampMirror"); !s.ok()) return s;
  return inner_.StampMirror(nickname);
}

Result<std::vector<store::Notice>> FailingStore::PendingOutbox(size_t limit) {
  if (Status s = Enter("PendingOutbox"); !s.ok()) return s;
  return inner_.PendingOutbox(limit);
}

Status FailingStore::MarkEnqueued(int64_t notice_id) {
  if (Status s = Enter("MarkEnqueued"); !s.ok()) return s;
  return inner_.MarkEnqueued(notice_id);
}

Result<store::Notice> FailingStore::GetNotice(int64_t notice_id) {
  if (Status s = Enter("GetNotice"); !s.ok()) return s;
  return inner_.GetNotice(notice_id);
}

Result<store::NoticeSource> FailingStore::GetNoticeSource(int64_t notice_id) {
  if (Status s = Enter("GetNoticeSource"); !s.ok()) return s;
  return inner_.GetNoticeSource(notice_id);
}

Result<std::vector<store::Notice>> FailingStore::ListNotices(int64_t account_id, int64_t before_id,
                                                             size_t limit) {
  if (Status s = Enter("ListNotices"); !s.ok()) return s;
  return inner_.ListNotices(account_id, before_id, limit);
}

Result<int64_t> FailingStore::CountPendingOutbox() {
  if (Status s = Enter("CountPendingOutbox"); !s.ok()) return s;
  return inner_.CountPendingOutbox();
}

// ---- MemoryStore

store::FeedRecord MemoryStore::Feed(int64_t feed_id) const {
  std::lock_guard lock(mu_);
  return feeds_.at(feed_id);
}

void MemoryStore::PutFeed(const store::FeedRecord& feed) {
  std::lock_guard lock(mu_);
  feeds_[feed.id] = feed;
  next_id_ = std::max(next_id_, feed.id + 1);
}

std::vector<store::StoredEntry> MemoryStore::Entries(int64_t feed_id) const {
  std::lock_guard lock(mu_);
  std::vector<store::StoredEntry> out;
  for (const auto& e : entries_) {
    if (e.feed_id == feed_id) out.push_back(e);
  }
  return out;
}

std::vector<store::Notice> MemoryStore::Notices() const {
  std::lock_guard lock(mu_);
  return notices_;
}

Result<store::FeedRecord> MemoryStore::AddFeed(const store::NewFeed& feed) {
  std::lock_guard lock(mu_);
  for (const auto& [id, f] : feeds_) {
    if (f.url == feed.url || f.nickname == feed.nickname) {
      return Status::AlreadyExists("fake store: feed exists");
    }
  }
  store::FeedRecord r;
  r.id = next_id_++;
  r.account_id = r.id + 1000;
  r.nickname = feed.nickname;
  r.url = feed.url;
  r.title = feed.title;
  r.site_url = feed.site_url;
  r.description = feed.description;
  r.created_at = clock_.Now();
  feeds_[r.id] = r;
  return r;
}

Result<store::FeedRecord> MemoryStore::GetFeed(int64_t feed_id) {
  std::lock_guard lock(mu_);
  auto it = feeds_.find(feed_id);
  if (it == feeds_.end()) return Status::NotFound("fake store: no feed " + std::to_string(feed_id));
  return it->second;
}

Result<std::vector<store::FeedRecord>> MemoryStore::GetFeeds(const std::vector<int64_t>& feed_ids) {
  std::lock_guard lock(mu_);
  std::vector<store::FeedRecord> out;
  for (const int64_t id : feed_ids) {
    if (auto it = feeds_.find(id); it != feeds_.end()) out.push_back(it->second);
  }
  return out;
}

Result<store::FeedRecord> MemoryStore::FindFeed(std::string_view url_or_nickname) {
  std::lock_guard lock(mu_);
  for (const auto& [id, f] : feeds_) {
    if (f.url == url_or_nickname || f.nickname == url_or_nickname) return f;
  }
  return Status::NotFound("fake store: no feed " + std::string(url_or_nickname));
}

Result<std::vector<store::FeedRecord>> MemoryStore::ListFeeds(int64_t after_id, size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<store::FeedRecord> out;
  for (auto it = feeds_.upper_bound(after_id); it != feeds_.end() && out.size() < limit; ++it) {
    out.push_back(it->second);
  }
  return out;
}

Result<int64_t> MemoryStore::CountFeeds() {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(feeds_.size());
}

void MemoryStore::Apply(store::FeedRecord& feed, const store::FetchState& state) {
  feed.url = state.url;
  feed.title = state.title;
  feed.description = state.description;
  feed.site_url = state.site_url;
  feed.icon_url = state.icon_url;
  feed.etag = state.etag;
  feed.last_modified = state.last_modified;
  feed.last_http_status = state.last_http_status;
  feed.last_error = state.last_error;
  feed.consecutive_failures = state.consecutive_failures;
  feed.last_polled_at = state.last_polled_at;
  feed.last_success_at = state.last_success_at;
  feed.failing_since = state.failing_since;
  feed.next_poll_at = state.next_poll_at;
  feed.disabled_reason = state.disabled_reason;
  feed.recent_entries = state.recent_entries;
}

Status MemoryStore::SaveFetchState(int64_t feed_id, const store::FetchState& state) {
  std::lock_guard lock(mu_);
  auto it = feeds_.find(feed_id);
  if (it == feeds_.end()) return Status::NotFound("fake store: no feed");
  Apply(it->second, state);
  return Status::Ok();
}

Status MemoryStore::SaveFetchStates(const std::vector<store::FeedFetchState>& states) {
  std::lock_guard lock(mu_);
  for (const store::FeedFetchState& f : states) {
    auto it = feeds_.find(f.feed_id);
    if (it == feeds_.end()) continue;
    const std::string url = it->second.url;
    Apply(it->second, f.state);
    if (!f.url_changed) it->second.url = url;  // As the real stores: not written.
  }
  return Status::Ok();
}

Status MemoryStore::RemoveFeed(int64_t feed_id) {
  std::lock_guard lock(mu_);
  if (feeds_.erase(feed_id) == 0) return Status::NotFound("fake store: no feed");
  std::erase_if(entries_, [&](const auto& e) { return e.feed_id == feed_id; });
  return Status::Ok();
}

Result<std::vector<std::string>> MemoryStore::KnownIdentities(
    int64_t feed_id, const std::vector<std::string>& identities) {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const std::string& id : identities) {
    const bool known = std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) {
      return e.feed_id == feed_id && e.identity == id;
    });
    if (known) out.push_back(id);
  }
  return out;
}

Result<std::vector<store::Notice>> MemoryStore::RecordPoll(
    int64_t feed_id, const store::FetchState& state, const std::vector<store::NewEntry>& entries) {
  std::lock_guard lock(mu_);
  auto feed = feeds_.find(feed_id);
  if (feed == feeds_.end()) return Status::NotFound("fake store: no feed");
  std::unordered_set<std::string> known;
  for (const auto& e : entries_) {
    if (e.feed_id == feed_id) known.insert(e.identity);
  }
  std::vector<store::Notice> created;
  for (const store::NewEntry& n : entries) {
    if (!known.insert(n.identity).second) continue;
    store::StoredEntry e;
    e.id = next_id_++;
    e.feed_id = feed_id;
    e.identity = n.identity;
    e.url = n.url;
    e.title = n.title;
    e.published = n.published;
    e.updated = n.updated;
    e.first_seen_at = clock_.Now();
    e.document = n.document;
    entries_.push_back(e);
    if (n.notice_text.empty()) continue;
    store::Notice notice;
    notice.id = next_id_++;
    notice.account_id = feed->second.account_id;
    notice.entry_id = e.id;
    notice.text = n.notice_text;
    notice.url = n.notice_url;
    notice.created_at = clock_.Now();
    notices_.push_back(notice);
    created.push_back(notice);
  }
  Apply(feed->second, state);
  return created;
}

Result<std::vector<store::StoredEntry>> MemoryStore::ListEntries(int64_t feed_id, int64_t before_id,
                                                                 size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<store::StoredEntry> out;
  for (auto it = entries_.rbegin(); it != entries_.rend() && out.size() < limit; ++it) {
    if (it->feed_id == feed_id && (before_id == 0 || it->id < before_id)) out.push_back(*it);
  }
  return out;
}

Result<store::StoredEntry> MemoryStore::GetEntry(int64_t entry_id) {
  std::lock_guard lock(mu_);
  for (const auto& e : entries_) {
    if (e.id == entry_id) return e;
  }
  return Status::NotFound("fake store: no entry");
}

Result<int64_t> MemoryStore::CountEntries(int64_t feed_id) {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(std::count_if(entries_.begin(), entries_.end(),
                                            [&](const auto& e) { return e.feed_id == feed_id; }));
}

Result<store::MirrorStamp> MemoryStore::StampMirror(std::string_view nickname) {
  std::lock_guard lock(mu_);
  for (const auto& [id, f] : feeds_) {
    if (f.nickname != nickname) continue;
    store::MirrorStamp stamp{.feed_id = f.id,
                             .account_id = f.account_id,
                             .title = f.title,
                             .description = f.description,
                             .site_url = f.site_url,
                             .icon_url = f.icon_url,
                             .last_success_at = f.last_success_at,
                             .created_at = f.created_at};
    // Newest first, as ListEntries: the first one met from the end is the newest.
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
      if (it->feed_id != id) continue;
      if (stamp.entries++ == 0) {
        stamp.newest_id = it->id;
        stamp.newest_seen_at = it->first_seen_at;
      }
    }
    return stamp;
  }
  return Status::NotFound("fake store: no blog " + std::string(nickname));
}

Result<std::vector<store::Notice>> MemoryStore::PendingOutbox(size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<store::Notice> out;
  for (const auto& n : notices_) {
    if (!n.enqueued && out.size() < limit) out.push_back(n);
  }
  return out;
}

Status MemoryStore::MarkEnqueued(int64_t notice_id) {
  std::lock_guard lock(mu_);
  for (auto& n : notices_) {
    if (n.id == notice_id) {
      n.enqueued = true;
      return Status::Ok();
    }
  }
  return Status::NotFound("fake store: no notice");
}

Result<store::Notice> MemoryStore::GetNotice(int64_t notice_id) {
  std::lock_guard lock(mu_);
  for (const auto& n : notices_) {
    if (n.id == notice_id) return n;
  }
  return Status::NotFound("fake store: no notice");
}

Result<store::NoticeSource> MemoryStore::GetNoticeSource(int64_t notice_id) {
  // Three lookups, each under the lock: the fake has no snapshot to keep.
  Result<store::Notice> notice = GetNotice(notice_id);
  if (!notice.ok()) return notice.status();
  Result<store::StoredEntry> entry = GetEntry(notice->entry_id);
  if (!entry.ok()) return entry.status();
  Result<store::FeedRecord> feed = GetFeed(entry->feed_id);
  if (!feed.ok()) return feed.status();
  return store::NoticeSource{std::move(*notice), std::move(*entry), std::move(*feed)};
}

Result<std::vector<store::Notice>> MemoryStore::ListNotices(int64_t account_id, int64_t before_id,
                                                            size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<store::Notice> out;
  for (auto it = notices_.rbegin(); it != notices_.rend() && out.size() < limit; ++it) {
    if (it->account_id == account_id && (before_id == 0 || it->id < before_id)) {
      out.push_back(*it);
    }
  }
  return out;
}

Result<int64_t> MemoryStore::CountPendingOutbox() {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(
      std::count_if(notices_.begin(), notices_.end(), [](const auto& n) { return !n.enqueued; }));
}

}  // namespace feedbridge::testing
