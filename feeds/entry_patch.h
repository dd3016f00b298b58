#pragma once

// The patch of the stored entry document (feeds/entry_document.h): what the JSON Feed item does
// not say (exactly) of the entry.
//
// Both sides are the entry as a tree of the shape of feeds/entry_tree.h. Where the trees agree the
// patch says nothing; where they differ it gives the entry's value: a member the item lacks or
// holds otherwise is given whole (a sub-object as a patch of its own), a member only the item has
// is null, and a list of objects is patched element by element, written as an object (where the
// tree holds a list: never a value of its own) {"each": [patch, ...], "more": [element, ...],
// "keep": n}: patches of the elements both have, the entry's elements past the item's, and the
// length to cut the item's list to when it has more.
// Internal to feeds/; pure functions.

#include <Poco/JSON/Object.h>

namespace feedbridge::feeds::entry_internal {

// The patch that turns `item` into `entry`; empty when they agree.
Poco::JSON::Object::Ptr Diff(const Poco::JSON::Object& item, const Poco::JSON::Object& entry);

// Applies a patch made by Diff to `tree` (the item's tree), in place.
void Apply(Poco::JSON::Object& tree, const Poco::JSON::Object& patch);

}  // namespace feedbridge::feeds::entry_internal
