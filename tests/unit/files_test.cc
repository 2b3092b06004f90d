// File content checks (type sniffing, truncation, bombs) and the content-addressed blob store,
// including a file system that fails the Nth call: whatever fails, no temporary file is left and
// a stored blob is always whole.
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <set>
#include <vector>

#include "common/crypto.h"
#include "common/file_system.h"
#include "common/random.h"
#include "domain/files/file_check.h"
#include "http/error_table.h"
#include "storage/blob_store.h"

namespace motcua {
namespace {

std::string Be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>(v >> (24 - 8 * i));
  return s;
}

std::string PngChunk(const std::string& type, const std::string& data) {
  std::string td = type + data;
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(td.data()), td.size());
  return Be32(static_cast<uint32_t>(data.size())) + td + Be32(static_cast<uint32_t>(crc));
}

std::string Deflate(const std::string& raw) {
  uLongf n = compressBound(raw.size());
  std::string out(n, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(raw.data()),
           raw.size());
  out.resize(n);
  return out;
}

std::string Png(uint32_t w, uint32_t h, bool with_pixels = true) {
  std::string ihdr = Be32(w) + Be32(h) + std::string("\x08\x02\x00\x00\x00", 5);
  std::string raw;
  if (with_pixels) {
    for (uint32_t y = 0; y < h; ++y) raw += std::string(1, '\0') + std::string(w * 3, '\x7f');
  }
  return std::string("\x89PNG\r\n\x1a\n", 8) + PngChunk("IHDR", ihdr) +
         PngChunk("IDAT", Deflate(raw)) + PngChunk("IEND", "");
}

