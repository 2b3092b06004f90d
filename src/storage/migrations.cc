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
  };
  return kMigrations;
}

int LatestSchemaVersion() { return Migrations().back().version; }

}  // namespace motcua::storage
