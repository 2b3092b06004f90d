// Files: uploads (streamed into the content-addressed blob store), downloads of a dossier's files
// and of one's own uploads, and a citizen's own store of documents that later dossiers may reuse.
#include <boost/json.hpp>

#include "api/app.h"
#include "common/log.h"

namespace motcua {

namespace asio = boost::asio;

namespace {

Response FileResponse(std::string bytes, const std::string& media_type, const std::string& name) {
  Response r;
  r.status = 200;
  r.body = std::move(bytes);
  r.content_type = media_type;
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  r.headers.emplace_back("Cache-Control", "private, max-age=3600");
  return r;
}

std::string Extension(const std::string& media_type) {
  if (media_type == "application/pdf") return ".pdf";
  if (media_type == "image/jpeg") return ".jpg";
  if (media_type == "image/png") return ".png";
  return "";
}

Error NoFile() {
  return Error{ErrorCode::kNotFound, "No such file.", "Không có tệp này.", "sha256"};
}

// Reads a stored blob for a download; a recorded file whose blob is missing is an internal error
// (logged), never a silent empty answer.
Result<std::string> ReadBlob(App& app, const FileRecord& f) {
  auto bytes = app.blobs().Read(f.sha256, static_cast<size_t>(f.size) + 1);
  if (!bytes) {
    LogError("file " + f.sha256 + " is recorded but unreadable: " + bytes.error().message);
    return Fail(ErrorCode::kInternal);
  }
  return bytes;
}

}  // namespace

void RegisterFileRoutes(App& app, Router& router) {
  router.Add(
      "POST", "/api/v1/files",
      [&app](RequestContext& ctx) -> asio::awaitable<Response> {
        const Request& req = ctx.request;
        if (ctx.principal->role == Role::kAuditor || ctx.principal->role == Role::kAdmin) {
          co_return ErrorResponse(Error{ErrorCode::kForbidden, "Your role does not upload files.",
                                        "Vai trò của bạn không tải tệp lên.", ""});
        }
        std::string_view declared = req.Header("content-type");
        if (size_t semi = declared.find(';'); semi != std::string_view::npos) {
          declared = declared.substr(0, semi);
        }
        std::optional<MediaType> declared_type = ParseMediaType(declared);
        if (!declared_type && declared != "application/octet-stream") {
          co_return ErrorResponse(
              Error{ErrorCode::kUnsupportedMedia,
                    "Send the file's bytes as application/pdf, image/jpeg or image/png.",
                    "Gửi nội dung tệp với kiểu application/pdf, image/jpeg hoặc image/png.",
                    "Content-Type"});
        }
        const Limits& limits = app.config().limits;
        StringBodyStream in_memory(req.body);
        // (Two statements: GCC 12 miscompiles this choice as a ?: inside a coroutine.)
        BodyStream* body = &in_memory;
        if (req.body_stream != nullptr) body = req.body_stream;
        auto writer = app.blobs().Begin(limits.max_upload_bytes);
        if (!writer) co_return ErrorResponse(writer.error());
        std::string head;
        for (;;) {
          Result<std::string_view> piece = co_await body->Read();
          if (!piece) co_return ErrorResponse(piece.error());
          if (piece->empty()) break;
          if (head.size() < 1024) head.append(piece->substr(0, 1024 - head.size()));
          if (auto st = writer->Append(*piece); !st) co_return ErrorResponse(st.error());
        }
        auto sniffed = SniffMediaType(head);
        if (declared_type && sniffed && *sniffed != *declared_type) {
          co_return ErrorResponse(
              Error{ErrorCode::kUnsupportedMedia,
                    "The file was sent as " + std::string(MediaTypeName(*declared_type)) +
                        " but its bytes are " + std::string(MediaTypeName(*sniffed)) + ".",
                    "Tệp được gửi với kiểu " + std::string(MediaTypeName(*declared_type)) +
                        " nhưng nội dung là " + std::string(MediaTypeName(*sniffed)) + ".",
                    "Content-Type"});
        }
        auto commit = [w = std::make_shared<storage::BlobStore::Writer>(std::move(*writer)),
                       fl = app.file_limits()]() { return w->Commit(fl); };
        Result<storage::StoredBlob> blob =
            co_await app.OnFilePool<storage::StoredBlob>(std::move(commit));
        if (!blob) co_return ErrorResponse(blob.error());
        FileRecord record{blob->sha256, static_cast<int64_t>(blob->size),
                          std::string(MediaTypeName(blob->media_type)), app.clock().Now()};
        auto start = [&app, record, user = ctx.principal->user_id](auto done) mutable {
          app.store().RecordFileAsync(std::move(record), user,
                                      [done = std::move(done)](Status st) mutable {
                                        if (!st) {
                                          done(Result<bool>(tl::unexpected(st.error())));
                                        } else {
                                          done(Result<bool>(true));
                                        }
                                      });
        };
        Result<bool> recorded = co_await app.AwaitStore<bool>(std::move(start));
        if (!recorded) co_return ErrorResponse(recorded.error());
        boost::json::object out{{"sha256", blob->sha256},
                                {"size", static_cast<int64_t>(blob->size)},
                                {"media_type", MediaTypeName(blob->media_type)},
                                {"deduplicated", blob->deduplicated}};
        Response res = JsonResponse(201, boost::json::serialize(out));
        res.headers.emplace_back("Location", "/api/v1/files/" + blob->sha256);
        co_return res;
      },
      {.summary = "Upload one file (a dossier component or result): the raw bytes as the body, "
                  "streamed to disk. The type is sniffed from the bytes (PDF, JPEG, PNG); "
                  "truncated files and decompression bombs are refused. Returns its SHA-256, "
                  "which a dossier's component (file_sha256) or issue_result (result_sha256) "
                  "then names. The same bytes are stored once.",
       .tag = "files",
       .auth = true,
       .roles = "citizen, reception, specialist, leader",
       .params = {{"Content-Type", "header", "string", true,
                   "application/pdf | image/jpeg | image/png | application/octet-stream"}},
       .request_schema = R"({"type":"string","format":"binary"})",
       .response_schema =
           R"({"type":"object","properties":{"sha256":{"type":"string"},"size":{"type":"integer"},)"
           R"("media_type":{"type":"string"},"deduplicated":{"type":"boolean"}}})",
       .statuses = {201, 400, 401, 403, 408, 413, 415, 503},
       .stream_body = true});

  router.Add("GET", "/api/v1/files/{sha256}",
             [&app](RequestContext& ctx) -> asio::awaitable<Response> {
               if (auto st = CheckQueryParams(ctx.request, {}); !st)
                 co_return ErrorResponse(st.error());
               const std::string& sha = ctx.Param("sha256");
               if (!storage::IsSha256Hex(sha)) co_return ErrorResponse(NoFile());
               auto file = app.store().FindFile(sha, ctx.principal->user_id);
               if (!file) co_return ErrorResponse(file.error());
               if (!*file) co_return ErrorResponse(NoFile());
               auto bytes = ReadBlob(app, **file);
               if (!bytes) co_return ErrorResponse(bytes.error());
               co_return FileResponse(std::move(*bytes), (*file)->media_type,
                                      sha.substr(0, 16) + Extension((*file)->media_type));
             },
             {.summary = "One of your own uploads (to check it before filing).",
              .tag = "files",
              .auth = true,
              .params = {{"sha256", "path", "string", true, "The file's SHA-256."}},
              .response_schema = R"({"type":"string","format":"binary"})",
              .response_type = "application/octet-stream",
              .statuses = {200, 400, 401, 404}});

  router.Add("GET", "/api/v1/dossiers/{code}/files/{sha256}",
             [&app](RequestContext& ctx) -> asio::awaitable<Response> {
               if (auto st = CheckQueryParams(ctx.request, {}); !st)
                 co_return ErrorResponse(st.error());
               auto d = app.dossiers().Get(*ctx.principal, ctx.Param("code"));
               if (!d) co_return ErrorResponse(d.error());
               const std::string& sha = ctx.Param("sha256");
               if (!storage::IsSha256Hex(sha)) co_return ErrorResponse(NoFile());
               auto named = app.store().DossierHasFile(d->code, sha);
               if (!named) co_return ErrorResponse(named.error());
               if (!*named) co_return ErrorResponse(NoFile());
               auto file = app.store().FindFile(sha, 0);
               if (!file) co_return ErrorResponse(file.error());
               if (!*file) co_return ErrorResponse(NoFile());
               auto bytes = ReadBlob(app, **file);
               if (!bytes) co_return ErrorResponse(bytes.error());
               co_return FileResponse(
                   std::move(*bytes), (*file)->media_type,
                   d->code + "-" + sha.substr(0, 8) + Extension((*file)->media_type));
             },
             {.summary = "A file of a dossier (a component or the result), for whoever may see the "
                         "dossier.",
              .tag = "files",
              .auth = true,
              .params = {{"code", "path", "string", true, "Dossier code."},
                         {"sha256", "path", "string", true, "The file's SHA-256."}},
              .response_schema = R"({"type":"string","format":"binary"})",
              .response_type = "application/octet-stream",
              .statuses = {200, 400, 401, 404}});

  router.Add(
      "GET", "/api/v1/me/documents",
      [&app](RequestContext& ctx) -> asio::awaitable<Response> {
        if (auto st = CheckQueryParams(ctx.request, {"limit"}); !st) {
          co_return ErrorResponse(st.error());
        }
        if (ctx.principal->role != Role::kCitizen) {
          co_return ErrorResponse(Error{ErrorCode::kForbidden,
                                        "Only citizens have a store of documents.",
                                        "Chỉ công dân có kho dữ liệu giấy tờ.", ""});
        }
        auto paging = ParsePaging(ctx.request, 50, app.config().limits.max_page_size);
        if (!paging) co_return ErrorResponse(paging.error());
        auto docs = app.store().ListApplicantDocuments(ctx.principal->username, paging->second);
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
       .roles = "citizen",
       .params = {{"limit", "query", "integer", false, "At most this many (default 50)."}},
       .response_schema = R"({"type":"object","properties":{"items":{"type":"array"}}})",
       .statuses = {200, 400, 401, 403}});
}

}  // namespace motcua
