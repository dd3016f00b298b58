#include "queue/redis_notice_queue.h"

#include <charconv>
#include <optional>

namespace feedbridge::queue {

namespace {

// SET NX and XADD in one script, so a crash between them cannot leave a marker without a message.
const RedisScript kEnqueue{"enqueue", R"lua(
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then
  return redis.call('XADD', KEYS[2], '*', 'notice_id', ARGV[1], 'account_id', ARGV[2])
end
return false
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

// The due time comes from the server's clock: every publisher process shares it.
const RedisScript kRetry{"retry", R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], string.format('%.0f', now + tonumber(ARGV[3])), ARGV[4])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
)lua"};

const RedisScript kBury{"bury", R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', 'notice_id', ARGV[3], 'account_id', ARGV[4],
           'deliveries', ARGV[5], 'reason', ARGV[6], 'message_id', ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
)lua"};

// Members are "notice_id:account_id:prior_deliveries" (written by Retry only); anything else is
// moved to the dead letters rather than lost.
const RedisScript kRequeue{"requeue", R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now),
                       'LIMIT', 0, ARGV[1])
for _, m in ipairs(due) do
  local n, a, p = string.match(m, '^(%-?%d+):(%-?%d+):(%d+)$')
  if n then
    redis.call('XADD', KEYS[2], '*', 'notice_id', n, 'account_id', a, 'prior_deliveries', p)
  else
    redis.call('XADD', KEYS[3], '*', 'raw', m, 'reason', 'queue: malformed retry entry')
  end
  redis.call('ZREM', KEYS[1], m)
end
return #due
)lua"};

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view Field(const Reply& fields, std::string_view name) {
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].str == name) return fields.elements[i + 1].str;
  }
  return {};
}

struct Entry {
  std::string id;
  std::optional<NoticeMessage> notice;  // Empty when the entry is malformed.
  int prior = 0;                        // Deliveries before the last Retry.
};

Entry ParseEntry(const Reply& id, const Reply& fields) {
  Entry e;
  e.id = id.str;
  const std::optional<int64_t> notice_id = ParseInt(Field(fields, "notice_id"));
  const std::optional<int64_t> account_id = ParseInt(Field(fields, "account_id"));
  if (notice_id && account_id) e.notice = NoticeMessage{*notice_id, *account_id};
  const std::string_view prior = Field(fields, "prior_deliveries");
  if (const std::optional<int64_t> p = ParseInt(prior); p && *p >= 0 && *p < (1 << 30)) {
    e.prior = static_cast<int>(*p);
  }
  return e;
}

bool IsNoGroup(const Status& s) { return s.message().find("NOGROUP") != std::string::npos; }

Status Malformed(std::string_view what) {
  return Status::Internal("queue: redis: unexpected reply to " + std::string(what));
}

std::string Ms(std::chrono::milliseconds ms) { return std::to_string(ms.count()); }

}  // namespace

RedisNoticeQueue::RedisNoticeQueue(RedisConnection& redis, std::string prefix)
    : redis_(redis),
      stream_key_(prefix + "{fb}:notices"),
      retry_key_(prefix + "{fb}:retry"),
      dead_key_(prefix + "{fb}:dead"),
      enqueued_prefix_(prefix + "{fb}:enq:") {}

Status RedisNoticeQueue::Enqueue(const NoticeMessage& message) {
  const std::string id = std::to_string(message.notice_id);
  Result<Reply> r =
      redis_.Eval(kEnqueue, {enqueued_prefix_ + id, stream_key_},
                  {id, std::to_string(message.account_id), std::to_string(kEnqueueMemory.count())});
  return r.status();
}

Status RedisNoticeQueue::EnsureGroup() {
  if (group_ready_.load()) return Status::Ok();
  // Id 0, not $: messages enqueued before the first publisher started must be delivered too.
  // Acknowledged entries are deleted, so the stream holds nothing already delivered.
  Result<Reply> r =
      redis_.Command({"XGROUP", "CREATE", stream_key_, std::string(kGroup), "0", "MKSTREAM"});
  if (!r.ok() && r.status().message().find("BUSYGROUP") == std::string::npos) return r.status();
  group_ready_.store(true);
  return Status::Ok();
}

Result<std::vector<ClaimedNotice>> RedisNoticeQueue::Claim(std::string_view consumer, size_t max,
                                                           std::chrono::milliseconds block,
                                                           std::chrono::milliseconds stale_after) {
  if (max == 0) return std::vector<ClaimedNotice>{};
  if (consumer.empty()) return Status::InvalidArgument("queue: claim: empty consumer name");
  Result<size_t> requeued = RequeueDueRetries(max);
  if (!requeued.ok()) return requeued.status();
  Result<std::vector<ClaimedNotice>> r = ClaimOnce(consumer, max, block, stale_after);
  if (!r.ok() && IsNoGroup(r.status())) {
    // The server lost the group (restarted without its data, or the stream was deleted).
    group_ready_.store(false);
    r = ClaimOnce(consumer, max, block, stale_after);
  }
  return r;
}

