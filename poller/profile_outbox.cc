// The profile outbox: revisions the store recorded with a poll (EntryStore::RecordPoll), put on
// the notices stream for the publisher, which sends them to the blog's updateProfile URLs.

#include <Poco/Logger.h>

#include "poller/poller_impl.h"

namespace feedbridge::poller {
namespace {

constexpr size_t kProfileBatch = 100;

}  // namespace

Result<size_t> Poller::Impl::FlushProfiles() {
  if (deps.profiles == nullptr) return size_t{0};
  size_t done = 0;
  while (true) {
    auto pending = deps.profiles->PendingRevisions(kProfileBatch);
    if (!pending.ok()) return pending.status().WithContext("poller: profile outbox");
    for (const store::ProfileRevision& revision : *pending) {
      const Status queued = deps.queue.Enqueue({.account_id = revision.account_id,
                                                .kind = queue::NoticeMessage::Kind::kProfile,
                                                .revision = revision.id});
      if (!queued.ok()) return queued.WithContext("poller: profile outbox");
      // Enqueued but not marked (a crash, the database gone): the next flush enqueues it again,
      // which Enqueue ignores.
      const Status marked = deps.profiles->MarkRevisionEnqueued(revision.id);
      if (!marked.ok()) return marked.WithContext("poller: profile outbox");
      deps.log.information("poller: profile of " + revision.nickname + " changed (revision " +
                           std::to_string(revision.id) + "): queued for its subscribers");
      ++done;
    }
    if (pending->size() < kProfileBatch) break;
  }
  return done;
}

}  // namespace feedbridge::poller
