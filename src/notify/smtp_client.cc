#include "notify/smtp_client.h"
#include "common/vn_time.h"

#include <sodium.h>

#include <cctype>
#include <cstdio>
#include <vector>

#include "common/log.h"
#include "notify/tcp_session.h"

namespace motcua::notify {
namespace {

constexpr size_t kMaxReplyLine = 2048;    // RFC 5321 4.5.3.1.5 says 512; be lenient
constexpr size_t kMaxReplyLines = 100;    // a multi-line reply (EHLO) longer than this is junk
constexpr size_t kMaxSubjectBytes = 300;  // longer subjects are cut (the body has it all)
constexpr size_t kMaxDetail = 300;        // of a server reply kept in last_error
constexpr size_t kMax8bitLine = 998;      // RFC 5322 2.1.1

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Length of the UTF-8 character starting with `lead` (1 for a stray byte).
size_t Utf8CharLength(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return lead < 0xF0 ? 3 : 1;
  if (lead >= 0xC0) return 2;
  return 1;
}

// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
std::string_view Utf8Prefix(std::string_view s, size_t max) {
  size_t end = 0;
  while (end < s.size()) {
    size_t n = std::min(Utf8CharLength(static_cast<unsigned char>(s[end])), s.size() - end);
    if (end + n > max) break;
    end += n;
  }
  return s.substr(0, end);
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// `text` on one line: every run of CR and LF becomes one space.
std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r' && text[i] != '\n') {
      out += text[i];
      continue;
    }
    out += ' ';
    while (i + 1 < text.size() && (text[i + 1] == '\r' || text[i + 1] == '\n')) ++i;
  }
  return out;
}

// True if `value` can follow "Name: " without starting another header: no CR or LF except in
// a fold (CRLF followed by a space or tab).
bool IsOneHeaderValue(std::string_view value) {
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\n') return false;
    if (value[i] == '\r') {
      if (i + 2 >= value.size() || value[i + 1] != '\n' ||
          (value[i + 2] != ' ' && value[i + 2] != '\t')) {
        return false;
      }
      ++i;
    }
  }
  return true;
}

std::string_view DomainOf(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

// A server's words, safe to store and show: printable ASCII, bounded.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kMaxDetail)) {
    out += c >= 0x20 && c < 0x7F ? c : '?';
  }
  return out;
}

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // text of each line

  std::string Text() const {
    std::string out = std::to_string(code);
    for (const std::string& l : lines) {
      if (!l.empty()) out += " " + l;
    }
    return Printable(out);
  }
  int Class() const { return code / 100; }
};

// One SMTP conversation over a TcpSession: commands, replies, and the first network failure.
class Dialogue {
 public:
  explicit Dialogue(TcpSession& session) : session_(session) {}

  // Reads one (possibly multi-line) reply; nullopt on a network or protocol failure.
  std::optional<Reply> Read() {
    Reply r;
    std::string line;
    for (size_t i = 0; i < kMaxReplyLines; ++i) {
      if (auto ec = session_.ReadLine(&line, kMaxReplyLine)) return Broken(ec);
      auto parsed = ParseReplyLine(line);
      if (!parsed || (r.code != 0 && parsed->code != r.code)) {
        return Broken("the server's answer is not SMTP: " + Printable(line.substr(0, 80)));
      }
      r.code = parsed->code;
      r.lines.emplace_back(parsed->text);
      if (!parsed->more) return r;
    }
    return Broken("the server's answer is too long");
  }

  // Sends one command line and reads its reply.
  std::optional<Reply> Say(std::string_view command) {
    std::string line(command);
    line += "\r\n";
    if (auto ec = session_.Write(line)) return Broken(ec);
    return Read();
  }

  // Sends raw bytes (the message data).
  bool Send(std::string_view data) {
    if (auto ec = session_.Write(data)) {
      Broken(ec);
      return false;
    }
    return true;
  }

  // Ends politely when the connection still works (the reply to QUIT does not matter).
  void Quit() {
    if (broken_.empty()) (void)Say("QUIT");
    session_.Close();
  }

  const std::string& broken() const { return broken_; }

 private:
  std::nullopt_t Broken(const boost::system::error_code& ec) {
    return Broken("mail server connection failed: " + DescribeNetworkError(ec));
  }
  std::nullopt_t Broken(std::string why) {
    if (broken_.empty()) broken_ = std::move(why);
    return std::nullopt;
  }

  TcpSession& session_;
  std::string broken_;
};

DeliveryResult Transient(std::string why) { return {DeliveryOutcome::kTransient, std::move(why)}; }
DeliveryResult Permanent(std::string why) { return {DeliveryOutcome::kPermanent, std::move(why)}; }

}  // namespace

