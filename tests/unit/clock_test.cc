#include "common/clock.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

TEST(Iso8601, ParsesOffsetsAndFractions) {
  auto a = ParseIso8601("2026-04-24T10:00:00+07:00");
  auto b = ParseIso8601("2026-04-24T03:00:00Z");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  auto c = ParseIso8601("2026-04-24T03:00:00.25Z");
  ASSERT_TRUE(c);
  EXPECT_EQ((*c - *b).count(), 250000);
  EXPECT_EQ(FormatIso8601Vn(*b), "2026-04-24T10:00:00+07:00");
}

TEST(Iso8601, RejectsBadInput) {
  for (const char* bad :
       {"", "2026-04-24", "2026-04-24T10:00:00", "2026-02-30T10:00:00Z", "2026-04-24T24:00:00Z",
        "2026-04-24T10:00:00+7:00", "2026-04-24T10:00:00Zjunk", "x026-04-24T10:00:00Z",
        "2026-04-24T10:00:00."}) {
    EXPECT_FALSE(ParseIso8601(bad)) << bad;
  }
}

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock(*ParseIso8601("2026-01-01T00:00:00Z"));
  Instant t0 = clock.Now();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(std::chrono::hours(1));
  EXPECT_EQ(clock.Now() - t0, std::chrono::hours(1));
}

}  // namespace
}  // namespace motcua
