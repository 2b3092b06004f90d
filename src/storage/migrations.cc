#include "storage/migrations.h"

namespace motcua::storage {

// Timestamps are microseconds since the Unix epoch (UTC) in 64-bit integers on both backends.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       R"sql(
CREATE TABLE units (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  category TEXT NOT NULL,
  parent_code TEXT REFERENCES units(code),
  position INTEGER NOT NULL
);
CREATE INDEX units_parent ON units(parent_code, position);
CREATE TABLE procedures (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  content TEXT NOT NULL,
  content_sha256 TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  is_current INTEGER NOT NULL,
  PRIMARY KEY (id, version)
);
CREATE UNIQUE INDEX procedures_current ON procedures(id) WHERE is_current = 1;
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  unit_code TEXT REFERENCES units(code),
  full_name TEXT NOT NULL DEFAULT '',
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX users_unit ON users(unit_code, username);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
)sql",
       R"sql(
CREATE TABLE units (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  category TEXT NOT NULL,
  parent_code TEXT REFERENCES units(code),
  position BIGINT NOT NULL
);
CREATE INDEX units_parent ON units(parent_code, position);
CREATE TABLE procedures (
  id TEXT NOT NULL,
  version BIGINT NOT NULL,
  content TEXT NOT NULL,
  content_sha256 TEXT NOT NULL,
  imported_at BIGINT NOT NULL,
  is_current BIGINT NOT NULL,
  PRIMARY KEY (id, version)
);
CREATE UNIQUE INDEX procedures_current ON procedures(id) WHERE is_current = 1;
CREATE TABLE users (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  unit_code TEXT REFERENCES units(code),
  full_name TEXT NOT NULL DEFAULT '',
  failed_logins BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  disabled BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX users_unit ON users(unit_code, username);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  csrf_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);
)sql"},
      {2, R"sql(
CREATE TABLE dossiers (
  code TEXT PRIMARY KEY,
  procedure_id TEXT NOT NULL,
  procedure_version INTEGER NOT NULL,
  channel INTEGER NOT NULL,
  receiving_unit TEXT NOT NULL REFERENCES units(code),
  current_unit TEXT NOT NULL REFERENCES units(code),
  assignee_user_id INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  version INTEGER NOT NULL,
  applicant_id_number TEXT NOT NULL,
  applicant_name_folded TEXT NOT NULL,
  applicant_user_id INTEGER NOT NULL DEFAULT 0,
  submitted_at INTEGER NOT NULL,
  received_at INTEGER,
  due_at INTEGER,
  due_sort INTEGER NOT NULL,
  finished_at INTEGER,
  returned_at INTEGER,
  data TEXT NOT NULL
);
CREATE INDEX dossiers_queue ON dossiers(current_unit, due_sort, code);
CREATE INDEX dossiers_queue_state ON dossiers(current_unit, state, due_sort, code);
CREATE INDEX dossiers_applicant ON dossiers(applicant_user_id, due_sort, code);
CREATE TABLE dossier_sequences (
  prefix TEXT NOT NULL,
  day TEXT NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (prefix, day)
);
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  request_sha256 TEXT NOT NULL,
  dossier_code TEXT NOT NULL REFERENCES dossiers(code),
  created_at INTEGER NOT NULL
);
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  dossier_code TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor_user_id INTEGER NOT NULL,
  actor_role TEXT NOT NULL,
  actor_unit TEXT NOT NULL,
  action TEXT NOT NULL,
  state_before TEXT NOT NULL,
  state_after TEXT NOT NULL,
  note TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_dossier ON audit_events(dossier_code, seq);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head VALUES (1, 0, '');
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  dossier_code TEXT NOT NULL,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);
CREATE INDEX outbox_dossier ON outbox(dossier_code, id);
CREATE TABLE calendar_overrides (
  day TEXT PRIMARY KEY,
  working INTEGER NOT NULL,
  reason_vi TEXT NOT NULL,
  reason_en TEXT NOT NULL
);
)sql",
       R"sql(
