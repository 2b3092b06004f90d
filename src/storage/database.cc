#include "storage/database.h"

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
  if (!writer) return tl::unexpected(writer.error());
  db->writer_ = std::move(*writer);
  for (size_t i = 0; i < readers; ++i) {
    auto conn = factory();
    if (!conn) return tl::unexpected(conn.error());
    db->free_readers_.push_back(std::move(*conn));
  }
  db->readers_total_ = readers;
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
      done(Fail(ErrorCode::kUnavailable, "The database is shutting down."));
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
    results.assign(batch.size(), Status{});
    Status tx;
    {
      std::lock_guard conn_lock(writer_conn_mu_);
      SqlConnection& conn = *writer_;
      tx = conn.Exec(begin_sql_);
      if (tx) {
        for (size_t i = 0; i < batch.size(); ++i) {
          if (batch.size() == 1) {
            results[i] = batch[i].job(conn);
            continue;
          }
          Status sp = conn.Exec("SAVEPOINT job");
          if (!sp) {
            results[i] = sp;
            continue;
          }
          results[i] = batch[i].job(conn);
          if (results[i]) {
            (void)conn.Exec("RELEASE SAVEPOINT job");
          } else {
            (void)conn.Exec("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job");
          }
        }
        bool any_ok = false;
        for (const Status& r : results) any_ok = any_ok || r.has_value();
        tx = any_ok ? conn.Exec("COMMIT") : conn.Exec("ROLLBACK");
        if (!tx) (void)conn.Exec("ROLLBACK");
      }
    }
    write_batches_.fetch_add(1, std::memory_order_relaxed);
    write_jobs_.fetch_add(batch.size(), std::memory_order_relaxed);
    for (size_t i = 0; i < batch.size(); ++i) {
      Status st = tx ? results[i] : tx;
      if (!st) write_failures_.fetch_add(1, std::memory_order_relaxed);
      batch[i].done(std::move(st));
    }
    batch.clear();
  }
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
  return s;
}

}  // namespace motcua::storage
