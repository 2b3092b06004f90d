#include "storage/sqlite/sqlite_connection.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/log.h"
#include "storage/sqlite/wal_buffer_vfs.h"

namespace motcua::storage {
namespace {

// Checkpoints the write-ahead log of the writer connection so that commits seldom wait for one:
// SQLite's automatic checkpoint (every 1000 pages, copying them back inside the committing
// connection) is off. After each commit the writer's WAL hook calls Committed: once
// kPassiveFrames more frames are in the log, a thread with its own connection copies them back
// with a PASSIVE checkpoint, which neither waits for nor blocks the writer. Commits keep
// appending meanwhile, so the log seldom empties by itself; once it holds kRestartFrames, the
// writer runs a RESTART checkpoint itself, between two batches and without waiting: it copies
// the little the background left and makes the next commit start the log over. The log file
// is cut back to kJournalLimit then, which is well above kRestartFrames: the log file keeps
// its size from one round to the next and is only cut back after a long reader has let it grow.
// (Cutting the few megabytes past 64 MiB at each restart took the committing writer 77-154 ms
// in ftruncate here, timed by strace.)
class WalCheckpointer {
 public:
  static constexpr int kPassiveFrames = 4096;   // 16 MiB of 4 KiB pages
  static constexpr int kRestartFrames = 16384;  // 64 MiB
  static constexpr const char* kJournalLimit = "PRAGMA journal_size_limit=268435456";  // 256 MiB
  static constexpr int kBusyTimeoutMs = 10000;  // every connection's (OpenSqlite)

  WalCheckpointer(sqlite3* writer, sqlite3* background)
      : writer_(writer), db_(background), thread_([this] { Loop(); }) {}
  ~WalCheckpointer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
    sqlite3_close_v2(db_);
  }
  // Called on the writer's thread after each commit, with the frames now in the log.
  void Committed(int frames) {
    if (frames >= kRestartFrames) {
      // Without waiting: a long read (an export, `audit verify`) must not stall every writer.
      // Held up by a reader or by the background, it copies what it can and the next commit
      // tries again.
      sqlite3_busy_timeout(writer_, 0);
      WalSyncsNow sync_now;  // inside a deferring COMMIT: copy back only what is on disk
      int rc =
          sqlite3_wal_checkpoint_v2(writer_, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
      sqlite3_busy_timeout(writer_, kBusyTimeoutMs);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) Failed(writer_);
      return;
    }
    {
      std::lock_guard lock(mu_);
      if (frames < copied_) copied_ = 0;  // the log started over
      if (frames - copied_ < kPassiveFrames || wanted_) return;
      wanted_ = true;
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    pthread_setname_np(pthread_self(), "motcua-ckpt");
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stopping_ || wanted_; });
      if (stopping_) return;
      lock.unlock();
      int done = 0;
      int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &done);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) Failed(db_);
      lock.lock();
      copied_ = std::max(done, 0);
      wanted_ = false;
    }
  }
  static void Failed(sqlite3* db) {
    LogError(std::string("sqlite checkpoint failed: ") + sqlite3_errmsg(db));
  }

  sqlite3* writer_;
  sqlite3* db_;  // the background's own connection
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;  // a passive checkpoint is asked for or running
  int copied_ = 0;       // frames the last one copied back
  bool stopping_ = false;
  std::thread thread_;
};

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    checkpointer_.reset();  // before the writer closes (its close checkpoints what is left)
    if (sync_fd_ >= 0) ::close(sync_fd_);
    sqlite3_close_v2(db_);
  }

  // Hands checkpoints to a thread with its own connection (writer connections only), and lets
  // commits leave their log sync to SyncCommitted.
  void CheckpointInBackground(sqlite3* checkpoint_db) {
    const char* file = sqlite3_db_filename(db_, "main");
    if (file != nullptr && *file != '\0' && InWalMode()) wal_path_ = sqlite3_filename_wal(file);
    checkpointer_ = std::make_unique<WalCheckpointer>(db_, checkpoint_db);
    sqlite3_wal_hook(
        db_,
        [](void* self, sqlite3*, const char*, int frames) {
          static_cast<WalCheckpointer*>(self)->Committed(frames);
          return SQLITE_OK;
        },
        checkpointer_.get());
  }

  Result<SqlRows> Query(std::string_view sql, std::span<const SqlValue> params) override {
    sqlite3_stmt* stmt = nullptr;
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      std::string rewritten = RewritePlaceholdersForSqlite(sql);
      if (sqlite3_prepare_v3(db_, rewritten.c_str(), static_cast<int>(rewritten.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        return Failure("prepare", sql);
      }
      cache_.emplace(std::string(sql), stmt);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      int rc = std::visit(
          [&](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              return sqlite3_bind_null(stmt, idx);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              return sqlite3_bind_int64(stmt, idx, v);
            } else {
              return sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()),
                                       SQLITE_STATIC);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) return Failure("bind", sql);
    }
    SqlRows rows;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        auto failure = Failure("step", sql);
        sqlite3_reset(stmt);
        return failure;
      }
      int n = sqlite3_column_count(stmt);
      SqlRow row;
      row.cols.reserve(static_cast<size_t>(n));
      for (int c = 0; c < n; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            row.cols.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            row.cols.emplace_back(int64_t{sqlite3_column_int64(stmt, c)});
            break;
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row.cols.emplace_back(std::string(p ? p : "", sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    return rows;
  }

  Status Exec(std::string_view script) override {
    std::string s(script);
    char* err = nullptr;
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      LogError("sqlite exec failed: " + msg + " in: " + s.substr(0, 200));
      return Fail(ErrorCode::kInternal);
    }
    return {};
  }

  Backend backend() const override { return Backend::kSqlite; }

  bool DefersSync() const override { return !wal_path_.empty(); }

  Status CommitDeferringSync() override {
    if (wal_path_.empty()) return Exec("COMMIT");
    DeferWalSyncs defer;
    return Exec("COMMIT");
  }

  // fdatasync of the log through a descriptor of our own: it flushes the file, whichever
  // descriptor wrote it. Reopened if the log file was replaced (it is only deleted when the last
  // connection closes, after a full checkpoint).
  Status SyncCommitted() override {
    if (wal_path_.empty()) return {};
    std::lock_guard lock(sync_mu_);
    struct stat st {};
    if (::stat(wal_path_.c_str(), &st) != 0) return SyncFailed("stat");
    if (sync_fd_ < 0 || st.st_ino != sync_ino_ || st.st_dev != sync_dev_) {
      if (sync_fd_ >= 0) ::close(sync_fd_);
      sync_fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (sync_fd_ < 0) return SyncFailed("open");
      sync_ino_ = st.st_ino;
      sync_dev_ = st.st_dev;
    }
    if (::fdatasync(sync_fd_) != 0) return SyncFailed("fdatasync");
    return {};
  }

 private:
  tl::unexpected<Error> Failure(const char* what, std::string_view sql) {
    int ext = sqlite3_extended_errcode(db_);
    std::string context = std::string("sqlite: ") + sqlite3_errmsg(db_);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return motcua::Failure(ErrorCode::kConflict, context);
    }
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
      return motcua::Failure(ErrorCode::kInvalidField, context);
    if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED) {
      return motcua::Failure(ErrorCode::kUnavailable, context);
    }
    LogError(std::string("sqlite ") + what + " failed: " + sqlite3_errmsg(db_) +
             " in: " + std::string(sql.substr(0, 200)));
    return Fail(ErrorCode::kInternal);
  }

  bool InWalMode() {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "PRAGMA journal_mode", -1, &stmt, nullptr) != SQLITE_OK)
      return false;
    bool wal = sqlite3_step(stmt) == SQLITE_ROW &&
               sqlite3_strnicmp(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal",
                                4) == 0;
    sqlite3_finalize(stmt);
    return wal;
  }

  Status SyncFailed(const char* what) {
    LogError(std::string("sqlite log sync failed (") + what + " " + wal_path_ +
             "): " + std::strerror(errno));
    return NotDurable();
  }

  sqlite3* db_;
  std::string wal_path_;  // writer connections: the log SyncCommitted syncs
  std::mutex sync_mu_;
  int sync_fd_ = -1;
  ino_t sync_ino_ = 0;
  dev_t sync_dev_ = 0;
  // Statements by their text; looked up without building a string.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace

