#pragma once

#include <memory>

namespace feedbridge {

// unique_ptr for a C handle with a free function: CPtr<xmlDoc, xmlFreeDoc>.
// Wrap a C handle the moment it is created so no bare handle outlives a function.
template <class T, auto Free>
struct CFree {
  void operator()(T* p) const {
    if (p != nullptr) Free(p);
  }
};

template <class T, auto Free>
using CPtr = std::unique_ptr<T, CFree<T, Free>>;

}  // namespace feedbridge
