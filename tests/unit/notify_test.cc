// The outbox's pure parts: the retry rule, the e-mail as it goes on the wire (encoded-word
// subject, CRLF, dot-stuffing, headers), SMTP reply lines, phone numbers and gateway URLs.
#include <gtest/gtest.h>
#include <sodium.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <thread>

#include "common/text.h"
#include "domain/notify/delivery_policy.h"
#include "notify/sms_gateway.h"
#include "notify/smtp_client.h"

namespace motcua {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Every byte `value`: 0 gives no jitter, 0xFF nearly the most.
class ConstantRandom final : public Random {
 public:
  explicit ConstantRandom(uint8_t value) : value_(value) {}
  void Fill(uint8_t* out, size_t n) override { std::memset(out, value_, n); }

 private:
  uint8_t value_;
};

Instant At(const char* iso) { return *ParseIso8601(iso); }

std::string Base64Decode(std::string_view b64) {
  std::string out(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), b64.data(),
                        b64.size(), "\r\n", &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    ADD_FAILURE() << "not base64: " << b64;
    return "";
  }
  out.resize(len);
  return out;
}

// Decodes a header value made of "=?UTF-8?B?...?=" words folded with CRLF SP; checks each word.
std::string DecodeHeaderWords(std::string_view value) {
  std::string out;
  bool first = true;
  while (!value.empty()) {
    if (!first) {
      EXPECT_TRUE(value.starts_with("\r\n ")) << "between words: " << value;
      if (!value.starts_with("\r\n ")) return out;
      value.remove_prefix(3);
    }
    first = false;
    size_t end = value.find("?=");
    EXPECT_TRUE(value.starts_with("=?UTF-8?B?") && end != std::string_view::npos) << value;
    if (!value.starts_with("=?UTF-8?B?") || end == std::string_view::npos) return out;
    EXPECT_LE(end + 2, 64u) << value.substr(0, end + 2);
    std::string part = Base64Decode(value.substr(10, end - 10));
    EXPECT_TRUE(IsValidUtf8(part)) << "a word splits a character: " << value.substr(0, end + 2);
    out += part;
    value.remove_prefix(end + 2);
  }
  return out;
}

// The value of header `name` in a CRLF message (unfolded lines kept as they are).
std::string HeaderValue(const std::string& mail, const std::string& name) {
  size_t start = mail.find("\r\n" + name + ": ");
  size_t head_end = mail.find("\r\n\r\n");
  if (mail.rfind(name + ": ", 0) == 0) {
    start = 0;
  } else if (start == std::string::npos || start > head_end) {
    return "";
  } else {
    start += 2;
  }
  start += name.size() + 2;
  size_t end = start;
  while (true) {
    end = mail.find("\r\n", end);
    if (end == std::string::npos || mail[end + 2] != ' ') break;
    end += 2;
  }
  return mail.substr(start, end - start);
}

OutboxMessage Sample() {
  OutboxMessage m;
  m.id = 42;
  m.dossier_code = "087.46.00.H25-260424-0007";
  m.channel = "email";
  m.recipient = "duc@example.vn";
  m.subject = "Hồ sơ đã được tiếp nhận, hẹn trả kết quả 2026-05-06T10:00";
  m.body = "Hồ sơ đã được tiếp nhận.\nThủ tục: Đăng ký khai sinh.\n.\n..hai chấm";
  return m;
}

// --- delivery policy ---------------------------------------------------------------------------

TEST(DeliveryPolicyTest, BackoffDoublesFromBaseUpToTheCap) {
  DeliveryPolicyConfig c;  // the documented defaults: 30 s doubling, at most 1 h, 8 attempts
  EXPECT_EQ(c.base_backoff, seconds(30));
  EXPECT_EQ(c.max_backoff, hours(1));
  EXPECT_EQ(c.max_attempts, 8);
  EXPECT_EQ(BaseDelay(c, 1), seconds(30));
  EXPECT_EQ(BaseDelay(c, 2), seconds(60));
  EXPECT_EQ(BaseDelay(c, 3), seconds(120));
  EXPECT_EQ(BaseDelay(c, 7), seconds(1920));
  EXPECT_EQ(BaseDelay(c, 8), hours(1));  // 3840 s capped
  EXPECT_EQ(BaseDelay(c, 1'000'000), hours(1));
  c.base_backoff = hours(2);  // a base over the cap is the cap
  EXPECT_EQ(BaseDelay(c, 1), hours(1));
}

