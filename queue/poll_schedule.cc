#include "queue/poll_schedule.h"

namespace feedbridge::queue {

Status PollSchedule::ScheduleMany(const std::vector<ScheduledFeed>& feeds) {
  for (const ScheduledFeed& f : feeds) {
    if (Status s = Schedule(f.feed_id, f.when); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace feedbridge::queue
