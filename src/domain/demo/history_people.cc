// The demo history's people and papers: applicants with Vietnamese names and ID numbers, and
// sample PDFs made with the forms' PDF writer.
#include "domain/demo/history_people.h"

#include <array>
#include <cstdio>

#include "common/random.h"

namespace motcua::history {
namespace {

using Rng = SplitMix64;
uint64_t Mix(uint64_t a, uint64_t b) { return SplitMix64::Mix(a, b); }

constexpr std::array<const char*, 14> kFamily = {"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê",
                                                 "Phạm",   "Hoàng",  "Phan",   "Vũ",   "Đặng",
                                                 "Bùi",    "Đỗ",     "Ngô",    "Dương"};
constexpr std::array<const char*, 8> kMiddleMale = {"Văn",   "Hữu",  "Đức",   "Minh",
                                                    "Quang", "Xuân", "Thanh", "Công"};
constexpr std::array<const char*, 8> kMiddleFemale = {"Thị",  "Thị",   "Ngọc", "Thu",
                                                      "Hồng", "Thanh", "Minh", "Phương"};
constexpr std::array<const char*, 16> kGivenMale = {"An",   "Bình",  "Cường", "Dũng", "Hải", "Hiếu",
                                                    "Hùng", "Khánh", "Long",  "Minh", "Nam", "Phúc",
                                                    "Quân", "Sơn",   "Tuấn",  "Việt"};
constexpr std::array<const char*, 16> kGivenFemale = {
    "Anh",  "Chi", "Giang", "Hà",     "Hạnh", "Hoa",  "Hương", "Lan",
    "Linh", "Mai", "Nga",   "Phương", "Tâm",  "Thảo", "Trang", "Yến"};
constexpr std::array<const char*, 14> kFamilyAscii = {"nguyen", "nguyen", "nguyen", "tran", "le",
                                                      "pham",   "hoang",  "phan",   "vu",   "dang",
                                                      "bui",    "do",     "ngo",    "duong"};

// The 12-digit ID number of applicant `k` of unit number `unit_index`: province of birth 025,
// a gender/century digit, the birth year and six digits; unique per (unit, k) (an affine
// bijection of unit_index * 500000 + k modulo 10^8) and never the demo citizen's.
std::string ApplicantId(size_t unit_index, int64_t k, bool female, std::string_view avoid) {
  uint64_t x = (static_cast<uint64_t>(unit_index) * 500000 + static_cast<uint64_t>(k)) % 100000000;
  uint64_t y = (x * 48271 + 12345) % 100000000;
  int yy = static_cast<int>(y / 1000000);
  bool c21 = yy <= 7;
  int digit = (c21 ? 2 : 0) + (female ? 1 : 0);
  char buf[16];
  std::snprintf(buf, sizeof buf, "025%d%08llu", digit, static_cast<unsigned long long>(y));
  std::string id(buf);
  if (id == avoid) id[3] = static_cast<char>('0' + (digit ^ 1));
  return id;
}

}  // namespace

Applicant MakeApplicant(size_t unit_index, int64_t k, const HistoryRates& rates,
                        std::string_view avoid) {
  Rng r(Mix(0xa991ca17ULL + unit_index, static_cast<uint64_t>(k)));
  bool female = r.Chance(0.5);
  size_t f = r.Next() % kFamily.size();
  Applicant a;
  a.id_number = ApplicantId(unit_index, k, female, avoid);
  std::string given = female ? kGivenFemale[r.Next() % kGivenFemale.size()]
                             : kGivenMale[r.Next() % kGivenMale.size()];
  a.full_name = std::string(kFamily[f]) + " " +
                (female ? kMiddleFemale[r.Next() % kMiddleFemale.size()]
                        : kMiddleMale[r.Next() % kMiddleMale.size()]) +
                " " + given;
  if (r.Chance(rates.phone)) {
    char phone[16];
    static constexpr std::array<const char*, 6> kPrefixes = {"091", "098", "097",
                                                             "086", "088", "094"};
    std::snprintf(phone, sizeof phone, "%s%07llu", kPrefixes[r.Next() % kPrefixes.size()],
                  static_cast<unsigned long long>(r.Next() % 10000000));
    a.phone = phone;
  }
  if (r.Chance(rates.email)) {
    a.email = std::string(kFamilyAscii[f]) + "." + a.id_number.substr(8) + "@example.vn";
  }
  return a;
}

// A one-page A5 PDF with `title` and `text`, made by the forms' PDF writer.
Result<std::string> SamplePdf(const render::FontPair& fonts, const std::string& title,
                              const std::string& text) {
  render::PdfDocument doc(fonts);
  doc.AddPage(render::kA5Portrait);
  double width = render::kA5Portrait.width - 80;
  double top = 60;
  top += doc.Paragraph(40, top, width, title, {14, true, render::Align::kCenter});
  doc.Paragraph(40, top + 20, width, text, {10, false, render::Align::kLeft});
  return doc.Finish({title, "motcua demo", "motcua", ""});
}

}  // namespace motcua::history
