// The outbox part of the Store contract (claims, leases, recorded outcomes) and the sender over
// it with scripted channels and a fake clock, on SQLite and PostgreSQL.
#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "backend_fixture.h"
#include "notify/outbox_sender.h"

namespace motcua {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const std::vector<std::string> kBoth = {"email", "sms"};

Instant At(const char* iso) { return *ParseIso8601(iso); }

class OutboxTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(store_->units().UpsertUnits(
        {Unit{"25", "Tỉnh Phú Thọ", "", "province", "", UnitCategory::kAdministrative},
         Unit{"08746", "Phường Xuân Hòa", "", "phuong", "25", UnitCategory::kAdministrative}}));
  }

  // Files one dossier whose write carries `messages` (channel, next_attempt_at); returns its code.
  std::string File(const std::vector<std::pair<std::string, Instant>>& messages) {
    NewDossier nd;
    Dossier& d = nd.dossier;
    d.procedure_id = "HT-001";
    d.procedure_name = "Thủ tục đăng ký khai sinh";
    d.channel = Channel::kOnline;
    d.receiving_unit = d.current_unit = "08746";
    d.path_units = {"08746"};
    d.state = DossierState::kSubmitted;
    d.applicant = {"025095000123", "Nguyễn Văn An", "0912345678", "an@example.vn", ""};
    d.submitted_at = t0_;
    nd.code_prefix = "087.46.00.H25";
    nd.write.event = {0, "", t0_, 7, "citizen", "", "submit", "", "submitted", "", "", ""};
    for (const auto& [channel, due] : messages) {
      OutboxMessage m;
      m.channel = channel;
      m.recipient = channel == "email" ? "an@example.vn" : "0912345678";
      m.subject = "Hồ sơ đã được nộp";
      m.body = "Hồ sơ đã được nộp, chờ tiếp nhận.";
      m.next_attempt_at = due;
      m.created_at = t0_;
      nd.write.outbox.push_back(m);
    }
    auto created = store_->dossiers().CreateDossier(nd);
    EXPECT_TRUE(created) << ErrorText(created.error());
    return created ? created->dossier.code : "";
  }

  OutboxMessage Only(const std::string& code) {
    auto all = store_->outbox().LoadOutbox(code);
    EXPECT_TRUE(all && all->size() == 1);
    return all && !all->empty() ? all->front() : OutboxMessage{};
  }

  Instant t0_ = At("2026-04-24T10:00:00+07:00");
};

TEST_P(OutboxTest, ClaimTakesDueMessagesOldestFirstAndLeasesThem) {
  std::string code = File({{"email", t0_ + minutes(2)},
                           {"email", t0_},
                           {"sms", t0_ + minutes(1)},
                           {"email", t0_ + hours(1)}});
  // Nothing is due before its time.
  auto none = store_->outbox().ClaimDueOutbox(t0_ - seconds(1), minutes(10), 10, kBoth);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  // The two due earliest, among three due, each attempt 1 with the lease as next attempt.
  auto two = store_->outbox().ClaimDueOutbox(t0_ + minutes(5), minutes(10), 2, kBoth);
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 2u);
  auto all = *store_->outbox().LoadOutbox(code);
  EXPECT_EQ((*two)[0].id, all[1].id);  // due at t0
  EXPECT_EQ((*two)[1].id, all[2].id);  // due at t0 + 1 min (the sms)
  for (const OutboxMessage& m : *two) {
    EXPECT_EQ(m.attempts, 1);
    EXPECT_EQ(m.status, "pending");
    EXPECT_EQ(m.next_attempt_at, t0_ + minutes(15));
    EXPECT_EQ(m.dossier_code, code);
    EXPECT_EQ(m.subject, "Hồ sơ đã được nộp");
  }
  // Held messages are not claimed again within the lease; the third due one is.
  auto next = store_->outbox().ClaimDueOutbox(t0_ + minutes(6), minutes(10), 10, kBoth);
  ASSERT_TRUE(next);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ(next->front().id, all[0].id);
  // Only the channels asked for.
  std::string other = File({{"sms", t0_}});
  auto email_only = store_->outbox().ClaimDueOutbox(t0_ + minutes(7), minutes(10), 10, {"email"});
  ASSERT_TRUE(email_only);
  EXPECT_TRUE(email_only->empty());
  EXPECT_EQ(Only(other).attempts, 0);
  // When the lease ends, a message nobody recorded is due again: attempt 2.
  auto again = store_->outbox().ClaimDueOutbox(t0_ + minutes(15), minutes(10), 10, {"email"});
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().id, all[1].id);
  EXPECT_EQ(again->front().attempts, 2);
}

