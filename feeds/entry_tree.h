#pragma once

// The entry as a JSON tree, member for member as feeds/model.h holds it (empty fields left out):
// the shape the stored entry document (feeds/entry_document.h) patches and, in its version 1,
// held whole. Internal to feeds/; pure functions.

#include <Poco/JSON/Object.h>

#include "feeds/model.h"

namespace feedbridge::feeds::entry_internal {

Poco::JSON::Object::Ptr FromEntry(const Entry& e);

// A missing or mistyped member is left at its default (the tree is ours, but a stored row must
// not cost the page).
Entry ToEntry(const Poco::JSON::Object& o);

}  // namespace feedbridge::feeds::entry_internal
