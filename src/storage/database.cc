#include "storage/database.h"

#include <pthread.h>

#include <future>

#include "common/log.h"

namespace motcua::storage {

Result<std::unique_ptr<Database>> Database::Open(Backend backend, Factory factory, size_t readers,
                                                 std::string begin_sql, size_t max_batch) {
  std::unique_ptr<Database> db(new Database());
  db->backend_ = backend;
  db->begin_sql_ = std::move(begin_sql);
  db->max_batch_ = max_batch == 0 ? 1 : max_batch;
  auto writer = factory();
  MOTCUA_RETURN_IF_ERROR(writer);
  db->writer_ = std::move(*writer);
  for (size_t i = 0; i < readers; ++i) {
    auto conn = factory();
    MOTCUA_RETURN_IF_ERROR(conn);
    db->free_readers_.push_back(std::move(*conn));
  }
  db->readers_total_ = readers;
  db->defer_sync_ = db->writer_->DefersSync();
  if (db->defer_sync_) db->sync_thread_ = std::thread([d = db.get()] { d->SyncLoop(); });
  db->writer_thread_ = std::thread([d = db.get()] { d->WriterLoop(); });
  return db;
}

Database::~Database() {
  {
    std::lock_guard lock(write_mu_);
    stopping_ = true;
  }
  write_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::lock_guard lock(sync_mu_);
    sync_stopping_ = true;
  }
  sync_cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();  // after it synced and answered the rest
}

Status Database::Read(const Job& fn) {
  std::unique_ptr<SqlConnection> conn;
  {
    std::unique_lock lock(pool_mu_);
    if (free_readers_.empty()) {
      reader_waits_.fetch_add(1, std::memory_order_relaxed);
      pool_cv_.wait(lock, [&] { return !free_readers_.empty(); });
    }
    conn = std::move(free_readers_.back());
    free_readers_.pop_back();
  }
  Status st = fn(*conn);
  {
    std::lock_guard lock(pool_mu_);
    free_readers_.push_back(std::move(conn));
  }
  pool_cv_.notify_one();
  return st;
}

Status Database::Write(Job job) {
  // The promise is shared: the writer thread may still be inside set_value() when this thread
  // wakes up and returns.
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  WriteAsync(std::move(job), [promise](Status st) { promise->set_value(std::move(st)); });
  return future.get();
}

void Database::WriteAsync(Job job, Done done) {
  {
    std::lock_guard lock(write_mu_);
    if (stopping_) {
      done(Failure(ErrorCode::kUnavailable, "The database is shutting down."));
      return;
    }
    queue_.push_back(Pending{std::move(job), std::move(done)});
  }
  write_cv_.notify_one();
}

Status Database::Exclusive(const Job& fn) {
  std::lock_guard lock(writer_conn_mu_);
  return fn(*writer_);
}

void Database::WriterLoop() {
  // Named for top -H, perf and gdb: the thread every durable write goes through.
  pthread_setname_np(pthread_self(), "motcua-writer");
  std::vector<Pending> batch;
  std::vector<Status> results;
  for (;;) {
    {
      std::unique_lock lock(write_mu_);
      write_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Status tx;
    {
      std::lock_guard conn_lock(writer_conn_mu_);
      tx = RunBatch(batch, results, batch.size() == 1);
      bool failed = !tx;
      for (const Status& r : results) failed = failed || !r.has_value();
      if (failed && batch.size() > 1) {
        write_reruns_.fetch_add(1, std::memory_order_relaxed);
        tx = RunBatch(batch, results, true);
      }
    }
    write_batches_.fetch_add(1, std::memory_order_relaxed);
    write_jobs_.fetch_add(batch.size(), std::memory_order_relaxed);
    bool committed = false;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!tx) results[i] = tx;
      if (!results[i]) write_failures_.fetch_add(1, std::memory_order_relaxed);
      committed = committed || results[i].has_value();
    }
    if (committed && defer_sync_) {
      // Durable only after the sync thread's next sync: it answers the whole batch then.
      Committed c{{}, std::move(results)};
      c.done.reserve(batch.size());
      for (Pending& p : batch) c.done.push_back(std::move(p.done));
      {
        std::lock_guard lock(sync_mu_);
        unsynced_.push_back(std::move(c));
      }
      sync_cv_.notify_one();
      results = {};
    } else {
      for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
    }
    batch.clear();
  }
}

