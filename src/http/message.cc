#include "http/message.h"

#include "common/log.h"
#include "common/text.h"

namespace motcua {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out.find('\0') == std::string::npos && IsValidUtf8(out);
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

const std::string* Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

Status ParseTarget(std::string_view target, Request& req) {
  auto bad = [] {
    return Fail(ErrorCode::kBadRequest, "Malformed request path or query string.",
                "Đường dẫn hoặc chuỗi truy vấn không hợp lệ.");
  };
  if (target.empty() || target[0] != '/') return bad();
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (!Decode(raw_path, false, req.path)) return bad();
  req.query.clear();
  if (q != std::string_view::npos) {
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view part = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (part.empty()) continue;
      size_t eq = part.find('=');
      std::string key, value;
      if (!Decode(part.substr(0, eq), true, key)) return bad();
      if (eq != std::string_view::npos && !Decode(part.substr(eq + 1), true, value)) return bad();
      req.query.emplace_back(std::move(key), std::move(value));
      if (req.query.size() > 64) return bad();
    }
  }
  return {};
}

namespace {

// `s`, or when it is not valid UTF-8 (an error echoing a client's bytes), `s` without its
// non-ASCII bytes: the body must stay valid JSON.
std::string ValidText(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  std::string out;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x80) out.push_back(c);
  }
  return out;
}

}  // namespace

namespace {

Response WriteError(const EdgeError& row, std::string_view en, std::string_view vi,
                    std::string_view field, std::string_view request_id) {
  Response r;
  r.status = row.status;
  if (en.empty()) en = row.message;
  if (vi.empty()) vi = row.message_vi;
  r.body.reserve(160 + en.size() + vi.size());
  r.body += "{\"error\":{\"code\":\"";
  r.body += row.code;
  r.body += "\",\"message\":\"";
  r.body += JsonEscape(ValidText(en));
  r.body += "\",\"message_vi\":\"";
  r.body += JsonEscape(ValidText(vi));
  r.body += "\",\"field\":";
  if (field.empty()) {
    r.body += "null";
  } else {
    r.body += "\"" + JsonEscape(ValidText(field)) + "\"";
  }
  if (!request_id.empty()) {
    r.body += ",\"request_id\":\"";
    r.body += JsonEscape(request_id);
    r.body += "\"";
  }
  r.body += "}}";
  return r;
}

}  // namespace

Response ErrorResponse(const Error& e, std::string_view request_id) {
  return WriteError(Describe(e.code), e.message, e.message_vi, e.field, request_id);
}

Response ErrorResponse(TransportError t, std::string_view request_id) {
  return WriteError(Describe(t), {}, {}, {}, request_id);
}

boost::asio::awaitable<Result<std::string_view>> StringBodyStream::Read() {
  size_t n = std::min(piece_, rest_.size());
  std::string_view out = rest_.substr(0, n);
  rest_.remove_prefix(n);
  if (out.empty()) finished_ = true;
  co_return out;
}

}  // namespace motcua
