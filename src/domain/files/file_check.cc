#include "domain/files/file_check.h"

#include <zlib.h>

#include <array>
#include <cstring>
#include <string>

namespace motcua {
namespace {

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

Error Truncated(std::string_view what_en, std::string_view what_vi) {
  return Error{ErrorCode::kInvalidField, std::string(what_en), std::string(what_vi), "file"};
}

// The bytes of a file under check and the work spent on them. Every read of the input is counted
// (a byte read twice counts twice), and a check gives up once it has read more than its budget.
class Input {
 public:
  Input(std::string_view bytes, uint64_t budget) : b_(bytes), budget_(budget) {}
  std::string_view bytes() const { return b_; }
  uint64_t examined() const { return examined_; }
  // Counts `n` bytes read.
  void Read(uint64_t n) { examined_ += n; }
  bool over_budget() const { return examined_ > budget_; }
  // Where `needle` first starts in [from, to), or npos.
  size_t Find(std::string_view needle, size_t from, size_t to = std::string_view::npos) {
    to = std::min(to, b_.size());
    if (from >= to) return std::string_view::npos;
    std::string_view hay = b_.substr(from, to - from);
    size_t at = hay.find(needle);
    examined_ += at == std::string_view::npos ? hay.size() : at + needle.size();
    return at == std::string_view::npos ? at : from + at;
  }
  // Where `needle` last starts in [from, to) (ending before `to`), or npos.
  size_t FindLast(std::string_view needle, size_t from, size_t to) {
    if (from >= to) return std::string_view::npos;
    std::string_view hay = b_.substr(from, to - from);
    size_t at = hay.rfind(needle);
    examined_ += at == std::string_view::npos ? hay.size() : hay.size() - at;
    return at == std::string_view::npos ? at : from + at;
  }

