#include "store/sql_profile_store.h"

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

std::string RevisionName(int64_t id) { return "profile revision " + std::to_string(id); }

}  // namespace

Result<ProfileRevision> SqlProfileStore::LatestRevision(int64_t account_id) {
  const std::string account = "account " + std::to_string(account_id);
  return sessions_.Run(
      "read the profile of " + account, [&](Session& s) -> Result<ProfileRevision> {
        std::vector<ProfileRevision> rows;
        s << sessions_.dialect().Native("SELECT " + std::string(kProfileRevisionColumns) +
                                        " WHERE r.account_id = ? ORDER BY r.id DESC LIMIT 1"),
            into(rows), bind(account_id), now;
        if (rows.empty()) return Status::NotFound("store: no profile revision of " + account);
        return std::move(rows.front());
      });
}

Result<std::vector<ProfileRevision>> SqlProfileStore::PendingRevisions(size_t limit) {
  return sessions_.Run(
      "read the profile outbox", [&](Session& s) -> Result<std::vector<ProfileRevision>> {
        std::vector<ProfileRevision> rows;
        s << sessions_.dialect().Native("SELECT " + std::string(kProfileRevisionColumns) +
                                        " WHERE r.enqueued = 0 ORDER BY r.id LIMIT ?"),
            into(rows), bind(static_cast<int64_t>(limit)), now;
        return rows;
      });
}

Status SqlProfileStore::MarkRevisionEnqueued(int64_t revision_id) {
  return sessions_.Run("mark " + RevisionName(revision_id) + " enqueued", [&](Session& s) {
    Poco::Data::Statement update(s);
    update << sessions_.dialect().Native("UPDATE profile_revisions SET enqueued = 1 WHERE id = ?"),
        bind(revision_id);
    if (update.execute() == 0) {
      return Status::NotFound("store: " + RevisionName(revision_id) + " not found");
    }
    return Status::Ok();
  });
}

}  // namespace feedbridge::store
