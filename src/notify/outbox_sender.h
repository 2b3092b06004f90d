// The outbox sender: one background thread that delivers the messages the dossier workflow wrote
// into the outbox (same transaction as each change). Each round claims a batch of due messages
// of the configured channels (Outbox::ClaimDueOutbox: a lease, so several threads or nodes never
// hold the same message), delivers each through its Channel, and records the outcome with the
// retry rule of domain/notify/delivery_policy.h. Between rounds it sleeps for the poll interval
// (a full batch goes on at once); Stop() wakes it.
//
// Messages of a channel this node has not configured are not claimed: they stay pending with no
// attempt counted, for a node that has it, or for this one once it is configured.
//
// A delivery that outlives its lease can be claimed again by another sender and go twice; the
// first one's RecordDelivery then fails with kConflict and is only counted (lost_claims). So the
// lease (default 10 min) must exceed a batch's worst case: batch x the channel's message
// timeout (8 x 60 s for SMTP). The rest of a batch is given back when half the lease is gone.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "domain/notify/delivery_policy.h"
#include "domain/ports/outbox.h"
#include "notify/channel.h"

namespace motcua::notify {

struct OutboxSenderConfig {
  std::chrono::milliseconds poll_interval{2000};  // sleep between rounds that found little
  std::chrono::seconds lease{600};                // how long a claim holds a message
  size_t batch = 8;                               // messages per claim
  DeliveryPolicyConfig policy;                    // retries: 30 s doubling to 1 h, 8 attempts
};

class OutboxSender {
 public:
  using Channels = std::map<std::string, std::unique_ptr<Channel>>;  // by outbox channel name

  // Borrows store, clock and random (they must outlive the sender); owns the channels ("email",
  // "sms"). Starts no thread.
  OutboxSender(Outbox& outbox, const Clock& clock, Random& random, Channels channels,
               OutboxSenderConfig config);
  // Stops and joins the thread (see Stop).
  ~OutboxSender();
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  // Starts the background thread; a second call does nothing. Not thread-safe with Stop.
  void Start();
  // Wakes the thread and waits for it: the message in flight finishes (bounded by its channel's
  // timeout), the rest of its batch is given back for later. Idempotent.
  void Stop();

  // One round on the calling thread: claims up to `batch` due messages, delivers and records
  // each. Returns how many it claimed, or the store's error. Thread-safe (claims are atomic).
  Result<size_t> RunOnce();

  // Appends the counters in Prometheus text format (motcua_outbox_*_total{channel=...}).
  // Thread-safe.
  void RenderMetrics(std::string& out) const;

 private:
  struct Counters {
    std::atomic<uint64_t> sent{0};
    std::atomic<uint64_t> failed{0};
    std::atomic<uint64_t> retried{0};
    std::atomic<uint64_t> lost_claims{0};
  };

  void Loop();
  // Attempts one claimed message and records the outcome.
  void Attempt(const OutboxMessage& m);
  // Gives a claimed but unattempted message back (due now, attempt not counted).
  void Release(const OutboxMessage& m);

  Outbox& outbox_;
  const Clock& clock_;
  Random& random_;
  Channels channels_;
  OutboxSenderConfig config_;
  std::vector<std::string> channel_names_;
  std::map<std::string, std::unique_ptr<Counters>> counters_;  // fixed after construction
  std::atomic<uint64_t> store_errors_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace motcua::notify
