// Files: uploads (streamed into the content-addressed blob store), downloads of a dossier's files
// and of one's own uploads, and a citizen's own store of documents that later dossiers may reuse.
#include <boost/json.hpp>

#include "api/request_util.h"
#include "api/routes.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

std::string Extension(const std::string& media_type) {
  if (media_type == "application/pdf") return ".pdf";
  if (media_type == "image/jpeg") return ".jpg";
  if (media_type == "image/png") return ".png";
  return "";
}

Response FileResponse(Download file, const std::string& name) {
  Response r;
  r.status = 200;
  r.body = std::move(file.bytes);
  r.content_type = file.record.media_type;
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name +
                                                    Extension(file.record.media_type) + "\"");
  r.headers.emplace_back("Cache-Control", "private, max-age=3600");
  // An uploaded file is never run as a page of this origin, whatever it holds.
  r.headers.emplace_back("Content-Security-Policy", "sandbox");
  return r;
}

}  // namespace

void RegisterFileRoutes(Router& router, FileDeps deps) {
  router.Add(
      "POST", "/api/v1/files",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        const Request& req = ctx.request;
        auto begun =
            deps.files.BeginUpload(*ctx.principal, req.Header("content-type"), req.client_ip);
        if (!begun) co_return ErrorResponse(begun.error());
        auto upload = std::make_shared<FileService::Upload>(std::move(*begun));
        StringBodyStream in_memory(req.body);
        // (Two statements: GCC 12 miscompiles this choice as a ?: inside a coroutine.)
        BodyStream* body = &in_memory;
        if (req.body_stream != nullptr) body = req.body_stream;
        for (;;) {
          Result<std::string_view> piece = co_await body->Read();
          if (!piece) co_return ErrorResponse(piece.error());
          if (piece->empty()) break;
          if (auto st = upload->Append(*piece); !st) co_return ErrorResponse(st.error());
        }
        auto finish = [upload] { return upload->Finish(); };
        Result<UploadedFile> stored =
            co_await deps.pools.OnFilePool<UploadedFile>(std::move(finish));
        if (!stored) co_return ErrorResponse(stored.error());
        const FileRecord& f = stored->record;
        boost::json::object out{{"sha256", f.sha256},
                                {"size", f.size},
                                {"media_type", f.media_type},
                                {"deduplicated", stored->deduplicated}};
        Response res = JsonResponse(201, boost::json::serialize(out));
        res.headers.emplace_back("Location", "/api/v1/files/" + f.sha256);
        co_return res;
      },
      {.summary = "Upload one file (a dossier component or result): the raw bytes as the body, "
                  "streamed to disk. The type is sniffed from the bytes (PDF, JPEG, PNG); "
                  "truncated files and decompression bombs are refused. Returns its SHA-256, "
                  "which a dossier's component (file_sha256) or issue_result (result_sha256) "
                  "then names. The same bytes are stored once.",
       .tag = "files",
       .auth = true,
       .roles = {"citizen", "reception", "specialist", "leader"},
       .params = {{"Content-Type", "header", "string", true,
                   "application/pdf | image/jpeg | image/png | application/octet-stream"}},
       .request_schema = R"({"type":"string","format":"binary"})",
       .response_schema =
           R"({"type":"object","properties":{"sha256":{"type":"string"},"size":{"type":"integer"},)"
           R"("media_type":{"type":"string"},"deduplicated":{"type":"boolean"}}})",
       .statuses = {201, 400, 401, 403, 408, 413, 415, 429, 503},
       .stream_body = true});

  router.Add("GET", "/api/v1/files/{sha256}",
             [deps](RequestContext& ctx) -> asio::awaitable<Response> {
               if (auto st = CheckQueryParams(ctx.request, {}); !st)
                 co_return ErrorResponse(st.error());
               const std::string& sha = ctx.Param("sha256");
               auto file = deps.files.OwnFile(*ctx.principal, sha);
               if (!file) co_return ErrorResponse(file.error());
               co_return FileResponse(std::move(*file), sha.substr(0, 16));
             },
             {.summary = "One of your own uploads (to check it before filing).",
              .tag = "files",
              .auth = true,
              .access = "the user who uploaded it",
              .params = {{"sha256", "path", "string", true, "The file's SHA-256."}},
              .response_schema = R"({"type":"string","format":"binary"})",
              .response_type = "application/octet-stream",
              .statuses = {200, 400, 401, 404}});

  router.Add("GET", "/api/v1/dossiers/{code}/files/{sha256}",
             [deps](RequestContext& ctx) -> asio::awaitable<Response> {
               if (auto st = CheckQueryParams(ctx.request, {}); !st)
                 co_return ErrorResponse(st.error());
               const std::string& sha = ctx.Param("sha256");
               auto file = deps.files.DossierFile(*ctx.principal, ctx.Param("code"), sha);
               if (!file) co_return ErrorResponse(file.error());
               co_return FileResponse(std::move(*file), ctx.Param("code") + "-" + sha.substr(0, 8));
             },
             {.summary = "A file of a dossier (a component or the result), for whoever may see the "
                         "dossier.",
              .tag = "files",
              .auth = true,
              .access = "whoever may see the dossier",
              .params = {{"code", "path", "string", true, "Dossier code."},
                         {"sha256", "path", "string", true, "The file's SHA-256."}},
              .response_schema = R"({"type":"string","format":"binary"})",
              .response_type = "application/octet-stream",
              .statuses = {200, 400, 401, 404}});

  router.Add(
      "GET", "/api/v1/me/documents",
      [deps](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {"limit"}); !st) {
          co_return ErrorResponse(st.error());
        }
        auto paging = ParsePaging(ctx.request, 50, deps.limits.max_page_size);
        if (!paging) co_return ErrorResponse(paging.error());
        auto docs = deps.files.MyDocuments(*ctx.principal, paging->second);
        if (!docs) co_return ErrorResponse(docs.error());
        boost::json::array items;
        for (const ApplicantDocument& doc : *docs) {
          items.push_back({{"sha256", doc.sha256},
                           {"kind", doc.kind},
                           {"component_id", doc.component_id},
                           {"dossier_code", doc.dossier_code},
                           {"media_type", doc.media_type},
                           {"size", doc.size},
                           {"attached_at", FormatIso8601Vn(doc.attached_at)}});
        }
        boost::json::object out{{"items", std::move(items)}};
        co_return JsonResponse(200, boost::json::serialize(out));
      },
      {.summary = "Your own store of digitised documents (files of your earlier dossiers and "
                  "their results): a new dossier may reuse one (source \"reused\").",
       .tag = "files",
       .auth = true,
       .roles = {"citizen"},
       .params = {{"limit", "query", "integer", false, "At most this many (default 50)."}},
       .response_schema = R"({"type":"object","properties":{"items":{"type":"array"}}})",
       .statuses = {200, 400, 401, 403}});
}

}  // namespace motcua
