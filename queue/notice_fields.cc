#include "queue/notice_fields.h"

namespace feedbridge::queue {

namespace {

constexpr std::string_view kProfileKind = "profile";

// The message as far as the fields tell (0 for what is missing), valid or not.
NoticeMessage ReadFields(const Fields& fields) {
  NoticeMessage m;
  m.notice_id = FieldInt(fields, "notice_id").value_or(0);
  m.account_id = FieldInt(fields, "account_id").value_or(0);
  if (FieldValue(fields, "kind") == kProfileKind) {
    m.kind = NoticeMessage::Kind::kProfile;
    m.revision = FieldInt(fields, "revision").value_or(0);
  }
  return m;
}

}  // namespace

Status ValidateNoticeMessage(const NoticeMessage& message) {
  // Notices are taken as they always were; a profile change must say whose and which.
  if (message.kind != NoticeMessage::Kind::kProfile) return Status::Ok();
  if (message.account_id <= 0) return Status::InvalidArgument("queue: profile change: no account");
  if (message.revision <= 0) return Status::InvalidArgument("queue: profile change: no revision");
  return Status::Ok();
}

std::string NoticeKey(const NoticeMessage& message) {
  if (message.kind == NoticeMessage::Kind::kProfile) {
    return std::string(kProfileKind) + ":" + std::to_string(message.revision);
  }
  return std::to_string(message.notice_id);
}

Fields NoticeFields(const NoticeMessage& message) {
  Fields fields = {{"notice_id", std::to_string(message.notice_id)},
                   {"account_id", std::to_string(message.account_id)}};
  if (message.kind == NoticeMessage::Kind::kProfile) {
    // notice_id stays (0): a publisher of an older version reads the message as notice 0,
    // which it finds no notice for and drops, instead of burying it as malformed.
    fields.push_back({"kind", std::string(kProfileKind)});
    fields.push_back({"revision", std::to_string(message.revision)});
  }
  return fields;
}

std::optional<NoticeMessage> NoticeFromFields(const Fields& fields) {
  if (!FieldInt(fields, "notice_id") || !FieldInt(fields, "account_id")) return std::nullopt;
  const std::string_view kind = FieldValue(fields, "kind");
  if (!kind.empty() && kind != kProfileKind) return std::nullopt;
  NoticeMessage m = ReadFields(fields);
  if (!ValidateNoticeMessage(m).ok()) return std::nullopt;
  return m;
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
    letter.notice = ReadFields(d.fields);
    letter.deliveries = d.deliveries;
    letter.reason = std::move(d.reason);
    out.push_back(std::move(letter));
  }
  return out;
}

}  // namespace feedbridge::queue
