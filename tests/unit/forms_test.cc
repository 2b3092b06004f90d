// Forms 01-06 as documents: what pdftotext reads back (exact Vietnamese), what zbarimg decodes
// from the rendered QR code, page sizes (pdfinfo), the XLSX register's sheet XML, determinism,
// and when a form does not apply. Poppler and zbar are GPL tools run here as separate processes
// only (poppler-utils, zbar-tools, unzip; scripts/setup.sh installs them).
#include "domain/forms/forms.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/embedded_fonts.h"
#include "backend_fixture.h"
#include "cli/provisioning.h"
#include "render/pdf_document.h"
#include "render/unicode_text.h"

namespace motcua {
namespace {

namespace fs = std::filesystem;

Instant At(const char* iso) { return *ParseIso8601(iso); }

const char* kCode = "087.46.00.H25-260424-0007";
const char* kName = "Nguyễn Thị Hương";
const char* kProcedure =
    "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y "
    "tế cho trẻ em dưới 6 tuổi";
const char* kBase = "https://dichvucong.phutho.gov.vn";

struct Proc {
  int status = -1;
  std::string out;
};

// Runs a shell command; its stdout and exit status.
Proc Shell(const std::string& cmd) {
  Proc r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  r.status = pclose(p);
  return r;
}

// Every run of white space as one space.
std::string Squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class FormsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* tool : {"pdftotext", "pdftoppm", "pdfinfo", "zbarimg", "unzip"}) {
      ASSERT_EQ(Shell(std::string("command -v ") + tool + " >/dev/null").status, 0)
          << tool << " is missing: run scripts/setup.sh (poppler-utils, zbar-tools, unzip)";
    }
  }

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("motcua_forms_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    auto fonts = EmbeddedFormFonts();
    ASSERT_TRUE(fonts) << ErrorText(fonts.error());
    units_ = std::make_unique<UnitDirectory>(std::vector<Unit>{
        {"25", "Tỉnh Phú Thọ", "Phu Tho", "province", "", UnitCategory::kAdministrative},
        {"08746", "Phường Xuân Hòa", "", "phuong", "25", UnitCategory::kAdministrative},
        {"SNV", "Sở Nội vụ tỉnh Phú Thọ", "", "department", "25", UnitCategory::kAgency},
    });
    procedure_.id = "HT-002";
    procedure_.name = kProcedure;
    procedure_.time_limit = 5;
    procedure_.time_unit = "working_day";
    procedure_.components = {{"to_khai", "Tờ khai đăng ký khai sinh", "form", true, false},
                             {"giay_chung_sinh", "Giấy chứng sinh", "medical", true, false}};

    Dossier& d = in_.dossier;
    d.code = kCode;
    d.procedure_id = "HT-002";
    d.procedure_name = kProcedure;
    d.channel = Channel::kOnline;
    d.receiving_unit = "08746";
    d.current_unit = "SNV";
    d.path_units = {"08746", "SNV"};
    d.state = DossierState::kReturned;
    d.applicant = {"025095000123", kName, "0912345678", "huong@example.vn",
                   "Tổ 5, Phường Xuân Hòa, tỉnh Phú Thọ"};
    d.components = {{"to_khai", ComponentSource::kUploaded, "", "to_khai.pdf", 10, ""},
                    {"giay_chung_sinh", ComponentSource::kUploaded, "", "gcs.pdf", 10, ""}};
    d.submitted_at = At("2026-04-24T08:30:00+07:00");
    d.received_at = At("2026-04-24T10:00:00+07:00");
    d.due_at = At("2026-05-08T10:00:00+07:00");  // after the apology
    d.finished_at = At("2026-05-07T15:00:00+07:00");
    d.returned_at = At("2026-05-08T08:00:00+07:00");
    d.supplements = {{At("2026-04-24T10:05:00+07:00"), At("2026-04-27T09:00:00+07:00"),
                      DossierState::kReceived}};
    d.apologies = 1;
    auto ev = [&](const char* at, const char* role, const char* unit, const char* action,
                  const char* before, const char* after, const char* note) {
      AuditEntry e;
      e.seq = static_cast<int64_t>(in_.audit.size()) + 1;
      e.dossier_code = kCode;
      e.at = At(at);
      e.actor_role = role;
      e.actor_unit = unit;
      e.action = action;
      e.state_before = before;
      e.state_after = after;
      e.note = note;
      in_.audit.push_back(e);
    };
    ev("2026-04-24T08:30:00+07:00", "citizen", "", "submit", "", "submitted", "");
    ev("2026-04-24T10:00:00+07:00", "reception", "08746", "receive", "submitted", "received", "");
    ev("2026-04-24T10:05:00+07:00", "reception", "08746", "request_supplement", "received",
       "supplement_requested",
       "Bản sao Giấy chứng nhận kết hôn của cha mẹ\nXác nhận nơi cư trú của người mẹ");
    ev("2026-04-27T09:00:00+07:00", "citizen", "", "supplement", "supplement_requested", "received",
       "");
    ev("2026-04-27T14:00:00+07:00", "reception", "08746", "forward", "received", "received",
       "Chuyển Sở Nội vụ thẩm định");
    ev("2026-04-28T09:00:00+07:00", "leader", "SNV", "assign", "received", "in_process", "");
    ev("2026-05-05T16:00:00+07:00", "leader", "SNV", "apologise", "in_process", "in_process",
       "Chờ kết quả xác minh của Công an phường");
    ev("2026-05-07T11:00:00+07:00", "leader", "SNV", "approve", "in_process", "approved", "Đồng ý");
    ev("2026-05-07T15:00:00+07:00", "specialist", "SNV", "issue_result", "approved", "done", "");
    ev("2026-05-08T08:00:00+07:00", "reception", "08746", "return_result", "done", "returned",
       "Trả tại quầy");

    in_.procedure = &procedure_;
    in_.units = units_.get();
    in_.public_base_url = kBase;
    in_.now = At("2026-05-20T09:00:00+07:00");
    in_.fonts = *fonts;
    in_.deadline_of = [](const Dossier& x, Instant at) {
      DeadlineFacts f{x.received_at, x.due_at, x.finished_at, x.supplements, std::nullopt};
      return EvaluateDeadline(
          f, at, [](Instant, Instant, const auto&) { return std::chrono::microseconds(0); });
    };
  }

  void TearDown() override { fs::remove_all(dir_); }

  // Writes `bytes` to a file of the temporary directory; its path.
  std::string Save(const std::string& name, const std::string& bytes) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }

  std::string Text(const std::string& pdf) {
    Proc r = Shell("pdftotext -layout '" + pdf + "' - 2>&1");
    EXPECT_EQ(r.status, 0) << r.out;
    return r.out;
  }

  // The QR codes zbarimg finds on the pages rendered at 150 dpi (A5 forms close with it, so
  // it is on the last page; the register has it on the first).
  std::string Qr(const std::string& pdf) {
    std::string png = pdf + "-p";
    Proc render = Shell("pdftoppm -r 150 -png '" + pdf + "' '" + png + "' 2>&1");
    EXPECT_EQ(render.status, 0) << render.out;
    EXPECT_EQ(render.out, "") << "poppler complained while rendering";
    std::vector<std::string> pages;
    for (const auto& e : fs::directory_iterator(dir_)) {
      std::string name = e.path().string();
      if (name.starts_with(png + "-") && name.ends_with(".png")) pages.push_back(name);
    }
    std::sort(pages.begin(), pages.end());
    std::string found;
    for (const std::string& page : pages) {
      Proc scan = Shell("zbarimg --raw -q '" + page + "' 2>/dev/null");
      if (scan.status == 0) found += scan.out;
    }
    EXPECT_FALSE(found.empty()) << "no QR code on any of " << pages.size() << " pages";
    return found;
  }

  std::string Info(const std::string& pdf) {
    Proc r = Shell("pdfinfo '" + pdf + "' 2>&1");
    EXPECT_EQ(r.status, 0) << r.out;
    return r.out;
  }

  std::string Render(int number) {
    auto pdf = RenderForm(number, in_);
    EXPECT_TRUE(pdf) << (pdf ? "" : ErrorText(pdf.error()));
    return pdf ? *pdf : std::string();
  }

  // A register of `n` dossiers received at Xuân Hòa in April 2026 (the fixture's first).
  void FillRegister(int n) {
    auto [from, to] = VietnamMonthOf(*in_.dossier.received_at);
    in_.register_book = {"08746", from, to, {}};
    for (int i = 0; i < n; ++i) {
      Dossier x = in_.dossier;
      char code[40];
      std::snprintf(code, sizeof code, "087.46.00.H25-2604%02d-%04d", 1 + i % 28, i + 1);
      x.code = code;
      x.received_at = from + std::chrono::hours(24 * (i % 28) + 2);
      x.due_at = *x.received_at + std::chrono::hours(24 * 7);
      x.finished_at =
          i % 3 == 0 ? std::optional<Instant>() : *x.received_at + std::chrono::hours(30);
      x.returned_at.reset();
      x.supplements.clear();
      x.applicant.full_name = i == 0 ? kName : "Trần Văn Đức " + std::to_string(i);
      in_.register_book.dossiers.push_back(x);
    }
  }

  fs::path dir_;
  std::unique_ptr<UnitDirectory> units_;
  Procedure procedure_;
  FormInput in_;
};