bool IsValidMailbox(std::string_view a) {
  size_t at = a.rfind('@');
  if (a.size() > 254 || at == std::string_view::npos || at == 0 || at > 64 || at + 1 >= a.size()) {
    return false;
  }
  for (size_t i = 0; i < at; ++i) {
    unsigned char c = static_cast<unsigned char>(a[i]);
    if (c <= 0x20 || c >= 0x7F ||
        std::string_view("<>()[]\\,;:\"@").find(static_cast<char>(c)) != std::string_view::npos) {
      return false;
    }
  }
  std::string_view domain = a.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : domain) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return a[0] != '.' && a[at - 1] != '.';
}

std::string EncodeHeaderWords(std::string_view text) {
  // 39 bytes of text make 52 base64 characters, a 64-character word (RFC 2047 allows 75): after
  // "Subject: " or the folding space every line stays within RFC 5322's 78.
  constexpr size_t kBytesPerWord = 39;
  std::string out;
  while (!text.empty()) {
    std::string_view chunk = Utf8Prefix(text, kBytesPerWord);
    if (chunk.empty()) chunk = text.substr(0, 1);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(chunk) + "?=";
    text.remove_prefix(chunk.size());
  }
  return out;
}

std::string NormalizeCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string DotStuff(std::string_view crlf_text) {
  std::string out;
  out.reserve(crlf_text.size() + 8);
  bool line_start = true;
  for (char c : crlf_text) {
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string FormatMailDate(Instant t) {
  using namespace std::chrono;
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto local = floor<seconds>(t) + motcua::kVietnamUtcOffset;
  auto day = floor<days>(local);
  year_month_day ymd(day);
  hh_mm_ss hms(local - day);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %d %02d:%02d:%02d +0700",
                kDays[weekday(day).c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string MailMessageId(const OutboxMessage& m, std::string_view from) {
  std::string code;
  for (char c : m.dossier_code) {
    code += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  }
  std::string domain(DomainOf(from));
  if (domain.empty()) domain = "motcua.local";
  return "<" + std::to_string(m.id) + "." + code + "@" + domain + ">";
}

std::string MailBodyText(const OutboxMessage& m) {
  std::string text = NormalizeCrlf(m.body);
  while (text.ends_with("\r\n")) text.resize(text.size() - 2);
  text += "\r\n\r\nMã hồ sơ: " + m.dossier_code +
          "\r\n\r\n-- \r\nThư được gửi tự động từ hệ thống một cửa; vui lòng không trả lời thư "
          "này.\r\n";
  return text;
}

Result<std::string> FormatMail(const OutboxMessage& m, const MailOptions& options) {
  if (HasLineBreak(m.recipient) || HasLineBreak(options.from)) {
    return Fail(ErrorCode::kInvalidField, "line break in the recipient or sender",
                "địa chỉ người nhận hoặc người gửi chứa ký tự xuống dòng", "recipient");
  }
  if (!IsValidMailbox(m.recipient)) {
    return Fail(ErrorCode::kInvalidField, "not a deliverable e-mail address",
                "địa chỉ thư điện tử không gửi được", "recipient");
  }
  // A subject is one line: a note with line breaks ("Yêu cầu bổ sung hồ sơ: <note>") is joined
  // with spaces (the body keeps its lines).
  std::string one_line = OneLine(m.subject);
  std::string subject(Utf8Prefix(one_line, kMaxSubjectBytes));
  if (subject.size() < one_line.size()) subject += "…";
  std::string body = MailBodyText(m);
  bool eight_bit = options.eight_bit;
  for (size_t start = 0; eight_bit && start < body.size();) {
    size_t end = body.find("\r\n", start);
    if (end == std::string::npos) end = body.size();
    eight_bit = end - start <= kMax8bitLine;
    start = end + 2;
  }
  const std::pair<std::string_view, std::string> headers[] = {
      {"Date", FormatMailDate(options.date)},
      {"From", options.from},
      {"To", m.recipient},
      {"Subject", EncodeHeaderWords(subject)},
      {"Message-ID", MailMessageId(m, options.from)},
      {"MIME-Version", "1.0"},
      {"Content-Type", "text/plain; charset=UTF-8"},
      {"Content-Transfer-Encoding", eight_bit ? "8bit" : "base64"},
      {"Auto-Submitted", "auto-generated"},
  };
  std::string out;
  out.reserve(body.size() * 2 + 512);
  for (const auto& [name, value] : headers) {
    // Whatever a value is made of, it cannot end its line and start a header of its own.
    if (!IsOneHeaderValue(value)) {
      return Fail(ErrorCode::kInvalidField, "line break in the " + std::string(name) + " header",
                  "tiêu đề thư " + std::string(name) + " chứa ký tự xuống dòng", "recipient");
    }
    out.append(name);
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  if (eight_bit) {
    out += body;
  } else {
    std::string encoded = Base64(body);
    for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  }
  return out;
}

std::optional<SmtpReplyLine> ParseReplyLine(std::string_view line) {
  if (line.size() < 3) return std::nullopt;
  for (size_t i = 0; i < 3; ++i) {
    if (line[i] < '0' || line[i] > '9') return std::nullopt;
  }
  if (line[0] < '2' || line[0] > '5') return std::nullopt;
  SmtpReplyLine r;
  r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (line.size() == 3) return r;
  if (line[3] != ' ' && line[3] != '-') return std::nullopt;
  r.more = line[3] == '-';
  r.text = line.substr(4);
  return r;
}

SmtpClient::SmtpClient(SmtpConfig config) : config_(std::move(config)) {
  helo_domain_ = std::string(DomainOf(config_.from));
  if (helo_domain_.empty()) helo_domain_ = "localhost";
}

DeliveryResult SmtpClient::Deliver(const OutboxMessage& m, Instant now) {
  if (auto check = FormatMail(m, {config_.from, now, false}); !check) {
    return Permanent(ErrorText(check.error()));
  }
  TcpSession session(config_.step_timeout, config_.message_timeout);
  if (auto ec = session.Connect(config_.host, config_.port)) {
    LogError("outbox " + std::to_string(m.id) + ": cannot connect to the mail server " +
             config_.host + ":" + std::to_string(config_.port) + ": " + ec.message());
    return Transient("mail server unreachable: " + DescribeNetworkError(ec));
  }
  Dialogue smtp(session);
  // Every exit after the connection goes through `end`, which says QUIT when it still can.
  auto end = [&](DeliveryResult r) {
    smtp.Quit();
    return r;
  };
  auto broken = [&] { return end(Transient(smtp.broken())); };

  auto greeting = smtp.Read();
  if (!greeting) return broken();
  if (greeting->code != 220) return end(Transient("mail server refused: " + greeting->Text()));

  bool eight_bit = false;
  auto hello = smtp.Say("EHLO " + helo_domain_);
  if (!hello) return broken();
  if (hello->Class() == 5) {
    hello = smtp.Say("HELO " + helo_domain_);
    if (!hello) return broken();
  } else if (hello->code == 250) {
    for (size_t i = 1; i < hello->lines.size(); ++i) {
      std::string keyword = hello->lines[i].substr(0, hello->lines[i].find(' '));
      for (char& c : keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      eight_bit = eight_bit || keyword == "8BITMIME";
    }
  }
  if (hello->code != 250) return end(Transient("mail server refused EHLO/HELO: " + hello->Text()));

  if (!config_.username.empty()) {
    std::string credentials = std::string(1, '\0') + config_.username + '\0' + config_.password;
    auto auth = smtp.Say("AUTH PLAIN " + Base64(credentials));
    sodium_memzero(credentials.data(), credentials.size());
    if (!auth) return broken();
    if (auth->code != 235) {
      return end(Transient("mail server refused our login: " + auth->Text()));
    }
  }

  auto mail = smtp.Say("MAIL FROM:<" + config_.from + ">" + (eight_bit ? " BODY=8BITMIME" : ""));
  if (!mail) return broken();
  if (mail->Class() != 2) return end(Transient("mail server refused the sender: " + mail->Text()));

  auto rcpt = smtp.Say("RCPT TO:<" + m.recipient + ">");
  if (!rcpt) return broken();
  if (rcpt->Class() == 5) return end(Permanent("recipient refused: " + rcpt->Text()));
  if (rcpt->Class() != 2) return end(Transient("recipient deferred: " + rcpt->Text()));

  auto data = smtp.Say("DATA");
  if (!data) return broken();
  if (data->Class() == 5) return end(Permanent("message refused: " + data->Text()));
  if (data->code != 354) return end(Transient("message deferred: " + data->Text()));

  auto text = FormatMail(m, {config_.from, now, eight_bit});
  if (!text) return end(Permanent(ErrorText(text.error())));
  if (!smtp.Send(DotStuff(*text) + ".\r\n")) return broken();
  auto accepted = smtp.Read();
  if (!accepted) return broken();
  if (accepted->Class() == 5) return end(Permanent("message refused: " + accepted->Text()));
  if (accepted->Class() != 2) return end(Transient("message deferred: " + accepted->Text()));
  std::string ref = accepted->Text();
  return end({DeliveryOutcome::kSent, ref.substr(ref.find(' ') + 1)});
}

}  // namespace motcua::notify
