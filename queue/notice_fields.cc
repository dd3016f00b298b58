#include "queue/notice_fields.h"

namespace feedbridge::queue {

Fields NoticeFields(const NoticeMessage& message) {
  return {{"notice_id", std::to_string(message.notice_id)},
          {"account_id", std::to_string(message.account_id)}};
}

std::optional<NoticeMessage> NoticeFromFields(const Fields& fields) {
  const std::optional<int64_t> notice_id = FieldInt(fields, "notice_id");
  const std::optional<int64_t> account_id = FieldInt(fields, "account_id");
  if (!notice_id || !account_id) return std::nullopt;
  return NoticeMessage{*notice_id, *account_id};
}

StreamEntry NoticeEntry(const ClaimedNotice& notice) {
  return StreamEntry{notice.message_id, NoticeFields(notice.notice), notice.deliveries};
}

std::vector<DeadLetter> NoticeDeadLetters(std::vector<DeadStreamEntry> dead) {
  std::vector<DeadLetter> out;
  out.reserve(dead.size());
  for (DeadStreamEntry& d : dead) {
    DeadLetter letter;
    letter.id = std::move(d.id);
    letter.notice.notice_id = FieldInt(d.fields, "notice_id").value_or(0);
    letter.notice.account_id = FieldInt(d.fields, "account_id").value_or(0);
    letter.deliveries = d.deliveries;
    letter.reason = std::move(d.reason);
    out.push_back(std::move(letter));
  }
  return out;
}

}  // namespace feedbridge::queue