std::string RewritePlaceholdersForSqlite(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  bool in_string = false;
  for (char c : sql) {
    if (c == '\'') in_string = !in_string;
    out.push_back(!in_string && c == '$' ? '?' : c);
  }
  return out;
}

Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX |
              (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  // Every connection goes through the VFS that coalesces log writes (only writers write).
  const char* vfs = BufferedWalVfs();
  if (sqlite3_open_v2(path.c_str(), &db, flags, vfs) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Failure(ErrorCode::kUnavailable, "Cannot open SQLite database " + path + ": " + msg);
  }
  auto conn = std::make_unique<SqliteConnection>(db);
  sqlite3_busy_timeout(db, WalCheckpointer::kBusyTimeoutMs);
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;";
  // The writer keeps statement journals (multi-row statements inside a transaction) in memory
  // instead of temporary files, and a 64 MiB page cache for the indexes every commit touches.
  if (!read_only) {
    pragmas = "PRAGMA journal_mode=WAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; " +
              pragmas + std::string(WalCheckpointer::kJournalLimit) + ";";
  }
  if (auto st = conn->Exec(pragmas); !st) {
    return Failure(ErrorCode::kUnavailable, "Cannot configure SQLite database " + path);
  }
  if (!read_only) {
    sqlite3* checkpoint_db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &checkpoint_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        vfs) != SQLITE_OK) {
      sqlite3_close_v2(checkpoint_db);
      return Failure(ErrorCode::kUnavailable, "Cannot open SQLite database " + path);
    }
    sqlite3_busy_timeout(checkpoint_db, WalCheckpointer::kBusyTimeoutMs);
    // A connection only checkpoints once it has seen the database in WAL mode.
    if (sqlite3_exec(checkpoint_db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) !=
        SQLITE_OK) {
      sqlite3_close_v2(checkpoint_db);
      return Failure(ErrorCode::kUnavailable, "Cannot configure SQLite database " + path);
    }
    conn->CheckpointInBackground(checkpoint_db);  // also turns the automatic checkpoint off
  }
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

}  // namespace motcua::storage
