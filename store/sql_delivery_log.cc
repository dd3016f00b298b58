#include "store/sql_delivery_log.h"

#include <string>

#include "Poco/Data/Session.h"
#include "Poco/Data/Statement.h"
#include "store/sql_rows.h"

namespace feedbridge::store {
namespace {

using Poco::Data::Session;
using Poco::Data::Keywords::bind;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

// Errors are kept for operators, not archived: a peer's answer is cut to this many bytes.
constexpr size_t kMaxErrorBytes = 500;

std::string RefName(const DeliveryRef& ref) {
  return std::string(ref.protocol) + " " + std::string(ref.kind) + " " +
         std::to_string(ref.subject) + " to " + std::string(ref.endpoint);
}

// The ref's parts as parameters 1 to 4 (protocol, kind, subject, endpoint).
void BindRef(SqliteStatement& st, const DeliveryRef& ref) {
  st.Bind(1, ref.protocol);
  st.Bind(2, ref.kind);
  st.Bind(3, ref.subject);
  st.Bind(4, ref.endpoint);
}

}  // namespace

bool SqlDeliveryLog::Delivered(Session& s, const DeliveryRef& ref) {
  static const std::string kSelect =
      "SELECT COUNT(*) FROM deliveries_done"
      " WHERE protocol = ? AND kind = ? AND subject = ? AND endpoint = ?";
  if (SqliteStatements* prepared = sessions_.sqlite_statements(); prepared != nullptr) {
    // SQLite: prepared once (the publisher asks this before every delivery).
    SqliteStatement select = prepared->Get(kSelect);
    BindRef(select, ref);
    return select.Next() && select.Int(0) > 0;
  }
  int64_t n = 0;
  s << sessions_.dialect().Native(kSelect), into(n), bind(std::string(ref.protocol)),
      bind(std::string(ref.kind)), bind(ref.subject), bind(std::string(ref.endpoint)), now;
  return n > 0;
}

Result<bool> SqlDeliveryLog::WasDelivered(const DeliveryRef& ref) {
  return sessions_.Run("look up delivery of " + RefName(ref),
                       [&](Session& s) -> Result<bool> { return Delivered(s, ref); });
}

Result<std::vector<bool>> SqlDeliveryLog::WasDeliveredAll(std::span<const DeliveryRef> refs) {
  if (refs.empty()) return std::vector<bool>();
  return sessions_.Run("look up " + std::to_string(refs.size()) + " deliveries",
                       [&](Session& s) -> Result<std::vector<bool>> {
                         std::vector<bool> out;
                         out.reserve(refs.size());
                         for (const DeliveryRef& ref : refs) out.push_back(Delivered(s, ref));
                         return out;
                       });
}

Status SqlDeliveryLog::RecordDelivered(const DeliveryRef& ref, TimePoint at) {
  return sessions_.Transact("record delivery of " + RefName(ref),
                            [&](Session& s) { return InsertDelivered(s, ref, at); });
}

Status SqlDeliveryLog::RecordDeliveredAll(std::span<const DeliveryRef> refs, TimePoint at) {
  if (refs.empty()) return Status::Ok();
  return sessions_.Transact("record " + std::to_string(refs.size()) + " deliveries",
                            [&](Session& s) {
                              for (const DeliveryRef& ref : refs) {
                                if (Status st = InsertDelivered(s, ref, at); !st.ok()) return st;
                              }
                              return Status::Ok();
                            });
}

Status SqlDeliveryLog::InsertDelivered(Session& s, const DeliveryRef& ref, TimePoint at) {
  static const std::string kDone =
      "INSERT INTO deliveries_done (protocol, kind, subject, endpoint, delivered_at)"
      " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
  static const std::string kHealth =
      "INSERT INTO endpoint_health (endpoint, last_success_at) VALUES (?, ?)"
      " ON CONFLICT (endpoint) DO UPDATE SET last_success_at = excluded.last_success_at,"
      " failing_since = NULL, consecutive_failures = 0, last_error = ''";
  const int64_t when = ToMillis(at);
  if (SqliteStatements* prepared = sessions_.sqlite_statements(); prepared != nullptr) {
    SqliteStatement done = prepared->Get(kDone);
    BindRef(done, ref);
    done.Bind(5, when);
    done.Execute();
    SqliteStatement health = prepared->Get(kHealth);
    health.Bind(1, ref.endpoint);
    health.Bind(2, when);
    health.Execute();
    return Status::Ok();
  }
  const SqlDialect& d = sessions_.dialect();
  const std::string endpoint(ref.endpoint);
  s << d.Native(kDone), bind(std::string(ref.protocol)), bind(std::string(ref.kind)),
      bind(ref.subject), bind(endpoint), bind(when), now;
  s << d.Native(kHealth), bind(endpoint), bind(when), now;
  return Status::Ok();
}

Status SqlDeliveryLog::RecordFailure(std::string_view endpoint, std::string_view error,
                                     TimePoint at) {
  const std::string url(endpoint);
  const std::string why(error.substr(0, kMaxErrorBytes));
  return sessions_.Run("record failed delivery to " + url, [&](Session& s) {
    s << sessions_.dialect().Native(
        "INSERT INTO endpoint_health (endpoint, last_failure_at, failing_since,"
        " consecutive_failures, last_error) VALUES (?, ?, ?, 1, ?)"
        " ON CONFLICT (endpoint) DO UPDATE SET last_failure_at = excluded.last_failure_at,"
        " failing_since = COALESCE(endpoint_health.failing_since, excluded.failing_since),"
        " consecutive_failures = endpoint_health.consecutive_failures + 1,"
        " last_error = excluded.last_error"),
        bind(url), bind(ToMillis(at)), bind(ToMillis(at)), bind(why), now;
    return Status::Ok();
  });
}

Result<std::vector<EndpointHealth>> SqlDeliveryLog::Health(
    const std::vector<std::string>& endpoints) {
  return sessions_.Run(
      "read endpoint health", [&](Session& s) -> Result<std::vector<EndpointHealth>> {
        std::vector<EndpointHealth> out;
        const std::string select = sessions_.dialect().Native(
            "SELECT " + std::string(kEndpointHealthColumns) + " WHERE endpoint = ?");
        for (const std::string& endpoint : endpoints) {
          std::vector<EndpointHealth> rows;
          s << select, into(rows), bind(endpoint), now;
          for (EndpointHealth& h : rows) out.push_back(std::move(h));
        }
        return out;
      });
}

Result<std::vector<EndpointHealth>> SqlDeliveryLog::Failing(size_t limit) {
  return sessions_.Run(
      "list failing endpoints", [&](Session& s) -> Result<std::vector<EndpointHealth>> {
        std::vector<EndpointHealth> rows;
        s << sessions_.dialect().Native("SELECT " + std::string(kEndpointHealthColumns) +
                                        " WHERE consecutive_failures > 0"
                                        " ORDER BY failing_since, endpoint LIMIT ?"),
            into(rows), bind(static_cast<int64_t>(limit)), now;
        return rows;
      });
}

Result<int64_t> SqlDeliveryLog::PruneDelivered(TimePoint before) {
  return sessions_.Run("prune recorded deliveries", [&](Session& s) -> Result<int64_t> {
    Poco::Data::Statement del(s);
    del << sessions_.dialect().Native("DELETE FROM deliveries_done WHERE delivered_at < ?"),
        bind(ToMillis(before));
    return static_cast<int64_t>(del.execute());
  });
}

}  // namespace feedbridge::store
