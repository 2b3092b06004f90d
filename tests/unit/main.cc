// The unit tests' main: GoogleTest's, plus one listener. When a suite's SetUpTestSuite fails
// (a missing tool, say), GoogleTest marks each of its tests skipped, prints "[  SKIPPED ]" and
// exits 1; CTest's skip pattern for GoogleTest matches that text before it looks at the exit
// status, so the whole suite was reported as skipped and the run passed. The listener makes
// each test of such a suite fail instead (and so nothing is printed as skipped). Skips that
// remain are GTEST_SKIP calls, which scripts/test.sh checks against tests/skips-allowed.txt.
#include <gtest/gtest.h>

namespace {

class FailTestsOfABrokenSuite : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo& test) override {
    const ::testing::TestSuite* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    if (suite != nullptr && suite->ad_hoc_test_result().Failed()) {
      ADD_FAILURE() << "SetUpTestSuite of " << suite->name() << " failed (see above), so "
                    << test.name() << " did not run";
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // A listener that reports failures goes before the one that prints (GoogleTest's advice), so
  // the printer sees the failure. The listener list owns what it holds (hence the raw new).
  ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
  ::testing::TestEventListener* printer = listeners.Release(listeners.default_result_printer());
  listeners.Append(new FailTestsOfABrokenSuite);
  if (printer != nullptr) listeners.Append(printer);
  return RUN_ALL_TESTS();
}