TEST_P(OutboxTest, ConcurrentClaimersNeverGetTheSameMessage) {
  constexpr int kMessages = 120;
  std::vector<std::pair<std::string, Instant>> messages;
  for (int i = 0; i < kMessages; ++i) messages.emplace_back(i % 3 ? "email" : "sms", t0_);
  std::string code = File(messages);
  // A second store on the same database: its own writer connection, as a second node has.
  auto other = storage::OpenStore(url_);
  ASSERT_TRUE(other) << ErrorText(other.error());
  Outbox* stores[2] = {&store_->outbox(), &(*other)->outbox()};
  std::mutex mu;
  std::vector<int64_t> claimed;
  std::atomic<size_t> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      // An empty claim only means none was free at that instant: go on until all are taken.
      for (int round = 0; round < 2000 && total.load() < kMessages; ++round) {
        auto got = stores[t % 2]->ClaimDueOutbox(t0_, hours(1), 7, kBoth);
        if (!got) {
          ADD_FAILURE() << ErrorText(got.error());
          return;
        }
        std::lock_guard lock(mu);
        for (const auto& m : *got) claimed.push_back(m.id);
        total += got->size();
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), size_t{kMessages});
  EXPECT_EQ(unique.size(), size_t{kMessages});
  auto all = store_->outbox().LoadOutbox(code);
  ASSERT_TRUE(all);
  for (const OutboxMessage& m : *all) EXPECT_EQ(m.attempts, 1) << m.id;
}

TEST_P(OutboxTest, RecordDeliveryIsFencedByTheAttempt) {
  std::string code = File({{"email", t0_}});
  auto first = store_->outbox().ClaimDueOutbox(t0_, minutes(1), 10, kBoth);
  ASSERT_TRUE(first && first->size() == 1);
  // The lease runs out and another sender takes the message: attempt 2.
  auto second = store_->outbox().ClaimDueOutbox(t0_ + minutes(2), minutes(1), 10, kBoth);
  ASSERT_TRUE(second && second->size() == 1);
  OutboxDelivery late{
      first->front().id, 1, first->front().next_attempt_at, "sent", {}, "", "250 ok",
      t0_ + minutes(3)};
  auto st = store_->outbox().RecordDelivery(late);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Only(code).status, "pending");
  // The holder of attempt 2 records a retry, then a success that keeps the last error.
  OutboxDelivery retry{first->front().id,
                       2,
                       second->front().next_attempt_at,
                       "pending",
                       t0_ + minutes(10),
                       "451 4.3.0 try later",
                       "",
                       t0_ + minutes(3)};
  ASSERT_TRUE(store_->outbox().RecordDelivery(retry));
  OutboxMessage m = Only(code);
  EXPECT_EQ(m.status, "pending");
  EXPECT_EQ(m.next_attempt_at, t0_ + minutes(10));
  EXPECT_EQ(m.last_error, "451 4.3.0 try later");
  EXPECT_FALSE(store_->outbox().RecordDelivery(retry)) << "an attempt is recorded once";
  auto third = store_->outbox().ClaimDueOutbox(t0_ + minutes(10), minutes(1), 10, kBoth);
  ASSERT_TRUE(third && third->size() == 1);
  EXPECT_EQ(third->front().attempts, 3);
  OutboxDelivery sent{m.id, 3,  third->front().next_attempt_at, "sent",
                      {},   "", "2.0.0 Ok: queued as 4F2A",     t0_ + minutes(11)};
  ASSERT_TRUE(store_->outbox().RecordDelivery(sent));
  m = Only(code);
  EXPECT_EQ(m.status, "sent");
  EXPECT_EQ(m.attempts, 3);
  EXPECT_EQ(m.sent_at, t0_ + minutes(11));
  EXPECT_EQ(m.provider_ref, "2.0.0 Ok: queued as 4F2A");
  EXPECT_EQ(m.last_error, "451 4.3.0 try later");
  // Sent is final: never claimed again.
  auto later = store_->outbox().ClaimDueOutbox(t0_ + hours(100), minutes(1), 10, kBoth);
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->empty());
  sent.status = "failed";
  sent.last_error = "x";
  EXPECT_FALSE(store_->outbox().RecordDelivery(sent));
  EXPECT_EQ(Only(code).status, "sent");
}

