#pragma once

// DeliveryLog on SQL (SQLite or PostgreSQL). Internal to store/: open it through OpenDatabase.

#include "store/delivery_log.h"
#include "store/sql_sessions.h"

namespace feedbridge::store {

// Thread-safe. `sessions` must outlive this store.
class SqlDeliveryLog final : public DeliveryLog {
 public:
  explicit SqlDeliveryLog(SqlSessions& sessions) : sessions_(sessions) {}

  Result<bool> WasDelivered(const DeliveryRef& ref) override;
  Result<std::vector<bool>> WasDeliveredAll(std::span<const DeliveryRef> refs) override;
  Status RecordDelivered(const DeliveryRef& ref, TimePoint at) override;
  Status RecordDeliveredAll(std::span<const DeliveryRef> refs, TimePoint at) override;
  Status RecordFailure(std::string_view endpoint, std::string_view error, TimePoint at) override;
  Result<std::vector<EndpointHealth>> Health(const std::vector<std::string>& endpoints) override;
  Result<std::vector<EndpointHealth>> Failing(size_t limit) override;
  Result<int64_t> PruneDelivered(TimePoint before) override;

 private:
  // The success's rows, on `s` inside a transaction.
  Status InsertDelivered(Poco::Data::Session& s, const DeliveryRef& ref, TimePoint at);
  // WasDelivered on `s`.
  bool Delivered(Poco::Data::Session& s, const DeliveryRef& ref);

  SqlSessions& sessions_;
};

}  // namespace feedbridge::store
