// The store contract, run against both SQLite and PostgreSQL.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/migrations.h"
#include "tests/store/store_fixture.h"
#include "tests/store/test_databases.h"
#include "tests/support/fake_clock.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace feedbridge::store {
namespace {

using ::feedbridge::testing::StatusIs;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Code = Status::Code;

NewEntry Entry(const std::string& identity, const std::string& notice_text = "") {
  return NewEntry{.identity = identity,
                  .url = "https://ex.org/" + identity,
                  .title = "Title " + identity,
                  .published = TimePoint(seconds(1'700'000'000)),
                  .document = "{\"id\":\"" + identity + "\"}",
                  .notice_text = notice_text,
                  .notice_url = notice_text.empty() ? "" : "https://ex.org/" + identity};
}

FetchState Polled(const FeedRecord& feed, TimePoint at) {
  return FetchState{.url = feed.url,
                    .title = feed.title,
                    .etag = "\"v1\"",
                    .last_modified = "Tue, 14 Nov 2023 22:13:20 GMT",
                    .last_http_status = 200,
                    .last_polled_at = at,
                    .last_success_at = at,
                    .next_poll_at = at + std::chrono::minutes(30)};
}

class StoreTest : public StoreFixture {};

TEST_P(StoreTest, MigrationsApplyOnceAndReopeningIsANoOp) {
  const int latest = Migrations().back().version;
  EXPECT_EQ(db_->SchemaVersion(), latest);
  AddBlog("first");
  db_.reset();
  Result<std::unique_ptr<Database>> again = OpenDatabase(url_, clock_);
  ASSERT_OK(again);
  EXPECT_EQ((*again)->SchemaVersion(), latest);
  EXPECT_OK((*again)->feeds().FindFeed("first"));
}

TEST_P(StoreTest, ConcurrentOpenersAllSucceedOnAFreshDatabase) {
  std::string url;
  testing::TempDir other;
  ASSERT_NO_THROW(url = FreshDatabaseUrl(GetParam(), other));
  std::vector<Status> results(4);
  std::vector<int> versions(4, -1);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      Result<std::unique_ptr<Database>> db = OpenDatabase(url, clock_);
      results[i] = db.status();
      if (db.ok()) versions[i] = (*db)->SchemaVersion();
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_OK(results[i]);
    EXPECT_EQ(versions[i], Migrations().back().version);
  }
}

TEST_P(StoreTest, AddFeedCreatesAccountAndFeed) {
  const FeedRecord feed = AddBlog("alice");
  EXPECT_GT(feed.id, 0);
  EXPECT_GT(feed.account_id, 0);
  EXPECT_EQ(feed.nickname, "alice");
  EXPECT_EQ(feed.url, "https://alice.example.org/feed.xml");
  EXPECT_EQ(feed.title, "Blog alice");
  EXPECT_EQ(feed.site_url, "https://alice.example.org/");
  EXPECT_EQ(feed.description, "About alice");
  EXPECT_EQ(feed.created_at, clock_.Now());
  EXPECT_EQ(feed.last_http_status, 0);
  EXPECT_FALSE(feed.last_polled_at.has_value());
  EXPECT_FALSE(feed.next_poll_at.has_value());
  EXPECT_FALSE(feed.disabled());
}

TEST_P(StoreTest, FindFeedByUrlOrNickname) {
  const FeedRecord feed = AddBlog("alice");
  AddBlog("bob");
  Result<FeedRecord> by_nick = db_->feeds().FindFeed("alice");
  ASSERT_OK(by_nick);
  EXPECT_EQ(by_nick->id, feed.id);
  Result<FeedRecord> by_url = db_->feeds().FindFeed(feed.url);
  ASSERT_OK(by_url);
  EXPECT_EQ(by_url->id, feed.id);
  EXPECT_THAT(db_->feeds().FindFeed("carol"), StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, FindFeedByAccountGivesTheAccountsFeed) {
  AddBlog("alice");
  const FeedRecord bob = AddBlog("bob");
  ASSERT_NE(bob.account_id, 0);
  Result<FeedRecord> found = db_->feeds().FindFeedByAccount(bob.account_id);
  ASSERT_OK(found);
  EXPECT_EQ(found->id, bob.id);
  EXPECT_EQ(found->nickname, "bob");
  EXPECT_THAT(db_->feeds().FindFeedByAccount(bob.account_id + 100), StatusIs(Code::kNotFound));
  ASSERT_OK(db_->feeds().RemoveFeed(bob.id));
  EXPECT_THAT(db_->feeds().FindFeedByAccount(bob.account_id), StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, GetFeedOfUnknownIdIsNotFound) {
  EXPECT_THAT(db_->feeds().GetFeed(4242), StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, ListFeedsPagesInIdOrderAndCountCountsAll) {
  std::vector<int64_t> ids;
  for (const char* nick : {"a", "b", "c", "d", "e"}) ids.push_back(AddBlog(nick).id);
  Result<std::vector<FeedRecord>> first = db_->feeds().ListFeeds(0, 2);
  ASSERT_OK(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, ids[0]);
  EXPECT_EQ((*first)[1].id, ids[1]);
  Result<std::vector<FeedRecord>> rest = db_->feeds().ListFeeds((*first)[1].id, 10);
  ASSERT_OK(rest);
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_EQ((*rest)[2].nickname, "e");
  Result<int64_t> count = db_->feeds().CountFeeds();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 5);
}

TEST_P(StoreTest, AddFeedWithTakenUrlIsAlreadyExists) {
  AddBlog("alice");
  NewFeed same_url = Blog("alice");
  same_url.nickname = "other";
  EXPECT_THAT(db_->feeds().AddFeed(same_url), StatusIs(Code::kAlreadyExists));
  Result<int64_t> count = db_->feeds().CountFeeds();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 1);
}

TEST_P(StoreTest, AddFeedWithTakenNicknameIsAlreadyExists) {
  AddBlog("alice");
  NewFeed same_nick = Blog("alice");
  same_nick.url = "https://elsewhere.example.org/atom";
  EXPECT_THAT(db_->feeds().AddFeed(same_nick), StatusIs(Code::kAlreadyExists));
}

TEST_P(StoreTest, AddFeedWithBadNicknameIsInvalidArgument) {
  struct Case {
    const char* name;
    std::string nickname;
  };
  const Case cases[] = {
      {"empty", ""},       {"uppercase", "Alice"},      {"dash", "al-ice"},
      {"space", "al ice"}, {"non_ascii", "al\xc3\xa9"}, {"too_long", std::string(65, 'a')},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    NewFeed feed = Blog("x");
    feed.nickname = c.nickname;
    EXPECT_THAT(db_->feeds().AddFeed(feed), StatusIs(Code::kInvalidArgument));
  }
  NewFeed longest = Blog("x");
  longest.nickname = std::string(64, 'z');
  EXPECT_OK(db_->feeds().AddFeed(longest));
}

TEST_P(StoreTest, SaveFetchStateRoundTrips) {
  const FeedRecord feed = AddBlog("alice");
  FetchState state = Polled(feed, clock_.Now());
  state.url = "https://alice.example.org/moved.xml";
  state.last_http_status = 503;
  state.last_error = "HTTP 503";
  state.consecutive_failures = 2;
  state.last_success_at.reset();
  state.failing_since = clock_.Now() - seconds(600);
  state.disabled_reason = "gone";
  ASSERT_OK(db_->feeds().SaveFetchState(feed.id, state));
  Result<FeedRecord> got = db_->feeds().GetFeed(feed.id);
  ASSERT_OK(got);
  EXPECT_EQ(got->url, state.url);
  EXPECT_EQ(got->etag, "\"v1\"");
  EXPECT_EQ(got->last_modified, state.last_modified);
  EXPECT_EQ(got->last_http_status, 503);
  EXPECT_EQ(got->last_error, "HTTP 503");
  EXPECT_EQ(got->consecutive_failures, 2);
  EXPECT_EQ(got->last_polled_at, state.last_polled_at);
  EXPECT_FALSE(got->last_success_at.has_value());
  EXPECT_EQ(got->failing_since, state.failing_since);
  EXPECT_EQ(got->next_poll_at, state.next_poll_at);
  EXPECT_TRUE(got->disabled());
  EXPECT_THAT(db_->feeds().SaveFetchState(999, state), StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, GetFeedsReturnsThoseThatExist) {
  const FeedRecord alice = AddBlog("alice");
  const FeedRecord bob = AddBlog("bob");
  Result<std::vector<FeedRecord>> got = db_->feeds().GetFeeds({bob.id, 4242, alice.id});
  ASSERT_OK(got);
  std::vector<std::string> names;
  for (const FeedRecord& f : *got) names.push_back(f.nickname);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"alice", "bob"}));
  Result<std::vector<FeedRecord>> none = db_->feeds().GetFeeds({});
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());

