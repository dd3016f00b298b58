#pragma once

// Entry identity: how the poller tells a new entry from one it has seen.

#include <string>

#include "feeds/model.h"

namespace feedbridge::feeds {

// guid/id when present; else the entry's URL; else "sha1:" + hex SHA-1 of title and content.
// Stable across polls of an unchanged entry.
std::string EntryIdentity(const Entry& entry);

}  // namespace feedbridge::feeds