std::string Jpeg(uint16_t w, uint16_t h) {
  auto be16 = [](uint16_t v) {
    return std::string{static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  return std::string("\xFF\xD8\xFF\xE0", 4) + be16(16) +
         std::string("JFIF\0\1\1\0\0\1\0\1\0\0", 14) + std::string("\xFF\xC0", 2) + be16(11) +
         std::string(1, 8) + be16(h) + be16(w) + std::string("\x01\x01\x11\x00", 4) +
         std::string("\xFF\xDA", 2) + be16(8) + std::string("\x01\x01\x00\x00\x3f\x00", 6) +
         "\x12\x34\x56" + std::string("\xFF\xD9", 2);
}

std::string Pdf(const std::string& stream_raw, int pages = 1) {
  std::string z = Deflate(stream_raw);
  std::string kids;
  std::string page_objs;
  for (int i = 0; i < pages; ++i) {
    kids += std::to_string(10 + i) + " 0 R ";
    page_objs += std::to_string(10 + i) + " 0 obj << /Type /Page /Parent 2 0 R >> endobj\n";
  }
  return "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
         "2 0 obj << /Type /Pages /Kids [" +
         kids + "] /Count " + std::to_string(pages) + " >> endobj\n" + page_objs +
         "4 0 obj << /Length " + std::to_string(z.size()) + " /Filter /FlateDecode >>\nstream\n" +
         z + "\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
}

TEST(FileCheck, AcceptsRealisticFilesAndNamesTheirType) {
  FileContentLimits limits;
  EXPECT_EQ(CheckFileContent(Png(4, 3), limits).value(), MediaType::kPng);
  EXPECT_EQ(CheckFileContent(Jpeg(640, 480), limits).value(), MediaType::kJpeg);
  EXPECT_EQ(CheckFileContent(Pdf("BT /F1 12 Tf (Xin chao) Tj ET"), limits).value(),
            MediaType::kPdf);
  EXPECT_EQ(MediaTypeName(MediaType::kPdf), "application/pdf");
  EXPECT_EQ(ParseMediaType("image/png"), MediaType::kPng);
  EXPECT_FALSE(ParseMediaType("image/gif"));
}

TEST(FileCheck, RefusesEmptyUnknownAndTruncatedFiles) {
  FileContentLimits limits;
  auto code = [&](const std::string& bytes) {
    auto r = CheckFileContent(bytes, limits);
    return r ? std::string("ok") : std::string(CodeName(r.error().code)) + ":" + r.error().field;
  };
  EXPECT_EQ(code(""), "invalid_field:file");
  EXPECT_EQ(code("GIF89a......"), "unsupported_media_type:file");
  EXPECT_EQ(code("just some text"), "unsupported_media_type:file");
  std::string png = Png(8, 8);
  EXPECT_EQ(code(png.substr(0, png.size() - 12)), "invalid_field:file");  // no IEND
  std::string corrupt = png;
  corrupt[40] ^= 0x55;  // inside IDAT: the CRC no longer matches
  EXPECT_EQ(code(corrupt), "invalid_field:file");
  std::string jpg = Jpeg(100, 100);
  EXPECT_EQ(code(jpg.substr(0, jpg.size() - 2)), "invalid_field:file");  // no EOI
  std::string pdf = Pdf("BT ET");
  EXPECT_EQ(code(pdf.substr(0, pdf.size() / 2)), "invalid_field:file");  // no %%EOF
}

TEST(FileCheck, RefusesImageAndPdfBombs) {
  FileContentLimits limits;
  limits.max_pdf_inflated_bytes = 1 << 20;
  limits.max_pdf_pages = 50;
  auto code = [&](const std::string& bytes) {
    auto r = CheckFileContent(bytes, limits);
    return r ? std::string("ok") : std::string(CodeName(r.error().code));
  };
  // 100,000 × 100,000 pixels announced by a tiny PNG or JPEG header.
  EXPECT_EQ(code(Png(100000, 100000, false)), "payload_too_large");
  EXPECT_EQ(code(Jpeg(65000, 65000)), "payload_too_large");
  EXPECT_EQ(code(Jpeg(4000, 3000)), "ok");
  // A Flate stream of 4 MiB of zeros is ~4 KiB compressed.
  EXPECT_EQ(code(Pdf(std::string(4 << 20, '\0'))), "payload_too_large");
  EXPECT_EQ(code(Pdf(std::string(512 << 10, ' '))), "payload_too_large");  // ratio > 200
  EXPECT_EQ(code(Pdf("BT ET", 51)), "payload_too_large");
  EXPECT_EQ(code(Pdf("BT ET", 50)), "ok");
}

// "%PDF-1.4", `n` copies of `unit`, "%%EOF": a file made of many small pieces.
std::string PdfOf(std::string_view unit, int n) {
  std::string out = "%PDF-1.4\n";
  for (int i = 0; i < n; ++i) out += unit;
  return out + "%%EOF\n";
}

// A PNG with `n` extra ancillary chunks between IHDR and IDAT.
std::string PngWithChunks(int n) {
  std::string png = Png(4, 4);
  std::string extra;
  for (int i = 0; i < n; ++i) extra += PngChunk("tEXt", "k\0v");
  return png.insert(8 + 25, extra);  // after the signature and IHDR (12 + 13 bytes)
}

// A JPEG with `n` extra APP1 segments before the frame.
std::string JpegWithSegments(int n) {
  std::string jpg = Jpeg(64, 48);
  std::string extra;
  for (int i = 0; i < n; ++i)
    extra += std::string(
        "\xFF\xE1\x00\x06"
        "abcd",
        8);
  return jpg.insert(2, extra);
}

// The checks of untrusted bytes are linear: eight times the input costs at most eight times the
// bytes examined (plus a constant), and never more than a few passes over the input. Before
// the fix, every `stream` keyword of a PDF re-scanned the file back to its start.
TEST(FileCheck, ExaminesBytesLinearlyInTheInput) {
  FileContentLimits limits;
  struct Case {
    const char* name;
    std::function<std::string(int)> make;  // the file for a scale of 1 or 8
  };
  std::vector<Case> cases = {
      {"empty streams", [](int k) { return PdfOf("stream\nendstream\n", 500 * k); }},
      {"Flate streams, no objects",
       [](int k) { return PdfOf("<< /Filter /FlateDecode >>\nstream\nxx\nendstream\n", 300 * k); }},
      {"objects with empty streams",
       [](int k) {
         return PdfOf("1 0 obj << /Length 0 >>\nstream\n\nendstream endobj\n", 300 * k);
       }},
      {"stream keywords only", [](int k) { return PdfOf("stream stream ", 1000 * k); }},
      {"a stream never ended",
       [](int k) { return "%PDF-1.4\nstream\n" + std::string(9000 * k, 'e') + "\n%%EOF\n"; }},
      {"page objects", [](int k) { return Pdf("BT ET", 40 * k); }},
      {"PNG chunks", [](int k) { return PngWithChunks(700 * k); }},
      {"JPEG segments", [](int k) { return JpegWithSegments(1000 * k); }},
  };
  for (const Case& c : cases) {
    std::string one = c.make(1);
    std::string eight = c.make(8);
    FileCheckStats s1;
    FileCheckStats s8;
    (void)CheckFileContent(one, limits, &s1);
    (void)CheckFileContent(eight, limits, &s8);
    EXPECT_GT(s1.bytes_examined, 0u) << c.name;
    EXPECT_LE(s8.bytes_examined, 8 * s1.bytes_examined + 4096)
        << c.name << ": " << s1.bytes_examined << " bytes examined for " << one.size() << ", "
        << s8.bytes_examined << " for " << eight.size();
    EXPECT_LE(s8.bytes_examined, 8 * eight.size() + 4096) << c.name;
  }
}

// The work budget is enforced: a check that would read more than max_check_passes times the
// file (plus 64 KiB) gives up with 413.
TEST(FileCheck, WorkBeyondTheBudgetIsRefused) {
  std::string pdf = PdfOf("<< /Filter /FlateDecode >>\nstream\nxx\nendstream\n", 20'000);
  FileContentLimits limits;
  FileCheckStats stats;
  ASSERT_TRUE(CheckFileContent(pdf, limits, &stats));
  EXPECT_LE(stats.bytes_examined, limits.max_check_passes * pdf.size());
  limits.max_check_passes = 1;
  auto refused = CheckFileContent(pdf, limits);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(refused.error().field, "file");
  EXPECT_NE(ErrorText(refused.error()).find("too complex"), std::string::npos);
}

// Fails the Nth call of any mutating operation, counting from 1 (0 = never).
class FaultyFileSystem final : public FileSystem {
 public:
  explicit FaultyFileSystem(FileSystem& real) : real_(real) {}
  void FailAt(int n) {
    fail_at_ = n;
    calls_ = 0;
  }
  int calls() const { return calls_; }

  Result<int> CreateExclusive(const std::string& p) override {
    if (Hit()) return Fail(ErrorCode::kUnavailable, "injected create failure");
    return real_.CreateExclusive(p);
  }
  Status WriteAll(int fd, std::string_view d) override {
    if (Hit()) {
      // A partial write, as a full disk would leave it.
      (void)real_.WriteAll(fd, d.substr(0, d.size() / 2));
      return Fail(ErrorCode::kUnavailable, "injected write failure");
    }
    return real_.WriteAll(fd, d);
  }
  Status Sync(int fd) override {
    if (Hit()) return Fail(ErrorCode::kUnavailable, "injected sync failure");
    return real_.Sync(fd);
  }
  void Close(int fd) override { real_.Close(fd); }
  Result<MappedFile> Map(int fd, size_t size) override { return real_.Map(fd, size); }
  Status Rename(const std::string& a, const std::string& b) override {
    if (Hit()) return Fail(ErrorCode::kUnavailable, "injected rename failure");
    return real_.Rename(a, b);
  }
  Status SyncDir(const std::string& d) override {
    if (Hit()) return Fail(ErrorCode::kUnavailable, "injected dir sync failure");
    return real_.SyncDir(d);
  }
  Status Remove(const std::string& p) override { return real_.Remove(p); }
  Status MakeDirs(const std::string& d) override {
    if (Hit()) return Fail(ErrorCode::kUnavailable, "injected mkdir failure");
    return real_.MakeDirs(d);
  }
  bool Exists(const std::string& p) override { return real_.Exists(p); }
  Status Touch(const std::string& p) override { return real_.Touch(p); }
  Result<std::string> ReadFile(const std::string& p, size_t max) override {
    return real_.ReadFile(p, max);
  }
  Status Walk(const std::string& d,
              const std::function<bool(const std::string&, std::chrono::seconds)>& fn) override {
    return real_.Walk(d, fn);
  }

 private:
  bool Hit() { return fail_at_ != 0 && ++calls_ == fail_at_; }
  FileSystem& real_;
  int fail_at_ = 0;
  int calls_ = 0;
};

// Counts the writes and maps, passing every call on.
class CountingFileSystem final : public FileSystem {
 public:
  explicit CountingFileSystem(FileSystem& real) : real_(real) {}
  int writes() const { return writes_; }
  int maps() const { return maps_; }

  Result<int> CreateExclusive(const std::string& p) override { return real_.CreateExclusive(p); }
  Status WriteAll(int fd, std::string_view d) override {
    ++writes_;
    return real_.WriteAll(fd, d);
  }
  Status Sync(int fd) override { return real_.Sync(fd); }
  void Close(int fd) override { real_.Close(fd); }
  Result<MappedFile> Map(int fd, size_t size) override {
    ++maps_;
    return real_.Map(fd, size);
  }
  Status Rename(const std::string& a, const std::string& b) override { return real_.Rename(a, b); }
  Status SyncDir(const std::string& d) override { return real_.SyncDir(d); }
  Status Remove(const std::string& p) override { return real_.Remove(p); }
  Status MakeDirs(const std::string& d) override { return real_.MakeDirs(d); }
  bool Exists(const std::string& p) override { return real_.Exists(p); }
  Status Touch(const std::string& p) override { return real_.Touch(p); }
  Result<std::string> ReadFile(const std::string& p, size_t max) override {
    return real_.ReadFile(p, max);
  }
  Status Walk(const std::string& d,
              const std::function<bool(const std::string&, std::chrono::seconds)>& fn) override {
    return real_.Walk(d, fn);
  }

 private:
  FileSystem& real_;
  std::atomic<int> writes_{0};
  std::atomic<int> maps_{0};
};

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    static std::atomic<int> n{0};
    root_ = (std::filesystem::temp_directory_path() /
             ("motcua_blobs_" + std::to_string(getpid()) + "_" + std::to_string(n++)))
                .string();
    store_ = std::make_unique<storage::BlobStore>(root_, faulty_, *random_);
    ASSERT_TRUE(store_->Open());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  size_t Count(const std::string& sub) {
    size_t n = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(root_ + "/" + sub)) {
      n += e.is_regular_file();
    }
    return n;
  }

  std::unique_ptr<FileSystem> real_ = MakePosixFileSystem();
  FaultyFileSystem faulty_{*real_};
  std::unique_ptr<Random> random_ = MakeSeededRandom(7);
  std::string root_;
  std::unique_ptr<storage::BlobStore> store_;
};

TEST_F(BlobStoreTest, StoresByContentAndDeduplicates) {
  std::string pdf = Pdf("BT (Giay khai sinh) Tj ET");
  auto a = store_->Put(pdf, {});
  ASSERT_TRUE(a) << ErrorText(a.error());
  EXPECT_EQ(a->sha256, Sha256Hex(pdf));
  EXPECT_EQ(a->size, pdf.size());
  EXPECT_FALSE(a->deduplicated);
  auto b = store_->Put(pdf, {});
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->deduplicated);
  EXPECT_EQ(store_->Read(a->sha256, 1 << 20).value(), pdf);
  EXPECT_EQ(Count("blobs"), 1u);
  EXPECT_EQ(Count("tmp"), 0u);
  EXPECT_EQ(store_->PathOf(a->sha256), root_ + "/blobs/" + a->sha256.substr(0, 2) + "/" +
                                           a->sha256.substr(2, 2) + "/" + a->sha256);
}