TEST_P(OutboxTest, AClaimGivenBackUnattemptedIsDueAgainWithoutCountingAnAttempt) {
  std::string code = File({{"email", t0_}});
  auto claimed = store_->outbox().ClaimDueOutbox(t0_, minutes(10), 10, kBoth);
  ASSERT_TRUE(claimed && claimed->size() == 1);
  OutboxDelivery back;
  back.id = claimed->front().id;
  back.attempt = 1;
  back.lease_until = claimed->front().next_attempt_at;
  back.status = "pending";
  back.attempted = false;
  back.next_attempt_at = t0_ + seconds(1);
  ASSERT_TRUE(store_->outbox().RecordDelivery(back));
  OutboxMessage m = Only(code);
  EXPECT_EQ(m.attempts, 0);
  EXPECT_EQ(m.next_attempt_at, t0_ + seconds(1));
  auto again = store_->outbox().ClaimDueOutbox(t0_ + seconds(1), minutes(10), 10, kBoth);
  ASSERT_TRUE(again && again->size() == 1);
  EXPECT_EQ(again->front().attempts, 1);
}

// --- the sender --------------------------------------------------------------------------------

// Answers with the scripted outcomes in turn (then "sent"), and remembers what it got.
class ScriptedChannel final : public notify::Channel {
 public:
  explicit ScriptedChannel(std::deque<notify::DeliveryResult> script)
      : script_(std::move(script)) {}
  notify::DeliveryResult Deliver(const OutboxMessage& m, Instant now) override {
    std::lock_guard lock(mu_);
    delivered_.push_back(m);
    if (script_.empty()) return {DeliveryOutcome::kSent, "queued as " + std::to_string(m.id)};
    auto r = script_.front();
    script_.pop_front();
    return r;
  }
  size_t calls() {
    std::lock_guard lock(mu_);
    return delivered_.size();
  }

 private:
  std::mutex mu_;
  std::deque<notify::DeliveryResult> script_;
  std::vector<OutboxMessage> delivered_;
};

class OutboxSenderTest : public OutboxTest {
 protected:
  // A sender with only an e-mail channel answering `script`; the clock starts at t0_.
  void MakeSender(std::deque<notify::DeliveryResult> script, int64_t max_attempts = 8) {
    auto channel = std::make_unique<ScriptedChannel>(std::move(script));
    email_ = channel.get();
    notify::OutboxSender::Channels channels;
    channels.emplace("email", std::move(channel));
    notify::OutboxSenderConfig config;
    config.policy.base_backoff = seconds(30);
    config.policy.max_attempts = max_attempts;
    sender_ = std::make_unique<notify::OutboxSender>(store_->outbox(), clock_, zero_random_,
                                                     std::move(channels), config);
  }

  class ZeroRandom final : public Random {
   public:
    void Fill(uint8_t* out, size_t n) override { std::fill(out, out + n, uint8_t{0}); }
  };

  FakeClock clock_{At("2026-04-24T10:00:00+07:00")};
  ZeroRandom zero_random_;
  ScriptedChannel* email_ = nullptr;
  std::unique_ptr<notify::OutboxSender> sender_;
};

const notify::DeliveryResult kBusy{DeliveryOutcome::kTransient, "451 4.3.0 busy, try later"};

