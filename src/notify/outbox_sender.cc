#include "notify/outbox_sender.h"

#include "common/log.h"

namespace motcua::notify {
namespace {

std::string Describe(const OutboxMessage& m) {
  return "outbox " + std::to_string(m.id) + " (dossier " + m.dossier_code + ", " + m.channel +
         ", attempt " + std::to_string(m.attempts) + ")";
}

void AppendCounter(std::string& out, std::string_view name, std::string_view help,
                   const std::vector<std::pair<std::string, uint64_t>>& by_channel) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" counter\n");
  for (const auto& [channel, value] : by_channel) {
    out.append(name).append("{channel=\"").append(channel).append("\"} ");
    out.append(std::to_string(value)).append("\n");
  }
}

}  // namespace

OutboxSender::OutboxSender(Outbox& outbox, const Clock& clock, Random& random, Channels channels,
                           OutboxSenderConfig config)
    : outbox_(outbox),
      clock_(clock),
      random_(random),
      channels_(std::move(channels)),
      config_(std::move(config)) {
  for (const auto& [name, channel] : channels_) {
    channel_names_.push_back(name);
    counters_.emplace(name, std::make_unique<Counters>());
  }
}

OutboxSender::~OutboxSender() { Stop(); }

void OutboxSender::Start() {
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void OutboxSender::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxSender::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto claimed = RunOnce();
    bool more = claimed && *claimed >= config_.batch;
    lock.lock();
    if (!more) cv_.wait_for(lock, config_.poll_interval, [this] { return stopping_.load(); });
  }
}

Result<size_t> OutboxSender::RunOnce() {
  Instant claimed_at = clock_.Now();
  auto claimed = outbox_.ClaimDueOutbox(claimed_at, config_.lease, config_.batch, channel_names_);
  if (!claimed) {
    store_errors_.fetch_add(1, std::memory_order_relaxed);
    LogError("outbox: cannot claim due messages: " + ErrorText(claimed.error()));
    return tl::unexpected(claimed.error());
  }
  for (const OutboxMessage& m : *claimed) {
    // Past half the lease (a slow channel) or on shutdown, the rest goes back unattempted.
    if (stopping_ || clock_.Now() - claimed_at >= config_.lease / 2) {
      Release(m);
    } else {
      Attempt(m);
    }
  }
  return claimed->size();
}

void OutboxSender::Attempt(const OutboxMessage& m) {
  auto channel = channels_.find(m.channel);
  Counters& counters = *counters_.at(m.channel);
  DeliveryResult result = channel->second->Deliver(m, clock_.Now());
  Instant now = clock_.Now();
  DeliveryDecision decision =
      DecideDelivery(config_.policy, m.attempts, result.outcome, now, random_);
  OutboxDelivery d;
  d.id = m.id;
  d.attempt = m.attempts;
  d.lease_until = m.next_attempt_at;
  d.status = decision.status;
  d.next_attempt_at = decision.next_attempt_at;
  d.at = now;
  if (decision.status == "sent") {
    d.provider_ref = result.detail;
  } else {
    d.last_error = result.detail.empty() ? "unknown failure" : result.detail;
  }
  Status st = outbox_.RecordDelivery(d);
  if (!st) {
    if (st.error().code == ErrorCode::kConflict) {
      counters.lost_claims.fetch_add(1, std::memory_order_relaxed);
      LogError(Describe(m) + ": its claim ran out before the outcome (" + decision.status +
               ") was recorded; another sender holds it now");
    } else {
      store_errors_.fetch_add(1, std::memory_order_relaxed);
      LogError(Describe(m) + ": cannot record the outcome (" + decision.status +
               "): " + ErrorText(st.error()));
    }
    return;
  }
  if (decision.status == "sent") {
    counters.sent.fetch_add(1, std::memory_order_relaxed);
    LogInfo(Describe(m) + ": sent");
  } else if (decision.status == "failed") {
    counters.failed.fetch_add(1, std::memory_order_relaxed);
    LogError(Describe(m) + ": failed for good: " + d.last_error);
  } else {
    counters.retried.fetch_add(1, std::memory_order_relaxed);
    LogInfo(Describe(m) + ": will retry at " + FormatIso8601Vn(d.next_attempt_at) + ": " +
            d.last_error);
  }
}

void OutboxSender::Release(const OutboxMessage& m) {
  OutboxDelivery d;
  d.id = m.id;
  d.attempt = m.attempts;
  d.lease_until = m.next_attempt_at;
  d.status = "pending";
  d.attempted = false;
  d.next_attempt_at = clock_.Now();
  d.at = d.next_attempt_at;
  if (Status st = outbox_.RecordDelivery(d); !st && st.error().code != ErrorCode::kConflict) {
    store_errors_.fetch_add(1, std::memory_order_relaxed);
    LogError(Describe(m) + ": cannot give the claim back: " + ErrorText(st.error()));
  }
}

void OutboxSender::RenderMetrics(std::string& out) const {
  auto collect = [this](std::atomic<uint64_t> Counters::*field) {
    std::vector<std::pair<std::string, uint64_t>> v;
    for (const auto& [name, c] : counters_) {
      v.emplace_back(name, ((*c).*field).load(std::memory_order_relaxed));
    }
    return v;
  };
  AppendCounter(out, "motcua_outbox_sent_total", "Outbox messages the provider accepted.",
                collect(&Counters::sent));
  AppendCounter(out, "motcua_outbox_failed_total",
                "Outbox messages that failed for good (permanent error or last attempt).",
                collect(&Counters::failed));
  AppendCounter(out, "motcua_outbox_retries_total",
                "Outbox attempts that failed transiently and were scheduled again.",
                collect(&Counters::retried));
  AppendCounter(out, "motcua_outbox_lost_claims_total",
                "Outbox outcomes not recorded because the claim had run out.",
                collect(&Counters::lost_claims));
  out.append(
      "# HELP motcua_outbox_store_errors_total Outbox claims or records the database "
      "refused.\n# TYPE motcua_outbox_store_errors_total "
      "counter\nmotcua_outbox_store_errors_total ");
  out.append(std::to_string(store_errors_.load(std::memory_order_relaxed))).append("\n");
}

}  // namespace motcua::notify