// Bytes already stored passed the content check when they were first stored: an upload of the
// same bytes is not checked again (not even mapped), whatever the limits are now.
TEST_F(BlobStoreTest, IdenticalBytesAreNotCheckedAgain) {
  CountingFileSystem counting(*real_);
  storage::BlobStore store(root_, counting, *random_);
  std::string pdf = Pdf("BT (Giay khai sinh) Tj ET", 3);
  auto first = store.Put(pdf, {});
  ASSERT_TRUE(first) << ErrorText(first.error());
  EXPECT_FALSE(first->deduplicated);
  EXPECT_EQ(counting.maps(), 1);
  FileContentLimits strict;
  strict.max_pdf_pages = 1;  // a check now would refuse these bytes
  auto again = store.Put(pdf, strict);
  ASSERT_TRUE(again) << ErrorText(again.error());
  EXPECT_TRUE(again->deduplicated);
  EXPECT_EQ(again->sha256, first->sha256);
  EXPECT_EQ(again->media_type, MediaType::kPdf);
  EXPECT_EQ(again->size, pdf.size());
  EXPECT_EQ(counting.maps(), 1);  // no second check
  // Other bytes are checked as ever.
  auto other = store.Put(Pdf("BT (Giay chung sinh) Tj ET", 3), strict);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(counting.maps(), 2);
  EXPECT_EQ(Count("tmp"), 0u);
  EXPECT_EQ(Count("blobs"), 1u);
}