  // Every column reads as GetFeed reads it (on SQLite GetFeeds has its own row reader).
  FetchState state = Polled(alice, clock_.Now());
  state.description = "Posts \xE2\x80\x94 and notes";
  state.failing_since = clock_.Now() - seconds(5);
  state.consecutive_failures = 4;
  state.recent_entries = std::vector<TimePoint>{clock_.Now() - seconds(90)};
  ASSERT_OK(db_->feeds().SaveFetchState(alice.id, state));
  Result<FeedRecord> one = db_->feeds().GetFeed(alice.id);
  Result<std::vector<FeedRecord>> batch = db_->feeds().GetFeeds({alice.id});
  ASSERT_OK(one);
  ASSERT_OK(batch);
  ASSERT_EQ(batch->size(), 1u);
  const FeedRecord& b = batch->front();
  EXPECT_EQ(b.id, one->id);
  EXPECT_EQ(b.account_id, one->account_id);
  EXPECT_EQ(b.nickname, one->nickname);
  EXPECT_EQ(b.url, one->url);
  EXPECT_EQ(b.title, one->title);
  EXPECT_EQ(b.description, "Posts \xE2\x80\x94 and notes");
  EXPECT_EQ(b.etag, one->etag);
  EXPECT_EQ(b.last_modified, one->last_modified);
  EXPECT_EQ(b.last_http_status, one->last_http_status);
  EXPECT_EQ(b.consecutive_failures, 4);
  EXPECT_EQ(b.last_polled_at, one->last_polled_at);
  EXPECT_EQ(b.last_success_at, one->last_success_at);
  EXPECT_EQ(b.failing_since, state.failing_since);
  EXPECT_EQ(b.next_poll_at, one->next_poll_at);
  EXPECT_EQ(b.recent_entries, state.recent_entries);
  EXPECT_EQ(b.created_at, one->created_at);
  EXPECT_EQ(b.disabled_reason, one->disabled_reason);
}

