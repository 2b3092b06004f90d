// What an uploaded file is and whether it is acceptable: the type is sniffed from the bytes
// (never taken from the client's Content-Type or file name), and the structure is checked far
// enough to refuse truncated files and decompression bombs before anything is stored. Pure: it
// reads a byte range and returns a value. Every function here is fuzzed (fuzz/fuzz_file.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/error.h"

namespace motcua {

// The document types a dossier component or result may be.
enum class MediaType { kPdf, kJpeg, kPng };
// "application/pdf" | "image/jpeg" | "image/png".
std::string_view MediaTypeName(MediaType t);
// The inverse of MediaTypeName (exact match), nullopt otherwise.
std::optional<MediaType> ParseMediaType(std::string_view name);

// The type announced by the first bytes of a file (the PDF header may follow up to 1 KiB of
// junk, as readers allow), or nullopt if it is none of ours. Needs at most the first 1 KiB.
std::optional<MediaType> SniffMediaType(std::string_view head);

// Limits on the content of one file (sizes are checked while streaming; see Limits).
struct FileContentLimits {
  uint64_t max_image_pixels = 50'000'000;          // width × height of a JPEG or PNG
  uint64_t max_pdf_inflated_bytes = 256ull << 20;  // Flate streams of one PDF, decompressed
  uint64_t max_pdf_inflate_ratio = 200;            // decompressed / compressed, per file
  uint64_t max_pdf_pages = 2'000;                  // /Type /Page objects seen
  uint64_t max_check_passes = 16;  // work budget: bytes read, in multiples of the file's size
};

// What a check did, for tests and benchmarks: every byte of the input it read, counted each time
// it is read (a byte scanned twice counts twice).
struct FileCheckStats {
  uint64_t bytes_examined = 0;
};

// Checks a whole file: its sniffed type, that it is complete (PNG: chunk walk with CRCs to IEND;
// JPEG: marker walk to the scan, frame size, end-of-image marker; PDF: header, %%EOF trailer,
// every Flate stream inflates within the limits) and not a bomb. Returns the type, or
// kUnsupportedMedia (not a PDF/JPEG/PNG), kInvalidField with field "file" (empty, truncated,
// corrupt) or kPayloadTooLarge (too many pixels, pages or decompressed bytes, or more work than
// its budget). Bilingual messages say which. Reads `bytes` only; never allocates more than one
// 64 KiB buffer. Linear in the file's size: it reads at most max_check_passes times the file's
// bytes plus 64 KiB (in practice about 5), else it gives up. When `stats` is given, adds
// what the check examined to it.
Result<MediaType> CheckFileContent(std::string_view bytes, const FileContentLimits& limits,
                                   FileCheckStats* stats = nullptr);

}  // namespace motcua
