// Every route the server answers must be in /api/openapi.json with a summary, its path
// parameters and its responses.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/application.h"
#include "common/json.h"

namespace motcua {
namespace {

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("motcua_openapi_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    store_ = std::move(*storage::OpenStore("sqlite:" + (dir_ / "t.db").string()));
    ASSERT_TRUE(store_->Migrate(Instant(std::chrono::hours(24 * 20454))));
    AppConfig config;
    config.auth.password_cost = PasswordCost{1, 8 << 10};
    app_ = std::make_unique<Application>(*store_, clock_, *random_, config);
  }
  void TearDown() override {
    app_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<storage::SqlStore> store_;
  FakeClock clock_{Instant{}};
  std::unique_ptr<Random> random_ = MakeSeededRandom(7);
  std::unique_ptr<Application> app_;
};

TEST_F(OpenApiTest, EveryRouteIsDocumented) {
  auto doc = ParseJson(app_->pipeline().openapi_json(), 64);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->at("openapi"), "3.1.0");
  const auto& paths = doc->at("paths").as_object();
  ASSERT_GE(app_->pipeline().router().routes().size(), 14u);
  for (const Route& r : app_->pipeline().router().routes()) {
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    const auto* item = paths.if_contains(r.pattern);
    ASSERT_NE(item, nullptr) << r.method << " " << r.pattern << " is missing from OpenAPI";
    const auto* op = item->as_object().if_contains(method);
    ASSERT_NE(op, nullptr) << r.method << " " << r.pattern << " is missing from OpenAPI";
    EXPECT_FALSE(op->at("summary").as_string().empty());
    EXPECT_FALSE(op->at("responses").as_object().empty()) << r.pattern;
    // Every {param} of the pattern is documented as a path parameter.
    for (const std::string& seg : r.segments) {
      if (seg.size() < 3 || seg.front() != '{') continue;
      std::string name = seg.substr(1, seg.size() - 2);
      bool found = false;
      if (const auto* params = op->as_object().if_contains("parameters")) {
        for (const auto& p : params->as_array()) {
          found = found || (p.at("name") == name.c_str() && p.at("in") == "path");
        }
      }
      EXPECT_TRUE(found) << r.pattern << " does not document {" << name << "}";
    }
  }
}

TEST_F(OpenApiTest, AnUndocumentedRouteIsLeftOut) {
  Router router;
  router.Add("GET", "/x", {}, {});
  auto doc = ParseJson(BuildOpenApi(router), 64);
  EXPECT_FALSE(doc->at("paths").as_object().contains("/x"));
}

}  // namespace
}  // namespace motcua
