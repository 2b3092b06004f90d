#include "common/json.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

TEST(ParseJson, RejectsMalformedAndDeep) {
  EXPECT_FALSE(ParseJson("{"));
  EXPECT_FALSE(ParseJson("{\"a\":1,}"));
  EXPECT_FALSE(ParseJson("{\"a\":\"\xFF\"}"));  // invalid UTF-8
  EXPECT_FALSE(ParseJson(std::string(100, '[') + std::string(100, ']')));
  EXPECT_TRUE(ParseJson(std::string(10, '[') + std::string(10, ']')));
  EXPECT_EQ(ParseJson("{").error().code, ErrorCode::kBadRequest);
}

TEST(JsonObjectReader, ReadsAndNamesFields) {
  auto v = ParseJson(R"({"name":"Phú Thọ","n":5,"ok":true})");
  ASSERT_TRUE(v);
  JsonObjectReader r(*v);
  EXPECT_EQ(r.String("name"), "Phú Thọ");
  EXPECT_EQ(r.Int("n", true, 0, 10), 5);
  EXPECT_EQ(r.Bool("ok", true), true);
  EXPECT_TRUE(r.Finish());
}

TEST(JsonObjectReader, ReportsFirstProblemWithField) {
  auto v = ParseJson(R"({"name":5,"n":50})");
  JsonObjectReader r(*v, "items[2]");
  r.String("name");
  r.Int("n", true, 0, 10);
  auto st = r.Finish();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidField);
  EXPECT_EQ(st.error().field, "items[2].name");
}

TEST(JsonObjectReader, MissingUnknownAndTooLong) {
  {
    auto v = ParseJson(R"({})");
    JsonObjectReader r(*v);
    r.String("username");
    EXPECT_EQ(r.Finish().error().code, ErrorCode::kMissingField);
  }
  {
    auto v = ParseJson(R"({"username":"a","extra":1})");
    JsonObjectReader r(*v);
    r.String("username");
    auto st = r.Finish();
    EXPECT_EQ(st.error().code, ErrorCode::kUnknownField);
    EXPECT_EQ(st.error().field, "extra");
  }
  {
    auto v = ParseJson(R"({"username":"ááááá"})");
    JsonObjectReader r(*v);
    r.String("username", {true, 4, false});
    EXPECT_EQ(r.Finish().error().field, "username");
  }
  {
    auto v = ParseJson(R"([1,2])");
    JsonObjectReader r(*v);
    EXPECT_FALSE(r.Finish());
  }
}

}  // namespace
}  // namespace motcua