TEST_P(StoreTest, SaveFetchStatesWritesEachFeedsOwnStateAndSkipsRemovedFeeds) {
  const FeedRecord alice = AddBlog("alice");
  const FeedRecord bob = AddBlog("bob");
  const TimePoint now = clock_.Now();
  FetchState a = Polled(alice, now);
  a.etag = "\"a\"";
  a.last_http_status = 304;
  a.recent_entries = std::vector<TimePoint>{now - seconds(60), now - seconds(7200)};
  FetchState b = Polled(bob, now);
  b.etag = "\"b\"";
  b.last_error = "HTTP 500";
  b.consecutive_failures = 3;
  b.failing_since = now - seconds(600);
  b.recent_entries = std::vector<TimePoint>{};  // Known: nothing recent.
  ASSERT_OK(db_->feeds().SaveFetchStates({{.feed_id = alice.id, .state = a},
                                          {.feed_id = 4242, .state = a},
                                          {.feed_id = bob.id, .state = b}}));
  Result<FeedRecord> got_a = db_->feeds().GetFeed(alice.id);
  Result<FeedRecord> got_b = db_->feeds().GetFeed(bob.id);
  ASSERT_OK(got_a);
  ASSERT_OK(got_b);
  EXPECT_EQ(got_a->etag, "\"a\"");
  EXPECT_EQ(got_a->last_http_status, 304);
  EXPECT_EQ(got_a->consecutive_failures, 0);
  EXPECT_FALSE(got_a->failing_since.has_value());
  EXPECT_EQ(got_a->recent_entries, a.recent_entries);
  EXPECT_EQ(got_b->etag, "\"b\"");
  EXPECT_EQ(got_b->last_error, "HTTP 500");
  EXPECT_EQ(got_b->consecutive_failures, 3);
  EXPECT_EQ(got_b->failing_since, b.failing_since);
  ASSERT_TRUE(got_b->recent_entries.has_value());
  EXPECT_TRUE(got_b->recent_entries->empty());
  // A feed never fetched has no rhythm yet: NULL, not an empty list.
  EXPECT_FALSE(AddBlog("carol").recent_entries.has_value());
  EXPECT_OK(db_->feeds().SaveFetchStates({}));
}

