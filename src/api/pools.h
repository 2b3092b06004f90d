// Bounded worker pools for what must not run on an I/O thread: password hashing (Argon2id),
// file commits (content checks, fsync, rename) and the making of documents (forms, registers);
// and the glue that lets a handler coroutine await a pool job or a store callback.
#pragma once

#include <atomic>
#include <memory>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/error.h"
#include "common/executor.h"
#include "http/limits.h"

namespace motcua {

// Awaits an asynchronous operation: `start(done)` begins it and calls `done(Result<T>)` from
// any thread; the awaiting coroutine resumes on its own executor. Not itself a coroutine: GCC 12
// mishandles lambdas captured in coroutine frames, so the result travels through plain Asio
// handlers.
template <typename T, typename Start>
auto AwaitCallback(Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result<T>)>(
      [](auto handler, Start begin) {
        auto executor = boost::asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        begin([executor, shared](Result<T> r) mutable {
          boost::asio::post(executor, [shared, r = std::move(r)]() mutable {
            std::move (*shared)(std::move(r));
          });
        });
      },
      boost::asio::use_awaitable, std::move(start));
}

class WorkPools {
 public:
  // Sizes from `limits` (max_concurrent_* threads, max_pending_* queued jobs).
  explicit WorkPools(const Limits& limits);
  ~WorkPools() { Stop(); }
  WorkPools(const WorkPools&) = delete;
  WorkPools& operator=(const WorkPools&) = delete;

  // Waits for every pool's jobs to finish (idempotent). Call it after the server's I/O threads
  // have stopped and before its io_contexts go: a finishing job posts its result to the
  // executor of its request.
  void Stop();

  // Runs `fn` (-> Result<T>) on the hashing pool; the awaiting coroutine resumes on its own
  // executor with fn's result. kUnavailable when too many jobs are already queued.
  template <typename T, typename Fn>
  auto OnHashPool(Fn fn) {
    return OnPool<T>(hash_, "Too many logins at once; try again shortly.",
                     "Quá nhiều lượt đăng nhập cùng lúc; vui lòng thử lại sau.", std::move(fn));
  }
  // Runs blocking file work (content checks, fsync, rename, the durable record) on the file pool.
  template <typename T, typename Fn>
  auto OnFilePool(Fn fn) {
    return OnPool<T>(file_, "Too many uploads at once; try again shortly.",
                     "Quá nhiều tệp đang được tải lên cùng lúc; vui lòng thử lại sau.",
                     std::move(fn));
  }
  // The file pool as an Executor (bounded like OnFilePool): for services that must not block
  // an I/O thread (a filing that fetches from the national registry).
  Executor& file_executor() { return file_executor_; }
  // Runs the making of a document (reading its rows, rendering a PDF or XLSX) on the render pool.
  template <typename T, typename Fn>
  auto OnRenderPool(Fn fn) {
    return OnPool<T>(render_, "Too many documents are being made at once; try again shortly.",
                     "Quá nhiều văn bản đang được tạo cùng lúc; vui lòng thử lại sau.",
                     std::move(fn));
  }

 private:
  struct Pool {
    Pool(size_t threads, size_t max_pending) : pool(threads), max_pending(max_pending) {}
    boost::asio::thread_pool pool;
    std::atomic<size_t> pending{0};
    size_t max_pending;
  };

  template <typename T, typename Fn>
  static auto OnPool(Pool& p, const char* busy_en, const char* busy_vi, Fn fn) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result<T>)>(
        [&p, busy_en, busy_vi](auto handler, Fn job) {
          auto executor = boost::asio::get_associated_executor(handler);
          if (p.pending.fetch_add(1) >= p.max_pending) {
            p.pending.fetch_sub(1);
            Result<T> busy = Fail(ErrorCode::kUnavailable, busy_en, busy_vi);
            boost::asio::post(executor, [h = std::move(handler), r = std::move(busy)]() mutable {
              std::move(h)(std::move(r));
            });
            return;
          }
          boost::asio::post(
              p.pool, [&p, executor, h = std::move(handler), job = std::move(job)]() mutable {
                Result<T> r = job();
                p.pending.fetch_sub(1);
                boost::asio::post(executor, [h = std::move(h), r = std::move(r)]() mutable {
                  std::move(h)(std::move(r));
                });
              });
        },
        boost::asio::use_awaitable, std::move(fn));
  }

  class PoolExecutor final : public Executor {
   public:
    explicit PoolExecutor(Pool& pool) : pool_(pool) {}
    bool Post(std::function<void()> job) override;

   private:
    Pool& pool_;
  };

  Pool hash_;
  Pool file_;
  Pool render_;
  PoolExecutor file_executor_{file_};
  std::atomic<bool> stopped_{false};
};

}  // namespace motcua
