#include "store/sql_notice_store.h"

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

std::string NoticeName(int64_t notice_id) { return "notice " + std::to_string(notice_id); }

}  // namespace

Result<std::vector<Notice>> SqlNoticeStore::PendingOutbox(size_t limit) {
  return sessions_.Run("read outbox", [&](Session& s) -> Result<std::vector<Notice>> {
    std::vector<Notice> rows;
    s << sessions_.dialect().Native("SELECT " + std::string(kNoticeColumns) +
                                    " WHERE enqueued = 0 ORDER BY id LIMIT ?"),
        into(rows), bind(static_cast<int64_t>(limit)), now;
    return rows;
  });
}

Status SqlNoticeStore::MarkEnqueued(int64_t notice_id) {
  return sessions_.Run("mark " + NoticeName(notice_id) + " enqueued", [&](Session& s) {
    Poco::Data::Statement update(s);
    update << sessions_.dialect().Native("UPDATE notices SET enqueued = 1 WHERE id = ?"),
        bind(notice_id);
    if (update.execute() == 0) {
      return Status::NotFound("store: " + NoticeName(notice_id) + " not found");
    }
    return Status::Ok();
  });
}

Result<Notice> SqlNoticeStore::GetNotice(int64_t notice_id) {
  return sessions_.Run("get " + NoticeName(notice_id), [&](Session& s) -> Result<Notice> {
    static const std::string kSelect = "SELECT " + std::string(kNoticeColumns) + " WHERE id = ?";
    std::vector<Notice> rows;
    if (SqliteStatements* prepared = sessions_.sqlite_statements(); prepared != nullptr) {
      // SQLite: prepared once (the publisher reads the notice of every delivery).
      SqliteStatement select = prepared->Get(kSelect);
      select.Bind(1, notice_id);
      if (select.Next()) {
        SqliteRowReader reader(select);
        VisitColumns(rows.emplace_back(), reader);
      }
    } else {
      s << sessions_.dialect().Native(kSelect), into(rows), bind(notice_id), now;
    }
    if (rows.empty()) return Status::NotFound("store: " + NoticeName(notice_id) + " not found");
    return std::move(rows.front());
  });
}

Result<NoticeSource> SqlNoticeStore::GetNoticeSource(int64_t notice_id) {
  return sessions_.Run(
      "get " + NoticeName(notice_id) + " with its entry and feed",
      [&](Session& s) -> Result<NoticeSource> {
        std::vector<NoticeSource> rows;
        s << sessions_.dialect().Native(std::string(kNoticeSourceSelect)), into(rows),
            bind(notice_id), now;
        if (rows.empty()) {
          return Status::NotFound("store: " + NoticeName(notice_id) + " not found");
        }
        return std::move(rows.front());
      });
}

Result<std::vector<Notice>> SqlNoticeStore::ListNotices(int64_t account_id, int64_t before_id,
                                                        size_t limit) {
  return sessions_.Run(
      "list notices of account " + std::to_string(account_id),
      [&](Session& s) -> Result<std::vector<Notice>> {
        std::vector<Notice> rows;
        Poco::Data::Statement select(s);
        const std::string where =
            before_id > 0 ? " WHERE account_id = ? AND id < ?" : " WHERE account_id = ?";
        select << sessions_.dialect().Native("SELECT " + std::string(kNoticeColumns) + where +
                                             " ORDER BY id DESC LIMIT ?"),
            into(rows), bind(account_id);
        if (before_id > 0) select.addBind(bind(before_id));
        select.addBind(bind(static_cast<int64_t>(limit)));
        select.execute();
        return rows;
      });
}

Result<int64_t> SqlNoticeStore::CountPendingOutbox() {
  return sessions_.Run("count outbox", [&](Session& s) -> Result<int64_t> {
    int64_t n = 0;
    s << "SELECT COUNT(*) FROM notices WHERE enqueued = 0", into(n), now;
    return n;
  });
}

}  // namespace feedbridge::store
