#pragma once

// Small helpers for the text people read: log lines and command output.

#include <cstdint>
#include <string>
#include <string_view>

namespace feedbridge {

// "1 entry", "0 entries", "4 entries": the count and the noun in the form it takes.
std::string Counted(uint64_t n, std::string_view one, std::string_view many);

}  // namespace feedbridge
