#include "queue/delivery_fields.h"

namespace feedbridge::queue {

namespace {

std::optional<DeliveryJob::Kind> KindFromName(std::string_view name) {
  if (name == "notice") return DeliveryJob::Kind::kNotice;
  if (name == "profile") return DeliveryJob::Kind::kProfile;
  return std::nullopt;
}

bool IsProtocolName(std::string_view s) {
  if (s.empty() || s.size() > DeliveryJob::kMaxProtocolBytes) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status ValidateDeliveryJob(const DeliveryJob& job) {
  if (!IsProtocolName(job.protocol)) {
    return Status::InvalidArgument("queue: delivery: protocol must be 1-32 of [a-z0-9-], not \"" +
                                   job.protocol.substr(0, 40) + "\"");
  }
  if (job.endpoint.empty()) return Status::InvalidArgument("queue: delivery: no endpoint");
  if (job.endpoint.size() > DeliveryJob::kMaxEndpointBytes) {
    return Status::InvalidArgument("queue: delivery: endpoint over 4 KiB");
  }
  if (job.account_id <= 0) return Status::InvalidArgument("queue: delivery: no account");
  if (job.attempts < 0) return Status::InvalidArgument("queue: delivery: negative attempts");
  if (job.kind == DeliveryJob::Kind::kNotice && job.notice_id <= 0) {
    return Status::InvalidArgument("queue: delivery: notice job without a notice");
  }
  if (job.kind == DeliveryJob::Kind::kProfile && job.revision <= 0) {
    return Status::InvalidArgument("queue: delivery: profile job without a revision");
  }
  return Status::Ok();
}

std::string DeliveryKey(const DeliveryJob& job) {
  // Protocol names hold no space and the numbers none either, so the fields cannot run together;
  // the endpoint is last and may hold anything.
  std::string key = job.protocol;
  key += ' ';
  key += job.kind_name();
  key += ' ';
  key += std::to_string(job.subject());
  key += ' ';
  key += std::to_string(job.account_id);
  key += ' ';
  key += job.endpoint;
  return key;
}

Fields DeliveryFields(const DeliveryJob& job) {
  return {{"kind", std::string(job.kind_name())},
          {"protocol", job.protocol},
          {"endpoint", job.endpoint},
          {"account_id", std::to_string(job.account_id)},
          {"notice_id", std::to_string(job.notice_id)},
          {"revision", std::to_string(job.revision)},
          {"first_queued_ms", std::to_string(job.first_queued_ms)},
          {"attempts", std::to_string(job.attempts)}};
}

std::optional<DeliveryJob> DeliveryFromFields(const Fields& fields) {
  const std::optional<DeliveryJob::Kind> kind = KindFromName(FieldValue(fields, "kind"));
  const std::optional<int64_t> account_id = FieldInt(fields, "account_id");
  const std::optional<int64_t> notice_id = FieldInt(fields, "notice_id");
  const std::optional<int64_t> revision = FieldInt(fields, "revision");
  const std::optional<int64_t> first = FieldInt(fields, "first_queued_ms");
  const std::optional<int64_t> attempts = FieldInt(fields, "attempts");
  if (!kind || !account_id || !notice_id || !revision || !first) return std::nullopt;
  if (!attempts || *attempts < 0 || *attempts > (1 << 20)) return std::nullopt;
  DeliveryJob job;
  job.kind = *kind;
  job.protocol = std::string(FieldValue(fields, "protocol"));
  job.endpoint = std::string(FieldValue(fields, "endpoint"));
  job.account_id = *account_id;
  job.notice_id = *notice_id;
  job.revision = *revision;
  job.first_queued_ms = *first;
  job.attempts = static_cast<int>(*attempts);
  if (!ValidateDeliveryJob(job).ok()) return std::nullopt;
  return job;
}

StreamEntry DeliveryEntry(const ClaimedDelivery& delivery) {
  return StreamEntry{delivery.message_id, DeliveryFields(delivery.job), delivery.deliveries};
}

std::vector<DeadDelivery> DeadDeliveries(std::vector<DeadStreamEntry> dead) {
  std::vector<DeadDelivery> out;
  out.reserve(dead.size());
  for (DeadStreamEntry& d : dead) {
    DeadDelivery letter;
    letter.id = std::move(d.id);
    if (std::optional<DeliveryJob> job = DeliveryFromFields(d.fields)) {
      letter.job = std::move(*job);
    } else {
      // Keep what can be read of a malformed letter, for the operator.
      letter.job.protocol = std::string(FieldValue(d.fields, "protocol"));
      letter.job.endpoint = std::string(FieldValue(d.fields, "endpoint"));
    }
    letter.deliveries = d.deliveries;
    letter.reason = std::move(d.reason);
    out.push_back(std::move(letter));
  }
  return out;
}

}  // namespace feedbridge::queue
