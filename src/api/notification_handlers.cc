// Notifications: what the outbox holds for a dossier (e-mails and SMS to the applicant) and how
// far each delivery got.
#include <boost/json.hpp>

#include "api/request_util.h"
#include "api/routes.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kNotificationsSchema =
    R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object",)"
    R"("properties":{"id":{"type":"integer"},"channel":{"enum":["email","sms"]},)"
    R"("recipient":{"type":"string"},"subject":{"type":"string"},)"
    R"("status":{"enum":["pending","sent","failed"]},"attempts":{"type":"integer"},)"
    R"("last_error":{"type":"string"},"created_at":{"type":"string"},)"
    R"("next_attempt_at":{"type":["string","null"]},"sent_at":{"type":["string","null"]}}}}}})";

boost::json::object NotificationJson(const OutboxMessage& m) {
  bool sent = m.status == "sent";
  return {{"id", m.id},
          {"channel", m.channel},
          {"recipient", m.recipient},
          {"subject", m.subject},
          {"status", m.status},
          {"attempts", m.attempts},
          {"last_error", m.last_error},
          {"created_at", FormatIso8601Vn(m.created_at)},
          {"next_attempt_at", m.status == "pending"
                                  ? boost::json::value(FormatIso8601Vn(m.next_attempt_at))
                                  : boost::json::value(nullptr)},
          {"sent_at",
           sent ? boost::json::value(FormatIso8601Vn(m.sent_at)) : boost::json::value(nullptr)}};
}

}  // namespace

void RegisterNotificationRoutes(Router& router, DossierLookup& lookup) {
  router.Add(
      "GET", "/api/v1/dossiers/{code}/notifications",
      [&lookup](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {}); !st) co_return ErrorResponse(st.error());
        auto messages = lookup.Messages(*ctx.principal, ctx.Param("code"));
        if (!messages) co_return ErrorResponse(messages.error());
        boost::json::array items;
        for (const OutboxMessage& m : *messages) items.push_back(NotificationJson(m));
        boost::json::object out{{"items", std::move(items)}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "The messages sent or due to the applicant about this dossier (e-mail, SMS), "
                  "oldest first, with their delivery status, attempts and last error.",
       .tag = "dossiers",
       .auth = true,
       .access = "whoever may see the dossier",
       .params = {{"code", "path", "string", true, "Dossier code."}},
       .response_schema = std::string(kNotificationsSchema),
       .statuses = {200, 400, 401, 404}});
}

}  // namespace motcua
