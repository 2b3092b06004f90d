#include "api/pools.h"

#include <algorithm>

namespace motcua {

WorkPools::WorkPools(const Limits& limits)
    : hash_(std::max<size_t>(1, limits.max_concurrent_hashes), limits.max_pending_hashes),
      file_(std::max<size_t>(1, limits.max_concurrent_file_commits), limits.max_pending_hashes),
      render_(std::max<size_t>(1, limits.max_concurrent_renders), limits.max_pending_renders) {}

bool WorkPools::PoolExecutor::Post(std::function<void()> job) {
  if (pool_.pending.fetch_add(1) >= pool_.max_pending) {
    pool_.pending.fetch_sub(1);
    return false;
  }
  boost::asio::post(pool_.pool, [this, job = std::move(job)] {
    job();
    pool_.pending.fetch_sub(1);
  });
  return true;
}

void WorkPools::Stop() {
  if (stopped_.exchange(true)) return;
  hash_.pool.join();
  file_.pool.join();
  render_.pool.join();
}

}  // namespace motcua
