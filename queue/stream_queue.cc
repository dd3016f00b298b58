#include "queue/stream_queue.h"

#include <charconv>

namespace feedbridge::queue {

std::string_view FieldValue(const Fields& fields, std::string_view name) {
  for (const auto& [n, v] : fields) {
    if (n == name) return v;
  }
  return {};
}

std::optional<int64_t> DecimalInt(std::string_view s) {
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> FieldInt(const Fields& fields, std::string_view name) {
  return DecimalInt(FieldValue(fields, name));
}

}  // namespace feedbridge::queue
