// Work handed to other threads comes in through Executor, so that code that must not block its
// caller (the dossier service's fetches from the national registry) stays free of threads and
// tests can run the work inline.
#pragma once

#include <functional>

namespace motcua {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `job` later on another thread. False (and `job` is dropped, not run) when too much work
  // is already queued. Thread-safe.
  virtual bool Post(std::function<void()> job) = 0;
};

// Runs every job at once on the caller's thread (tests, command-line jobs).
class InlineExecutor final : public Executor {
 public:
  bool Post(std::function<void()> job) override {
    job();
    return true;
  }
};

}  // namespace motcua
