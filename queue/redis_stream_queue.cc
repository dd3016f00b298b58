#include "queue/redis_stream_queue.h"

#include <algorithm>

namespace feedbridge::queue {

namespace {

// SET NX and XADD in one script, so a crash between them cannot leave a marker without a message.
const RedisScript kAdd{"stream_add", R"lua(
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
end
return false
)lua"};

// kAdd for several messages: KEYS = {stream, marker...}; ARGV = {ttl, then per message the
// number of its field and value items and those items}.
const RedisScript kAddAll{"stream_add_all", R"lua(
local i = 2
for k = 2, #KEYS do
  local n = tonumber(ARGV[i])
  if redis.call('SET', KEYS[k], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('XADD', KEYS[1], '*', unpack(ARGV, i + 1, i + n))
  end
  i = i + n + 1
end
return #KEYS - 1
)lua"};

// XAUTOCLAIM (stale entries of dead consumers), with each entry's delivery count from XPENDING.
// Returns {{id, {field, value, ...}, deliveries}, ...}.
const RedisScript kClaimStale{"claim_stale", R"lua(
local want = tonumber(ARGV[4])
local out = {}
local cursor = '0-0'
for round = 1, 10 do
  local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], cursor,
                       'COUNT', want - #out)
  cursor = r[1]
  for _, e in ipairs(r[2]) do
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)
    local n = 1
    if p[1] then n = p[1][4] end
    out[#out + 1] = {e[1], e[2], n}
  end
  if cursor == '0-0' or #out >= want then break end
end
return out
)lua"};

const RedisScript kAck{"ack", R"lua(
local n = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return n
)lua"};

// kAck for ids ARGV[2...].
const RedisScript kAckAll{"ack_all", R"lua(
local n = redis.call('XACK', KEYS[1], unpack(ARGV))
redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
return n
)lua"};

// The due time comes from the server's clock: every consumer process shares it. The member is
// the JSON array {prior_deliveries, field, value, ...}: the message comes back as it was.
const RedisScript kRetry{"stream_retry", R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local member = {}
for i = 4, #ARGV do member[#member + 1] = ARGV[i] end
redis.call('ZADD', KEYS[2], string.format('%.0f', now + tonumber(ARGV[3])), cjson.encode(member))
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
)lua"};

const RedisScript kBury{"stream_bury", R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local entry = {}
for i = 5, #ARGV do entry[#entry + 1] = ARGV[i] end
for _, v in ipairs({'deliveries', ARGV[3], 'reason', ARGV[4], 'message_id', ARGV[2]}) do
  entry[#entry + 1] = v
end
redis.call('XADD', KEYS[2], '*', unpack(entry))
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
)lua"};

// Members are written by Retry only; anything else is moved to the dead letters rather than lost.
const RedisScript kRequeue{"stream_requeue", R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now),
                       'LIMIT', 0, ARGV[1])
for _, m in ipairs(due) do
  local ok, v = pcall(cjson.decode, m)
  local valid = ok and type(v) == 'table' and #v % 2 == 1 and #v >= 3
  if valid then
    for _, x in ipairs(v) do
      if type(x) ~= 'string' then valid = false end
    end
    valid = valid and string.match(v[1], '^%d+$') ~= nil
  end
  if valid then
    local entry = {}
    for i = 2, #v do entry[#entry + 1] = v[i] end
    entry[#entry + 1] = 'prior_deliveries'
    entry[#entry + 1] = v[1]
    redis.call('XADD', KEYS[2], '*', unpack(entry))
  else
    redis.call('XADD', KEYS[3], '*', 'raw', m, 'reason', 'queue: malformed retry entry')
  end
  redis.call('ZREM', KEYS[1], m)
end
return #due
)lua"};

// The dead letter goes and the message comes back in one step: a crash cannot lose or double it.
const RedisScript kRevive{"stream_revive", R"lua(
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
return 1
)lua"};

constexpr std::string_view kPriorField = "prior_deliveries";

// {field, value, ...} as a reply, as Fields; `prior` gets the queue's own field, which is left
// out of the result.
Fields ParseFields(const Reply& reply, int* prior) {
  Fields fields;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const std::string& name = reply.elements[i].str;
    const std::string& value = reply.elements[i + 1].str;
    if (prior != nullptr && name == kPriorField) {
      if (const std::optional<int64_t> p = DecimalInt(value); p && *p >= 0 && *p < (1 << 30)) {
        *prior = static_cast<int>(*p);
      }
      continue;
    }
    fields.emplace_back(name, value);
  }
  return fields;
}

StreamEntry ParseEntry(const Reply& id, const Reply& fields, int deliveries) {
  StreamEntry e;
  e.id = id.str;
  int prior = 0;  // Deliveries before the last Retry.
  e.fields = ParseFields(fields, &prior);
  e.deliveries = prior + deliveries;
  return e;
}

// {id, {field, value, ...}} of the dead-letter stream. The caller checks the shape.
DeadStreamEntry ParseDead(const Reply& e) {
  DeadStreamEntry d;
  d.id = e.elements[0].str;
  d.fields = ParseFields(e.elements[1], nullptr);
  d.deliveries = static_cast<int>(FieldInt(d.fields, "deliveries").value_or(0));
  d.reason = std::string(FieldValue(d.fields, "reason"));
  return d;
}

void AppendFields(const Fields& fields, std::vector<std::string>& argv) {
  for (const auto& [name, value] : fields) {
    argv.push_back(name);
    argv.push_back(value);
  }
}

// "<ms>-<seq>": anything else Redis would refuse as a stream id.
bool IsStreamId(std::string_view id) {
  const size_t dash = id.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == id.size()) return false;
  return DecimalInt(id.substr(0, dash)).has_value() && DecimalInt(id.substr(dash + 1)).has_value();
}

bool IsNoGroup(const Status& s) { return s.message().find("NOGROUP") != std::string::npos; }

Status Malformed(std::string_view what) {
  return Status::Internal("queue: redis: unexpected reply to " + std::string(what));
}

std::string Ms(std::chrono::milliseconds ms) { return std::to_string(ms.count()); }

}  // namespace

