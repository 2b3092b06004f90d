#include "api/pools.h"

#include <algorithm>

namespace motcua {

WorkPools::WorkPools(const Limits& limits)
    : hash_(std::max<size_t>(1, limits.max_concurrent_hashes), limits.max_pending_hashes),
      file_(std::max<size_t>(1, limits.max_concurrent_file_commits), limits.max_pending_hashes),
      render_(std::max<size_t>(1, limits.max_concurrent_renders), limits.max_pending_renders) {}

void WorkPools::Stop() {
  if (stopped_.exchange(true)) return;
  hash_.pool.join();
  file_.pool.join();
  render_.pool.join();
}

}  // namespace motcua
