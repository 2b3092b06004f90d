// E-mail over SMTP (RFC 5321) to a relay: greeting, EHLO (HELO if refused), AUTH PLAIN when a
// username is configured, MAIL FROM, RCPT TO, DATA, QUIT, one connection per message. Plain TCP
// only: the relay is meant to be on the province's internal network or on loopback (a local
// Postfix that relays on with TLS); STARTTLS is not spoken, so AUTH sends the password in clear.
//
// The message (RFC 5322 + MIME): Date in Vietnam time, From, To, Subject as RFC 2047 encoded
// words (UTF-8, base64; subjects are Vietnamese; line breaks in a subject become spaces, so no
// text of the applicant's or an officer's can add a header), a Message-ID made from the outbox id,
// the dossier code and the sender's domain (so a retry carries the same id), text/plain UTF-8 body
// in 8bit when the server offers 8BITMIME, else base64.
//
// Replies: 2xx go on; 4xx anywhere and any network failure are transient; 5xx to RCPT TO or
// DATA (the recipient or this message) are permanent. 5xx before that (greeting, EHLO, AUTH,
// MAIL FROM) concern the relay or our configuration, not the message, so they are transient too:
// the messages go once the operator fixes it, or fail after the last attempt.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "notify/channel.h"

namespace motcua::notify {

struct SmtpConfig {
  std::string host;  // relay host name or address
  uint16_t port = 25;
  std::string from = "no-reply@motcua.local";  // envelope and header sender
  std::string username;                        // "" = no AUTH
  std::string password;
  std::chrono::milliseconds step_timeout{30'000};     // each read, write or connect
  std::chrono::milliseconds message_timeout{60'000};  // one whole message, connect to QUIT
};

// What FormatMail needs besides the message.
struct MailOptions {
  std::string from;
  Instant date{};
  bool eight_bit = false;  // the server offers 8BITMIME: send the body as 8bit, else base64
};

// True for an address SMTP without SMTPUTF8 can carry: local@domain, printable ASCII, no
// spaces, quotes, angle brackets, CR or LF.
bool IsValidMailbox(std::string_view address);

// `text` as RFC 2047 encoded words ("=?UTF-8?B?...?="), each of at most 39 bytes of text (64
// characters, so a "Subject: " line stays within 78) and holding whole UTF-8 characters, joined
// by CRLF SP (a folded header value).
std::string EncodeHeaderWords(std::string_view text);

// Every line break (CRLF, lone LF, lone CR) as CRLF.
std::string NormalizeCrlf(std::string_view text);

// SMTP transparency (RFC 5321 4.5.2): a '.' starting a line of `crlf_text` is doubled.
std::string DotStuff(std::string_view crlf_text);

// RFC 5322 date-time in Vietnam time: "Fri, 24 Apr 2026 10:00:00 +0700".
std::string FormatMailDate(Instant t);

// The Message-ID of an outbox message: "<id.code@domain of from>".
std::string MailMessageId(const OutboxMessage& m, std::string_view from);

// The text the applicant reads: the message body, then its dossier code and a no-reply note.
std::string MailBodyText(const OutboxMessage& m);

// The whole message, headers and body, with CRLF line ends, not yet dot-stuffed. The subject goes
// on one line (runs of CR and LF become one space); the body keeps its line breaks, as CRLF.
// Fails with kInvalidField when the recipient is not a valid mailbox or the recipient or sender
// holds CR or LF: such a message can never go. No header value can start another header.
Result<std::string> FormatMail(const OutboxMessage& m, const MailOptions& options);

// Parses one reply line "250-text" / "250 text" / "250": the code, whether more lines follow,
// the text. nullopt if the line is not a reply line.
struct SmtpReplyLine {
  int code = 0;
  bool more = false;
  std::string_view text;
};
std::optional<SmtpReplyLine> ParseReplyLine(std::string_view line);

class SmtpClient final : public Channel {
 public:
  explicit SmtpClient(SmtpConfig config);
  // Sends `m` to m.recipient in one SMTP session. See the file comment for the classification;
  // on success `detail` is the server's final reply text (e.g. "2.0.0 Ok: queued as 4F2A").
  DeliveryResult Deliver(const OutboxMessage& m, Instant now) override;

 private:
  SmtpConfig config_;
  std::string helo_domain_;
};

}  // namespace motcua::notify
