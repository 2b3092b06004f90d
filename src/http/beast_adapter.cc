#include "http/beast_adapter.h"

#include <cctype>

namespace motcua {

namespace http = boost::beast::http;

void HeaderFromBeast(const http::request_header<>& msg, Request& req) {
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.headers.clear();
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(field.value()));
  }
}

void FromBeast(http::request<http::string_body>& msg, Request& req) {
  HeaderFromBeast(msg.base(), req);
  req.body = std::move(msg.body());
}

http::response<http::string_body> ToBeast(Response& res, unsigned version, bool keep_alive,
                                          bool head) {
  http::response<http::string_body> out{static_cast<http::status>(res.status), version};
  bool no_content = res.status == 204 || res.status == 304;
  if (!no_content) out.set(http::field::content_type, res.content_type);
  for (auto& [k, v] : res.headers) out.insert(k, v);
  out.keep_alive(keep_alive);
  if (no_content) return out;  // no body and no Content-Length (RFC 9110 §8.6)
  size_t length = res.body.size();
  if (!head) out.body() = std::move(res.body);
  out.content_length(length);
  return out;
}

Error ReadError(const boost::beast::error_code& ec) {
  if (ec == http::error::body_limit) return Error{ErrorCode::kPayloadTooLarge};
  return Error{ErrorCode::kBadRequest, "Malformed HTTP request: " + ec.message() + ".",
               "Yêu cầu HTTP không hợp lệ: " + ec.message() + "."};
}

std::optional<Error> CheckFraming(const http::request_header<>& header) {
  size_t hosts = 0;
  bool has_coding = false;
  size_t chunked = 0;
  size_t others = 0;
  for (const auto& field : header) {
    if (field.name() == http::field::host) ++hosts;
    if (field.name() != http::field::transfer_encoding) continue;
    has_coding = true;
    std::string_view list = field.value();
    while (true) {
      size_t comma = list.find(',');
      std::string_view coding = list.substr(0, comma);
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) {
        coding.remove_prefix(1);
      }
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) {
        coding.remove_suffix(1);
      }
      if (boost::beast::iequals(coding, "chunked")) {
        ++chunked;
      } else if (!coding.empty() || comma == std::string_view::npos) {
        ++others;  // any other coding, or an empty field value
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  if (has_coding) {
    if (header.version() < 11) {
      return Error{ErrorCode::kBadRequest, "Transfer-Encoding is not allowed in HTTP/1.0.",
                   "HTTP/1.0 không cho phép Transfer-Encoding."};
    }
    if (chunked != 1 || others != 0) {
      return Error{ErrorCode::kBadRequest,
                   "Only 'Transfer-Encoding: chunked' is accepted (one coding, chunked, once).",
                   "Chỉ chấp nhận 'Transfer-Encoding: chunked' (một mã hóa duy nhất là chunked)."};
    }
    if (header.count(http::field::content_length) != 0) {
      return Error{ErrorCode::kBadRequest, "Send Content-Length or Transfer-Encoding, not both.",
                   "Chỉ gửi Content-Length hoặc Transfer-Encoding, không gửi cả hai."};
    }
  }
  if (hosts > 1 || (hosts == 0 && header.version() >= 11)) {
    return Error{ErrorCode::kBadRequest, "An HTTP/1.1 request needs exactly one Host header.",
                 "Yêu cầu HTTP/1.1 cần đúng một trường Host."};
  }
  return std::nullopt;
}

}  // namespace motcua
