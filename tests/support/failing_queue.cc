#include "tests/support/failing_queue.h"

namespace feedbridge::testing {

void FailingNoticeQueue::SetDown(bool down) {
  std::lock_guard lock(mu_);
  down_ = down;
}

Status FailingNoticeQueue::Down() const {
  std::lock_guard lock(mu_);
  return down_ ? Status::Unavailable("fake queue: redis down") : Status::Ok();
}

std::vector<queue::NoticeMessage> FailingNoticeQueue::messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

Status FailingNoticeQueue::Enqueue(const queue::NoticeMessage& message) {
  if (Status s = Down(); !s.ok()) return s;
  if (Status s = inner_.Enqueue(message); !s.ok()) return s;
  std::lock_guard lock(mu_);
  messages_.push_back(message);
  return Status::Ok();
}

Result<std::vector<queue::ClaimedNotice>> FailingNoticeQueue::Claim(
    std::string_view consumer, size_t max, std::chrono::milliseconds block,
    std::chrono::milliseconds stale_after) {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.Claim(consumer, max, block, stale_after);
}

Status FailingNoticeQueue::Ack(const queue::ClaimedNotice& notice) {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.Ack(notice);
}

Status FailingNoticeQueue::Retry(const queue::ClaimedNotice& notice,
                                 std::chrono::milliseconds delay) {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.Retry(notice, delay);
}

Status FailingNoticeQueue::Bury(const queue::ClaimedNotice& notice, std::string_view reason) {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.Bury(notice, reason);
}

void FailingPollSchedule::SetDown(bool down) {
  std::lock_guard lock(mu_);
  down_ = down;
}

Status FailingPollSchedule::Down() const {
  std::lock_guard lock(mu_);
  return down_ ? Status::Unavailable("fake schedule: redis down") : Status::Ok();
}

Status FailingPollSchedule::Schedule(int64_t feed_id, TimePoint when) {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.Schedule(feed_id, when);
}

Result<size_t> FailingPollSchedule::AddMissing(const std::vector<queue::ScheduledFeed>& feeds) {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.AddMissing(feeds);
}

Status FailingPollSchedule::Remove(int64_t feed_id) {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.Remove(feed_id);
}

Result<std::vector<int64_t>> FailingPollSchedule::ClaimDue(TimePoint now, size_t max,
                                                           std::chrono::milliseconds lease) {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.ClaimDue(now, max, lease);
}

Result<int64_t> FailingPollSchedule::Size() {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.Size();
}

Result<int64_t> FailingPollSchedule::CountDue(TimePoint now) {
  if (Status s = Down(); !s.ok()) return s;
  return inner_.CountDue(now);
}

}  // namespace feedbridge::testing
