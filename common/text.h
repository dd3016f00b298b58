#pragma once

// Small helpers for the text people read: log lines and command output.

#include <cstdint>
#include <string>
#include <string_view>

namespace feedbridge {

// "1 entry", "0 entries", "4 entries": the count and the noun in the form it takes.
std::string Counted(uint64_t n, std::string_view one, std::string_view many);

// A size as people read it: "15 MiB", "64 KiB", "1 GiB" when it is a whole number of them,
// else "1000 bytes".
std::string SizeText(uint64_t bytes);

}  // namespace feedbridge
