// DossierStore and DossierQueries over SQL. Creations and updates go through the group commit
// (write_batch.h): the row is serialised on the caller's thread, the writer thread only binds
// and steps statements.
#include "storage/dossier_rows.h"
#include "storage/sql_ports.h"
#include "storage/sql_util.h"

namespace motcua::storage {
namespace {

// The row of a new dossier (version 1, code still empty).
std::vector<SqlValue> RowParams(const NewDossier& nd) {
  Dossier d = nd.dossier;
  d.version = 1;
  return DossierParams(d);
}

// The SELECT of `columns` for a dossier query on `backend`, its parameters appended to `params`.
// A search by name selects the page's codes first, from the queue index alone when the other
// filters allow it (the index carries the folded name: migration 9), and then their rows. The
// name is found with the backend's substring function, cheaper per row than LIKE '%...%'.
std::string DossierQuerySql(Backend backend, const DossierQuery& q, std::string_view columns,
                            std::vector<SqlValue>& params) {
  const bool codes_first = !q.name_folded.empty();
  std::string sql =
      "SELECT " + std::string(codes_first ? "code" : columns) + " FROM dossiers WHERE 1 = 1";
  auto add = [&](std::string cond, SqlValue v) {
    params.push_back(std::move(v));
    size_t pos;
    while ((pos = cond.find('?')) != std::string::npos) {
      cond.replace(pos, 1, "$" + std::to_string(params.size()));
    }
    sql += " AND " + cond;
  };
  if (!q.units.empty()) {
    std::string list;
    for (const auto& u : q.units) {
      params.push_back(u);
      list += (list.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    sql += " AND current_unit IN (" + list + ")";
  }
  if (!q.applicant_id_number.empty()) add("applicant_id_number = ?", q.applicant_id_number);
  if (q.unfinished_only) sql += " AND finished_at IS NULL";
  if (q.state) add("state = ?", std::string(StateName(*q.state)));
  if (!q.procedure_id.empty()) add("procedure_id = ?", q.procedure_id);
  if (q.channel) add("channel = ?", int64_t{static_cast<int>(*q.channel)});
  if (q.due_before) add("due_sort < ?", Micros(*q.due_before));
  if (!q.code.empty()) add("code = ?", q.code);
  if (!q.name_folded.empty()) {
    add(backend == Backend::kPostgres ? "strpos(applicant_name_folded, ?) > 0"
                                      : "instr(applicant_name_folded, ?) > 0",
        q.name_folded);
  }
  if (!q.receiving_unit.empty()) add("receiving_unit = ?", q.receiving_unit);
  if (q.received_from) add("received_at >= ?", Micros(*q.received_from));
  if (q.received_before) add("received_at < ?", Micros(*q.received_before));
  if (q.after_due) {
    params.push_back(*q.after_due);
    params.push_back(q.after_code);
    size_t n = params.size();
    sql += " AND (due_sort > $" + std::to_string(n - 1) + " OR (due_sort = $" +
           std::to_string(n - 1) + " AND code > $" + std::to_string(n) + "))";
  }
  params.push_back(static_cast<int64_t>(q.limit));
  sql += " ORDER BY due_sort, code LIMIT $" + std::to_string(params.size());
  if (codes_first) {
    sql = "SELECT " + std::string(columns) + " FROM dossiers WHERE code IN (" + sql +
          ") ORDER BY due_sort, code";
  }
  return sql;
}

// Runs a dossier query for `columns`, reading each row with `read`.
template <typename T, typename Read>
Result<std::vector<T>> RunQuery(Database& db, const DossierQuery& q, std::string_view columns,
                                Read read) {
  return Collect<std::vector<T>>(db, false, [&](SqlConnection& c) -> Result<std::vector<T>> {
    std::vector<SqlValue> params;
    std::string sql = DossierQuerySql(c.backend(), q, columns, params);  // fills params first
    auto rows = c.Query(sql, std::span<const SqlValue>(params));
    MOTCUA_RETURN_IF_ERROR(rows);
    std::vector<T> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.push_back(read(r));
    return out;
  });
}

}  // namespace

Result<CreatedDossier> SqlDossiers::CreateDossier(const NewDossier& nd) {
  Result<CreatedDossier> out = Fail(ErrorCode::kInternal);
  std::vector<SqlValue> params = RowParams(nd);
  Status st = db_.Write([&](SqlConnection&) -> Status {
    batch_.DeferCreate(nd, params, out);
    return {};
  });
  MOTCUA_RETURN_IF_ERROR(st);
  return out;
}

void SqlDossiers::CreateDossierAsync(NewDossier nd,
                                     std::function<void(Result<CreatedDossier>)> done) {
  struct State {
    NewDossier request;
    std::vector<SqlValue> params;
    Result<CreatedDossier> result = Fail(ErrorCode::kInternal);
  };
  auto state = std::make_shared<State>();
  state->params = RowParams(nd);  // the row's serialisation happens here, not on the writer
  state->request = std::move(nd);
  db_.WriteAsync(
      [this, state](SqlConnection&) -> Status {
        batch_.DeferCreate(state->request, state->params, state->result);
        return {};
      },
      [state, done = std::move(done)](Status st) {
        if (!st) {
          done(tl::unexpected(st.error()));
        } else {
          done(std::move(state->result));
        }
      });
}

Result<std::optional<Dossier>> SqlDossiers::FindDossier(const std::string& code) {
  using Found = std::optional<Dossier>;
  return Collect<Found>(db_, false, [&](SqlConnection& c) -> Result<Found> {
    auto rows = c.Query("SELECT " + std::string(kDossierColumns) + " FROM dossiers WHERE code = $1",
                        {code});
    MOTCUA_RETURN_IF_ERROR(rows);
    if (rows->empty()) return Found();
    return Found(ReadDossier(rows->at(0)));
  });
}

Result<Dossier> SqlDossiers::UpdateDossier(const Dossier& d, int64_t expected_version,
                                           const DossierWrite& write) {
  Dossier next = d;
  next.version = expected_version + 1;
  std::vector<SqlValue> params = DossierParams(next);
  params.push_back(expected_version);
  Status st = db_.Write([&](SqlConnection& c) -> Status {
    // Every column but the code (the key) is rewritten; $1 is the code, $21 the old version.
    auto rows = c.Query(
        "UPDATE dossiers SET procedure_id = $2, procedure_version = $3, channel = $4, "
        "receiving_unit = $5, current_unit = $6, assignee_user_id = $7, state = $8, "
        "version = $9, applicant_id_number = $10, applicant_name_folded = $11, "
        "applicant_user_id = $12, submitted_at = $13, received_at = $14, due_at = $15, "
        "due_sort = $16, finished_at = $17, returned_at = $18, data = $19, rating = $20 "
        "WHERE code = $1 AND version = $21 RETURNING code",
        std::span<const SqlValue>(params));
    MOTCUA_RETURN_IF_ERROR(rows);
    if (rows->empty()) {
      return Failure(
          ErrorCode::kConflict,
          "dossier " + next.code + ": version " + std::to_string(expected_version) + " is stale",
          "version");
    }
    batch_.DeferAttachFiles(next, false);
    batch_.DeferWrite(next.code, write);
    return {};
  });
  MOTCUA_RETURN_IF_ERROR(st);
  return next;
}

Result<std::vector<ComplaintRow>> SqlDossiers::LoadComplaints(const std::string& dossier_code) {
  using Rows = std::vector<ComplaintRow>;
  return Collect<Rows>(db_, false, [&](SqlConnection& c) -> Result<Rows> {
    auto rows = c.Query(
        "SELECT id, text, status, created_at FROM complaints WHERE dossier_code = $1 ORDER BY id",
        {dossier_code});
    MOTCUA_RETURN_IF_ERROR(rows);
    Rows out;
    for (const auto& r : *rows) out.push_back({r.Int(0), r.Str(1), r.Str(2), FromMicros(r.Int(3))});
    return out;
  });
}

Result<std::vector<Dossier>> SqlDossierQueries::ListDossiers(const DossierQuery& q) {
  return RunQuery<Dossier>(db_, q, kDossierColumns, [](const SqlRow& r) { return ReadDossier(r); });
}

Result<std::vector<DossierLine>> SqlDossierQueries::ListDossierLines(const DossierQuery& q) {
  return RunQuery<DossierLine>(db_, q, kDossierLineColumns, ReadDossierLine);
}

}  // namespace motcua::storage
