// The login throttle's waits and the per-client slots for the hashing pool (pure, in memory).
#include "domain/auth/login_throttle.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

TEST(LoginThrottle, WaitsDoubleUpToTheCapAndArePerUsernameAndAddress) {
  FakeClock clock(*ParseIso8601("2026-04-24T10:00:00+07:00"));
  LoginThrottleConfig config;
  config.free_failures = 2;
  config.first_wait = std::chrono::seconds(2);
  config.max_wait = std::chrono::seconds(10);
  LoginThrottle t(clock, config);
  t.Failed("a", "1.1.1.1");
  t.Failed("a", "1.1.1.1");
  EXPECT_FALSE(t.Wait("a", "1.1.1.1"));  // the free ones
  t.Failed("a", "1.1.1.1");
  EXPECT_EQ(*t.Wait("a", "1.1.1.1"), std::chrono::seconds(2));
  t.Failed("a", "1.1.1.1");
  EXPECT_EQ(*t.Wait("a", "1.1.1.1"), std::chrono::seconds(4));
  for (int i = 0; i < 10; ++i) t.Failed("a", "1.1.1.1");
  EXPECT_EQ(*t.Wait("a", "1.1.1.1"), std::chrono::seconds(10));  // capped
  EXPECT_FALSE(t.Wait("a", "2.2.2.2"));
  EXPECT_FALSE(t.Wait("b", "1.1.1.1"));
  clock.Advance(std::chrono::seconds(10));
  EXPECT_FALSE(t.Wait("a", "1.1.1.1"));
  t.Succeeded("a", "1.1.1.1");
  t.Failed("a", "1.1.1.1");
  EXPECT_FALSE(t.Wait("a", "1.1.1.1"));  // a success started afresh
}

TEST(LoginThrottle, MemoryIsBounded) {
  FakeClock clock(*ParseIso8601("2026-04-24T10:00:00+07:00"));
  LoginThrottleConfig config;
  config.max_pairs = 100;
  config.free_failures = 0;
  LoginThrottle t(clock, config);
  for (int i = 0; i < 1000; ++i) t.Failed("user" + std::to_string(i), "1.1.1.1");
  // The newest pair is still throttled after the table was cleared on the way.
  EXPECT_TRUE(t.Wait("user999", "1.1.1.1"));
}

TEST(KeyedSlots, BoundEachKeyAlone) {
  KeyedSlots slots(2);
  EXPECT_TRUE(slots.TryAcquire("a"));
  EXPECT_TRUE(slots.TryAcquire("a"));
  EXPECT_FALSE(slots.TryAcquire("a"));
  EXPECT_TRUE(slots.TryAcquire("b"));
  slots.Release("a");
  EXPECT_TRUE(slots.TryAcquire("a"));
  slots.Release("zzz");  // releasing what was never taken changes nothing
  EXPECT_FALSE(slots.TryAcquire("a"));
}

}  // namespace
}  // namespace motcua