 private:
  std::string_view b_;
  uint64_t budget_;
  uint64_t examined_ = 0;
};

// Fixed costs that do not grow with the file: sniffing the first KiB, looking for the PDF trailer
// in the last 2 KiB and the JPEG end marker in the last 4 KiB, the page counter's overlaps.
constexpr uint64_t kBudgetSlack = 64 * 1024;

Status TooComplex() {
  return Fail(ErrorCode::kPayloadTooLarge,
              "The file is too complex to check (its structure would take too much work).",
              "Tệp quá phức tạp để kiểm tra (cấu trúc của tệp đòi hỏi quá nhiều xử lý).", "file");
}

uint32_t Be32(std::string_view b, size_t at) {
  return (uint32_t{static_cast<uint8_t>(b[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(b[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(b[at + 3])};
}

uint32_t Be16(std::string_view b, size_t at) {
  return (uint32_t{static_cast<uint8_t>(b[at])} << 8) | uint32_t{static_cast<uint8_t>(b[at + 1])};
}

Status CheckPixels(uint64_t w, uint64_t h, const FileContentLimits& limits) {
  if (w == 0 || h == 0) {
    return tl::unexpected(Truncated("The image has no size.", "Ảnh không có kích thước."));
  }
  if (w * h > limits.max_image_pixels) {
    return Fail(ErrorCode::kPayloadTooLarge,
                "The image is " + std::to_string(w) + "×" + std::to_string(h) +
                    " pixels; at most " + std::to_string(limits.max_image_pixels) +
                    " are accepted.",
                "Ảnh có " + std::to_string(w) + "×" + std::to_string(h) + " điểm ảnh; tối đa " +
                    std::to_string(limits.max_image_pixels) + ".",
                "file");
  }
  return {};
}

Status CheckPng(Input& in, const FileContentLimits& limits) {
  std::string_view b = in.bytes();
  size_t at = kPngSignature.size();
  bool first = true;
  for (;;) {
    if (b.size() - at < 12) {
      return tl::unexpected(Truncated("The PNG image is truncated (no IEND chunk).",
                                      "Ảnh PNG bị cắt cụt (thiếu khối IEND)."));
    }
    uint32_t length = Be32(b, at);
    std::string_view type = b.substr(at + 4, 4);
    in.Read(8);
    if (length > 0x7fffffffu || b.size() - at - 12 < length) {
      return tl::unexpected(Truncated("The PNG image is truncated.", "Ảnh PNG bị cắt cụt."));
    }
    uLong crc = crc32(0, reinterpret_cast<const Bytef*>(b.data() + at + 4), length + 4);
    in.Read(length + 4);
    if (crc != Be32(b, at + 8 + length)) {
      return tl::unexpected(Truncated("The PNG image is corrupt (bad checksum).",
                                      "Ảnh PNG bị hỏng (sai mã kiểm tra)."));
    }
    if (first) {
      if (type != "IHDR" || length != 13) {
        return tl::unexpected(
            Truncated("The PNG image has no header.", "Ảnh PNG không có phần đầu."));
      }
      if (auto st = CheckPixels(Be32(b, at + 8), Be32(b, at + 12), limits); !st) return st;
      first = false;
    }
    if (type == "IEND") return {};
    if (in.over_budget()) return TooComplex();
    at += 12 + length;
  }
}

Status CheckJpeg(Input& in, const FileContentLimits& limits) {
  std::string_view b = in.bytes();
  size_t at = 2;
  bool have_frame = false;
  while (at + 4 <= b.size()) {
    if (in.over_budget()) return TooComplex();
    in.Read(2);
    if (static_cast<uint8_t>(b[at]) != 0xFF) {
      return tl::unexpected(Truncated("The JPEG image is corrupt.", "Ảnh JPEG bị hỏng."));
    }
    uint8_t marker = static_cast<uint8_t>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += 2;
      continue;
    }
    if (marker == 0xD9) break;
    size_t length = Be16(b, at + 2);
    in.Read(2);
    if (length < 2 || b.size() - at - 2 < length) break;
    bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (length < 7) break;
      in.Read(5);
      if (auto st = CheckPixels(Be16(b, at + 7), Be16(b, at + 5), limits); !st) return st;
      have_frame = true;
    }
    if (marker == 0xDA) {
      if (!have_frame) break;
      // Entropy-coded data follows; the image must end with EOI after it.
      size_t rest = at + 2 + length;
      size_t tail_from = std::max(rest, b.size() > 4096 ? b.size() - 4096 : 0);
      if (in.Find("\xFF\xD9", tail_from) == std::string_view::npos) break;
      return {};
    }
    at += 2 + length;
  }
  return tl::unexpected(
      Truncated("The JPEG image is truncated or corrupt.", "Ảnh JPEG bị cắt cụt hoặc bị hỏng."));
}

// Counts "/Type /Page" (not "/Pages") in text that arrives in pieces. A match may straddle two
// pieces, so the last kKeep bytes wait for the next piece (or Finish) before being scanned.
class PageCounter {
 public:
  explicit PageCounter(uint64_t* examined = nullptr) : examined_(examined) {}
  void Feed(std::string_view data) {
    buffer_.append(data);
    if (buffer_.size() <= kKeep) return;
    size_t scan_to = buffer_.size() - kKeep;
    Count(scan_to);
    buffer_.erase(0, scan_to);
  }
  uint64_t Finish() {
    Count(buffer_.size());
    buffer_.clear();
    return pages_;
  }

 private:
  static constexpr size_t kKeep = 48;  // "/Type" + up to 32 blanks + "/Pages"

  // Counts matches that start before `scan_to`.
  void Count(size_t scan_to) {
    std::string_view text(buffer_);
    if (examined_ != nullptr) *examined_ += text.size();
    for (size_t pos = text.find("/Type"); pos != std::string_view::npos && pos < scan_to;
         pos = text.find("/Type", pos + 5)) {
      size_t p = pos + 5;
      while (p < text.size() && p < pos + 37 &&
             (text[p] == ' ' || text[p] == '\r' || text[p] == '\n' || text[p] == '\t')) {
        ++p;
      }
      if (text.substr(p, 5) == "/Page" && (p + 5 >= text.size() || text[p + 5] != 's')) {
        ++pages_;
      }
    }
  }

  std::string buffer_;
  uint64_t pages_ = 0;
  uint64_t* examined_;  // counts the input bytes scanned, when it is the input
};

// Scans forward once for "stream" keywords. A stream's dictionary is looked for only between the
// end of the previous stream and its keyword (from the last " obj" there), so no byte is scanned
// for more than one stream: the work is a few passes over the file however it is built (before,
// every keyword re-scanned back to the file's start, which made the check quadratic).
Status CheckPdf(Input& in, size_t header_at, const FileContentLimits& limits) {
  std::string_view b = in.bytes();
  size_t tail_from = b.size() > 2048 ? b.size() - 2048 : 0;
  if (in.Find("%%EOF", tail_from) == std::string_view::npos) {
    return tl::unexpected(Truncated("The PDF file is truncated (no %%EOF trailer).",
                                    "Tệp PDF bị cắt cụt (thiếu phần kết %%EOF)."));
  }
  uint64_t inflated = 0;
  uint64_t pages = 0;
  std::array<unsigned char, 64 * 1024> out{};
  auto bomb = [&]() -> Status {
    return Fail(ErrorCode::kPayloadTooLarge,
                "The PDF file decompresses to too much data (a decompression bomb?).",
                "Tệp PDF giải nén ra quá nhiều dữ liệu (nghi tệp 'bom giải nén').", "file");
  };
  uint64_t max_inflated =
      std::min<uint64_t>(limits.max_pdf_inflated_bytes, limits.max_pdf_inflate_ratio * b.size());
  size_t pos = header_at;
  size_t region = header_at;  // where the bytes after the previous stream begin
  for (;;) {
    if (in.over_budget()) return TooComplex();
    size_t s = in.Find("stream", pos);
    if (s == std::string_view::npos) break;
    pos = s + 6;
    in.Read(std::min<size_t>(s, 3) + 2);
    if (s >= 3 && b.substr(s - 3, 3) == "end") continue;  // "endstream"
    size_t data = s + 6;
    if (data < b.size() && b[data] == '\r') ++data;
    if (data >= b.size() || b[data] != '\n') continue;
    ++data;
    size_t obj = in.FindLast(" obj", region, s);
    size_t dict_from = obj == std::string_view::npos ? region : obj;
    size_t end = in.Find("endstream", data);
    if (end == std::string_view::npos) end = b.size();
    region = pos = end;
    if (in.Find("/FlateDecode", dict_from, s) == std::string_view::npos &&
        in.Find("/Fl ", dict_from, s) == std::string_view::npos) {
      continue;
    }
    bool object_stream = in.Find("/ObjStm", dict_from, s) != std::string_view::npos;
    z_stream z{};
    if (inflateInit(&z) != Z_OK) return Fail(ErrorCode::kInternal);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(b.data() + data));
    z.avail_in = static_cast<uInt>(std::min<size_t>(end - data, 0x7fffffff));
    PageCounter counter;
    int rc = Z_OK;
    while (rc == Z_OK) {
      z.next_out = out.data();
      z.avail_out = out.size();
      rc = inflate(&z, Z_NO_FLUSH);
      size_t produced = out.size() - z.avail_out;
      inflated += produced;
      if (object_stream) {
        counter.Feed(std::string_view(reinterpret_cast<const char*>(out.data()), produced));
      }
      if (inflated > max_inflated) {
        inflateEnd(&z);
        return bomb();
      }
      if (produced == 0 && rc == Z_BUF_ERROR) break;
    }
    in.Read(std::min<size_t>(end - data, 0x7fffffff) - z.avail_in);
    inflateEnd(&z);
    // A damaged stream is the reader's problem, not a reason to refuse the document: readers
    // show what they can. Only its size matters here.
    pages += counter.Finish();
  }
  uint64_t raw_examined = 0;
  PageCounter raw(&raw_examined);
  for (size_t at = 0; at < b.size(); at += out.size()) raw.Feed(b.substr(at, out.size()));
  pages += raw.Finish();
  in.Read(raw_examined);
  if (pages > limits.max_pdf_pages) {
    return Fail(ErrorCode::kPayloadTooLarge,
                "The PDF file has " + std::to_string(pages) + " pages; at most " +
                    std::to_string(limits.max_pdf_pages) + " are accepted.",
                "Tệp PDF có " + std::to_string(pages) + " trang; tối đa " +
                    std::to_string(limits.max_pdf_pages) + " trang.",
                "file");
  }
  return {};
}

}  // namespace

std::string_view MediaTypeName(MediaType t) {
  switch (t) {
    case MediaType::kPdf:
      return "application/pdf";
    case MediaType::kJpeg:
      return "image/jpeg";
    case MediaType::kPng:
      return "image/png";
  }
  return "application/octet-stream";
}

std::optional<MediaType> ParseMediaType(std::string_view name) {
  for (MediaType t : {MediaType::kPdf, MediaType::kJpeg, MediaType::kPng}) {
    if (MediaTypeName(t) == name) return t;
  }
  return std::nullopt;
}

std::optional<MediaType> SniffMediaType(std::string_view head) {
  if (head.starts_with(kPngSignature)) return MediaType::kPng;
  if (head.size() >= 3 && head.starts_with("\xFF\xD8\xFF")) return MediaType::kJpeg;
  if (head.substr(0, 1024).find("%PDF-") != std::string_view::npos) return MediaType::kPdf;
  return std::nullopt;
}

namespace {

// The whole check of CheckFileContent, counting its work in `in`.
Result<MediaType> Check(Input& in, const FileContentLimits& limits) {
  std::string_view bytes = in.bytes();
  if (bytes.empty()) {
    return Fail(ErrorCode::kInvalidField, "The file is empty.", "Tệp rỗng.", "file");
  }
  auto type = SniffMediaType(bytes);
  in.Read(std::min<size_t>(bytes.size(), 1024));  // at most the first KiB
  if (!type) {
    return Fail(ErrorCode::kUnsupportedMedia, "Only PDF, JPEG and PNG files are accepted.",
                "Chỉ chấp nhận tệp PDF, JPEG và PNG.", "file");
  }
  Status st;
  switch (*type) {
    case MediaType::kPng:
      st = CheckPng(in, limits);
      break;
    case MediaType::kJpeg:
      st = CheckJpeg(in, limits);
      break;
    case MediaType::kPdf:
      st = CheckPdf(in, in.Find("%PDF-", 0, 1024), limits);
      break;
  }
  MOTCUA_RETURN_IF_ERROR(st);
  return *type;
}

}  // namespace

Result<MediaType> CheckFileContent(std::string_view bytes, const FileContentLimits& limits,
                                   FileCheckStats* stats) {
  Input in(bytes, limits.max_check_passes * bytes.size() + kBudgetSlack);
  Result<MediaType> checked = Check(in, limits);
  if (stats != nullptr) stats->bytes_examined += in.examined();
  return checked;
}

}  // namespace motcua