// An upload that arrives in tiny pieces (HTTP chunks of one byte) is written to disk in large
// writes, not one per piece, and stored byte for byte.
TEST_F(BlobStoreTest, TinyAppendsAreCoalescedIntoFewWrites) {
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 150'000; ++i) {
    x = x * 1103515245 + 12345;
    noise.push_back(static_cast<char>(x >> 24));
  }
  std::string pdf = Pdf(noise);  // incompressible: the file is about as large
  ASSERT_GT(pdf.size(), 150'000u);
  CountingFileSystem counting(*real_);
  storage::BlobStore store(root_, counting, *random_);
  auto w = store.Begin(1 << 20);
  ASSERT_TRUE(w);
  for (char c : pdf) ASSERT_TRUE(w->Append(std::string_view(&c, 1)));
  EXPECT_EQ(w->size(), pdf.size());
  auto blob = w->Commit({});
  ASSERT_TRUE(blob) << ErrorText(blob.error());
  int most = static_cast<int>(pdf.size() / (64 * 1024)) + 1;
  EXPECT_LE(counting.writes(), most) << pdf.size() << " bytes in 1-byte appends";
  EXPECT_EQ(store.Read(blob->sha256, 1 << 20).value(), pdf);

  // Pieces of every size, small and larger than the buffer, mixed: the same bytes come out.
  std::string mixed = Pdf(noise.substr(0, 100'000) + "mixed");
  auto w2 = store.Begin(1 << 20);
  ASSERT_TRUE(w2);
  size_t at = 0;
  for (size_t step = 1; at < mixed.size(); step = step * 7 % 150'001 + 1) {
    size_t n = std::min(step, mixed.size() - at);
    ASSERT_TRUE(w2->Append(std::string_view(mixed).substr(at, n)));
    at += n;
  }
  auto blob2 = w2->Commit({});
  ASSERT_TRUE(blob2) << ErrorText(blob2.error());
  EXPECT_EQ(blob2->sha256, Sha256Hex(mixed));
  EXPECT_EQ(store.Read(blob2->sha256, 1 << 20).value(), mixed);
  EXPECT_EQ(Count("tmp"), 0u);
}

TEST_F(BlobStoreTest, StreamedUploadOverTheLimitLeavesNothing) {
  auto w = store_->Begin(1000);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Append(std::string(600, 'a')));
  auto over = w->Append(std::string(600, 'b'));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(Count("tmp"), 0u);
  EXPECT_EQ(Count("blobs"), 0u);
}

TEST_F(BlobStoreTest, RefusedContentLeavesNothing) {
  auto r = store_->Put("not a document", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedMedia);
  std::string png = Png(8, 8);
  auto truncated = store_->Put(png.substr(0, png.size() - 5), {});
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kInvalidField);
  EXPECT_EQ(Count("tmp"), 0u);
  EXPECT_EQ(Count("blobs"), 0u);
}

