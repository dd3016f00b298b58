#include "queue/redis_poll_schedule.h"

#include <charconv>
#include <string>
#include <vector>

namespace feedbridge::queue {

namespace {

// Most overdue first (ascending score); each claimed feed moves to the end of its lease.
const RedisScript kClaimDue{"claim_due", R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[3], m) end
return due
)lua"};

std::string Ms(TimePoint t) { return std::to_string(t.time_since_epoch().count()); }

}  // namespace

RedisPollSchedule::RedisPollSchedule(RedisConnection& redis, std::string prefix)
    : redis_(redis), key_(prefix + "{fb}:schedule") {}

Status RedisPollSchedule::Schedule(int64_t feed_id, TimePoint when) {
  return redis_.Command({"ZADD", key_, Ms(when), std::to_string(feed_id)}).status();
}

std::vector<std::string> RedisPollSchedule::ZaddArgv(const std::vector<ScheduledFeed>& feeds,
                                                     bool only_new) const {
  std::vector<std::string> argv;
  argv.reserve(3 + 2 * feeds.size());
  argv.push_back("ZADD");
  argv.push_back(key_);
  if (only_new) argv.push_back("NX");
  for (const ScheduledFeed& f : feeds) {
    argv.push_back(Ms(f.when));
    argv.push_back(std::to_string(f.feed_id));
  }
  return argv;
}

Status RedisPollSchedule::ScheduleMany(const std::vector<ScheduledFeed>& feeds) {
  if (feeds.empty()) return Status::Ok();
  return redis_.Command(ZaddArgv(feeds, /*only_new=*/false)).status();
}

Result<size_t> RedisPollSchedule::AddMissing(const std::vector<ScheduledFeed>& feeds) {
  if (feeds.empty()) return size_t{0};
  Result<Reply> r = redis_.Command(ZaddArgv(feeds, /*only_new=*/true));
  if (!r.ok()) return r.status();
  return static_cast<size_t>(r->integer);
}

Status RedisPollSchedule::Remove(int64_t feed_id) {
  return redis_.Command({"ZREM", key_, std::to_string(feed_id)}).status();
}

Result<std::vector<int64_t>> RedisPollSchedule::ClaimDue(TimePoint now, size_t max,
                                                         std::chrono::milliseconds lease) {
  std::vector<int64_t> out;
  if (max == 0) return out;
  Result<Reply> r = redis_.Eval(kClaimDue, {key_}, {Ms(now), std::to_string(max), Ms(now + lease)});
  if (!r.ok()) return r.status();
  out.reserve(r->elements.size());
  for (const Reply& m : r->elements) {
    int64_t id = 0;
    const auto [p, ec] = std::from_chars(m.str.data(), m.str.data() + m.str.size(), id);
    if (ec != std::errc() || p != m.str.data() + m.str.size()) {
      // Not ours; leave it leased rather than fail every claim.
      continue;
    }
    out.push_back(id);
  }
  return out;
}

Result<int64_t> RedisPollSchedule::Size() {
  Result<Reply> r = redis_.Command({"ZCARD", key_});
  if (!r.ok()) return r.status();
  return r->integer;
}

Result<int64_t> RedisPollSchedule::CountDue(TimePoint now) {
  Result<Reply> r = redis_.Command({"ZCOUNT", key_, "-inf", Ms(now)});
  if (!r.ok()) return r.status();
  return r->integer;
}

}  // namespace feedbridge::queue
