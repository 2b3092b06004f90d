// SMS through an HTTP gateway: one POST of {"to": "+84...", "text": "...", "ref": "<outbox id>"}
// (application/json, UTF-8) per message to a configured http:// URL. The gateway chooses the SMS
// encoding (Vietnamese text needs UCS-2). 2xx = sent (a JSON "id" or "message_id" in the answer
// is kept as the provider's reference); 429, 5xx, 3xx (a redirect is a configuration problem)
// and network failures = transient; any other 4xx = permanent. `ref` lets a gateway drop a
// duplicate should a message be sent again after a lost answer.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "notify/channel.h"

namespace motcua::notify {

struct SmsGatewayConfig {
  std::string url;                            // http://host[:port][/path][?query]
  std::chrono::milliseconds timeout{10'000};  // the whole request, connect to last byte
};

// A parsed gateway URL.
struct HttpTarget {
  std::string host;
  uint16_t port = 80;
  std::string target = "/";  // path and query
};

// Parses an http:// URL (no user info, no fragment). kInvalidField otherwise; https is refused
// (no TLS here: put the gateway, or a forwarding proxy, on the internal network).
Result<HttpTarget> ParseHttpUrl(std::string_view url);

// The number the gateway gets: `phone` without spaces, dots, dashes or brackets, if it is then
// an optional '+' and 8 to 15 digits; nullopt otherwise.
std::optional<std::string> NormalizePhone(std::string_view phone);

// The text sent: the message body, ending with its dossier code (added when the body lacks it,
// as a message written at intake does: the code is assigned in the same transaction).
std::string SmsText(const OutboxMessage& m);

class SmsGateway final : public Channel {
 public:
  // Parses config.url; fails with kInvalidField on a bad URL.
  static Result<std::unique_ptr<SmsGateway>> Create(SmsGatewayConfig config);
  // `target` is config.url parsed (Create does it).
  SmsGateway(SmsGatewayConfig config, HttpTarget target);
  // Posts `m.body` to m.recipient; see the file comment for the classification.
  DeliveryResult Deliver(const OutboxMessage& m, Instant now) override;

 private:
  SmsGatewayConfig config_;
  HttpTarget target_;
};

}  // namespace motcua::notify