TEST(DeliveryPolicyTest, TransientFailureIsRetriedAfterTheDelayWithoutJitterAtZero) {
  DeliveryPolicyConfig c;
  ConstantRandom zero(0);
  Instant now = At("2026-04-24T10:00:00+07:00");
  for (int64_t attempt = 1; attempt < c.max_attempts; ++attempt) {
    auto d = DecideDelivery(c, attempt, DeliveryOutcome::kTransient, now, zero);
    EXPECT_EQ(d.status, "pending") << attempt;
    EXPECT_EQ(d.next_attempt_at, now + BaseDelay(c, attempt)) << attempt;
  }
}

TEST(DeliveryPolicyTest, JitterOnlyShortensAndIsDeterministic) {
  DeliveryPolicyConfig c;
  Instant now = At("2026-04-24T10:00:00+07:00");
  ConstantRandom most(0xFF);
  auto d = DecideDelivery(c, 3, DeliveryOutcome::kTransient, now, most);
  // 120 s less nearly 20%: just over 96 s.
  EXPECT_GT(d.next_attempt_at, now + seconds(96));
  EXPECT_LT(d.next_attempt_at, now + milliseconds(96'001));
  auto a = MakeSeededRandom(11), b = MakeSeededRandom(11);
  for (int64_t attempt = 1; attempt < 8; ++attempt) {
    auto da = DecideDelivery(c, attempt, DeliveryOutcome::kTransient, now, *a);
    auto db = DecideDelivery(c, attempt, DeliveryOutcome::kTransient, now, *b);
    EXPECT_EQ(da.next_attempt_at, db.next_attempt_at);
    auto delay = da.next_attempt_at - now;
    EXPECT_LE(delay, BaseDelay(c, attempt));
    EXPECT_GE(delay, BaseDelay(c, attempt) * 8 / 10);
  }
}

TEST(DeliveryPolicyTest, LastAttemptAndPermanentFailureFailForGood) {
  DeliveryPolicyConfig c;
  ConstantRandom zero(0);
  Instant now = At("2026-04-24T10:00:00+07:00");
  EXPECT_EQ(DecideDelivery(c, 8, DeliveryOutcome::kTransient, now, zero).status, "failed");
  EXPECT_EQ(DecideDelivery(c, 9, DeliveryOutcome::kTransient, now, zero).status, "failed");
  EXPECT_EQ(DecideDelivery(c, 1, DeliveryOutcome::kPermanent, now, zero).status, "failed");
  EXPECT_EQ(DecideDelivery(c, 1, DeliveryOutcome::kSent, now, zero).status, "sent");
  EXPECT_EQ(DecideDelivery(c, 8, DeliveryOutcome::kSent, now, zero).status, "sent");
  c.max_attempts = 1;
  EXPECT_EQ(DecideDelivery(c, 1, DeliveryOutcome::kTransient, now, zero).status, "failed");
}

// --- the e-mail on the wire --------------------------------------------------------------------

TEST(NotifySmtpFormatTest, EncodedWordSubjectDecodesBackToTheVietnameseText) {
  for (std::string text : {std::string("Hồ sơ đã được tiếp nhận, hẹn trả kết quả 2026-05-06T10:00"),
                           std::string("ASCII only"), std::string("Đ"),
                           std::string(200, 'a') + "ữ" + std::string(50, 'b'),
                           std::string("Xin lỗi vì trễ hẹn; hẹn trả mới 2026-05-20T10:00. Lý do: "
                                       "chờ xác minh của Ủy ban nhân dân xã")}) {
    std::string encoded = notify::EncodeHeaderWords(text);
    EXPECT_EQ(encoded.find('\n') == std::string::npos, text.size() <= 39) << encoded;
    EXPECT_EQ(DecodeHeaderWords(encoded), text);
  }
  EXPECT_EQ(notify::EncodeHeaderWords(""), "");
  // 39 bytes fill one word; "ể" (3 bytes) from byte 38 on must move to the next word.
  std::string edge = std::string(38, 'x') + "ể";
  std::string encoded = notify::EncodeHeaderWords(edge);
  EXPECT_NE(encoded.find("\r\n "), std::string::npos);
  EXPECT_EQ(DecodeHeaderWords(encoded), edge);
}

TEST(NotifySmtpFormatTest, LineBreaksBecomeCrlfAndLeadingDotsAreDoubled) {
  EXPECT_EQ(notify::NormalizeCrlf("a\nb\r\nc\rd\r\r\n"), "a\r\nb\r\nc\r\nd\r\n\r\n");
  EXPECT_EQ(notify::NormalizeCrlf("no break"), "no break");
  EXPECT_EQ(notify::DotStuff(".start\r\nmid.dle\r\n.\r\n..two\r\n"),
            "..start\r\nmid.dle\r\n..\r\n...two\r\n");
  EXPECT_EQ(notify::DotStuff("x.\r\n"), "x.\r\n");
}

TEST(NotifySmtpFormatTest, DateIsRfc5322InVietnamTime) {
  EXPECT_EQ(notify::FormatMailDate(At("2026-04-24T03:00:05Z")), "Fri, 24 Apr 2026 10:00:05 +0700");
  EXPECT_EQ(notify::FormatMailDate(At("2026-12-31T20:00:00Z")), "Fri, 01 Jan 2027 03:00:00 +0700");
}

TEST(NotifySmtpFormatTest, MessageHasHeadersAndBodyInBase64WithoutEightBitMime) {
  OutboxMessage m = Sample();
  auto mail = notify::FormatMail(m, {"no-reply@motcua.local", At("2026-04-24T10:00:00+07:00")});
  ASSERT_TRUE(mail) << ErrorText(mail.error());
  size_t head_end = mail->find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  EXPECT_EQ(HeaderValue(*mail, "Date"), "Fri, 24 Apr 2026 10:00:00 +0700");
  EXPECT_EQ(HeaderValue(*mail, "From"), "no-reply@motcua.local");
  EXPECT_EQ(HeaderValue(*mail, "To"), "duc@example.vn");
  EXPECT_EQ(HeaderValue(*mail, "Message-ID"), "<42.087.46.00.H25-260424-0007@motcua.local>");
  EXPECT_EQ(HeaderValue(*mail, "MIME-Version"), "1.0");
  EXPECT_EQ(HeaderValue(*mail, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(HeaderValue(*mail, "Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(DecodeHeaderWords(HeaderValue(*mail, "Subject")), m.subject);
  // Every line ends in CRLF and is short; no bare CR or LF anywhere.
  size_t line_start = 0;
  for (size_t i = 0; i < mail->size(); ++i) {
    if ((*mail)[i] == '\n') {
      EXPECT_TRUE(i > 0 && (*mail)[i - 1] == '\r') << i;
      EXPECT_LE(i - line_start, 78u) << mail->substr(line_start, i - line_start);
      line_start = i + 1;
    }
    if ((*mail)[i] == '\r') {
      EXPECT_TRUE(i + 1 < mail->size() && (*mail)[i + 1] == '\n') << i;
    }
  }
  EXPECT_TRUE(mail->ends_with("\r\n"));
  std::string body = Base64Decode(mail->substr(head_end + 4));
  EXPECT_EQ(body, notify::MailBodyText(m));
  EXPECT_NE(body.find("Hồ sơ đã được tiếp nhận.\r\nThủ tục: Đăng ký khai sinh.\r\n.\r\n..hai"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("Mã hồ sơ: 087.46.00.H25-260424-0007\r\n"), std::string::npos) << body;
  // The same message formats the same way: a retry carries the same Message-ID.
  EXPECT_EQ(*mail,
            *notify::FormatMail(m, {"no-reply@motcua.local", At("2026-04-24T10:00:00+07:00")}));
}

TEST(NotifySmtpFormatTest, EightBitBodyIsPlainTextThatDotStuffingProtects) {
  OutboxMessage m = Sample();
  auto mail =
      notify::FormatMail(m, {"thong.bao@phutho.gov.vn", At("2026-04-24T10:00:00+07:00"), true});
  ASSERT_TRUE(mail);
  EXPECT_EQ(HeaderValue(*mail, "Content-Transfer-Encoding"), "8bit");
  EXPECT_EQ(HeaderValue(*mail, "Message-ID"), "<42.087.46.00.H25-260424-0007@phutho.gov.vn>");
  EXPECT_EQ(mail->substr(mail->find("\r\n\r\n") + 4), notify::MailBodyText(m));
  // The body's lone "." line would end DATA early: stuffed, it reads "..".
  std::string wire = notify::DotStuff(*mail);
  EXPECT_EQ(wire.find("\r\n.\r\n"), std::string::npos);
  EXPECT_NE(wire.find("\r\n..\r\n...hai"), std::string::npos);
  // A line over 998 bytes cannot go as 8bit: base64 instead.
  m.body = std::string(1200, 'a');
  mail = notify::FormatMail(m, {"no-reply@motcua.local", At("2026-04-24T10:00:00+07:00"), true});
  ASSERT_TRUE(mail);
  EXPECT_EQ(HeaderValue(*mail, "Content-Transfer-Encoding"), "base64");
}

TEST(NotifySmtpFormatTest, HeaderInjectionAndBadAddressesCannotGo) {
  Instant now = At("2026-04-24T10:00:00+07:00");
  for (const char* to : {"a@b.vn\r\nBcc: x@y.vn", "a@b.vn\n", "a@b.vn\r", "no-at-sign", "two@@b.vn",
                         "a b@c.vn", "<a@b.vn>", "a@b..vn", "a@", "@b.vn", "ngườidùng@b.vn"}) {
    OutboxMessage m = Sample();
    m.recipient = to;
    auto mail = notify::FormatMail(m, {"no-reply@motcua.local", now});
    EXPECT_FALSE(mail) << to;
    if (!mail) {
      EXPECT_EQ(mail.error().code, ErrorCode::kInvalidField);
    }
  }
  OutboxMessage m = Sample();
  EXPECT_FALSE(notify::FormatMail(m, {"no-reply@motcua.local\r\nBcc: x@y.vn", now}));
  // A subject's line breaks become spaces: the notice goes, with no header of the subject's.
  m.subject = "Tiêu đề\r\nBcc: spy@example.com";
  auto mail = notify::FormatMail(m, {"no-reply@motcua.local", now});
  ASSERT_TRUE(mail) << ErrorText(mail.error());
  EXPECT_EQ(HeaderValue(*mail, "Bcc"), "");
  EXPECT_EQ(DecodeHeaderWords(HeaderValue(*mail, "Subject")), "Tiêu đề Bcc: spy@example.com");
  m.subject = "Tiêu đề\nX\r\r\nY";
  mail = notify::FormatMail(m, {"no-reply@motcua.local", now});
  ASSERT_TRUE(mail);
  EXPECT_EQ(DecodeHeaderWords(HeaderValue(*mail, "Subject")), "Tiêu đề X Y");
  EXPECT_TRUE(notify::IsValidMailbox("first.last+tag@sub.example-mail.vn"));
}

TEST(NotifySmtpFormatTest, LongSubjectIsCutOnACharacterBoundary) {
  OutboxMessage m = Sample();
  m.subject.clear();
  for (int i = 0; i < 100; ++i) m.subject += "Lý do ";
  auto mail = notify::FormatMail(m, {"no-reply@motcua.local", At("2026-04-24T10:00:00+07:00")});
  ASSERT_TRUE(mail);
  std::string subject = DecodeHeaderWords(HeaderValue(*mail, "Subject"));
  EXPECT_TRUE(IsValidUtf8(subject));
  EXPECT_TRUE(subject.ends_with("…")) << subject;
  EXPECT_LE(subject.size(), 300u + std::strlen("…"));
  EXPECT_EQ(m.subject.rfind(subject.substr(0, subject.size() - std::strlen("…")), 0), 0u);
}

TEST(NotifySmtpReplyTest, ReplyLinesParse) {
  auto r = notify::ParseReplyLine("250-smtp.example.vn Hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 250);
  EXPECT_TRUE(r->more);
  EXPECT_EQ(r->text, "smtp.example.vn Hello");
  r = notify::ParseReplyLine("550 5.1.1 <x@y.vn>: Recipient address rejected");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 550);
  EXPECT_FALSE(r->more);
  r = notify::ParseReplyLine("354");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 354);
  EXPECT_EQ(r->text, "");
  for (const char* bad : {"", "25", "abc def", "250x", "650 six", "150 one", "2500 ok"}) {
    EXPECT_FALSE(notify::ParseReplyLine(bad)) << bad;
  }
}

// --- the SMTP client against a server -----------------------------------------------------------

// A one-message SMTP server on 127.0.0.1, in a thread: it answers the dialogue (offering 8BITMIME
// or not) and keeps the message data it received, dot-stuffing undone. Accept and every read time
// out after 10 s, so a test cannot hang on it.
class OneMessageSmtpServer {
 public:
  explicit OneMessageSmtpServer(bool eight_bit) : eight_bit_(eight_bit) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};  // accept gives up too, if the client never comes
    setsockopt(listener_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listener_, 1) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen";
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneMessageSmtpServer() {
    if (thread_.joinable()) thread_.join();
    close(listener_);
  }
  uint16_t port() const { return port_; }
  // The message data, once the client has gone.
  std::string Data() {
    if (thread_.joinable()) thread_.join();
    return data_;
  }

 private:
  void Serve() {
    int fd = accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in;
    auto say = [&](std::string_view text) { (void)!write(fd, text.data(), text.size()); };
    auto line = [&](std::string* out) {
      for (;;) {
        size_t end = in.find("\r\n");
        if (end != std::string::npos) {
          *out = in.substr(0, end);
          in.erase(0, end + 2);
          return true;
        }
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return false;
        in.append(buf, static_cast<size_t>(n));
      }
    };
    say("220 test ESMTP\r\n");
    std::string l;
    while (line(&l)) {
      if (l.starts_with("EHLO")) {
        say(eight_bit_ ? "250-test\r\n250 8BITMIME\r\n" : "250 test\r\n");
      } else if (l == "DATA") {
        say("354 go ahead\r\n");
        while (line(&l) && l != ".") data_ += (l.starts_with(".") ? l.substr(1) : l) + "\r\n";
        say("250 2.0.0 Ok: queued as T1\r\n");
      } else if (l == "QUIT") {
        say("221 bye\r\n");
        break;
      } else {
        say("250 ok\r\n");
      }
    }
    close(fd);
  }

  bool eight_bit_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::string data_;
};

// A note with line breaks ends up in a notice's subject ("Yêu cầu bổ sung hồ sơ: <note>"). The
// notice still goes, on one Subject line, and no line of the note becomes a header of its own;
// the body keeps the note's line breaks (as CRLF), whether it travels as 8bit or base64.
TEST(NotifySmtpDeliveryTest, LineBreaksInTheSubjectNeitherStopTheNoticeNorAddHeaders) {
  const std::string note =
      "thiếu bản sao\r\nBcc: spy@example.com\nX-Injected: 1\rSubject: giả\r\n\r\n.\nhết";
  for (bool eight_bit : {true, false}) {
    OneMessageSmtpServer server(eight_bit);
    notify::SmtpConfig config;
    config.host = "127.0.0.1";
    config.port = server.port();
    config.step_timeout = milliseconds(10'000);
    config.message_timeout = milliseconds(20'000);
    notify::SmtpClient client(config);
    OutboxMessage m = Sample();
    m.subject = "Yêu cầu bổ sung hồ sơ: " + note;
    m.body = m.subject + ". Mã hồ sơ: " + m.dossier_code + ".";
    notify::DeliveryResult r = client.Deliver(m, At("2026-04-24T10:00:00+07:00"));
    EXPECT_EQ(r.outcome, DeliveryOutcome::kSent) << r.detail;
    std::string mail = server.Data();
    size_t head_end = mail.find("\r\n\r\n");
    ASSERT_NE(head_end, std::string::npos) << mail;
    std::set<std::string> names;
    std::string head = mail.substr(0, head_end + 2);
    for (size_t at = 0; at < head.size();) {
      size_t end = head.find("\r\n", at);
      std::string l = head.substr(at, end - at);
      at = end + 2;
      if (l.starts_with(" ")) continue;  // a folded continuation
      names.insert(l.substr(0, l.find(':')));
    }
    EXPECT_EQ(names, (std::set<std::string>{"Date", "From", "To", "Subject", "Message-ID",
                                            "MIME-Version", "Content-Type",
                                            "Content-Transfer-Encoding", "Auto-Submitted"}))
        << head;
    std::string subject = DecodeHeaderWords(HeaderValue(mail, "Subject"));
    EXPECT_EQ(subject.find_first_of("\r\n"), std::string::npos) << subject;
    EXPECT_EQ(subject,
              "Yêu cầu bổ sung hồ sơ: thiếu bản sao Bcc: spy@example.com X-Injected: 1 "
              "Subject: giả . hết");
    std::string body = mail.substr(head_end + 4);
    if (!eight_bit) body = Base64Decode(body);
    EXPECT_NE(body.find("thiếu bản sao\r\nBcc: spy@example.com\r\nX-Injected: 1\r\nSubject: "
                        "giả\r\n\r\n.\r\nhết. Mã hồ sơ"),
              std::string::npos)
        << body;
  }
}

// --- the SMS gateway's inputs ------------------------------------------------------------------

TEST(NotifySmsTest, PhoneNumbersAreNormalisedOrRefused) {
  EXPECT_EQ(notify::NormalizePhone("0912345678"), "0912345678");
  EXPECT_EQ(notify::NormalizePhone("+84 912.345-678"), "+84912345678");
  EXPECT_EQ(notify::NormalizePhone("(0210) 3846 123"), "02103846123");
  for (const char* bad :
       {"", "1234567", "+", "091234567890123456", "09123x5678", "84+912345678", "0912\n345678"}) {
    EXPECT_FALSE(notify::NormalizePhone(bad)) << bad;
  }
}

TEST(NotifySmsTest, TextEndsWithTheDossierCode) {
  OutboxMessage m;
  m.dossier_code = "087.46.00.H25-260424-0001";
  m.body = "Hồ sơ đã được tiếp nhận, hẹn trả kết quả 2026-05-06T10:00. ";  // as written at intake
  EXPECT_EQ(notify::SmsText(m),
            "Hồ sơ đã được tiếp nhận, hẹn trả kết quả 2026-05-06T10:00. 087.46.00.H25-260424-0001");
  m.body = "Đã có kết quả giải quyết hồ sơ. 087.46.00.H25-260424-0001";
  EXPECT_EQ(notify::SmsText(m), m.body);
  m.body = "Không dấu chấm";
  EXPECT_EQ(notify::SmsText(m), "Không dấu chấm. 087.46.00.H25-260424-0001");
}

TEST(NotifySmsTest, GatewayUrlsAreHttpOnly) {
  auto t = notify::ParseHttpUrl("http://127.0.0.1:9090/sms/send?key=abc");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 9090);
  EXPECT_EQ(t->target, "/sms/send?key=abc");
  t = notify::ParseHttpUrl("http://sms.internal");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->port, 80);
  EXPECT_EQ(t->target, "/");
  t = notify::ParseHttpUrl("http://[::1]:8081/x");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->host, "::1");
  for (const char* bad : {"https://sms.example.vn/", "ftp://x/", "http://u:p@h/", "http://h/#f",
                          "not a url", "http://:80/", "http://h:0/"}) {
    auto r = notify::ParseHttpUrl(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidField);
    }
  }
}

}  // namespace
}  // namespace motcua
