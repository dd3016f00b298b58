#pragma once

// What an operator asks of a work queue (`feedbridge status`, dead-letter listings): figures and
// the dead letters, apart from the claim/ack interface the roles use.

#include <cstddef>
#include <vector>

#include "common/result.h"
#include "queue/notice_queue.h"

namespace feedbridge::queue {

// Thread-safe. Read-only: nothing here changes the queue.
class QueueInspector {
 public:
  virtual ~QueueInspector() = default;
  // The queue's figures. Unavailable if Redis is down.
  virtual Result<QueueStats> Stats() = 0;
  // The newest `max` dead letters, newest first. Unavailable if Redis is down.
  virtual Result<std::vector<DeadLetter>> ListDead(size_t max) = 0;
};

}  // namespace feedbridge::queue