CREATE TABLE dossiers (
  code TEXT PRIMARY KEY,
  procedure_id TEXT NOT NULL,
  procedure_version BIGINT NOT NULL,
  channel BIGINT NOT NULL,
  receiving_unit TEXT NOT NULL REFERENCES units(code),
  current_unit TEXT NOT NULL REFERENCES units(code),
  assignee_user_id BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  version BIGINT NOT NULL,
  applicant_id_number TEXT NOT NULL,
  applicant_name_folded TEXT NOT NULL,
  applicant_user_id BIGINT NOT NULL DEFAULT 0,
  submitted_at BIGINT NOT NULL,
  received_at BIGINT,
  due_at BIGINT,
  due_sort BIGINT NOT NULL,
  finished_at BIGINT,
  returned_at BIGINT,
  data TEXT NOT NULL
);
CREATE INDEX dossiers_queue ON dossiers(current_unit, due_sort, code);
CREATE INDEX dossiers_queue_state ON dossiers(current_unit, state, due_sort, code);
CREATE INDEX dossiers_applicant ON dossiers(applicant_user_id, due_sort, code);
CREATE TABLE dossier_sequences (
  prefix TEXT NOT NULL,
  day TEXT NOT NULL,
  last BIGINT NOT NULL,
  PRIMARY KEY (prefix, day)
);
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  request_sha256 TEXT NOT NULL,
  dossier_code TEXT NOT NULL REFERENCES dossiers(code),
  created_at BIGINT NOT NULL
);
CREATE TABLE audit_events (
  seq BIGINT PRIMARY KEY,
  dossier_code TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor_user_id BIGINT NOT NULL,
  actor_role TEXT NOT NULL,
  actor_unit TEXT NOT NULL,
  action TEXT NOT NULL,
  state_before TEXT NOT NULL,
  state_after TEXT NOT NULL,
  note TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_dossier ON audit_events(dossier_code, seq);
CREATE TABLE audit_head (
  id BIGINT PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head VALUES (1, 0, '');
CREATE TABLE outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dossier_code TEXT NOT NULL,
  channel TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);
CREATE INDEX outbox_dossier ON outbox(dossier_code, id);
CREATE TABLE calendar_overrides (
  day TEXT PRIMARY KEY,
  working BIGINT NOT NULL,
  reason_vi TEXT NOT NULL,
  reason_en TEXT NOT NULL
);
)sql"},
      {3, R"sql(
CREATE TABLE files (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  media_type TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE file_owners (
  sha256 TEXT NOT NULL REFERENCES files(sha256),
  user_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (sha256, user_id)
);
CREATE TABLE dossier_files (
  dossier_code TEXT NOT NULL REFERENCES dossiers(code),
  sha256 TEXT NOT NULL REFERENCES files(sha256),
  kind TEXT NOT NULL,
  component_id TEXT NOT NULL,
  applicant_id_number TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (dossier_code, sha256, kind, component_id)
);
CREATE INDEX dossier_files_applicant ON dossier_files(applicant_id_number, sha256);
CREATE TABLE complaints (
  id INTEGER PRIMARY KEY,
  dossier_code TEXT NOT NULL REFERENCES dossiers(code),
  text TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX complaints_dossier ON complaints(dossier_code, id);
ALTER TABLE dossiers ADD COLUMN rating TEXT;
CREATE INDEX dossiers_due ON dossiers(due_sort, code);
DROP INDEX dossiers_applicant;
CREATE INDEX dossiers_applicant_id ON dossiers(applicant_id_number, due_sort, code);
)sql",
       R"sql(
CREATE TABLE files (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  media_type TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE file_owners (
  sha256 TEXT NOT NULL REFERENCES files(sha256),
  user_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (sha256, user_id)
);
CREATE TABLE dossier_files (
  dossier_code TEXT NOT NULL REFERENCES dossiers(code),
  sha256 TEXT NOT NULL REFERENCES files(sha256),
  kind TEXT NOT NULL,
  component_id TEXT NOT NULL,
  applicant_id_number TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (dossier_code, sha256, kind, component_id)
);
CREATE INDEX dossier_files_applicant ON dossier_files(applicant_id_number, sha256);
CREATE TABLE complaints (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dossier_code TEXT NOT NULL REFERENCES dossiers(code),
  text TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX complaints_dossier ON complaints(dossier_code, id);
ALTER TABLE dossiers ADD COLUMN rating TEXT;
CREATE INDEX dossiers_due ON dossiers(due_sort, code);
DROP INDEX dossiers_applicant;
CREATE INDEX dossiers_applicant_id ON dossiers(applicant_id_number, due_sort, code);
)sql"},
      // The outbox sender (src/notify): when the provider accepted a message and what it said.
      {4, R"sql(
ALTER TABLE outbox ADD COLUMN sent_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN provider_ref TEXT NOT NULL DEFAULT '';
)sql",
       R"sql(
ALTER TABLE outbox ADD COLUMN sent_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN provider_ref TEXT NOT NULL DEFAULT '';
)sql"},
      // Form 06, the dossier register: a unit's dossiers by time of receipt.
      {5, "CREATE INDEX dossiers_register ON dossiers(receiving_unit, received_at);",
       "CREATE INDEX dossiers_register ON dossiers(receiving_unit, received_at);"},
      // Officers' overdue and due-soon queues walk a unit's open dossiers by deadline; in the
      // full index they would step over every finished one whose deadline has passed.
      {6,
       "CREATE INDEX dossiers_open_queue ON dossiers(current_unit, due_sort, code) "
       "WHERE finished_at IS NULL;",
       "CREATE INDEX dossiers_open_queue ON dossiers(current_unit, due_sort, code) "
       "WHERE finished_at IS NULL;"},
      // The register only holds received dossiers: an online submission enters it when a
      // counter officer receives it, so intake touches one index fewer.
      {7,
       "DROP INDEX dossiers_register; CREATE INDEX dossiers_register ON "
       "dossiers(receiving_unit, received_at) WHERE received_at IS NOT NULL;",
       "DROP INDEX dossiers_register; CREATE INDEX dossiers_register ON "
       "dossiers(receiving_unit, received_at) WHERE received_at IS NOT NULL;"},
      // PostgreSQL checks a foreign key with a query of its own for every row inserted (an RI
      // trigger running SELECT ... FOR KEY SHARE through SPI): five such queries a dossier cost
      // the single writer about 40% of its intake rate. The references they guarded hold by
      // construction: the units a dossier names come from the unit directory the domain checks
      // (units are never deleted), a dossier's idempotency key and file references are inserted
      // by the same group commit right after the dossier, and file rows are never deleted.
      // `motcua audit verify` checks them (Store::CheckReferences). SQLite checks a foreign key
      // with one probe of the parent's index, at no measurable cost: it keeps them.
      {8, "",
       "ALTER TABLE dossiers DROP CONSTRAINT IF EXISTS dossiers_receiving_unit_fkey, "
       "DROP CONSTRAINT IF EXISTS dossiers_current_unit_fkey; "
       "ALTER TABLE idempotency_keys DROP CONSTRAINT IF EXISTS idempotency_keys_dossier_code_fkey; "
       "ALTER TABLE dossier_files DROP CONSTRAINT IF EXISTS dossier_files_dossier_code_fkey, "
       "DROP CONSTRAINT IF EXISTS dossier_files_sha256_fkey;"},
      // An officer's search by applicant name walks the unit's queue index by deadline and tests
      // each entry's name; with the name in the index, only the page's matches are read from the
      // table (DossierQuerySql) instead of every dossier the walk passes (about 75 for each match
      // of "nguyen van"). PostgreSQL carries it as a non-key column.
      {9,
       "DROP INDEX dossiers_queue; CREATE INDEX dossiers_queue ON "
       "dossiers(current_unit, due_sort, code, applicant_name_folded);",
       "DROP INDEX dossiers_queue; CREATE INDEX dossiers_queue ON "
       "dossiers(current_unit, due_sort, code) INCLUDE (applicant_name_folded);"},
      // Accounts are no longer locked after failed logins (a lock is a tool for whoever wants an
      // officer kept out): failures slow down one (username, client) pair in memory
      // (LoginThrottle), and an administrator turns an account off with `disabled`.
      {10,
       "ALTER TABLE users DROP COLUMN failed_logins; ALTER TABLE users DROP COLUMN locked_until;",
       "ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;"},
  };
  return kMigrations;
}

int LatestSchemaVersion() { return Migrations().back().version; }

}  // namespace motcua::storage
