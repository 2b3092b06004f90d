// Runs a test on each storage backend: a fresh SQLite file, and a fresh database in the
// PostgreSQL cluster named by MOTCUA_TEST_PG_URL (scripts/test.sh starts one). Without that
// variable the PostgreSQL cases are skipped, unless MOTCUA_REQUIRE_PG=1 makes them fail.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "domain/dossier/audit.h"
#include "storage/postgres/pg_connection.h"
#include "storage/sql_store.h"

namespace motcua::testing {

class BackendTest : public ::testing::TestWithParam<storage::Backend> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    std::string name = "motcua_t_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    if (GetParam() == storage::Backend::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / name;
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "test.db").string();
    } else {
      const char* admin = std::getenv("MOTCUA_TEST_PG_URL");
      if (admin == nullptr || *admin == 0) {
        const char* require = std::getenv("MOTCUA_REQUIRE_PG");
        if (require != nullptr && std::string(require) == "1") {
          FAIL() << "MOTCUA_REQUIRE_PG=1 but MOTCUA_TEST_PG_URL is not set";
        }
        GTEST_SKIP() << "MOTCUA_TEST_PG_URL not set";
      }
      admin_url_ = admin;
      auto conn = storage::OpenPostgres(admin_url_);
      ASSERT_TRUE(conn) << ErrorText(conn.error());
      ASSERT_TRUE((*conn)->Exec("CREATE DATABASE " + name));
      pg_db_ = name;
      url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + name;
    }
    auto store = storage::OpenStore(url_);
    ASSERT_TRUE(store) << ErrorText(store.error());
    store_ = std::move(*store);
    ASSERT_TRUE(store_->Migrate(Instant(std::chrono::hours(24 * 20454))));
  }

  void TearDown() override {
    store_.reset();
    if (!pg_db_.empty()) {
      auto conn = storage::OpenPostgres(admin_url_);
      if (conn) (void)(*conn)->Exec("DROP DATABASE IF EXISTS " + pg_db_ + " WITH (FORCE)");
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<storage::SqlStore> store_;
  std::string url_;

 private:
  std::filesystem::path dir_;
  std::string admin_url_;
  std::string pg_db_;
};

// The entries of `chain` about dossiers (the chain also holds the calendar overrides' entries,
// subject "calendar:YYYY-MM-DD", among them the bundled ones `motcua init` imports).
inline size_t DossierEntries(const std::vector<AuditEntry>& chain) {
  size_t n = 0;
  for (const AuditEntry& e : chain) n += !e.dossier_code.starts_with("calendar:");
  return n;
}

inline std::string BackendName(const ::testing::TestParamInfo<storage::Backend>& info) {
  return info.param == storage::Backend::kSqlite ? "sqlite" : "postgres";
}

#define MOTCUA_ON_BOTH_BACKENDS(suite)                                                            \
  INSTANTIATE_TEST_SUITE_P(                                                                       \
      Backends, suite, ::testing::Values(storage::Backend::kSqlite, storage::Backend::kPostgres), \
      ::motcua::testing::BackendName)

}  // namespace motcua::testing
