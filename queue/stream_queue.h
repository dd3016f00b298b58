#pragma once

// The values of the stream-queue mechanism, shared by its implementations (RedisStreamQueue,
// MemoryStreamQueue) and the typed queues over them: a message is a list of fields.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace feedbridge::queue {

// A message as the stream holds it: field, value pairs in order.
using Fields = std::vector<std::pair<std::string, std::string>>;

// The value of `name` in `fields`, or "" when it is missing.
std::string_view FieldValue(const Fields& fields, std::string_view name);
// `s` as a decimal integer, all of it; empty when it is not one.
std::optional<int64_t> DecimalInt(std::string_view s);
// The value of `name` as a decimal integer; empty when it is missing or not one.
std::optional<int64_t> FieldInt(const Fields& fields, std::string_view name);

// A message for AddAll: its idempotency key and its fields.
struct NewStreamMessage {
  std::string idempotency_key;
  Fields fields;
};

struct StreamEntry {
  std::string id;  // Stream entry id, for Ack/Retry/Bury.
  Fields fields;
  int deliveries = 0;  // Claims of the message, across retries (1 the first time).
};

struct DeadStreamEntry {
  std::string id;  // Dead-letter stream entry id.
  Fields fields;   // The message's fields (on Redis, then deliveries, reason and message_id).
  int deliveries = 0;
  std::string reason;
};

}  // namespace feedbridge::queue
