#pragma once

// Fault-injecting decorators (leveldb ErrorEnv style) over the queue interfaces, for tests that
// need Redis "down": every call fails with Unavailable while SetDown(true), and changes nothing.

#include <map>
#include <mutex>
#include <vector>

#include "queue/memory_poll_schedule.h"
#include "queue/notice_queue.h"
#include "queue/poll_schedule.h"

namespace feedbridge::testing {

// Passes calls to `inner` (which must outlive it) unless down. Records every message Enqueue
// passed on successfully, in order, so a second enqueue of one notice shows. Thread-safe.
class FailingNoticeQueue final : public queue::NoticeQueue {
 public:
  explicit FailingNoticeQueue(queue::NoticeQueue& inner) : inner_(inner) {}
  FailingNoticeQueue(const FailingNoticeQueue&) = delete;
  FailingNoticeQueue& operator=(const FailingNoticeQueue&) = delete;

  void SetDown(bool down);
  std::vector<queue::NoticeMessage> messages() const;

  Status Enqueue(const queue::NoticeMessage& message) override;
  Result<std::vector<queue::ClaimedNotice>> Claim(std::string_view consumer, size_t max,
                                                  std::chrono::milliseconds block,
                                                  std::chrono::milliseconds stale_after) override;
  Status Ack(const queue::ClaimedNotice& notice) override;
  Status Retry(const queue::ClaimedNotice& notice, std::chrono::milliseconds delay) override;
  Status Bury(const queue::ClaimedNotice& notice, std::string_view reason) override;

 private:
  Status Down() const;

  queue::NoticeQueue& inner_;
  mutable std::mutex mu_;
  bool down_ = false;                           // Guarded by mu_.
  std::vector<queue::NoticeMessage> messages_;  // Guarded by mu_.
};

// Passes calls to the in-memory schedule `inner` (which must outlive it) unless down; entries()
// shows what `inner` holds. Thread-safe.
class FailingPollSchedule final : public queue::PollSchedule {
 public:
  explicit FailingPollSchedule(queue::MemoryPollSchedule& inner) : inner_(inner) {}
  FailingPollSchedule(const FailingPollSchedule&) = delete;
  FailingPollSchedule& operator=(const FailingPollSchedule&) = delete;

  void SetDown(bool down);
  std::map<int64_t, TimePoint> entries() const { return inner_.Entries(); }

  Status Schedule(int64_t feed_id, TimePoint when) override;
  Result<size_t> AddMissing(const std::vector<queue::ScheduledFeed>& feeds) override;
  Status Remove(int64_t feed_id) override;
  Result<std::vector<int64_t>> ClaimDue(TimePoint now, size_t max,
                                        std::chrono::milliseconds lease) override;
  Result<int64_t> Size() override;
  Result<int64_t> CountDue(TimePoint now) override;

 private:
  Status Down() const;

  queue::MemoryPollSchedule& inner_;
  mutable std::mutex mu_;
  bool down_ = false;  // Guarded by mu_.
};

}  // namespace feedbridge::testing