TEST_F(BlobStoreTest, AnyFailingCallLeavesNoTemporaryFileAndNoPartialBlob) {
  std::string png = Png(64, 64);
  faulty_.FailAt(0);
  // Count the calls of one clean upload, then fail each of them in turn.
  {
    FaultyFileSystem counter(*real_);
    counter.FailAt(1 << 30);
    storage::BlobStore probe(root_ + "-probe", counter, *random_);
    ASSERT_TRUE(probe.Open());
    counter.FailAt(1 << 30);
    ASSERT_TRUE(probe.Put(png, {}));
    ASSERT_GT(counter.calls(), 3);
    for (int n = 1; n <= counter.calls(); ++n) {
      std::filesystem::remove_all(root_);
      ASSERT_TRUE(store_->Open());
      faulty_.FailAt(n);
      auto r = store_->Put(png, {});
      faulty_.FailAt(0);
      EXPECT_EQ(Count("tmp"), 0u) << "call " << n;
      if (Count("blobs") != 0) {
        // Only a blob that is whole may exist (the failure came after the rename).
        EXPECT_EQ(store_->Read(Sha256Hex(png), 1 << 20).value(), png) << "call " << n;
      } else {
        EXPECT_FALSE(r) << "call " << n;
      }
    }
    std::filesystem::remove_all(root_ + "-probe");
  }
}

