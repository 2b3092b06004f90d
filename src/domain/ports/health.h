// Port: whether the database answers (for /readyz).
#pragma once

#include "common/error.h"

namespace motcua {

class Health {
 public:
  virtual ~Health() = default;
  // Ok iff the database answers a trivial query now. Thread-safe.
  virtual Status Ping() = 0;
};

}  // namespace motcua
