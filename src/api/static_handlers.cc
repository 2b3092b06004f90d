// The web front end, served from files embedded in the binary. Only embedded paths exist, so no
// request path can reach the file system.
#include <string_view>

#include "api/embedded_files.h"
#include "api/routes.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

std::string ContentType(std::string_view path) {
  auto ends = [&](std::string_view ext) { return path.ends_with(ext); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".woff2")) return "font/woff2";
  return "application/octet-stream";
}

Response Serve(std::string_view path) {
  for (const EmbeddedFile* f = kEmbeddedFiles; f->path != nullptr; ++f) {
    if (path != f->path) continue;
    Response r;
    r.content_type = ContentType(path);
    r.body.assign(reinterpret_cast<const char*>(f->data), f->size);
    r.headers.emplace_back("Cache-Control", path.starts_with("/assets/")
                                                ? "public, max-age=31536000, immutable"
                                                : "no-cache");
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    return r;
  }
  return ErrorResponse(Error{ErrorCode::kNotFound});
}

}  // namespace

void RegisterStaticRoutes(Router& router) {
  router.Add("GET", "/",
             [](RequestContext&) -> asio::awaitable<Response> { co_return Serve("/index.html"); },
             {.summary = "The web app's start page.",
              .tag = "web",
              .response_type = "text/html",
              .statuses = {200}});
  router.Add("GET", "/assets/{file}",
             [](RequestContext& ctx) -> asio::awaitable<Response> {
               co_return Serve("/assets/" + ctx.Param("file"));
             },
             {.summary = "A static asset of the web app (embedded in the binary).",
              .tag = "web",
              .params = {{"file", "path", "string", true, "Asset file name."}},
              .response_type = "application/octet-stream",
              .statuses = {200, 404}});
}

}  // namespace motcua
