#include "notify/sms_gateway.h"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "common/json.h"
#include "common/log.h"
#include "notify/tcp_session.h"

namespace motcua::notify {
namespace {

namespace http = boost::beast::http;

constexpr size_t kMaxAnswerBody = 64 * 1024;
constexpr size_t kMaxAnswerHeader = 16 * 1024;
constexpr size_t kMaxDetail = 200;

Error BadUrl(std::string why) {
  return Error{ErrorCode::kInvalidField, "--sms-gateway: " + why,
               "--sms-gateway: URL không hợp lệ (" + why + ")", "sms-gateway"};
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kMaxDetail)) out += c >= 0x20 && c < 0x7F ? c : '?';
  return out;
}

// The gateway's id for the message, if its JSON answer names one.
std::string ProviderRef(std::string_view body) {
  auto doc = ParseJson(body, 8);
  if (!doc || !doc->is_object()) return "";
  for (const char* key : {"id", "message_id"}) {
    const auto* v = doc->as_object().if_contains(key);
    if (v == nullptr) continue;
    if (v->is_string()) return Printable(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
  }
  return "";
}

}  // namespace

Result<HttpTarget> ParseHttpUrl(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return tl::unexpected(BadUrl("not a URL, want http://host:port/path"));
  const auto& u = *parsed;
  if (u.scheme() != "http") {
    return tl::unexpected(BadUrl("only http:// (put a TLS gateway behind a local proxy)"));
  }
  if (u.has_userinfo() || u.has_fragment()) {
    return tl::unexpected(BadUrl("no user:password@ or #fragment"));
  }
  HttpTarget t;
  t.host = u.host_address();
  if (t.host.empty()) return tl::unexpected(BadUrl("no host"));
  if (u.has_port()) {
    if (u.port_number() == 0) return tl::unexpected(BadUrl("bad port"));
    t.port = u.port_number();
  }
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) t.target += "?" + std::string(u.encoded_query());
  return t;
}

std::optional<std::string> NormalizePhone(std::string_view phone) {
  std::string out;
  for (size_t i = 0; i < phone.size(); ++i) {
    char c = phone[i];
    if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')') continue;
    if (c == '+' && out.empty()) {
      out += c;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    out += c;
  }
  size_t digits = out.size() - (out.starts_with('+') ? 1 : 0);
  if (digits < 8 || digits > 15) return std::nullopt;
  return out;
}

std::string SmsText(const OutboxMessage& m) {
  std::string text = m.body;
  if (m.dossier_code.empty() || text.find(m.dossier_code) != std::string::npos) return text;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  if (!text.empty()) text += text.back() == '.' ? " " : ". ";
  return text + m.dossier_code;
}

Result<std::unique_ptr<SmsGateway>> SmsGateway::Create(SmsGatewayConfig config) {
  auto target = ParseHttpUrl(config.url);
  MOTCUA_RETURN_IF_ERROR(target);
  return std::make_unique<SmsGateway>(std::move(config), std::move(*target));
}

SmsGateway::SmsGateway(SmsGatewayConfig config, HttpTarget target)
    : config_(std::move(config)), target_(std::move(target)) {}

DeliveryResult SmsGateway::Deliver(const OutboxMessage& m, Instant) {
  auto to = NormalizePhone(m.recipient);
  if (!to) return {DeliveryOutcome::kPermanent, "not a phone number"};
  boost::json::object payload{{"to", *to}, {"text", SmsText(m)}, {"ref", std::to_string(m.id)}};

  TcpSession session(config_.timeout, config_.timeout);
  auto network = [&](const char* step, const boost::system::error_code& ec) {
    LogError("outbox " + std::to_string(m.id) + ": SMS gateway " + target_.host + ":" +
             std::to_string(target_.port) + " " + step + ": " + ec.message());
    session.Close();
    return DeliveryResult{DeliveryOutcome::kTransient,
                          "SMS gateway unreachable: " + DescribeNetworkError(ec)};
  };
  if (auto ec = session.Connect(target_.host, target_.port)) return network("connect", ec);

  http::request<http::string_body> req{http::verb::post, target_.target, 11};
  bool v6 = target_.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + target_.host + "]" : target_.host;
  if (target_.port != 80) host += ":" + std::to_string(target_.port);
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "motcua/" MOTCUA_VERSION);
  req.set(http::field::content_type, "application/json; charset=utf-8");
  req.set(http::field::accept, "application/json");
  req.set(http::field::connection, "close");
  req.body() = boost::json::serialize(payload);
  req.prepare_payload();
  if (auto ec = session.Run(
          [&](auto handler) { http::async_write(session.stream(), req, std::move(handler)); })) {
    return network("write", ec);
  }
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(kMaxAnswerHeader);
  parser.body_limit(kMaxAnswerBody);
  if (auto ec = session.Run([&](auto handler) {
        http::async_read(session.stream(), buffer, parser, std::move(handler));
      })) {
    return network("read", ec);
  }
  session.Close();
  const auto& res = parser.get();
  unsigned status = res.result_int();
  if (status >= 200 && status < 300) return {DeliveryOutcome::kSent, ProviderRef(res.body())};
  std::string why = "SMS gateway answered " + std::to_string(status);
  if (!res.body().empty()) why += ": " + Printable(res.body());
  bool permanent = status >= 400 && status < 500 && status != 429;
  return {permanent ? DeliveryOutcome::kPermanent : DeliveryOutcome::kTransient, why};
}

}  // namespace motcua::notify
