#pragma once

// Notices as stream-queue fields: the typed layer that RedisNoticeQueue and MemoryNoticeQueue
// share. Internal to queue/.

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "queue/notice_queue.h"
#include "queue/stream_queue.h"

namespace feedbridge::queue {

// Ok, or InvalidArgument saying what the message lacks (NoticeQueue::Enqueue's rules).
Status ValidateNoticeMessage(const NoticeMessage& message);
// The key that makes Enqueue idempotent: the notice id (as before profile messages existed, so
// the markers of notices enqueued by an older version still count), or "profile:<revision>".
std::string NoticeKey(const NoticeMessage& message);
// {notice_id, account_id}, and for a profile change {kind: "profile", revision} too.
Fields NoticeFields(const NoticeMessage& message);
// Empty when the fields are not a valid message's. An entry without `kind` is a notice (what
// versions before profile messages wrote).
std::optional<NoticeMessage> NoticeFromFields(const Fields& fields);
// The stream entry a claimed notice came from, for Retry and Bury.
StreamEntry NoticeEntry(const ClaimedNotice& notice);
// The dead letters as notices (0 for what is missing).
std::vector<DeadLetter> NoticeDeadLetters(std::vector<DeadStreamEntry> dead);

}  // namespace feedbridge::queue
