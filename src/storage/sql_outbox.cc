// Outbox over SQL: claims with a lease, deliveries recorded under their claim.
#include <algorithm>

#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {
namespace {

constexpr std::string_view kOutboxColumns =
    "id, dossier_code, channel, recipient, subject, body, status, attempts, next_attempt_at, "
    "last_error, created_at, sent_at, provider_ref";

OutboxMessage ReadOutbox(const SqlRow& r) {
  return {r.Int(0),
          r.Str(1),
          r.Str(2),
          r.Str(3),
          r.Str(4),
          r.Str(5),
          r.Str(6),
          r.Int(7),
          FromMicros(r.Int(8)),
          r.Str(9),
          FromMicros(r.Int(10)),
          FromMicros(r.Int(11)),
          r.Str(12)};
}

}  // namespace

Result<std::vector<OutboxMessage>> SqlOutbox::LoadOutbox(const std::string& dossier_code) {
  return Collect<std::vector<OutboxMessage>>(
      db_, false, [&](SqlConnection& c) -> Result<std::vector<OutboxMessage>> {
        auto rows = c.Query("SELECT " + std::string(kOutboxColumns) +
                                " FROM outbox WHERE dossier_code = $1 ORDER BY id",
                            {dossier_code});
        MOTCUA_RETURN_IF_ERROR(rows);
        std::vector<OutboxMessage> out;
        out.reserve(rows->size());
        for (const auto& r : *rows) out.push_back(ReadOutbox(r));
        return out;
      });
}

Result<std::vector<OutboxMessage>> SqlOutbox::ClaimDueOutbox(
    Instant now, std::chrono::seconds lease, size_t max, const std::vector<std::string>& channels) {
  using Messages = std::vector<OutboxMessage>;
  if (max == 0 || channels.empty()) return Messages();
  std::vector<SqlValue> params = {Micros(now)};
  std::string in;
  for (const std::string& ch : channels) {
    params.push_back(ch);
    in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  std::string due = "status = 'pending' AND next_attempt_at <= $1 AND channel IN (" + in + ")";
  // A cheap look on a reader first, so an idle sender never queues behind the writer.
  auto any = Collect<bool>(db_, false, [&](SqlConnection& c) -> Result<bool> {
    auto rows = c.Query("SELECT id FROM outbox WHERE " + due + " LIMIT 1",
                        std::span<const SqlValue>(params));
    MOTCUA_RETURN_IF_ERROR(rows);
    return !rows->empty();
  });
  MOTCUA_RETURN_IF_ERROR(any);
  if (!*any) return Messages();
  params.push_back(static_cast<int64_t>(max));
  std::string limit = "$" + std::to_string(params.size());
  params.push_back(Micros(now + lease));
  std::string until = "$" + std::to_string(params.size());
  // The batch is picked once (a MATERIALIZED CTE: as a plain IN subquery PostgreSQL may scan
  // it again while updating and pass LIMIT). SKIP LOCKED makes a concurrent PostgreSQL claimer
  // pick other rows instead of waiting for these; the outer WHERE repeats the condition, which
  // READ COMMITTED re-evaluates on the newest row version should it still meet one. SQLite has
  // one writer at a time and no row locks.
  std::string sql = "WITH batch AS MATERIALIZED (SELECT id FROM outbox WHERE " + due +
                    " ORDER BY next_attempt_at, id LIMIT " + limit +
                    (db_.backend() == Backend::kPostgres ? " FOR UPDATE SKIP LOCKED" : "") +
                    ") UPDATE outbox SET attempts = attempts + 1, next_attempt_at = " + until +
                    " WHERE id IN (SELECT id FROM batch) AND " + due + " RETURNING " +
                    std::string(kOutboxColumns);
  auto claimed = Collect<Messages>(db_, true, [&](SqlConnection& c) -> Result<Messages> {
    auto rows = c.Query(sql, std::span<const SqlValue>(params));
    MOTCUA_RETURN_IF_ERROR(rows);
    Messages out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.push_back(ReadOutbox(r));
    return out;
  });
  if (!claimed) return claimed;
  // RETURNING has no order: hand the batch out in creation order.
  std::sort(claimed->begin(), claimed->end(),
            [](const OutboxMessage& a, const OutboxMessage& b) { return a.id < b.id; });
  return claimed;
}

Status SqlOutbox::RecordDelivery(const OutboxDelivery& d) {
  // The claim is (attempts, next_attempt_at) as ClaimDueOutbox left them: a later claim or an
  // earlier record of this one changed at least one of them.
  constexpr std::string_view kClaim =
      " WHERE id = $1 AND attempts = $2 AND next_attempt_at = $3 AND status = 'pending' "
      "RETURNING id";
  std::vector<SqlValue> params = {d.id, d.attempt, Micros(d.lease_until)};
  std::string sql;
  if (d.status == "sent") {
    sql = "UPDATE outbox SET status = 'sent', sent_at = $4, provider_ref = $5";
    params.insert(params.end(), {Micros(d.at), d.provider_ref});
    if (!d.last_error.empty()) {
      sql += ", last_error = $6";
      params.push_back(d.last_error);
    }
  } else if (d.status == "pending" && !d.attempted) {
    sql = "UPDATE outbox SET attempts = attempts - 1, next_attempt_at = $4";
    params.push_back(Micros(d.next_attempt_at));
  } else if (d.status == "pending" || d.status == "failed") {
    sql = "UPDATE outbox SET status = $4, next_attempt_at = $5, last_error = $6";
    params.insert(params.end(), {d.status, Micros(d.status == "pending" ? d.next_attempt_at : d.at),
                                 d.last_error});
  } else {
    return Failure(ErrorCode::kInvalidField, "status must be sent, failed or pending.", "status");
  }
  sql += kClaim;
  return db_.Write([&](SqlConnection& c) -> Status {
    auto rows = c.Query(sql, std::span<const SqlValue>(params));
    MOTCUA_RETURN_IF_ERROR(rows);
    if (rows->empty()) {
      return Failure(ErrorCode::kConflict, "The message is no longer held by this claim.",
                     "attempt");
    }
    return {};
  });
}

}  // namespace motcua::storage