Result<std::vector<ClaimedNotice>> RedisNoticeQueue::ClaimOnce(
    std::string_view consumer, size_t max, std::chrono::milliseconds block,
    std::chrono::milliseconds stale_after) {
  if (Status s = EnsureGroup(); !s.ok()) return s;
  std::vector<ClaimedNotice> out;
  std::vector<Entry> malformed;
  const auto take = [&](Entry e, int deliveries) {
    if (!e.notice) {
      malformed.push_back(std::move(e));
      return;
    }
    out.push_back(ClaimedNotice{e.id, *e.notice, e.prior + deliveries});
  };

  Result<Reply> stale = redis_.Eval(
      kClaimStale, {stream_key_},
      {std::string(kGroup), std::string(consumer), Ms(stale_after), std::to_string(max)});
  if (!stale.ok()) return stale.status();
  for (const Reply& e : stale->elements) {
    if (e.elements.size() != 3) return Malformed("XAUTOCLAIM");
    take(ParseEntry(e.elements[0], e.elements[1]), static_cast<int>(e.elements[2].integer));
  }

  if (out.size() < max) {
    std::vector<std::string> argv = {
        "XREADGROUP",          "GROUP", std::string(kGroup),
        std::string(consumer), "COUNT", std::to_string(max - out.size())};
    // Wait only when there is nothing to hand out yet. BLOCK 0 would wait forever.
    const bool wait = out.empty() && block.count() > 0;
    if (wait) {
      argv.push_back("BLOCK");
      argv.push_back(Ms(block));
    }
    argv.insert(argv.end(), {"STREAMS", stream_key_, ">"});
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
        take(ParseEntry(e.elements[0], e.elements[1]), 1);
      }
    }
  }

  // Entries we did not write (no notice_id): keep them visible to operators, out of the way.
  for (const Entry& e : malformed) {
    Result<Reply> r =
        redis_.Eval(kBury, {stream_key_, dead_key_},
                    {std::string(kGroup), e.id, "", "", "0", "queue: malformed stream entry"});
    if (!r.ok()) return r.status();
  }
  return out;
}

Status RedisNoticeQueue::Ack(const ClaimedNotice& notice) {
  return redis_.Eval(kAck, {stream_key_}, {std::string(kGroup), notice.message_id}).status();
}

Status RedisNoticeQueue::Retry(const ClaimedNotice& notice, std::chrono::milliseconds delay) {
  const std::string member = std::to_string(notice.notice.notice_id) + ":" +
                             std::to_string(notice.notice.account_id) + ":" +
                             std::to_string(notice.deliveries < 0 ? 0 : notice.deliveries);
  return redis_
      .Eval(kRetry, {stream_key_, retry_key_},
            {std::string(kGroup), notice.message_id,
             Ms(delay < delay.zero() ? delay.zero() : delay), member})
      .status();
}

Status RedisNoticeQueue::Bury(const ClaimedNotice& notice, std::string_view reason) {
  return redis_
      .Eval(kBury, {stream_key_, dead_key_},
            {std::string(kGroup), notice.message_id, std::to_string(notice.notice.notice_id),
             std::to_string(notice.notice.account_id), std::to_string(notice.deliveries),
             std::string(reason)})
      .status();
}

Result<size_t> RedisNoticeQueue::RequeueDueRetries(size_t max) {
  Result<Reply> r =
      redis_.Eval(kRequeue, {retry_key_, stream_key_, dead_key_}, {std::to_string(max)});
  if (!r.ok()) return r.status();
  return static_cast<size_t>(r->integer);
}

Result<QueueStats> RedisNoticeQueue::Stats() {
  QueueStats stats;
  Result<Reply> length = redis_.Command({"XLEN", stream_key_});
  if (!length.ok()) return length.status();
  stats.length = length->integer;
  Result<Reply> pending = redis_.Command({"XPENDING", stream_key_, std::string(kGroup)});
  if (pending.ok()) {
    if (!pending->elements.empty()) stats.pending = pending->elements[0].integer;
  } else if (!IsNoGroup(pending.status())) {
    return pending.status();
  }
  Result<Reply> retrying = redis_.Command({"ZCARD", retry_key_});
  if (!retrying.ok()) return retrying.status();
  stats.retrying = retrying->integer;
  Result<Reply> dead = redis_.Command({"XLEN", dead_key_});
  if (!dead.ok()) return dead.status();
  stats.dead = dead->integer;
  return stats;
}

Result<std::vector<DeadLetter>> RedisNoticeQueue::ListDead(size_t max) {
  Result<Reply> r =
      redis_.Command({"XREVRANGE", dead_key_, "+", "-", "COUNT", std::to_string(max)});
  if (!r.ok()) return r.status();
  std::vector<DeadLetter> out;
  for (const Reply& e : r->elements) {
    if (e.elements.size() != 2) return Malformed("XREVRANGE");
    const Reply& fields = e.elements[1];
    DeadLetter d;
    d.id = e.elements[0].str;
    d.notice.notice_id = ParseInt(Field(fields, "notice_id")).value_or(0);
    d.notice.account_id = ParseInt(Field(fields, "account_id")).value_or(0);
    d.deliveries = static_cast<int>(ParseInt(Field(fields, "deliveries")).value_or(0));
    d.reason = std::string(Field(fields, "reason"));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace feedbridge::queue
