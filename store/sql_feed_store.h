#pragma once

// FeedStore on SQL (SQLite or PostgreSQL). Internal to store/: open it through OpenDatabase.

#include <span>

#include "Poco/Data/Session.h"
#include "common/clock.h"
#include "store/feed_store.h"
#include "store/sql_sessions.h"

namespace feedbridge::store {

// Thread-safe. `sessions` and `clock` must outlive this store.
class SqlFeedStore final : public FeedStore {
 public:
  SqlFeedStore(SqlSessions& sessions, const Clock& clock) : sessions_(sessions), clock_(clock) {}

  Result<FeedRecord> AddFeed(const NewFeed& feed) override;
  Result<FeedRecord> GetFeed(int64_t feed_id) override;
  Result<std::vector<FeedRecord>> GetFeeds(const std::vector<int64_t>& feed_ids) override;
  Result<FeedRecord> FindFeed(std::string_view url_or_nickname) override;
  Result<FeedRecord> FindFeedByAccount(int64_t account_id) override;
  Result<std::vector<FeedRecord>> ListFeeds(int64_t after_id, size_t limit) override;
  Result<int64_t> CountFeeds() override;
  Status SaveFetchState(int64_t feed_id, const FetchState& state) override;
  Status SaveFetchStates(const std::vector<FeedFetchState>& states) override;
  Status RemoveFeed(int64_t feed_id) override;

 private:
  SqlSessions& sessions_;
  const Clock& clock_;
};

// Writes the fetch states to the feeds' rows inside the caller's transaction, in as few
// statements as it can. Returns the number of feeds changed (removed feeds are skipped).
// Throws Poco::Exception.
size_t WriteFetchStates(Poco::Data::Session& s, SqlSessions& sessions,
                        std::span<const FeedFetchState> states);

// Writes `state` to the feed's row inside the caller's transaction. NotFound if there is no
// such feed. Throws Poco::Exception. Shared with SqlEntryStore::RecordPoll.
Status WriteFetchState(Poco::Data::Session& s, SqlSessions& sessions, int64_t feed_id,
                       const FetchState& state);

}  // namespace feedbridge::store