TEST_F(BlobStoreTest, SweepRemovesLeftoversAndUnrecordedBlobsButKeepsRecordedOnes) {
  auto kept = store_->Put(Png(2, 2), {});
  auto orphan = store_->Put(Png(3, 3), {});
  ASSERT_TRUE(kept && orphan);
  auto w = store_->Begin(1 << 20);  // an interrupted upload: its temp file stays until swept
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->Append("%PDF-1.4 half"));
  std::filesystem::copy_file(
      root_ + "/tmp/" +
          std::filesystem::directory_iterator(root_ + "/tmp")->path().filename().string(),
      root_ + "/tmp/crashed.part");
  auto young = store_->Sweep({kept->sha256}, std::chrono::seconds(3600));
  ASSERT_TRUE(young);
  EXPECT_EQ(young->blobs_removed, 0u);  // within the grace period
  auto report = store_->Sweep({kept->sha256}, std::chrono::seconds(0));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->blobs_removed, 1u);
  EXPECT_GE(report->temp_removed, 1u);
  EXPECT_TRUE(store_->Has(kept->sha256));
  EXPECT_FALSE(store_->Has(orphan->sha256));
  auto problems = store_->Verify({kept->sha256}, 1 << 20);
  ASSERT_TRUE(problems);
  EXPECT_TRUE(problems->empty());
  auto missing = store_->Verify({kept->sha256, orphan->sha256}, 1 << 20);
  ASSERT_TRUE(missing);
  ASSERT_EQ(missing->size(), 1u);
  EXPECT_NE(missing->front().find("missing"), std::string::npos);
}

}  // namespace
}  // namespace motcua
