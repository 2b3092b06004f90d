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

// A key given twice is ambiguous (readers disagree on which one wins): refused, naming the key,
// at any depth; the same key in different objects is fine.
TEST(ParseJson, RejectsDuplicateKeysNamingThem) {
  for (const char* text :
       {R"({"username":"a","password":"x","username":"admin"})", R"({"a":{"b":1,"b":2}})",
        R"([{"x":1},{"y":[{"z":0,"username":1,"username":1}]}])",
        R"({"u\u0073ername":1,"username":2})"}) {
    auto v = ParseJson(text);
    ASSERT_FALSE(v) << text;
    EXPECT_EQ(v.error().code, ErrorCode::kBadRequest) << text;
    std::string key = std::string(text).find("\"b\"") != std::string::npos ? "b" : "username";
    EXPECT_NE(ErrorText(v.error()).find("'" + key + "'"), std::string::npos)
        << ErrorText(v.error());
    EXPECT_EQ(v.error().field, key) << text;
  }
  auto ok = ParseJson(R"({"a":{"k":1},"b":{"k":2},"k":[{"k":3},{"k":4}]})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("b").at("k").as_int64(), 2);
  // A long or odd key is not echoed whole.
  std::string long_key(5000, 'k');
  auto dup = ParseJson("{\"" + long_key + "\":1,\"" + long_key + "\":2}");
  ASSERT_FALSE(dup);
  EXPECT_LT(ErrorText(dup.error()).size(), 300u);
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

// What JsonWriter writes parses back to the same values, whatever the strings hold: quotes,
// backslashes and control bytes at every offset around the eight-byte fast path, and UTF-8.
TEST(JsonWriter, WritesWhatTheParserReadsBack) {
  std::vector<std::string> samples = {"",
                                      "plain",
                                      "Nguyễn Văn Ân",
                                      "a\"b",
                                      "back\\slash",
                                      std::string("nul\0byte", 8),
                                      "tab\tnew\nline\r",
                                      "\x01\x1f\x7f",
                                      "Hồ sơ \"đúng hạn\" / 15:00"};
  for (size_t at = 0; at < 20; ++at) {
    for (char special : {'"', '\\', '\n', '\x02', '\x1f'}) {
      std::string s(20, 'x');
      s[at] = special;
      samples.push_back(s);
    }
  }
  for (const std::string& text : samples) {
    std::string out;
    JsonWriter w(out);
    w.BeginObject().Key("s").String(text).Key("n").Int(-42).Key("z").Null();
    w.Key("a").BeginArray().String(text).Int(7).BeginObject().EndObject().EndArray();
    w.Key(text).Raw("true").EndObject();
    auto v = ParseJson(out);
    ASSERT_TRUE(v) << out;
    const auto& o = v->as_object();
    EXPECT_EQ(o.at("s").as_string(), text) << out;
    EXPECT_EQ(o.at("n").as_int64(), -42);
    EXPECT_TRUE(o.at("z").is_null());
    const auto& a = o.at("a").as_array();
    ASSERT_EQ(a.size(), 3u) << out;
    EXPECT_EQ(a[0].as_string(), text);
    EXPECT_EQ(a[1].as_int64(), 7);
    EXPECT_TRUE(a[2].as_object().empty());
    EXPECT_TRUE(o.at(text).as_bool());
  }
}

}  // namespace
}  // namespace motcua