void Database::SyncLoop() {
  pthread_setname_np(pthread_self(), "motcua-sync");
  std::vector<Committed> todo;
  for (;;) {
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [&] { return sync_stopping_ || !unsynced_.empty(); });
      if (unsynced_.empty()) return;  // stopping, and nothing left to answer
      todo.swap(unsynced_);
    }
    // Every batch in `todo` committed before it was queued, so this one sync covers them all.
    Status st = writer_->SyncCommitted();
    log_syncs_.fetch_add(1, std::memory_order_relaxed);
    for (Committed& c : todo) {
      for (size_t i = 0; i < c.done.size(); ++i) {
        if (!st && c.results[i]) write_failures_.fetch_add(1, std::memory_order_relaxed);
        c.done[i](st ? std::move(c.results[i]) : st);
      }
    }
    todo.clear();
  }
}

Status Database::RunBatch(std::vector<Pending>& batch, std::vector<Status>& results,
                          bool isolated) {
  SqlConnection& conn = *writer_;
  results.assign(batch.size(), Status{});
  auto discard = [&] {
    if (hooks_.discard) hooks_.discard();
  };
  auto flush = [&]() -> Status { return hooks_.flush ? hooks_.flush(conn) : Status{}; };
  auto finish = [&](Status tx) {
    if (hooks_.after_batch) hooks_.after_batch();
    return tx;
  };
  // Sent without waiting where the driver pipelines (PostgreSQL): the batch's first look-up
  // waits for it in the same round trip.
  Status tx = conn.Send(begin_sql_, {});
  if (!tx) {
    (void)conn.Exec("ROLLBACK");
    return finish(tx);
  }
  bool any_ok = false;
  bool savepoints = isolated && batch.size() > 1;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (savepoints) {
      if (Status sp = conn.Query("SAVEPOINT job", {}).map([](auto&&) {}); !sp) {
        results[i] = sp;
        continue;
      }
    }
    results[i] = batch[i].job(conn);
    // Alone, a job's outcome includes what it sent: wait for it before the next one.
    if (isolated && results[i]) results[i] = flush().and_then([&] { return conn.Flush(); });
    if (!results[i]) {
      discard();
      if (!isolated) {
        // Not alone: give up on this attempt; the caller re-runs the batch job by job.
        (void)conn.Exec("ROLLBACK");
        return finish(Status{});
      }
      if (savepoints) (void)conn.Query("ROLLBACK TO SAVEPOINT job", {});
    }
    if (savepoints) (void)conn.Query("RELEASE SAVEPOINT job", {});
    any_ok = any_ok || results[i].has_value();
  }
  if (!isolated) {
    tx = flush();
    if (!tx) {
      discard();
      (void)conn.Exec("ROLLBACK");
      results.assign(batch.size(), tx);
      return finish(tx);
    }
  }
  tx = any_ok ? (defer_sync_ ? conn.CommitDeferringSync() : conn.Exec("COMMIT"))
              : conn.Exec("ROLLBACK");
  if (!tx) {
    discard();
    (void)conn.Exec("ROLLBACK");
  }
  return finish(tx);
}

DatabaseStats Database::Stats() const {
  DatabaseStats s;
  {
    std::lock_guard lock(pool_mu_);
    s.readers_total = readers_total_;
    s.readers_in_use = readers_total_ - free_readers_.size();
  }
  {
    std::lock_guard lock(write_mu_);
    s.write_queue = queue_.size();
  }
  s.reader_waits = reader_waits_.load();
  s.write_batches = write_batches_.load();
  s.write_jobs = write_jobs_.load();
  s.write_failures = write_failures_.load();
  s.write_reruns = write_reruns_.load();
  s.log_syncs = log_syncs_.load();
  return s;
}

}  // namespace motcua::storage
