// The mirror feeds' cache of rendered documents: served again while the store's stamp is
// unchanged, never after new entries or a new head, and never under an ETag that does not name it.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/web/feed_handlers_fixture.h"

namespace feedbridge::web::mirror_test {
namespace {

using feedbridge::testing::StatusIs;

TEST_F(FeedHandlersTest, RepeatedRequestIsServedFromTheCache) {
  Record({SimpleEntry(1), SimpleEntry(2)}, true);
  for (const MirrorFormat f : kFormats) {
    SCOPED_TRACE(Name(f));
    auto first = Get(f);
    auto again = Get(f);
    ASSERT_OK(first);
    ASSERT_OK(again);
    // The very same bytes (no second rendering), under the same validators.
    ASSERT_NE(first->shared_body, nullptr);
    EXPECT_EQ(first->shared_body.get(), again->shared_body.get());
    EXPECT_EQ(HeaderOf(*first, "ETag"), HeaderOf(*again, "ETag"));
    EXPECT_EQ(HeaderOf(*first, "Last-Modified"), HeaderOf(*again, "Last-Modified"));
  }
}

TEST_F(FeedHandlersTest, CachedDocumentIsNeverServedAfterNewEntriesArrive) {
  Record({SimpleEntry(1)}, true);
  std::map<std::string, std::string> etags;
  for (const MirrorFormat f : kFormats) {
    ASSERT_OK(Get(f));  // Rendered and cached.
    etags[Name(f)] = HeaderOf(*Get(f), "ETag");
  }
  for (int n = 2; n <= 4; ++n) {
    Record({SimpleEntry(n)}, n % 2 == 0);
    for (const MirrorFormat f : kFormats) {
      SCOPED_TRACE(Name(f) + " after post " + std::to_string(n));
      // Asked with the old ETag: the new document, not a 304; asked plainly: not the cached one.
      auto conditional = Get(f, "", {{"If-None-Match", etags[Name(f)]}});
      ASSERT_OK(conditional);
      EXPECT_EQ(conditional->status, 200);
      const feeds::Feed feed = ServeAndParse(f);
      ASSERT_EQ(feed.entries.size(), static_cast<size_t>(n));
      EXPECT_EQ(feed.entries[0].id, SimpleEntry(n).id);
      const std::string etag = HeaderOf(*conditional, "ETag");
      EXPECT_NE(etag, etags[Name(f)]);
      etags[Name(f)] = etag;
    }
  }
}

TEST_F(FeedHandlersTest, CachedDocumentIsNeverServedAfterTheFeedHeadChanges) {
  Record({SimpleEntry(1)}, false);
  ASSERT_EQ(ServeAndParse(MirrorFormat::kAtom).title.value, "Garden");
  store::FetchState renamed = GoodState();
  renamed.title = "Garden and Kitchen";
  ASSERT_OK(db_->feeds().SaveFetchState(feed_.id, renamed));
  EXPECT_EQ(ServeAndParse(MirrorFormat::kAtom).title.value, "Garden and Kitchen");
}

TEST_F(FeedHandlersTest, BlogRemovedAndAddedAgainUnderItsNicknameIsNotServedFromTheCache) {
  Record({SimpleEntry(1)}, true);
  ASSERT_EQ(ServeAndParse(MirrorFormat::kJsonFeed).entries.size(), 1u);
  ASSERT_OK(db_->feeds().RemoveFeed(feed_.id));
  EXPECT_THAT(Get(MirrorFormat::kJsonFeed), StatusIs(Status::Code::kNotFound));
  auto again = db_->feeds().AddFeed(
      {.url = "https://other.example/feed", .nickname = "garden", .title = "Another garden"});
  ASSERT_OK(again);
  const feeds::Feed feed = ServeAndParse(MirrorFormat::kJsonFeed);
  EXPECT_EQ(feed.title.value, "Another garden");
  EXPECT_TRUE(feed.entries.empty());
}

TEST_F(FeedHandlersTest, EmptyFeedChangesItsETagWithItsDate) {
  // With no entry, the document's date is the last successful poll: the ETag follows it.
  auto before = Get(MirrorFormat::kAtom);
  ASSERT_OK(before);
  clock_.Advance(1h);
  ASSERT_OK(db_->feeds().SaveFetchState(feed_.id, GoodState()));
  auto after = Get(MirrorFormat::kAtom, "", {{"If-None-Match", HeaderOf(*before, "ETag")}});
  ASSERT_OK(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_NE(after->Body(), before->Body());
}

TEST_F(FeedHandlersTest, GivenAndDefaultLimitHaveTheirOwnETags) {
  std::vector<feeds::Entry> batch;
  for (int i = 1; i <= 60; ++i) batch.push_back(SimpleEntry(i));
  Record(batch, false);
  // Same entries, but the next link repeats a given ?limit: different documents.
  auto plain = Get(MirrorFormat::kAtom);
  auto given = Get(MirrorFormat::kAtom, "limit=50");
  ASSERT_OK(plain);
  ASSERT_OK(given);
  EXPECT_NE(plain->Body(), given->Body());
  EXPECT_NE(HeaderOf(*plain, "ETag"), HeaderOf(*given, "ETag"));
}

TEST_F(FeedHandlersTest, OlderPageIsRevalidatedWhenNewEntriesArrive) {
  std::vector<feeds::Entry> batch;
  for (int i = 1; i <= 10; ++i) batch.push_back(SimpleEntry(i));
  Record(batch, false);
  auto first = Get(MirrorFormat::kAtom, "limit=3");
  ASSERT_OK(first);
  const std::string older = "before=" + std::to_string(NextBefore(first->Body())) + "&limit=3";
  auto page = Get(MirrorFormat::kAtom, older);
  ASSERT_OK(page);
  auto unchanged = Get(MirrorFormat::kAtom, older, {{"If-None-Match", HeaderOf(*page, "ETag")}});
  ASSERT_OK(unchanged);
  EXPECT_EQ(unchanged->status, 304);
  // An older page's notice links come from a window of the newest notices, which new entries
  // move: its validators follow every arrival, as the first page's do.
  Record({SimpleEntry(11)}, true);
  auto after = Get(MirrorFormat::kAtom, older, {{"If-None-Match", HeaderOf(*page, "ETag")}});
  ASSERT_OK(after);
  EXPECT_EQ(after->status, 200);
}

// An EntryStore that records a poll (one new entry) on each of the first `arrivals` calls to
// ListEntries, before reading: entries arriving while a page is being rendered.
class ArrivingEntries final : public store::EntryStore {
 public:
  ArrivingEntries(store::EntryStore& inner, int64_t feed_id, store::FetchState state, int arrivals)
      : inner_(inner), feed_id_(feed_id), state_(std::move(state)), arrivals_(arrivals) {}

  Result<std::vector<std::string>> KnownIdentities(
      int64_t feed_id, const std::vector<std::string>& identities) override {
    return inner_.KnownIdentities(feed_id, identities);
  }
  Result<std::vector<store::Notice>> RecordPoll(
      int64_t feed_id, const store::FetchState& state,
      const std::vector<store::NewEntry>& entries) override {
    return inner_.RecordPoll(feed_id, state, entries);
  }
  Result<std::vector<store::StoredEntry>> ListEntries(int64_t feed_id, int64_t before_id,
                                                      size_t limit) override {
    if (arrivals_ > 0) {
      --arrivals_;
      const feeds::Entry e = SimpleEntry(1000 + ++arrived_);
      store::NewEntry row{
          .identity = e.id, .url = e.Url(), .title = e.title.value, .document = Document(e)};
      if (Result<std::vector<store::Notice>> r = inner_.RecordPoll(feed_id_, state_, {row});
          !r.ok()) {
        return r.status();
      }
    }
    return inner_.ListEntries(feed_id, before_id, limit);
  }
  Result<store::StoredEntry> GetEntry(int64_t entry_id) override {
    return inner_.GetEntry(entry_id);
  }
  Result<int64_t> CountEntries(int64_t feed_id) override { return inner_.CountEntries(feed_id); }
  Result<store::MirrorStamp> StampMirror(std::string_view nickname) override {
    return inner_.StampMirror(nickname);
  }

 private:
  store::EntryStore& inner_;
  const int64_t feed_id_;
  const store::FetchState state_;
  int arrivals_;
  int arrived_ = 0;
};

TEST_F(FeedHandlersTest, DocumentRenderedWhileAnEntryArrivesCarriesTheETagOfWhatItShows) {
  Record({SimpleEntry(1)}, false);
  ArrivingEntries arriving(db_->entries(), feed_.id, GoodState(), 1);
  FeedHandlers handlers(kBase, arriving, db_->notices(), clock_);
  WebRequest request;
  request.method = "GET";
  auto racing = handlers.Serve(MirrorFormat::kAtom, request, PathParams{{"nick", "garden"}});
  ASSERT_OK(racing);
  // Rendered twice: the first document (two entries) did not match the stamp read before it
  // (one entry). What is served is the state after the arrival, under that state's ETag.
  auto settled = Get(MirrorFormat::kAtom);
  ASSERT_OK(settled);
  EXPECT_EQ(racing->Body(), settled->Body());
  EXPECT_EQ(HeaderOf(*racing, "ETag"), HeaderOf(*settled, "ETag"));
}

TEST_F(FeedHandlersTest, DocumentRenderedWhileEntriesKeepArrivingHasNoValidators) {
  Record({SimpleEntry(1)}, false);
  ArrivingEntries arriving(db_->entries(), feed_.id, GoodState(), 1000);
  FeedHandlers handlers(kBase, arriving, db_->notices(), clock_);
  WebRequest request;
  request.method = "GET";
  auto r = handlers.Serve(MirrorFormat::kAtom, request, PathParams{{"nick", "garden"}});
  ASSERT_OK(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(HeaderOf(*r, "ETag"), "");
  EXPECT_EQ(HeaderOf(*r, "Last-Modified"), "");
  EXPECT_OK(feeds::ParseFeed(r->Body(), ""));
}

}  // namespace
}  // namespace feedbridge::web::mirror_test
