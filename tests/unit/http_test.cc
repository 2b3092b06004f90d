#include <gtest/gtest.h>

#include "api/request_util.h"
#include "http/beast_adapter.h"
#include "http/connection_limits.h"
#include "http/limits.h"
#include "http/message.h"
#include "http/router.h"

namespace motcua {
namespace {

TEST(ParseTarget, DecodesPathAndQuery) {
  Request r;
  ASSERT_TRUE(ParseTarget("/api/v1/procedures?q=dang%20ky+khai%20sinh&limit=5", r));
  EXPECT_EQ(r.path, "/api/v1/procedures");
  ASSERT_NE(r.Query("q"), nullptr);
  EXPECT_EQ(*r.Query("q"), "dang ky khai sinh");
  EXPECT_EQ(*r.Query("limit"), "5");
  EXPECT_EQ(r.Query("x"), nullptr);
}

TEST(ParseTarget, RejectsBadEscapesNulAndInvalidUtf8) {
  Request r;
  for (const char* bad : {"", "api", "/a%zz", "/a%0", "/a%00b", "/a?q=%FF", "/x?q=%C0%AF"}) {
    EXPECT_FALSE(ParseTarget(bad, r)) << bad;
  }
}

TEST(ErrorResponse, HasTheFourFields) {
  Response r = ErrorResponse(Error{ErrorCode::kInvalidField, "Bad \"x\".", "Sai x.", "x"});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      r.body,
      R"({"error":{"code":"invalid_field","message":"Bad \"x\".","message_vi":"Sai x.","field":"x"}})");
  Response d = ErrorResponse(Error{ErrorCode::kForbidden});
  EXPECT_EQ(d.status, 403);
  EXPECT_NE(d.body.find("\"field\":null"), std::string::npos);
}

TEST(Router, MatchesParamsAndMethods) {
  Router router;
  Handler h;  // never called here
  router.Add("GET", "/api/v1/units/{code}", h, {});
  router.Add("GET", "/api/v1/units/{code}/users", h, {});
  router.Add("POST", "/api/v1/users", h, {});
  std::vector<std::pair<std::string_view, std::string>> params;
  std::string allowed;
  const Route* r = router.Match("GET", "/api/v1/units/08746", params, &allowed);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->pattern, "/api/v1/units/{code}");
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].second, "08746");
  EXPECT_NE(router.Match("GET", "/api/v1/units/08746/users", params, &allowed), nullptr);
  EXPECT_EQ(router.Match("GET", "/api/v1/users", params, &allowed), nullptr);
  EXPECT_EQ(allowed, "POST");  // 405
  EXPECT_EQ(router.Match("GET", "/api/v1/units/", params, &allowed), nullptr);
  EXPECT_EQ(allowed, "");  // 404
  EXPECT_NE(router.Match("HEAD", "/api/v1/units/x", params, &allowed), nullptr);
}

// Exactly application/json (any case), optionally with parameters; nothing that merely starts
// with it.
TEST(RequireJson, AcceptsOnlyApplicationJsonWithOptionalParameters) {
  auto with = [](std::string type) {
    Request r;
    r.headers.emplace_back("content-type", std::move(type));
    return RequireJson(r);
  };
  for (const char* ok :
       {"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
        "application/json ; charset=utf-8", "application/json\t;q=1"}) {
    EXPECT_TRUE(with(ok)) << ok;
  }
  for (const char* bad :
       {"", "application/jsonx", "application/json-seq", "application/json+x", "application/json x",
        "application/json,text/plain", "text/json", "application/"}) {
    auto st = with(bad);
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code, ErrorCode::kUnsupportedMedia) << bad;
  }
  EXPECT_FALSE(RequireJson(Request{}));
}