TEST_F(FormsTest, ReceiptSlipReadsBackExactlyAndItsQrCodeDecodes) {
  std::string pdf = Save("01.pdf", Render(1));
  std::string text = Text(pdf);
  std::string flat = Squeeze(text);
  EXPECT_NE(text.find("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), std::string::npos) << text;
  EXPECT_NE(text.find("Độc lập - Tự do - Hạnh phúc"), std::string::npos) << text;
  EXPECT_NE(text.find("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string("Mã hồ sơ: ") + kCode), std::string::npos) << text;
  EXPECT_NE(text.find(std::string("Ông/Bà: ") + kName), std::string::npos) << text;
  EXPECT_NE(text.find("Phường Xuân Hòa"), std::string::npos) << text;
  EXPECT_NE(text.find("UBND PHƯỜNG XUÂN HÒA"), std::string::npos) << text;
  EXPECT_NE(flat.find(kProcedure), std::string::npos) << text;
  EXPECT_NE(text.find("Tờ khai đăng ký khai sinh"), std::string::npos) << text;
  EXPECT_NE(text.find("5 ngày làm việc"), std::string::npos) << text;
  EXPECT_NE(text.find("10 giờ 00 phút, ngày 24/04/2026"), std::string::npos) << text;
  EXPECT_NE(text.find("10 giờ 00 phút, ngày 08/05/2026"), std::string::npos) << text;
  EXPECT_NE(text.find("Phú Thọ, ngày 24 tháng 4 năm 2026"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(kBase) + "/tra-cuu/" + kCode), std::string::npos) << text;
  EXPECT_EQ(Qr(pdf), std::string(kBase) + "/tra-cuu/" + kCode + "\n");
  std::string info = Info(pdf);
  EXPECT_NE(info.find("Page size:       419.53 x 595.28 pts"), std::string::npos) << info;
  EXPECT_NE(info.find("Pages:           1\n"), std::string::npos) << info;
  EXPECT_NE(info.find("Title:           Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
            std::string::npos)
      << info;
  Proc fonts = Shell("pdffonts '" + pdf + "'");
  EXPECT_NE(fonts.out.find("+DejaVuSans-Bold"), std::string::npos) << fonts.out;
  EXPECT_NE(fonts.out.find("CID TrueType      Identity-H       yes yes yes"), std::string::npos)
      << fonts.out;
}

TEST_F(FormsTest, SupplementRequestListsEveryMissingItem) {
  std::string pdf = Save("02.pdf", Render(2));
  std::string text = Text(pdf);
  EXPECT_NE(text.find("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"), std::string::npos) << text;
  EXPECT_NE(text.find("1. Bản sao Giấy chứng nhận kết hôn của cha mẹ"), std::string::npos) << text;
  EXPECT_NE(text.find("2. Xác nhận nơi cư trú của người mẹ"), std::string::npos) << text;
  EXPECT_NE(text.find(kName), std::string::npos) << text;
  EXPECT_NE(text.find(kCode), std::string::npos) << text;
  EXPECT_NE(text.find("10 giờ 05 phút, ngày 24/04/2026"), std::string::npos) << text;
  EXPECT_EQ(Qr(pdf), std::string(kBase) + "/tra-cuu/" + kCode + "\n");
  EXPECT_NE(Info(pdf).find("419.53 x 595.28 pts"), std::string::npos);
}

TEST_F(FormsTest, RefusalCarriesTheReason) {
  Dossier& d = in_.dossier;
  d.state = DossierState::kRefused;
  d.received_at.reset();
  d.due_at.reset();
  in_.audit.resize(1);
  AuditEntry e = in_.audit[0];
  e.seq = 2;
  e.at = At("2026-04-24T11:00:00+07:00");
  e.actor_role = "reception";
  e.actor_unit = "08746";
  e.action = "refuse";
  e.state_before = "submitted";
  e.state_after = "refused";
  e.note = "Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường";
  in_.audit.push_back(e);
  std::string pdf = Save("03.pdf", Render(3));
  std::string text = Text(pdf);
  EXPECT_NE(text.find("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"), std::string::npos) << text;
  EXPECT_NE(Squeeze(text).find(e.note), std::string::npos) << text;
  EXPECT_NE(text.find(kName), std::string::npos) << text;
  EXPECT_EQ(Qr(pdf), std::string(kBase) + "/tra-cuu/" + kCode + "\n");
  // A refused dossier was never received: no receipt slip, no control sheet, no register.
  for (int n : {1, 5, 6}) {
    auto r = RenderForm(n, in_);
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().code, ErrorCode::kConflict);
    EXPECT_EQ(r.error().field, "form");
  }
}

TEST_F(FormsTest, ApologyGivesTheNewDateAndTheReason) {
  std::string pdf = Save("04.pdf", Render(4));
  std::string text = Text(pdf);
  EXPECT_NE(text.find("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"), std::string::npos) << text;
  EXPECT_NE(text.find("Chờ kết quả xác minh của Công an phường"), std::string::npos) << text;
  EXPECT_NE(text.find("10 giờ 00 phút, ngày 08/05/2026"), std::string::npos) << text;
  EXPECT_NE(text.find("SỞ NỘI VỤ TỈNH PHÚ THỌ"), std::string::npos) << text;  // who apologises
  EXPECT_NE(text.find("UBND TỈNH PHÚ THỌ"), std::string::npos) << text;       // and above it
  EXPECT_NE(text.find("Phú Thọ, ngày 05 tháng 5 năm 2026"), std::string::npos) << text;
  EXPECT_EQ(Qr(pdf), std::string(kBase) + "/tra-cuu/" + kCode + "\n");
}

TEST_F(FormsTest, ControlSheetHasOneRowPerStep) {
  std::string pdf = Save("05.pdf", Render(5));
  std::string text = Text(pdf);
  EXPECT_NE(text.find("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"), std::string::npos) << text;
  for (const char* action :
       {"Nộp hồ sơ", "Tiếp nhận", "Yêu cầu bổ sung", "Chuyển xử lý", "Giao xử lý",
        "Xin lỗi, hẹn lại", "Phê duyệt", "Có kết quả", "Trả kết quả"}) {
    EXPECT_NE(text.find(action), std::string::npos) << action << "\n" << text;
  }
  for (const char* when : {"24/04/2026", "08:30", "27/04/2026", "14:00", "08/05/2026", "08:00"}) {
    EXPECT_NE(text.find(when), std::string::npos) << when << "\n" << text;
  }
  // Rows numbered 1..10, one per audit entry (the time goes under the date in its cell).
  std::string flat = Squeeze(text);
  EXPECT_NE(flat.find(" 10 08/05/2026 "), std::string::npos) << text;
  EXPECT_EQ(flat.find(" 11 "), std::string::npos) << text;
  EXPECT_NE(text.find("Sở Nội vụ"), std::string::npos) << text;
  // Finished before the appointment day set by the apology.
  EXPECT_NE(text.find("Trước hạn"), std::string::npos) << text;
  EXPECT_EQ(Qr(pdf), std::string(kBase) + "/tra-cuu/" + kCode + "\n");
}

TEST_F(FormsTest, FormsThatDoNotApplyYetAreConflicts) {
  Dossier& d = in_.dossier;
  d.state = DossierState::kSubmitted;
  d.received_at.reset();
  d.due_at.reset();
  in_.audit.resize(1);  // only "submit"
  for (int n : {1, 2, 3, 4, 5, 6}) {
    Status st = FormApplies(n, d, in_.audit);
    ASSERT_FALSE(st) << n;
    EXPECT_EQ(st.error().code, ErrorCode::kConflict) << n;
    EXPECT_FALSE(ErrorText(st.error()).empty());
    EXPECT_NE(st.error().message_vi.find("Không có Mẫu 0" + std::to_string(n)), std::string::npos)
        << st.error().message_vi;
  }
  EXPECT_NE(FormApplies(3, d, in_.audit).error().message.find("not refused"), std::string::npos);
  EXPECT_EQ(FormApplies(7, d, in_.audit).error().code, ErrorCode::kInvalidField);
  EXPECT_EQ(FormApplies(0, d, in_.audit).error().code, ErrorCode::kInvalidField);
  auto r = RenderForm(1, in_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(FormApplies(2, d, {{.action = "request_supplement"}}));
}

TEST_F(FormsTest, RegisterIsA4LandscapeAcrossPagesWithEveryDossier) {
  FillRegister(70);
  std::string pdf = Save("06.pdf", Render(6));
  std::string text = Text(pdf);
  EXPECT_NE(text.find("SỔ THEO DÕI HỒ SƠ"), std::string::npos) << text;
  EXPECT_NE(text.find("Tháng 04/2026 (từ 01/04/2026 đến 30/04/2026)"), std::string::npos) << text;
  EXPECT_NE(text.find("Tổng số: 70 hồ sơ"), std::string::npos) << text;
  for (const Dossier& x : in_.register_book.dossiers) {
    EXPECT_NE(text.find(x.code), std::string::npos) << x.code;
    EXPECT_NE(text.find(x.applicant.full_name), std::string::npos) << x.applicant.full_name;
  }
  std::string info = Info(pdf);
  EXPECT_NE(info.find("Page size:       841.89 x 595.28 pts"), std::string::npos) << info;
  int pages = 0;
  std::sscanf(info.substr(info.find("Pages:")).c_str(), "Pages: %d", &pages);
  EXPECT_GE(pages, 3) << info;
  // The header row is repeated on every page.
  size_t headers = 0;
  for (size_t at = 0; (at = text.find("Mã hồ sơ", at)) != std::string::npos; ++at) ++headers;
  EXPECT_EQ(headers, static_cast<size_t>(pages)) << text;
  EXPECT_EQ(Qr(pdf), std::string(kBase) + "/api/v1/units/08746/register?month=2026-04\n");
}

TEST_F(FormsTest, RegisterAsXlsxHasTheCodesInItsSheet) {
  FillRegister(5);
  auto xlsx = RenderRegisterXlsx(in_, dir_);
  ASSERT_TRUE(xlsx) << ErrorText(xlsx.error());
  std::string path = Save("06.xlsx", *xlsx);
  Proc list = Shell("unzip -l '" + path + "'");
  ASSERT_EQ(list.status, 0) << list.out;
  EXPECT_NE(list.out.find("xl/workbook.xml"), std::string::npos) << list.out;
  Proc sheet = Shell("unzip -p '" + path + "' xl/worksheets/sheet1.xml");
  ASSERT_EQ(sheet.status, 0);
  for (const Dossier& x : in_.register_book.dossiers) {
    EXPECT_NE(sheet.out.find("<t>" + x.code + "</t>"), std::string::npos) << x.code;
    EXPECT_NE(sheet.out.find("<t>" + x.applicant.full_name + "</t>"), std::string::npos);
  }
  EXPECT_NE(sheet.out.find("<t>SỔ THEO DÕI HỒ SƠ (Mẫu số 06)</t>"), std::string::npos);
  EXPECT_NE(sheet.out.find("<t>Mã hồ sơ</t>"), std::string::npos);
  EXPECT_NE(sheet.out.find("<autoFilter ref=\"A5:J10\"/>"), std::string::npos) << sheet.out;
  // Only the workbook came back: the temporary file is gone.
  size_t left = 0;
  for (const auto& e : fs::directory_iterator(dir_)) left += e.path().extension() == ".xlsx";
  EXPECT_EQ(left, 1u);  // the one Save wrote
  auto again = RenderRegisterXlsx(in_, dir_);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *xlsx);
  // A temporary directory that does not exist is an error, not a crash.
  EXPECT_FALSE(RenderRegisterXlsx(in_, dir_ / "missing"));
}

TEST_F(FormsTest, RenderingIsDeterministic) {
  for (int n : {1, 2, 4, 5}) EXPECT_EQ(Render(n), Render(n)) << n;
  FillRegister(3);
  EXPECT_EQ(Render(6), Render(6));
}

TEST_F(FormsTest, DecomposedInputComesBackPrecomposed) {
  // "Nguyễn Thị Hương" typed with combining marks (NFD), in either mark order for ễ.
  in_.dossier.applicant.full_name = "Nguye\xCC\x82\xCC\x83n Thi\xCC\xA3 Hu\xCC\x9Bo\xCC\x9Bng";
  std::string text = Text(Save("nfd.pdf", Render(1)));
  EXPECT_NE(text.find(std::string("Ông/Bà: ") + kName), std::string::npos) << text;
  EXPECT_EQ(render::UpperCase("Phường Xuân Hòa, đặc khu"), "PHƯỜNG XUÂN HÒA, ĐẶC KHU");
  std::string composed;
  render::AppendUtf8(render::ComposedCodePoints("e\xCC\x82\xCC\xA3 e\xCC\xA3\xCC\x82"), composed);
  EXPECT_EQ(composed, "ệ ệ");
}

TEST_F(FormsTest, EmbeddedSubsetRendersGlyphs) {
  // One line of text and nothing else: if the subset lost the outlines, the page is blank.
  render::PdfDocument doc(in_.fonts);
  doc.AddPage(render::kA5Portrait);
  doc.Text(20, 60, "Giỗ Tổ Hùng Vương, Đắk Lắk", {24, true});
  auto bytes = doc.Finish({});
  ASSERT_TRUE(bytes);
  std::string pdf = Save("glyphs.pdf", *bytes);
  EXPECT_NE(Text(pdf).find("Giỗ Tổ Hùng Vương, Đắk Lắk"), std::string::npos);
  Proc r = Shell("pdftoppm -r 36 -gray '" + pdf + "' '" + pdf + "' 2>&1");
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "");
  std::ifstream in(pdf + "-1.pgm", std::ios::binary);
  std::string magic;
  int w = 0, h = 0, max = 0;
  in >> magic >> w >> h >> max;
  in.get();
  std::string pixels((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(magic, "P5");
  ASSERT_EQ(pixels.size(), static_cast<size_t>(w) * h);
  size_t dark = 0;
  for (char p : pixels) dark += static_cast<unsigned char>(p) < 128;
  EXPECT_GT(dark, 200u) << "the text did not render";
}

TEST_F(FormsTest, MissingFontsOrUnitsAreRefused) {
  FormInput bad = in_;
  bad.fonts = {};
  EXPECT_EQ(RenderForm(1, bad).error().code, ErrorCode::kInvalidField);
  bad = in_;
  bad.units = nullptr;
  EXPECT_EQ(RenderForm(1, bad).error().code, ErrorCode::kInvalidField);
}

// The register's store query (DossierQuery::receiving_unit and received_from/received_before),
// on both backends: by the unit that received a dossier, wherever it is now, and by the time of
// receipt in [from, before).
using FormsRegisterQueryTest = testing::BackendTest;

TEST_P(FormsRegisterQueryTest, ListsTheUnitsDossiersReceivedInThePeriod) {
  ASSERT_TRUE(InitDatabase(*store_, "25", At("2026-01-01T00:00:00Z")));
  auto make = [&](const char* unit, const char* current, std::optional<Instant> received) {
    NewDossier nd;
    Dossier& d = nd.dossier;
    d.procedure_id = "HT-001";
    d.procedure_name = "Thủ tục đăng ký khai sinh";
    d.channel = Channel::kCounter;
    d.receiving_unit = unit;
    d.current_unit = current;
    d.path_units = {unit};
    if (std::string(current) != unit) d.path_units.push_back(current);
    d.state = received ? DossierState::kReceived : DossierState::kSubmitted;
    d.applicant.id_number = "025095000123";
    d.applicant.full_name = kName;
    d.submitted_at = At("2026-03-30T09:00:00+07:00");
    d.received_at = received;
    nd.code_prefix = std::string(unit) == "08746" ? "087.46.00.H25" : "079.00.00.H25";
    nd.write.event.at = d.submitted_at;
    nd.write.event.action = "receive";
    nd.write.event.state_after = StateName(d.state);
    auto c = store_->dossiers().CreateDossier(nd);
    EXPECT_TRUE(c) << (c ? "" : ErrorText(c.error()));
    return c ? c->dossier.code : std::string();
  };
  auto [from, to] = *VietnamMonth(2026, 4);
  std::string first = make("08746", "08746", from);  // 1/4 00:00 VN
  std::string forwarded = make("08746", "SNV", At("2026-04-15T10:00:00+07:00"));
  std::string last = make("08746", "08746", to - std::chrono::microseconds(1));
  make("08746", "08746", from - std::chrono::microseconds(1));  // 31/3 23:59:59
  make("08746", "08746", to);                                   // 1/5 00:00
  make("08746", "08746", std::nullopt);                         // not received
  make("07900", "07900", At("2026-04-15T10:00:00+07:00"));      // another unit
  DossierQuery q;
  q.receiving_unit = "08746";
  q.received_from = from;
  q.received_before = to;
  q.limit = 100;
  auto rows = store_->queries().ListDossiers(q);
  ASSERT_TRUE(rows) << ErrorText(rows.error());
  std::set<std::string> codes;
  for (const Dossier& d : *rows) codes.insert(d.code);
  EXPECT_EQ(codes, (std::set<std::string>{first, forwarded, last}));
  // The month boundaries are Vietnam's: 1/4 00:00 +07:00 is 31/3 17:00 UTC.
  EXPECT_EQ(from, At("2026-03-31T17:00:00Z"));
  EXPECT_EQ(to, At("2026-04-30T17:00:00Z"));
  EXPECT_FALSE(VietnamMonth(2026, 13));
  EXPECT_FALSE(VietnamMonth(1999, 12));
}

MOTCUA_ON_BOTH_BACKENDS(FormsRegisterQueryTest);

}  // namespace
}  // namespace motcua
