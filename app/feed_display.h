#pragma once

// Small helpers the feeds, poll and status commands share.

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "store/feed_store.h"

namespace feedbridge::app {

// "ok", "new (not polled yet)", "failing since T (N failures): ERROR" or "disabled: REASON".
std::string Health(const store::FeedRecord& feed);

// "2026-11-23T12:00:00Z", or "-".
std::string TimeText(std::optional<TimePoint> t);

// FEED given as an id, a nickname or a URL. NotFound.
Result<store::FeedRecord> FindFeedArg(store::FeedStore& feeds, const std::string& arg);

}  // namespace feedbridge::app