TEST_P(StoreTest, SaveFetchStatesWritesTheUrlOnlyWhenToldItChanged) {
  const FeedRecord alice = AddBlog("alice");
  const FeedRecord bob = AddBlog("bob");
  const TimePoint now = clock_.Now();
  FetchState a = Polled(alice, now);
  a.url = "https://moved.example/alice.xml";
  a.etag = "\"a2\"";
  FetchState b = Polled(bob, now);
  b.url = "https://moved.example/bob.xml";
  b.etag = "\"b2\"";
  ASSERT_OK(db_->feeds().SaveFetchStates(
      {{.feed_id = alice.id, .state = a, .url_changed = false}, {.feed_id = bob.id, .state = b}}));
  Result<FeedRecord> got_a = db_->feeds().GetFeed(alice.id);
  Result<FeedRecord> got_b = db_->feeds().GetFeed(bob.id);
  ASSERT_OK(got_a);
  ASSERT_OK(got_b);
  // Not written: the caller said the URL was the stored one.
  EXPECT_EQ(got_a->url, alice.url);
  EXPECT_EQ(got_a->etag, "\"a2\"");
  EXPECT_EQ(got_b->url, "https://moved.example/bob.xml");
  EXPECT_EQ(got_b->etag, "\"b2\"");
}