TEST_P(OutboxSenderTest, TransientFailuresAreRetriedWithBackoffUntilSent) {
  MakeSender({kBusy, kBusy});
  std::string code = File({{"email", t0_}});
  ASSERT_EQ(sender_->RunOnce().value_or(99), 1u);
  OutboxMessage m = Only(code);
  EXPECT_EQ(m.status, "pending");
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(m.next_attempt_at, t0_ + seconds(30));
  EXPECT_EQ(m.last_error, "451 4.3.0 busy, try later");
  // Not yet due: nothing happens.
  clock_.Advance(seconds(29));
  ASSERT_EQ(sender_->RunOnce().value_or(99), 0u);
  EXPECT_EQ(email_->calls(), 1u);
  clock_.Advance(seconds(1));
  ASSERT_EQ(sender_->RunOnce().value_or(99), 1u);
  m = Only(code);
  EXPECT_EQ(m.attempts, 2);
  EXPECT_EQ(m.next_attempt_at, t0_ + seconds(30 + 60));
  clock_.Advance(seconds(60));
  ASSERT_EQ(sender_->RunOnce().value_or(99), 1u);
  m = Only(code);
  EXPECT_EQ(m.status, "sent");
  EXPECT_EQ(m.attempts, 3);
  EXPECT_EQ(m.sent_at, t0_ + seconds(90));
  EXPECT_EQ(m.provider_ref, "queued as " + std::to_string(m.id));
  EXPECT_EQ(m.last_error, "451 4.3.0 busy, try later");
  clock_.Advance(hours(10));
  ASSERT_EQ(sender_->RunOnce().value_or(99), 0u);
  EXPECT_EQ(email_->calls(), 3u);
  std::string metrics;
  sender_->RenderMetrics(metrics);
  EXPECT_NE(metrics.find("motcua_outbox_sent_total{channel=\"email\"} 1\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("motcua_outbox_retries_total{channel=\"email\"} 2\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("motcua_outbox_failed_total{channel=\"email\"} 0\n"), std::string::npos)
      << metrics;
}

TEST_P(OutboxSenderTest, PermanentFailureIsNotRetried) {
  MakeSender({{DeliveryOutcome::kPermanent, "recipient refused: 550 5.1.1 no such user"}});
  std::string code = File({{"email", t0_}});
  ASSERT_EQ(sender_->RunOnce().value_or(99), 1u);
  clock_.Advance(hours(48));
  ASSERT_EQ(sender_->RunOnce().value_or(99), 0u);
  OutboxMessage m = Only(code);
  EXPECT_EQ(m.status, "failed");
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(m.last_error, "recipient refused: 550 5.1.1 no such user");
  EXPECT_EQ(email_->calls(), 1u);
}

TEST_P(OutboxSenderTest, TheLastTransientFailureFailsForGood) {
  MakeSender({kBusy, kBusy, kBusy, kBusy}, 3);
  std::string code = File({{"email", t0_}});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(sender_->RunOnce().value_or(99), 1u) << i;
    clock_.Advance(hours(1));
  }
  ASSERT_EQ(sender_->RunOnce().value_or(99), 0u);
  OutboxMessage m = Only(code);
  EXPECT_EQ(m.status, "failed");
  EXPECT_EQ(m.attempts, 3);
  EXPECT_EQ(m.last_error, "451 4.3.0 busy, try later");
  EXPECT_EQ(email_->calls(), 3u);
}

TEST_P(OutboxSenderTest, MessagesOfAnUnconfiguredChannelStayPendingUntouched) {
  MakeSender({});
  std::string code = File({{"sms", t0_}, {"email", t0_}});
  ASSERT_EQ(sender_->RunOnce().value_or(99), 1u);
  auto all = store_->outbox().LoadOutbox(code);
  ASSERT_TRUE(all && all->size() == 2);
  EXPECT_EQ((*all)[0].channel, "sms");
  EXPECT_EQ((*all)[0].status, "pending");
  EXPECT_EQ((*all)[0].attempts, 0);
  EXPECT_EQ((*all)[1].status, "sent");
}

TEST_P(OutboxSenderTest, BackgroundThreadDeliversAndStops) {
  MakeSender({});
  std::string code = File({{"email", t0_}});
  sender_->Start();
  // Polls with a generous timeout: the thread runs its first round at once.
  auto give_up = std::chrono::steady_clock::now() + seconds(30);
  while (Only(code).status != "sent" && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  sender_->Stop();
  EXPECT_EQ(Only(code).status, "sent");
  EXPECT_EQ(email_->calls(), 1u);
  sender_->Stop();  // idempotent
}

MOTCUA_ON_BOTH_BACKENDS(OutboxTest);
MOTCUA_ON_BOTH_BACKENDS(OutboxSenderTest);

}  // namespace
}  // namespace motcua
