#pragma once

// Notices as stream-queue fields: the typed layer that RedisNoticeQueue and MemoryNoticeQueue
// share. Internal to queue/.

#include <optional>
#include <vector>

#include "queue/notice_queue.h"
#include "queue/stream_queue.h"

namespace feedbridge::queue {

// {notice_id, account_id}.
Fields NoticeFields(const NoticeMessage& message);
// Empty when the fields are not a notice's (no notice_id or account_id).
std::optional<NoticeMessage> NoticeFromFields(const Fields& fields);
// The stream entry a claimed notice came from, for Retry and Bury.
StreamEntry NoticeEntry(const ClaimedNotice& notice);
// The dead letters as notices (0 for what is missing).
std::vector<DeadLetter> NoticeDeadLetters(std::vector<DeadStreamEntry> dead);

}  // namespace feedbridge::queue
