// A database: a pool of reader connections and one writer thread that commits concurrent write
// jobs together (group commit). Backend-neutral; the drivers only supply connections.
//
// Write path: Write()/WriteAsync() enqueue a job. The writer thread takes every job waiting (up to
// max_batch) and opens one transaction. It first runs the jobs one after another and flushes what
// they deferred (BatchHooks) in a few multi-row statements; if any of it fails, it rolls the
// batch back and runs it again with a SAVEPOINT per job (flushing after each), so that a failing
// job is rolled back alone and gets its own error. It commits once and only then reports to
// every job. So N concurrent writers share one fsync, an acknowledged write is durable, and a
// job must be safe to run twice (it may be rolled back and re-run).
//
// Where the writer connection can leave its log sync for later (SqlConnection::DefersSync:
// SQLite), the writer thread does not wait for the disk: it hands each committed batch to a
// sync thread and starts the next. The sync thread makes every batch committed so far durable
// with one sync, then reports to their jobs. So the next batch's statements overlap the last
// one's fsync; a batch is still acknowledged only once it is on disk, though other connections
// may read it a moment before.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/sql.h"

namespace motcua::storage {

// Pool and writer counters for /metrics.
struct DatabaseStats {
  size_t readers_total = 0;
  size_t readers_in_use = 0;
  uint64_t reader_waits = 0;
  uint64_t write_batches = 0;
  uint64_t write_jobs = 0;
  uint64_t write_failures = 0;
  uint64_t write_reruns = 0;  // batches re-run job by job after a failure
  uint64_t log_syncs = 0;     // syncs by the sync thread (each covers one or more batches)
  size_t write_queue = 0;
};

class Database {
 public:
  using Factory = std::function<Result<std::unique_ptr<SqlConnection>>()>;
  using Job = std::function<Status(SqlConnection&)>;
  using Done = std::function<void(Status)>;

  // What the owner of the database does around each group commit, on the writer thread. Jobs
  // may defer rows that nothing reads back (audit entries, messages); `flush` writes them inside
  // the transaction, `discard` forgets them (their job or batch was rolled back), and
  // `after_batch` runs once the batch is committed or rolled back.
  struct BatchHooks {
    std::function<Status(SqlConnection&)> flush;
    std::function<void()> discard;
    std::function<void()> after_batch;
  };

  // Opens `readers` reader connections and one writer connection from `factory`. `begin_sql` is
  // the statement that opens a write transaction ("BEGIN IMMEDIATE" on SQLite).
  static Result<std::unique_ptr<Database>> Open(Backend backend, Factory factory, size_t readers,
                                                std::string begin_sql, size_t max_batch = 256);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `fn` on a pooled reader connection (waits for a free one). Thread-safe.
  Status Read(const Job& fn);
  // Runs `job` in the next group commit and blocks until it is durable or failed. Thread-safe.
  Status Write(Job job);
  // Like Write but returns at once; `done` runs on the writer thread or the sync thread once the
  // job is durable or failed.
  void WriteAsync(Job job, Done done);
  // Runs `fn` on the writer connection outside any batch (migrations). Thread-safe.
  Status Exclusive(const Job& fn);
  // Installs the batch hooks. Call once, before the first write.
  void SetBatchHooks(BatchHooks hooks) { hooks_ = std::move(hooks); }

  Backend backend() const { return backend_; }
  DatabaseStats Stats() const;

 private:
  Database() = default;
  void WriterLoop();
  void SyncLoop();
  struct Pending;
  // One attempt at a batch on the writer connection; fills `results`, returns the transaction's
  // outcome. `isolated`: a SAVEPOINT and a flush per job.
  Status RunBatch(std::vector<Pending>& batch, std::vector<Status>& results, bool isolated);

  struct Pending {
    Job job;
    Done done;
  };

  Backend backend_ = Backend::kSqlite;
  std::string begin_sql_;
  size_t max_batch_ = 256;

  mutable std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<SqlConnection>> free_readers_;
  size_t readers_total_ = 0;
  std::atomic<uint64_t> reader_waits_{0};

  mutable std::mutex write_mu_;
  std::condition_variable write_cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::unique_ptr<SqlConnection> writer_;
  std::mutex writer_conn_mu_;
  std::atomic<uint64_t> write_batches_{0};
  std::atomic<uint64_t> write_jobs_{0};
  std::atomic<uint64_t> write_failures_{0};
  std::atomic<uint64_t> write_reruns_{0};
  BatchHooks hooks_;
  std::thread writer_thread_;

  // Committed batches waiting for their log sync (when the writer defers it).
  struct Committed {
    std::vector<Done> done;
    std::vector<Status> results;
  };
  bool defer_sync_ = false;  // set by Open, before the threads start
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::vector<Committed> unsynced_;
  bool sync_stopping_ = false;
  std::atomic<uint64_t> log_syncs_{0};
  std::thread sync_thread_;
};

}  // namespace motcua::storage