// RFC 9112 framing and Host, checked on parsed headers.
TEST(CheckFraming, OneChunkedCodingAndOneHostOnly) {
  namespace http = boost::beast::http;
  auto check = [](unsigned version, std::vector<std::pair<std::string, std::string>> fields) {
    http::request_header<> h;
    h.version(version);
    for (auto& [k, v] : fields) h.insert(k, v);
    return CheckFraming(h);
  };
  EXPECT_FALSE(check(11, {{"Host", "x"}}));
  EXPECT_FALSE(check(11, {{"Host", ""}}));  // an empty Host is valid
  EXPECT_FALSE(check(10, {}));
  EXPECT_FALSE(check(11, {{"Host", "x"}, {"Transfer-Encoding", "chunked"}}));
  EXPECT_FALSE(check(11, {{"Host", "x"}, {"Transfer-Encoding", " Chunked\t"}}));
  for (const char* te : {"xchunked", "gzip", "identity", "chunked, identity", "gzip, chunked",
                         "chunked, chunked", "chunked;x=1", "", ","}) {
    auto e = check(11, {{"Host", "x"}, {"Transfer-Encoding", te}});
    ASSERT_TRUE(e) << te;
    EXPECT_EQ(e->code, ErrorCode::kBadRequest);
  }
  EXPECT_TRUE(
      check(11, {{"Host", "x"}, {"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}}));
  EXPECT_TRUE(
      check(11, {{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}));
  EXPECT_TRUE(check(10, {{"Transfer-Encoding", "chunked"}}));
  EXPECT_TRUE(check(11, {}));
  EXPECT_TRUE(check(11, {{"Host", "a"}, {"Host", "b"}}));
  EXPECT_TRUE(check(10, {{"Host", "a"}, {"Host", "b"}}));
}

TEST(ClientConnections, CountsEachAddressUpToItsCap) {
  ClientConnections c;
  EXPECT_TRUE(c.TryOpen("10.0.0.1", 2));
  EXPECT_TRUE(c.TryOpen("10.0.0.1", 2));
  EXPECT_FALSE(c.TryOpen("10.0.0.1", 2));
  EXPECT_TRUE(c.TryOpen("10.0.0.2", 2));  // another address has its own count
  EXPECT_EQ(c.open("10.0.0.1"), 2u);
  c.Close("10.0.0.1");
  EXPECT_EQ(c.open("10.0.0.1"), 1u);
  EXPECT_TRUE(c.TryOpen("10.0.0.1", 2));
  EXPECT_FALSE(c.TryOpen("10.0.0.3", 0));
  EXPECT_EQ(c.open("10.0.0.3"), 0u);
}

TEST(BodyBudget, ReservationsTakeWhatFitsAndGiveItBack) {
  BodyBudget budget(100);
  {
    BodyReservation a(budget);
    EXPECT_TRUE(a.HoldAtLeast(60));
    EXPECT_TRUE(a.HoldAtLeast(40));  // already held
    EXPECT_EQ(a.held(), 60u);
    BodyReservation b(budget);
    EXPECT_FALSE(b.HoldAtLeast(41));
    EXPECT_EQ(b.held(), 0u);
    EXPECT_TRUE(b.HoldAtLeast(40));
    EXPECT_EQ(budget.held(), 100u);
    EXPECT_FALSE(a.HoldAtLeast(61));  // grows only if the budget has room
    EXPECT_EQ(a.held(), 60u);
  }
  EXPECT_EQ(budget.held(), 0u);
  BodyReservation c(budget);
  EXPECT_FALSE(c.HoldAtLeast(101));
  EXPECT_TRUE(c.HoldAtLeast(100));
}

TEST(Limits, SetByName) {
  Limits l;
  ASSERT_TRUE(SetLimit(l, "max_body_bytes", "2048"));
  EXPECT_EQ(l.max_body_bytes, 2048u);
  ASSERT_TRUE(SetLimit(l, "read_timeout_ms", "500"));
  EXPECT_EQ(l.read_timeout.count(), 500);
  EXPECT_FALSE(SetLimit(l, "nope", "1"));
  EXPECT_FALSE(SetLimit(l, "max_body_bytes", "abc"));
  EXPECT_NE(DescribeLimits(l).find("max_body_bytes=2048"), std::string::npos);
}

}  // namespace
}  // namespace motcua