RedisStreamQueue::RedisStreamQueue(RedisConnection& redis, StreamQueueKeys keys,
                                   std::chrono::seconds add_memory)
    : redis_(redis), keys_(std::move(keys)), add_memory_(add_memory) {}

Status RedisStreamQueue::Add(std::string_view idempotency_key, const Fields& fields) {
  std::vector<std::string> args = {std::to_string(add_memory_.count())};
  AppendFields(fields, args);
  return redis_.Eval(kAdd, {keys_.added_prefix + std::string(idempotency_key), keys_.stream}, args)
      .status();
}

Status RedisStreamQueue::AddAll(std::span<const NewStreamMessage> messages) {
  for (size_t begin = 0; begin < messages.size(); begin += kAddAllChunk) {
    const size_t end = std::min(messages.size(), begin + kAddAllChunk);
    std::vector<std::string> keys = {keys_.stream};
    std::vector<std::string> args = {std::to_string(add_memory_.count())};
    for (size_t i = begin; i < end; ++i) {
      keys.push_back(keys_.added_prefix + messages[i].idempotency_key);
      args.push_back(std::to_string(messages[i].fields.size() * 2));
      AppendFields(messages[i].fields, args);
    }
    if (Status s = redis_.Eval(kAddAll, keys, args).status(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status RedisStreamQueue::EnsureGroup() {
  if (group_ready_.load()) return Status::Ok();
  // Id 0, not $: messages added before the first consumer started must be delivered too.
  // Acknowledged entries are deleted, so the stream holds nothing already delivered.
  Result<Reply> r =
      redis_.Command({"XGROUP", "CREATE", keys_.stream, keys_.group, "0", "MKSTREAM"});
  if (!r.ok() && r.status().message().find("BUSYGROUP") == std::string::npos) return r.status();
  group_ready_.store(true);
  return Status::Ok();
}

Result<std::vector<StreamEntry>> RedisStreamQueue::Claim(std::string_view consumer, size_t max,
                                                         std::chrono::milliseconds block,
                                                         std::chrono::milliseconds stale_after) {
  if (max == 0) return std::vector<StreamEntry>{};
  if (consumer.empty()) return Status::InvalidArgument("queue: claim: empty consumer name");
  Result<size_t> requeued = RequeueDueRetries(max);
  if (!requeued.ok()) return requeued.status();
  Result<std::vector<StreamEntry>> r = ClaimOnce(consumer, max, block, stale_after);
  if (!r.ok() && IsNoGroup(r.status())) {
    // The server lost the group (restarted without its data, or the stream was deleted).
    group_ready_.store(false);
    r = ClaimOnce(consumer, max, block, stale_after);
  }
  return r;
}

Result<std::vector<StreamEntry>> RedisStreamQueue::ClaimOnce(
    std::string_view consumer, size_t max, std::chrono::milliseconds block,
    std::chrono::milliseconds stale_after) {
  if (Status s = EnsureGroup(); !s.ok()) return s;
  std::vector<StreamEntry> out;
  Result<Reply> stale =
      redis_.Eval(kClaimStale, {keys_.stream},
                  {keys_.group, std::string(consumer), Ms(stale_after), std::to_string(max)});
  if (!stale.ok()) return stale.status();
  for (const Reply& e : stale->elements) {
    if (e.elements.size() != 3) return Malformed("XAUTOCLAIM");
    out.push_back(
        ParseEntry(e.elements[0], e.elements[1], static_cast<int>(e.elements[2].integer)));
  }
  if (out.size() >= max) return out;

  std::vector<std::string> argv = {"XREADGROUP", "GROUP",
                                   keys_.group,  std::string(consumer),
                                   "COUNT",      std::to_string(max - out.size())};
  // Wait only when there is nothing to hand out yet. BLOCK 0 would wait forever.
  const bool wait = out.empty() && block.count() > 0;
  if (wait) {
    argv.push_back("BLOCK");
    argv.push_back(Ms(block));
  }
  argv.insert(argv.end(), {"STREAMS", keys_.stream, ">"});
  Result<Reply> fresh = redis_.Command(argv, wait ? block : std::chrono::milliseconds(0));
  if (!fresh.ok()) {
    if (!out.empty() && fresh.status().IsRetryable()) return out;  // Reclaimed ones stay ours.
    return fresh.status();
  }
  // nil on timeout, else {{stream, {{id, fields}, ...}}}.
  for (const Reply& stream : fresh->elements) {
    if (stream.elements.size() != 2) return Malformed("XREADGROUP");
    for (const Reply& e : stream.elements[1].elements) {
      if (e.elements.size() != 2) return Malformed("XREADGROUP");
      out.push_back(ParseEntry(e.elements[0], e.elements[1], 1));
    }
  }
  return out;
}

Status RedisStreamQueue::Ack(std::string_view id) {
  return redis_.Eval(kAck, {keys_.stream}, {keys_.group, std::string(id)}).status();
}

Status RedisStreamQueue::AckAll(std::span<const std::string> ids) {
  if (ids.empty()) return Status::Ok();
  std::vector<std::string> args = {keys_.group};
  args.insert(args.end(), ids.begin(), ids.end());
  return redis_.Eval(kAckAll, {keys_.stream}, args).status();
}

Status RedisStreamQueue::Retry(const StreamEntry& entry, std::chrono::milliseconds delay) {
  std::vector<std::string> args = {keys_.group, entry.id,
                                   Ms(delay < delay.zero() ? delay.zero() : delay),
                                   std::to_string(entry.deliveries < 0 ? 0 : entry.deliveries)};
  AppendFields(entry.fields, args);
  return redis_.Eval(kRetry, {keys_.stream, keys_.retry}, args).status();
}

Status RedisStreamQueue::Bury(const StreamEntry& entry, std::string_view reason) {
  std::vector<std::string> args = {keys_.group, entry.id, std::to_string(entry.deliveries),
                                   std::string(reason)};
  AppendFields(entry.fields, args);
  return redis_.Eval(kBury, {keys_.stream, keys_.dead}, args).status();
}

Result<size_t> RedisStreamQueue::RequeueDueRetries(size_t max) {
  Result<Reply> r =
      redis_.Eval(kRequeue, {keys_.retry, keys_.stream, keys_.dead}, {std::to_string(max)});
  if (!r.ok()) return r.status();
  return static_cast<size_t>(r->integer);
}

Result<QueueStats> RedisStreamQueue::Stats() {
  QueueStats stats;
  Result<Reply> length = redis_.Command({"XLEN", keys_.stream});
  if (!length.ok()) return length.status();
  stats.length = length->integer;
  Result<Reply> pending = redis_.Command({"XPENDING", keys_.stream, keys_.group});
  if (pending.ok()) {
    if (!pending->elements.empty()) stats.pending = pending->elements[0].integer;
  } else if (!IsNoGroup(pending.status())) {
    return pending.status();
  }
  Result<Reply> retrying = redis_.Command({"ZCARD", keys_.retry});
  if (!retrying.ok()) return retrying.status();
  stats.retrying = retrying->integer;
  Result<Reply> dead = redis_.Command({"XLEN", keys_.dead});
  if (!dead.ok()) return dead.status();
  stats.dead = dead->integer;
  return stats;
}

Result<std::vector<DeadStreamEntry>> RedisStreamQueue::ListDead(size_t max) {
  Result<Reply> r =
      redis_.Command({"XREVRANGE", keys_.dead, "+", "-", "COUNT", std::to_string(max)});
  if (!r.ok()) return r.status();
  std::vector<DeadStreamEntry> out;
  for (const Reply& e : r->elements) {
    if (e.elements.size() != 2) return Malformed("XREVRANGE");
    out.push_back(ParseDead(e));
  }
  return out;
}

Result<std::optional<DeadStreamEntry>> RedisStreamQueue::GetDead(std::string_view id) {
  if (!IsStreamId(id)) return std::optional<DeadStreamEntry>();
  Result<Reply> r = redis_.Command({"XRANGE", keys_.dead, std::string(id), std::string(id)});
  if (!r.ok()) return r.status();
  if (r->elements.empty()) return std::optional<DeadStreamEntry>();
  const Reply& e = r->elements[0];
  if (e.elements.size() != 2) return Malformed("XRANGE");
  return std::optional<DeadStreamEntry>(ParseDead(e));
}

Result<bool> RedisStreamQueue::ReviveDead(std::string_view id, const Fields& fields) {
  if (!IsStreamId(id)) return false;
  if (fields.empty()) return Status::InvalidArgument("queue: revive: no fields");
  std::vector<std::string> args = {std::string(id)};
  AppendFields(fields, args);
  Result<Reply> r = redis_.Eval(kRevive, {keys_.dead, keys_.stream}, args);
  if (!r.ok()) return r.status();
  return r->integer == 1;
}

Result<bool> RedisStreamQueue::DropDead(std::string_view id) {
  if (!IsStreamId(id)) return false;
  Result<Reply> r = redis_.Command({"XDEL", keys_.dead, std::string(id)});
  if (!r.ok()) return r.status();
  return r->integer == 1;
}

}  // namespace feedbridge::queue