TEST_P(StoreTest, RemoveFeedDeletesAccountEntriesAndNotices) {
  const FeedRecord feed = AddBlog("alice");
  const FeedRecord other = AddBlog("bob");
  ASSERT_OK(db_->entries().RecordPoll(feed.id, Polled(feed, clock_.Now()),
                                      {Entry("1", "one"), Entry("2")}));
  ASSERT_OK(db_->entries().RecordPoll(other.id, Polled(other, clock_.Now()), {Entry("1", "x")}));
  ASSERT_OK(db_->feeds().RemoveFeed(feed.id));
  EXPECT_THAT(db_->feeds().GetFeed(feed.id), StatusIs(Code::kNotFound));
  EXPECT_THAT(db_->feeds().FindFeed("alice"), StatusIs(Code::kNotFound));
  Result<int64_t> entries = db_->entries().CountEntries(feed.id);
  ASSERT_OK(entries);
  EXPECT_EQ(*entries, 0);
  Result<std::vector<Notice>> notices = db_->notices().ListNotices(feed.account_id, 0, 10);
  ASSERT_OK(notices);
  EXPECT_TRUE(notices->empty());
  Result<int64_t> pending = db_->notices().CountPendingOutbox();
  ASSERT_OK(pending);
  EXPECT_EQ(*pending, 1);  // bob's.
  // The nickname is free again.
  EXPECT_OK(db_->feeds().AddFeed(Blog("alice")));
  EXPECT_THAT(db_->feeds().RemoveFeed(feed.id), StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, RecordPollInsertsOnlyNewEntries) {
  const FeedRecord feed = AddBlog("alice");
  ASSERT_OK(db_->entries().RecordPoll(feed.id, Polled(feed, clock_.Now()),
                                      {Entry("a", "A"), Entry("b", "B")}));
  clock_.Advance(seconds(60));
  Result<std::vector<Notice>> second = db_->entries().RecordPoll(
      feed.id, Polled(feed, clock_.Now()), {Entry("b", "B again"), Entry("c", "C"), Entry("c")});
  ASSERT_OK(second);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].text, "C");
  Result<int64_t> count = db_->entries().CountEntries(feed.id);
  ASSERT_OK(count);
  EXPECT_EQ(*count, 3);
  Result<std::vector<std::string>> known =
      db_->entries().KnownIdentities(feed.id, {"a", "x", "c", "b", "y"});
  ASSERT_OK(known);
  std::sort(known->begin(), known->end());
  EXPECT_EQ(*known, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_P(StoreTest, RecordPollCreatesNoticesOnlyForEntriesWithText) {
  const FeedRecord feed = AddBlog("alice");
  const TimePoint at = clock_.Now();
  Result<std::vector<Notice>> notices = db_->entries().RecordPoll(
      feed.id, Polled(feed, at), {Entry("1", "first post"), Entry("2"), Entry("3", "third")});
  ASSERT_OK(notices);
  ASSERT_EQ(notices->size(), 2u);
  EXPECT_EQ((*notices)[0].text, "first post");
  EXPECT_EQ((*notices)[1].text, "third");
  EXPECT_LT((*notices)[0].id, (*notices)[1].id);
  for (const Notice& n : *notices) {
    EXPECT_GT(n.id, 0);
    EXPECT_EQ(n.account_id, feed.account_id);
    EXPECT_EQ(n.created_at, at);
    EXPECT_FALSE(n.enqueued);
    Result<Notice> stored = db_->notices().GetNotice(n.id);
    ASSERT_OK(stored);
    EXPECT_EQ(stored->text, n.text);
    EXPECT_EQ(stored->url, n.url);
    EXPECT_EQ(stored->entry_id, n.entry_id);
    EXPECT_EQ(stored->created_at, at);
    Result<StoredEntry> entry = db_->entries().GetEntry(n.entry_id);
    ASSERT_OK(entry);
    EXPECT_EQ(entry->feed_id, feed.id);
  }
  Result<FeedRecord> polled = db_->feeds().GetFeed(feed.id);
  ASSERT_OK(polled);
  EXPECT_EQ(polled->etag, "\"v1\"");
  EXPECT_EQ(polled->last_success_at, at);
}

TEST_P(StoreTest, NoticeSourceIsTheNoticeItsEntryAndItsFeedInOneRead) {
  const FeedRecord alice = AddBlog("alice");
  const FeedRecord bob = AddBlog("bob");
  const TimePoint at = clock_.Now();
  ASSERT_OK(db_->entries().RecordPoll(bob.id, Polled(bob, at), {Entry("b", "bob's post")}));
  Result<std::vector<Notice>> notices =
      db_->entries().RecordPoll(alice.id, Polled(alice, at), {Entry("1", "first post")});
  ASSERT_OK(notices);
  ASSERT_EQ(notices->size(), 1u);
  const Notice& n = (*notices)[0];

  Result<NoticeSource> source = db_->notices().GetNoticeSource(n.id);
  ASSERT_OK(source);
  // Each part is what its own Get returns.
  Result<Notice> notice = db_->notices().GetNotice(n.id);
  ASSERT_OK(notice);
  EXPECT_EQ(source->notice.id, notice->id);
  EXPECT_EQ(source->notice.account_id, notice->account_id);
  EXPECT_EQ(source->notice.entry_id, notice->entry_id);
  EXPECT_EQ(source->notice.text, "first post");
  EXPECT_EQ(source->notice.url, notice->url);
  EXPECT_EQ(source->notice.created_at, at);
  EXPECT_EQ(source->notice.enqueued, notice->enqueued);
  Result<StoredEntry> entry = db_->entries().GetEntry(n.entry_id);
  ASSERT_OK(entry);
  EXPECT_EQ(source->entry.id, entry->id);
  EXPECT_EQ(source->entry.feed_id, alice.id);
  EXPECT_EQ(source->entry.identity, entry->identity);
  EXPECT_EQ(source->entry.url, entry->url);
  EXPECT_EQ(source->entry.title, entry->title);
  EXPECT_EQ(source->entry.document, entry->document);
  EXPECT_EQ(source->entry.first_seen_at, entry->first_seen_at);
  Result<FeedRecord> feed = db_->feeds().GetFeed(alice.id);
  ASSERT_OK(feed);
  EXPECT_EQ(source->feed.id, alice.id);
  EXPECT_EQ(source->feed.nickname, "alice");
  EXPECT_EQ(source->feed.url, feed->url);
  EXPECT_EQ(source->feed.etag, feed->etag);
  EXPECT_EQ(source->feed.last_success_at, feed->last_success_at);
  EXPECT_EQ(source->feed.created_at, feed->created_at);

  EXPECT_THAT(db_->notices().GetNoticeSource(987654), StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, RecordPollFailingMidwayLeavesNothing) {
  const FeedRecord feed = AddBlog("alice");
  // The third entry breaks a constraint (an entry needs an identity) after two entries and a
  // notice went in: the whole poll must roll back.
  Result<std::vector<Notice>> failed = db_->entries().RecordPoll(
      feed.id, Polled(feed, clock_.Now()), {Entry("1", "one"), Entry("2"), Entry("", "bad")});
  EXPECT_FALSE(failed.ok());
  Result<int64_t> entries = db_->entries().CountEntries(feed.id);
  ASSERT_OK(entries);
  EXPECT_EQ(*entries, 0);
  Result<int64_t> pending = db_->notices().CountPendingOutbox();
  ASSERT_OK(pending);
  EXPECT_EQ(*pending, 0);
  Result<FeedRecord> unchanged = db_->feeds().GetFeed(feed.id);
  ASSERT_OK(unchanged);
  EXPECT_EQ(unchanged->etag, "");
  EXPECT_FALSE(unchanged->last_polled_at.has_value());
  // The store is still usable afterwards.
  EXPECT_OK(db_->entries().RecordPoll(feed.id, Polled(feed, clock_.Now()), {Entry("1", "one")}));
}

TEST_P(StoreTest, RecordPollOfUnknownFeedIsNotFound) {
  EXPECT_THAT(db_->entries().RecordPoll(77, FetchState{}, {Entry("1", "x")}),
              StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, GetEntryRoundTripsAllFields) {
  const FeedRecord feed = AddBlog("alice");
  NewEntry e = Entry("urn:uuid:1");
  e.updated = TimePoint(milliseconds(1'700'000'123'456));
  ASSERT_OK(db_->entries().RecordPoll(feed.id, Polled(feed, clock_.Now()), {e}));
  Result<std::vector<StoredEntry>> list = db_->entries().ListEntries(feed.id, 0, 10);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  Result<StoredEntry> got = db_->entries().GetEntry((*list)[0].id);
  ASSERT_OK(got);
  EXPECT_EQ(got->identity, "urn:uuid:1");
  EXPECT_EQ(got->url, e.url);
  EXPECT_EQ(got->title, e.title);
  EXPECT_EQ(got->published, e.published);
  EXPECT_EQ(got->updated, e.updated);
  EXPECT_EQ(got->first_seen_at, clock_.Now());
  EXPECT_EQ(got->document, e.document);
  EXPECT_THAT(db_->entries().GetEntry(got->id + 100), StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, ListEntriesNewestFirstAndPagingIsStableWhileEntriesArrive) {
  const FeedRecord feed = AddBlog("alice");
  for (int i = 1; i <= 5; ++i) {
    clock_.Advance(seconds(10));
    ASSERT_OK(db_->entries().RecordPoll(feed.id, Polled(feed, clock_.Now()),
                                        {Entry("e" + std::to_string(i))}));
  }
  Result<std::vector<StoredEntry>> page1 = db_->entries().ListEntries(feed.id, 0, 2);
  ASSERT_OK(page1);
  ASSERT_EQ(page1->size(), 2u);
  EXPECT_EQ((*page1)[0].identity, "e5");
  EXPECT_EQ((*page1)[1].identity, "e4");
  // New entries arrive between two page requests.
  clock_.Advance(seconds(10));
  ASSERT_OK(
      db_->entries().RecordPoll(feed.id, Polled(feed, clock_.Now()), {Entry("e6"), Entry("e7")}));
  Result<std::vector<StoredEntry>> page2 = db_->entries().ListEntries(feed.id, page1->back().id, 2);
  ASSERT_OK(page2);
  ASSERT_EQ(page2->size(), 2u);
  EXPECT_EQ((*page2)[0].identity, "e3");
  EXPECT_EQ((*page2)[1].identity, "e2");
  Result<std::vector<StoredEntry>> page3 = db_->entries().ListEntries(feed.id, page2->back().id, 2);
  ASSERT_OK(page3);
  ASSERT_EQ(page3->size(), 1u);
  EXPECT_EQ((*page3)[0].identity, "e1");
  Result<std::vector<StoredEntry>> newest = db_->entries().ListEntries(feed.id, 0, 1);
  ASSERT_OK(newest);
  EXPECT_EQ((*newest)[0].identity, "e7");
}

TEST_P(StoreTest, PagingSeesEveryEntryOnceWhenTheClockStepsBack) {
  // Entries are listed in the order they were stored: a clock stepped back between two polls
  // (NTP, or pollers on hosts whose clocks disagree) must not hide or reorder any of them.
  const FeedRecord feed = AddBlog("alice");
  ASSERT_OK(db_->entries().RecordPoll(feed.id, Polled(feed, clock_.Now()),
                                      {Entry("e1"), Entry("e2"), Entry("e3")}));
  clock_.Advance(-std::chrono::hours(1));
  ASSERT_OK(db_->entries().RecordPoll(feed.id, Polled(feed, clock_.Now()),
                                      {Entry("e4"), Entry("e5"), Entry("e6")}));
  std::vector<std::string> seen;
  int64_t before = 0;
  for (int page = 0; page < 10; ++page) {
    Result<std::vector<StoredEntry>> list = db_->entries().ListEntries(feed.id, before, 2);
    ASSERT_OK(list);
    if (list->empty()) break;
    for (const StoredEntry& e : *list) seen.push_back(e.identity);
    before = list->back().id;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"e6", "e5", "e4", "e3", "e2", "e1"}));
}

TEST_P(StoreTest, StampMirrorReadsTheHeadAndTheNewestEntry) {
  const FeedRecord feed = AddBlog("alice");
  const FeedRecord bob = AddBlog("bob");
  Result<MirrorStamp> empty = db_->entries().StampMirror("alice");
  ASSERT_OK(empty);
  EXPECT_EQ(empty->feed_id, feed.id);
  EXPECT_EQ(empty->account_id, feed.account_id);
  EXPECT_EQ(empty->title, "Blog alice");
  EXPECT_EQ(empty->description, "About alice");
  EXPECT_EQ(empty->site_url, "https://alice.example.org/");
  EXPECT_EQ(empty->created_at, feed.created_at);
  EXPECT_FALSE(empty->last_success_at.has_value());
  EXPECT_EQ(empty->newest_id, 0);
  EXPECT_FALSE(empty->newest_seen_at.has_value());

  int64_t previous = 0;
  for (int i = 1; i <= 3; ++i) {
    clock_.Advance(seconds(10));
    ASSERT_OK(db_->entries().RecordPoll(feed.id, Polled(feed, clock_.Now()),
                                        {Entry("e" + std::to_string(i))}));
    // Another blog's entries change nothing here.
    ASSERT_OK(db_->entries().RecordPoll(bob.id, Polled(bob, clock_.Now()),
                                        {Entry("b" + std::to_string(i))}));
    Result<MirrorStamp> stamp = db_->entries().StampMirror("alice");
    ASSERT_OK(stamp);
    Result<std::vector<StoredEntry>> newest = db_->entries().ListEntries(feed.id, 0, 1);
    ASSERT_OK(newest);
    ASSERT_EQ(newest->size(), 1u);
    EXPECT_EQ(stamp->newest_id, newest->front().id);
    EXPECT_NE(stamp->newest_id, previous);
    EXPECT_EQ(stamp->newest_seen_at, newest->front().first_seen_at);
    EXPECT_EQ(stamp->last_success_at, clock_.Now());
    // PostgreSQL counts the entries (ids may commit out of order there); SQLite need not.
    EXPECT_TRUE(stamp->entries == i || stamp->entries == 0) << stamp->entries;
    previous = stamp->newest_id;
  }
  // A head change shows at once.
  FetchState retitled = Polled(feed, clock_.Now());
  retitled.title = "Alice's notes";
  ASSERT_OK(db_->feeds().SaveFetchState(feed.id, retitled));
  Result<MirrorStamp> after = db_->entries().StampMirror("alice");
  ASSERT_OK(after);
  EXPECT_EQ(after->title, "Alice's notes");
  EXPECT_EQ(after->newest_id, previous);
}

TEST_P(StoreTest, StampMirrorOfUnknownNicknameIsNotFound) {
  AddBlog("alice");
  EXPECT_THAT(db_->entries().StampMirror("nobody"), StatusIs(Code::kNotFound));
  // Nicknames only: the feed URL is no key here.
  EXPECT_THAT(db_->entries().StampMirror("https://alice.example.org/feed.xml"),
              StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, PendingOutboxIsOldestFirstUntilMarkedEnqueued) {
  const FeedRecord alice = AddBlog("alice");
  const FeedRecord bob = AddBlog("bob");
  Result<std::vector<Notice>> a =
      db_->entries().RecordPoll(alice.id, Polled(alice, clock_.Now()), {Entry("1", "a1")});
  ASSERT_OK(a);
  clock_.Advance(seconds(1));
  Result<std::vector<Notice>> b = db_->entries().RecordPoll(bob.id, Polled(bob, clock_.Now()),
                                                            {Entry("1", "b1"), Entry("2", "b2")});
  ASSERT_OK(b);
  Result<std::vector<Notice>> pending = db_->notices().PendingOutbox(2);
  ASSERT_OK(pending);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].text, "a1");
  EXPECT_EQ((*pending)[1].text, "b1");
  ASSERT_OK(db_->notices().MarkEnqueued((*pending)[0].id));
  ASSERT_OK(db_->notices().MarkEnqueued((*pending)[0].id));  // Idempotent.
  Result<std::vector<Notice>> rest = db_->notices().PendingOutbox(10);
  ASSERT_OK(rest);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].text, "b1");
  EXPECT_EQ((*rest)[1].text, "b2");
  Result<Notice> sent = db_->notices().GetNotice((*pending)[0].id);
  ASSERT_OK(sent);
  EXPECT_TRUE(sent->enqueued);
  Result<int64_t> count = db_->notices().CountPendingOutbox();
  ASSERT_OK(count);
  EXPECT_EQ(*count, 2);
  EXPECT_THAT(db_->notices().MarkEnqueued(987654), StatusIs(Code::kNotFound));
  EXPECT_THAT(db_->notices().GetNotice(987654), StatusIs(Code::kNotFound));
}

TEST_P(StoreTest, ListNoticesIsNewestFirstPerAccount) {
  const FeedRecord alice = AddBlog("alice");
  const FeedRecord bob = AddBlog("bob");
  ASSERT_OK(db_->entries().RecordPoll(alice.id, Polled(alice, clock_.Now()),
                                      {Entry("1", "a1"), Entry("2", "a2"), Entry("3", "a3")}));
  ASSERT_OK(db_->entries().RecordPoll(bob.id, Polled(bob, clock_.Now()), {Entry("1", "b1")}));
  Result<std::vector<Notice>> page = db_->notices().ListNotices(alice.account_id, 0, 2);
  ASSERT_OK(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].text, "a3");
  EXPECT_EQ((*page)[1].text, "a2");
  Result<std::vector<Notice>> next =
      db_->notices().ListNotices(alice.account_id, page->back().id, 2);
  ASSERT_OK(next);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].text, "a1");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace feedbridge::store
