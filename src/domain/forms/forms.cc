#include "domain/forms/forms.h"
#include "common/vn_time.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "render/unicode_text.h"
#include "render/xlsx_writer.h"

namespace motcua {
namespace {

using render::Align;
using render::PdfDocument;
using render::TextStyle;

struct Civil {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
};

Civil VnCivil(Instant t) {
  auto local = std::chrono::floor<std::chrono::seconds>(t + kVietnamUtcOffset);
  auto day = std::chrono::floor<std::chrono::days>(local);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(local - day);
  return {int(ymd.year()),          int(unsigned(ymd.month())), int(unsigned(ymd.day())),
          int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count())};
}

std::string Format(const char* fmt, int a, int b, int c) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, a, b, c);
  return buf;
}

// 24/04/2026
std::string DateVn(Instant t) {
  Civil c = VnCivil(t);
  return Format("%02d/%02d/%04d", c.day, c.month, c.year);
}
// 24/04/2026 10:00
std::string DateTimeVn(Instant t) {
  Civil c = VnCivil(t);
  return DateVn(t) + Format(" %02d:%02d", c.hour, c.minute, 0);
}
// 10 giờ 00 phút, ngày 24/04/2026
std::string LongDateTimeVn(Instant t) {
  Civil c = VnCivil(t);
  return Format("%02d giờ %02d phút, ngày ", c.hour, c.minute, 0) + DateVn(t);
}
// "ngày 24 tháng 4 năm 2026": days below 10 and months below 3 take a leading zero (Decree
// 30/2020 on administrative documents).
std::string WrittenDateVn(Instant t) {
  Civil c = VnCivil(t);
  return Format(c.month < 3 ? "ngày %02d tháng %02d năm %d" : "ngày %02d tháng %d năm %d", c.day,
                c.month, c.year);
}

int64_t UnixSeconds(Instant t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

std::string_view ChannelVi(Channel c) {
  switch (c) {
    case Channel::kCounter:
      return "Trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả";
    case Channel::kOnline:
      return "Trực tuyến";
    case Channel::kPostal:
      return "Qua dịch vụ bưu chính công ích";
  }
  return "";
}

std::string TimeLimitVi(const Procedure* p) {
  if (p == nullptr) return "theo quy định của thủ tục";
  if (p->time_limit == 0) return "trong ngày";
  std::string n = std::to_string(p->time_limit);
  if (p->time_unit == "working_day") return n + " ngày làm việc";
  if (p->time_unit == "calendar_day") return n + " ngày";
  if (p->time_unit == "hour") return n + " giờ làm việc";
  if (p->time_unit == "month") return n + " tháng";
  return n + " " + p->time_unit;
}

std::string_view DeadlineVi(DeadlineStatus s) {
  switch (s) {
    case DeadlineStatus::kEarly:
      return "Trước hạn";
    case DeadlineStatus::kOnTime:
      return "Đúng hạn";
    case DeadlineStatus::kInTime:
      return "Trong hạn";
    case DeadlineStatus::kOverdue:
      return "Quá hạn";
    case DeadlineStatus::kLate:
      return "Trễ hạn";
  }
  return "";
}

std::string RoleVi(std::string_view r) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kNames{{
      {"citizen", "Người nộp hồ sơ"},
      {"applicant", "Người nộp hồ sơ"},
      {"reception", "Cán bộ tiếp nhận"},
      {"specialist", "Chuyên viên xử lý"},
      {"leader", "Lãnh đạo"},
      {"admin", "Quản trị hệ thống"},
      {"auditor", "Thanh tra, kiểm tra"},
      {"system", "Hệ thống"},
  }};
  for (const auto& [k, v] : kNames) {
    if (k == r) return std::string(v);
  }
  return std::string(r);
}

std::string StateVi(std::string_view s) {
  auto st = ParseState(s);
  return st ? std::string(StateNameVi(*st)) : std::string(s);
}

const Unit* FindUnit(const FormInput& in, std::string_view code) {
  return in.units == nullptr ? nullptr : in.units->Find(code);
}

std::string UnitName(const FormInput& in, std::string_view code) {
  const Unit* u = FindUnit(in, code);
  return u != nullptr ? u->name : std::string(code);
}

// The body that issues the form: a commune's or the province's People's Committee, or the
// agency itself.
std::string IssuingBody(const FormInput& in, std::string_view code) {
  const Unit* u = FindUnit(in, code);
  if (u == nullptr) return std::string(code);
  if (u->category == UnitCategory::kAdministrative) return "Ủy ban nhân dân " + u->name;
  return u->name;
}

// The heading's left lines. With the reception department (forms 01-03, 05, 06): the body
// (People's Committees abbreviated "UBND", as forms print them) over "BỘ PHẬN TIẾP NHẬN VÀ TRẢ
// KẾT QUẢ" in bold; without (form 04, signed by the head of the body): "ỦY BAN NHÂN DÂN" over
// the commune, or the superior body over the agency.
std::vector<std::pair<std::string, bool>> HeadingLines(const FormInput& in, std::string_view code,
                                                       bool department) {
  const Unit* u = FindUnit(in, code);
  std::string name = u != nullptr ? u->name : std::string(code);
  bool committee = u != nullptr && u->category == UnitCategory::kAdministrative;
  if (department) {
    return {{render::UpperCase(committee ? "UBND " + name : name), false},
            {"BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", true}};
  }
  if (committee) return {{"ỦY BAN NHÂN DÂN", false}, {render::UpperCase(name), true}};
  const Unit* parent =
      u != nullptr && in.units != nullptr ? in.units->Find(u->parent_code) : nullptr;
  if (parent == nullptr) return {{render::UpperCase(name), true}};
  std::string above =
      parent->category == UnitCategory::kAdministrative ? "UBND " + parent->name : parent->name;
  return {{render::UpperCase(above), false}, {render::UpperCase(name), true}};
}

// The place in the date line: the province's name without "Tỉnh " / "Thành phố ".
std::string PlaceName(const FormInput& in, std::string_view code) {
  std::string province =
      in.units == nullptr ? std::string() : std::string(in.units->ProvinceOf(code));
  std::string name = province.empty() ? UnitName(in, code) : UnitName(in, province);
  for (std::string_view prefix : {"Tỉnh ", "Thành phố "}) {
    if (name.starts_with(prefix)) return name.substr(prefix.size());
  }
  return name;
}

const AuditEntry* LastEvent(const std::vector<AuditEntry>& audit, std::string_view action) {
  for (auto it = audit.rbegin(); it != audit.rend(); ++it) {
    if (it->action == action) return &*it;
  }
  return nullptr;
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? text.npos : nl - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!line.empty()) out.emplace_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

// Lays a form out top to bottom over as many pages as it takes.
class Sheet {
 public:
  Sheet(PdfDocument& doc, render::PageSize size, double margin_x, double margin_y)
      : doc_(doc), size_(size), mx_(margin_x), my_(margin_y) {
    doc_.AddPage(size_);
    y_ = my_;
  }
  double left() const { return mx_; }
  double width() const { return size_.width - 2 * mx_; }
  double y() const { return y_; }
  void Gap(double h) { y_ += h; }
  PdfDocument& doc() { return doc_; }

  // Starts a new page unless `h` more points fit on this one.
  bool Ensure(double h) {
    if (y_ + h <= size_.height - my_) return false;
    doc_.AddPage(size_);
    y_ = my_;
    return true;
  }

  // Wrapped text in [left + indent, right], breaking pages between lines.
  void Lines(std::string_view text, const TextStyle& style, double indent = 0) {
    double lh = PdfDocument::LineHeight(style);
    for (const std::string& line : doc_.Wrap(text, width() - indent, style.size, style.bold)) {
      Ensure(lh);
      doc_.Paragraph(mx_ + indent, y_, width() - indent, line, style);
      y_ += lh;
    }
  }

  // "Label: value": the label in bold, the value after it, wrapped under itself.
  void LabelValue(std::string_view label, std::string_view value, double size, double indent = 0) {
    TextStyle bold{size, true};
    TextStyle regular{size, false};
    double lw = doc_.TextWidth(label, size, true) + size * 0.3;
    double avail = width() - indent - lw;
    if (avail < width() * 0.35) {  // a long label: the value goes below it
      Lines(label, bold, indent);
      Lines(value, regular, indent + size);
      return;
    }
    double lh = PdfDocument::LineHeight(regular);
    auto lines = doc_.Wrap(value, avail, size, false);
    for (size_t i = 0; i < lines.size(); ++i) {
      Ensure(lh);
      if (i == 0) doc_.Paragraph(mx_ + indent, y_, lw, label, bold);
      doc_.Paragraph(mx_ + indent + lw, y_, avail, lines[i], regular);
      y_ += lh;
    }
  }

  // The two heading blocks: the issuing body's lines on the left (text, bold), the national
  // motto and the place and date on the right; `form_label` ("Mẫu số 01") above on the right.
  // Each line is set on one line, smaller if need be (down to 80%), wrapped only beyond that.
  void Heading(const std::vector<std::pair<std::string, bool>>& left, const std::string& place_date,
               const std::string& form_label) {
    double size = size_.width > 600 ? 9.5 : 8;
    TextStyle label{size - 1, false, Align::kRight};
    doc_.Paragraph(mx_, y_ - size * 0.6, width(), form_label, label);
    y_ += size * 0.8;
    double lw = width() * 0.42;
    double rw = width() - lw;
    double top = y_;
    auto fit = [&](const std::string& text, double col, bool bold, double base) {
      double one = doc_.TextWidth(text, 1, bold);
      return one <= 0 ? base : std::clamp((col - 4) / one, base * 0.8, base);
    };
    double ly = top;
    double rule = 0;
    for (const auto& [text, bold] : left) {
      double sz = fit(text, lw, bold, size);
      ly += doc_.Paragraph(mx_, ly, lw, text, {sz, bold, Align::kCenter, 1.25});
      rule = std::min(lw * 0.5, doc_.TextWidth(text, sz, bold));
    }
    doc_.Line(mx_ + (lw - rule) / 2, ly + 3, mx_ + (lw + rule) / 2, ly + 3, 0.6);
    ly += 6;
    std::string motto1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    std::string motto2 = "Độc lập - Tự do - Hạnh phúc";
    double m1 = std::min(size, (rw - 4) / doc_.TextWidth(motto1, 1, true));
    double m2 = std::min(size + 0.5, (rw - 4) / doc_.TextWidth(motto2, 1, true));
    double ry = top;
    ry += doc_.Paragraph(mx_ + lw, ry, rw, motto1, {m1, true, Align::kCenter, 1.25});
    ry += doc_.Paragraph(mx_ + lw, ry, rw, motto2, {m2, true, Align::kCenter, 1.25});
    double rule2 = doc_.TextWidth(motto2, m2, true);
    doc_.Line(mx_ + lw + (rw - rule2) / 2, ry + 3, mx_ + lw + (rw + rule2) / 2, ry + 3, 0.6);
    ry += 8;
    ry += doc_.Paragraph(mx_ + lw, ry, rw, place_date, {size, false, Align::kCenter, 1.25});
    y_ = std::max(ly, ry) + size;
  }

  // The form's title, centred, in bold, and the dossier code under it.
  void Title(std::string_view title, std::string_view code_line) {
    double size = size_.width > 600 ? 13 : 10.5;
    Lines(title, {size, true, Align::kCenter, 1.25});
    if (!code_line.empty()) Lines(code_line, {size - 2, true, Align::kCenter, 1.3});
    y_ += size * 0.6;
  }

  // A table with a header row repeated on every page.
  void Table(const std::vector<double>& widths, const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows, double size) {
    TextStyle head{size, true, Align::kCenter, 1.2};
    TextStyle cell{size, false, Align::kLeft, 1.2};
    double hh = doc_.RowHeight(widths, header, head, 2.5);
    Ensure(hh + doc_.RowHeight(widths, rows.empty() ? header : rows.front(), cell, 2.5));
    y_ += doc_.Row(mx_, y_, widths, header, head, 2.5);
    for (const auto& r : rows) {
      double h = doc_.RowHeight(widths, r, cell, 2.5);
      if (Ensure(h)) y_ += doc_.Row(mx_, y_, widths, header, head, 2.5);
      y_ += doc_.Row(mx_, y_, widths, r, cell, 2.5);
    }
  }

  // The closing block: the QR code on the left with a caption, and the signature columns
  // (title, "(Ký và ghi rõ họ tên)", room to sign, then a printed name if known).
  void Closing(const render::QrMatrix* qr, std::string_view caption,
               const std::vector<std::pair<std::string, std::string>>& signers) {
    bool wide = size_.width > 600;
    double side = wide ? 80 : 72;
    double size = wide ? 9 : 8;
    Ensure(side + 14);
    y_ += 4;
    if (qr != nullptr) {
      doc_.Qr(mx_, y_, side, *qr);
      doc_.Paragraph(mx_, y_ + side, side, caption, {6.5, false, Align::kCenter, 1.15});
    }
    double x = mx_ + side + 12;
    double w = (width() - side - 12) / static_cast<double>(std::max<size_t>(1, signers.size()));
    for (const auto& [title, name] : signers) {
      double sy = y_ + 4;
      sy += doc_.Paragraph(x, sy, w, title, {size, true, Align::kCenter, 1.2});
      doc_.Paragraph(x, sy, w, "(Ký và ghi rõ họ tên)", {size - 1, false, Align::kCenter, 1.2});
      if (!name.empty()) {
        doc_.Paragraph(x, y_ + side - 8, w, name, {size, true, Align::kCenter, 1.2});
      }
      x += w;
    }
    y_ += side + 14;
  }

 private:
  PdfDocument& doc_;
  render::PageSize size_;
  double mx_;
  double my_;
  double y_ = 0;
};

Status CheckInput(const FormInput& in) {
  if (in.fonts.regular == nullptr || in.fonts.bold == nullptr || in.units == nullptr) {
    return Fail(ErrorCode::kInvalidField, "Forms need their fonts and the unit directory.",
                "Biểu mẫu cần phông chữ và danh mục đơn vị.", "form");
  }
  return {};
}

Result<std::string> FinishPdf(PdfDocument& doc, const std::string& title, const FormInput& in,
                              Instant issued) {
  render::DocumentInfo info;
  info.title = title;
  info.subject = in.dossier.code.empty() ? in.register_book.unit_code : in.dossier.code;
  info.author = "motcua";
  info.creation_date = render::PdfDate(UnixSeconds(issued), 7 * 60);
  return doc.Finish(info);
}

// What forms 01-05 have in common above their own content: heading, title, code.
Result<render::QrMatrix> BeginDossierForm(Sheet& sheet, const FormInput& in, int number,
                                          std::string_view title, const std::string& unit,
                                          bool department, Instant issued) {
  auto qr = render::EncodeQr(PublicStatusUrl(in.public_base_url, in.dossier.code));
  MOTCUA_RETURN_IF_ERROR(qr);
  char label[16];
  std::snprintf(label, sizeof label, "Mẫu số %02d", number);
  sheet.Heading(HeadingLines(in, unit, department),
                PlaceName(in, unit) + ", " + WrittenDateVn(issued), label);
  sheet.Title(title, "Mã hồ sơ: " + in.dossier.code);
  return qr;
}

constexpr double kA5MarginX = 28;
constexpr double kA5MarginY = 26;
constexpr double kBody = 8.5;

void ApplicantBlock(Sheet& s, const Dossier& d) {
  s.LabelValue("Ông/Bà:", d.applicant.full_name, kBody, 8);
  s.LabelValue("Số định danh cá nhân:", d.applicant.id_number, kBody, 8);
  if (!d.applicant.address.empty()) s.LabelValue("Địa chỉ:", d.applicant.address, kBody, 8);
  std::string contact = d.applicant.phone;
  if (!d.applicant.email.empty()) {
    contact += (contact.empty() ? "" : "; ") + d.applicant.email;
  }
  if (!contact.empty()) s.LabelValue("Điện thoại, thư điện tử:", contact, kBody, 8);
  s.LabelValue("Nội dung yêu cầu giải quyết:", d.procedure_name, kBody, 8);
}

Result<std::string> Form01(const FormInput& in) {
  const Dossier& d = in.dossier;
  PdfDocument doc(in.fonts);
  Sheet s(doc, render::kA5Portrait, kA5MarginX, kA5MarginY);
  Instant issued = *d.received_at;
  auto qr = BeginDossierForm(s, in, 1, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", d.receiving_unit,
                             true, issued);
  MOTCUA_RETURN_IF_ERROR(qr);
  TextStyle body{kBody};
  s.Lines("Bộ phận Tiếp nhận và Trả kết quả " + UnitName(in, d.receiving_unit) +
              " tiếp nhận hồ sơ của:",
          body);
  ApplicantBlock(s, d);
  s.Lines("1. Thành phần hồ sơ nộp gồm:", {kBody, true});
  int n = 0;
  for (const DossierComponent& c : d.components) {
    std::string name = c.component_id;
    if (in.procedure != nullptr) {
      for (const ProcedureComponent& pc : in.procedure->components) {
        if (pc.id == c.component_id) name = pc.name;
      }
    }
    s.Lines(std::to_string(++n) + ". " + name, body, 12);
  }
  if (n == 0) s.Lines("(không có)", body, 12);
  s.LabelValue("2. Số lượng hồ sơ:", "01 bộ", kBody);
  s.LabelValue("3. Thời gian giải quyết hồ sơ theo quy định:", TimeLimitVi(in.procedure), kBody);
  s.LabelValue("4. Thời gian nhận hồ sơ:", LongDateTimeVn(*d.received_at), kBody);
  s.LabelValue("5. Thời gian trả kết quả giải quyết hồ sơ:",
               d.due_at ? LongDateTimeVn(*d.due_at) : "theo quy định", kBody);
  s.LabelValue("6. Hình thức nộp hồ sơ:", std::string(ChannelVi(d.channel)), kBody);
  s.Lines("Tra cứu tình trạng hồ sơ: quét mã QR dưới đây hoặc truy cập", {kBody, true});
  s.Lines(PublicStatusUrl(in.public_base_url, d.code), body, 12);
  s.Gap(2);
  s.Closing(&*qr, "Quét mã để tra cứu hồ sơ",
            {{"NGƯỜI NỘP HỒ SƠ", d.applicant.full_name}, {"NGƯỜI TIẾP NHẬN HỒ SƠ", ""}});
  return FinishPdf(doc, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả " + d.code, in, issued);
}

Result<std::string> Form02(const FormInput& in) {
  const Dossier& d = in.dossier;
  const AuditEntry& e = *LastEvent(in.audit, "request_supplement");
  PdfDocument doc(in.fonts);
  Sheet s(doc, render::kA5Portrait, kA5MarginX, kA5MarginY);
  std::string unit = e.actor_unit.empty() ? d.receiving_unit : e.actor_unit;
  auto qr = BeginDossierForm(s, in, 2, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", unit, true, e.at);
  MOTCUA_RETURN_IF_ERROR(qr);
  TextStyle body{kBody};
  s.Lines(
      UnitName(in, unit) + (d.received_at ? " đã tiếp nhận hồ sơ của:" : " nhận được hồ sơ của:"),
      body);
  ApplicantBlock(s, d);
  s.LabelValue("Ngày yêu cầu:", LongDateTimeVn(e.at), kBody, 8);
  s.Lines("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", {kBody, true});
  int n = 0;
  for (const std::string& item : SplitLines(e.note)) {
    s.Lines(std::to_string(++n) + ". " + item, body, 12);
  }
  s.Lines(
      "Thời gian chờ bổ sung, hoàn thiện hồ sơ không tính vào thời hạn giải quyết. Trong quá trình "
      "hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ Bộ phận Tiếp nhận và Trả kết quả " +
          UnitName(in, unit) + " để được hướng dẫn.",
      body);
  s.Gap(2);
  s.Closing(&*qr, "Quét mã để tra cứu hồ sơ", {{"NGƯỜI HƯỚNG DẪN", ""}});
  return FinishPdf(doc, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ " + d.code, in, e.at);
}

Result<std::string> Form03(const FormInput& in) {
  const Dossier& d = in.dossier;
  const AuditEntry& e = *LastEvent(in.audit, "refuse");
  PdfDocument doc(in.fonts);
  Sheet s(doc, render::kA5Portrait, kA5MarginX, kA5MarginY);
  std::string unit = e.actor_unit.empty() ? d.receiving_unit : e.actor_unit;
  auto qr =
      BeginDossierForm(s, in, 3, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", unit, true, e.at);
  MOTCUA_RETURN_IF_ERROR(qr);
  TextStyle body{kBody};
  s.Lines(UnitName(in, unit) + " nhận được hồ sơ của:", body);
  ApplicantBlock(s, d);
  s.Lines("Qua xem xét, " + UnitName(in, unit) +
              " thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
          body);
  for (const std::string& line : SplitLines(e.note)) s.Lines(line, {kBody, true}, 12);
  s.LabelValue("Ngày từ chối:", LongDateTimeVn(e.at), kBody, 8);
  s.Lines("Xin thông báo để Ông/Bà được biết và thực hiện.", body);
  s.Gap(2);
  s.Closing(&*qr, "Quét mã để tra cứu hồ sơ",
            {{e.actor_role == "reception" ? "NGƯỜI TIẾP NHẬN HỒ SƠ" : "NGƯỜI XỬ LÝ HỒ SƠ", ""}});
  return FinishPdf(doc, "Phiếu từ chối tiếp nhận giải quyết hồ sơ " + d.code, in, e.at);
}

Result<std::string> Form04(const FormInput& in) {
  const Dossier& d = in.dossier;
  const AuditEntry& e = *LastEvent(in.audit, "apologise");
  PdfDocument doc(in.fonts);
  Sheet s(doc, render::kA5Portrait, kA5MarginX, kA5MarginY);
  std::string unit = e.actor_unit.empty() ? d.current_unit : e.actor_unit;
  auto qr =
      BeginDossierForm(s, in, 4, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", unit, false, e.at);
  MOTCUA_RETURN_IF_ERROR(qr);
  TextStyle body{kBody};
  std::string body_name = IssuingBody(in, unit);
  std::string received = d.received_at ? DateVn(*d.received_at) : DateVn(d.submitted_at);
  s.Lines("Ngày " + received + ", " + UnitName(in, d.receiving_unit) +
              " tiếp nhận giải quyết hồ sơ của:",
          body);
  ApplicantBlock(s, d);
  s.LabelValue("Thời hạn giải quyết theo quy định:", TimeLimitVi(in.procedure), kBody, 8);
  s.Lines("Tuy nhiên đến nay, " + body_name + " chưa giải quyết xong hồ sơ của Ông/Bà.", body);
  s.Lines("Lý do:", {kBody, true});
  for (const std::string& line : SplitLines(e.note)) s.Lines(line, body, 12);
  s.Lines("Sự chậm trễ này đã gây phiền hà cho Ông/Bà. " + body_name +
              " xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào:",
          body);
  s.Lines(d.due_at ? LongDateTimeVn(*d.due_at) : "(chưa xác định)", {kBody + 0.5, true}, 12);
  s.Lines("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà.", body);
  s.Gap(2);
  s.Closing(&*qr, "Quét mã để tra cứu hồ sơ", {{"THỦ TRƯỞNG CƠ QUAN", ""}});
  return FinishPdf(doc, "Phiếu xin lỗi và hẹn lại ngày trả kết quả " + d.code, in, e.at);
}

// The instant forms 05 and 06 describe: a finished dossier's last step, else now.
Instant AsOf(const FormInput& in) {
  if (in.dossier.finished_at && !in.audit.empty()) return in.audit.back().at;
  return in.now;
}

Result<std::string> Form05(const FormInput& in) {
  const Dossier& d = in.dossier;
  PdfDocument doc(in.fonts);
  Sheet s(doc, render::kA5Portrait, kA5MarginX - 6, kA5MarginY);
  Instant as_of = AsOf(in);
  auto qr = BeginDossierForm(s, in, 5, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
                             d.receiving_unit, true, as_of);
  MOTCUA_RETURN_IF_ERROR(qr);
  s.Lines("(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)", {kBody - 1, false, Align::kCenter});
  s.LabelValue("Người nộp hồ sơ:", d.applicant.full_name, kBody);
  s.LabelValue("Thủ tục:", d.procedure_name, kBody);
  s.LabelValue("Cơ quan tiếp nhận:", UnitName(in, d.receiving_unit), kBody);
  std::string others;
  for (size_t i = 1; i < d.path_units.size(); ++i) {
    others += (others.empty() ? "" : "; ") + UnitName(in, d.path_units[i]);
  }
  if (!others.empty()) s.LabelValue("Cơ quan phối hợp giải quyết:", others, kBody);
  s.LabelValue("Hẹn trả kết quả:", d.due_at ? DateTimeVn(*d.due_at) : "theo quy định", kBody);
  s.Gap(3);

  std::vector<std::vector<std::string>> rows;
  std::string holder = d.receiving_unit;
  size_t forwards = 0;
  int n = 0;
  for (const AuditEntry& e : in.audit) {
    std::string from = UnitName(in, holder);
    std::string to = from;
    if (e.action == "submit") {
      from = "Người nộp hồ sơ";
    } else if (e.action == "forward" && forwards + 1 < d.path_units.size()) {
      holder = d.path_units[++forwards];
      to = UnitName(in, holder);
    } else if (e.action == "return_result" || e.action == "refuse") {
      to = "Người nộp hồ sơ";
    } else if (e.action == "supplement") {
      from = "Người nộp hồ sơ";
    }
    std::string result = StateVi(e.state_after);
    if (!e.note.empty()) result += ": " + e.note;
    rows.push_back({std::to_string(++n), DateTimeVn(e.at), from, to, RoleVi(e.actor_role),
                    ActionLabelVi(e.action), result});
  }
  // The short columns as wide as their longest entry (up to a limit), the rest shared.
  constexpr double kSize = 6.5;
  auto widest = [&](size_t col, double lo, double hi) {
    double w = lo;
    for (const auto& r : rows) w = std::max(w, doc.TextWidth(r[col], kSize, false) + 6);
    return std::min(w, hi);
  };
  std::vector<double> widths{20, widest(1, 30, 46), 0, 0, widest(4, 40, 52), widest(5, 40, 62), 0};
  double rest = s.width() - widths[0] - widths[1] - widths[4] - widths[5];
  widths[2] = rest * 0.22;
  widths[3] = rest * 0.22;
  widths[6] = rest * 0.56;
  s.Table(widths,
          {"STT", "Thời gian", "Bên giao", "Bên nhận", "Người thực hiện", "Nội dung",
           "Kết quả, ghi chú"},
          rows, kSize);
  s.Gap(4);
  if (in.deadline_of) {
    s.LabelValue("Tình trạng giải quyết (tính đến " + DateTimeVn(as_of) + "):",
                 std::string(DeadlineVi(in.deadline_of(d, as_of))), kBody);
  }
  s.Closing(&*qr, "Quét mã để tra cứu hồ sơ", {{"NGƯỜI LẬP PHIẾU", ""}});
  return FinishPdf(doc, "Phiếu kiểm soát quá trình giải quyết hồ sơ " + d.code, in, as_of);
}

// The register's rows, by receipt then code.
std::vector<const Dossier*> RegisterOrder(const RegisterInput& r) {
  std::vector<const Dossier*> out;
  out.reserve(r.dossiers.size());
  for (const Dossier& d : r.dossiers) out.push_back(&d);
  std::sort(out.begin(), out.end(), [](const Dossier* a, const Dossier* b) {
    Instant ra = a->received_at.value_or(a->submitted_at);
    Instant rb = b->received_at.value_or(b->submitted_at);
    return ra != rb ? ra < rb : a->code < b->code;
  });
  return out;
}

Instant RegisterAsOf(const FormInput& in) {
  return std::min(in.now, in.register_book.to - std::chrono::microseconds(1));
}

std::string MonthLabel(Instant from) {
  Civil c = VnCivil(from);
  return Format("%02d/%04d", c.month, c.year, 0);
}

Status CheckRegister(const FormInput& in) {
  if (in.register_book.dossiers.size() > kMaxRegisterRows) {
    return Fail(ErrorCode::kConflict,
                "More than " + std::to_string(kMaxRegisterRows) +
                    " dossiers in one month: too many for one register.",
                "Quá " + std::to_string(kMaxRegisterRows) +
                    " hồ sơ trong một tháng: quá dài cho "
                    "một sổ theo dõi.",
                "month");
  }
  if (!in.deadline_of) {
    return Fail(ErrorCode::kInvalidField, "The register needs the deadline rule.",
                "Sổ theo dõi cần quy tắc tính hạn.", "form");
  }
  return {};
}

std::vector<std::string> RegisterHeader() {
  return {"STT",
          "Mã hồ sơ",
          "Tên thủ tục hành chính",
          "Tên cá nhân, tổ chức",
          "Nhận hồ sơ",
          "Hẹn trả kết quả",
          "Có kết quả",
          "Trả kết quả",
          "Tình trạng",
          "Trạng thái"};
}

Result<std::string> Form06(const FormInput& in) {
  MOTCUA_RETURN_IF_ERROR(CheckRegister(in));
  const RegisterInput& r = in.register_book;
  Instant as_of = RegisterAsOf(in);
  auto qr = render::EncodeQr(RegisterUrl(in.public_base_url, r.unit_code, r.from));
  MOTCUA_RETURN_IF_ERROR(qr);
  PdfDocument doc(in.fonts);
  Sheet s(doc, render::kA4Landscape, 28, 26);
  s.Heading(HeadingLines(in, r.unit_code, true),
            PlaceName(in, r.unit_code) + ", " + WrittenDateVn(as_of), "Mẫu số 06");
  Instant last_day = r.to - std::chrono::hours(24);
  // The QR code on the first page, right of the title (the closing block may be pages later).
  constexpr double kQrSide = 72;
  double qr_top = s.y();
  doc.Qr(s.left() + s.width() - kQrSide, qr_top, kQrSide, *qr);
  doc.Paragraph(s.left() + s.width() - kQrSide - 10, qr_top + kQrSide, kQrSide + 20,
                "Quét mã để mở sổ điện tử", {6.5, false, Align::kCenter, 1.15});
  s.Title("SỔ THEO DÕI HỒ SƠ", "Tháng " + MonthLabel(r.from) + " (từ " + DateVn(r.from) + " đến " +
                                   DateVn(last_day) + ")");
  s.LabelValue("Đơn vị tiếp nhận:", UnitName(in, r.unit_code), 9.5);
  auto order = RegisterOrder(r);
  std::array<int, 5> counts{};
  std::vector<std::vector<std::string>> rows;
  rows.reserve(order.size());
  double code_w = 0;
  int n = 0;
  for (const Dossier* d : order) {
    DeadlineStatus st = in.deadline_of(*d, as_of);
    counts[static_cast<size_t>(st)] += 1;
    auto opt = [](const std::optional<Instant>& t) { return t ? DateTimeVn(*t) : std::string(); };
    rows.push_back({std::to_string(++n), d->code, d->procedure_name, d->applicant.full_name,
                    opt(d->received_at), opt(d->due_at), opt(d->finished_at), opt(d->returned_at),
                    std::string(DeadlineVi(st)), std::string(StateNameVi(d->state))});
    code_w = std::max(code_w, doc.TextWidth(d->code, 7.5, false));
  }
  std::string summary = "Tổng số: " + std::to_string(order.size()) + " hồ sơ";
  for (DeadlineStatus st :
       {DeadlineStatus::kEarly, DeadlineStatus::kOnTime, DeadlineStatus::kInTime,
        DeadlineStatus::kOverdue, DeadlineStatus::kLate}) {
    summary +=
        "; " + std::string(DeadlineVi(st)) + ": " + std::to_string(counts[static_cast<size_t>(st)]);
  }
  s.LabelValue("Tính đến " + DateTimeVn(as_of) + ":", summary, 9.5);
  s.Gap(std::max(4.0, qr_top + kQrSide + 12 - s.y()));
  double w = s.width();
  code_w = std::clamp(code_w + 6, 100.0, 140.0);
  std::vector<double> widths{22, code_w, 0, 96, 58, 58, 58, 58, 52, 62};
  double fixed = 0;
  for (double x : widths) fixed += x;
  widths[2] = w - fixed;
  s.Table(widths, RegisterHeader(), rows, 7.5);
  s.Gap(6);
  s.Closing(nullptr, "", {{"NGƯỜI LẬP SỔ", ""}});
  return FinishPdf(doc, "Sổ theo dõi hồ sơ " + UnitName(in, r.unit_code) + " " + MonthLabel(r.from),
                   in, as_of);
}

}  // namespace

std::string PublicStatusUrl(const std::string& public_base_url, const std::string& code) {
  return public_base_url + "/tra-cuu/" + code;
}

std::string RegisterUrl(const std::string& public_base_url, const std::string& unit_code,
                        Instant month_start) {
  Civil c = VnCivil(month_start);
  return public_base_url + "/api/v1/units/" + unit_code +
         Format("/register?month=%04d-%02d", c.year, c.month, 0);
}

std::pair<Instant, Instant> VietnamMonthOf(Instant t) {
  Civil c = VnCivil(t);
  return *VietnamMonth(c.year, c.month);
}

Result<std::pair<Instant, Instant>> VietnamMonth(int year, int month) {
  if (year < 2000 || year > 2100 || month < 1 || month > 12) {
    return Fail(ErrorCode::kInvalidField, "month: YYYY-MM between 2000-01 and 2100-12.",
                "month: YYYY-MM trong khoảng 2000-01 đến 2100-12.", "month");
  }
  using namespace std::chrono;
  auto first = sys_days(std::chrono::year(year) / month / 1);
  auto next = sys_days((std::chrono::year(year) / month / 1) + months(1));
  return std::make_pair(Instant(first - kVietnamUtcOffset), Instant(next - kVietnamUtcOffset));
}

Status FormApplies(int number, const Dossier& d, const std::vector<AuditEntry>& audit) {
  auto no = [](int n, const char* en, const char* vi) {
    char form[8];
    std::snprintf(form, sizeof form, "%02d", n);
    return Fail(ErrorCode::kConflict, "Form " + std::string(form) + " does not apply: " + en,
                "Không có Mẫu " + std::string(form) + ": " + vi, "form");
  };
  switch (number) {
    case 1:
    case 5:
      if (!d.received_at) {
        return no(number, "the dossier has not been received.", "hồ sơ chưa được tiếp nhận.");
      }
      return {};
    case 2:
      if (LastEvent(audit, "request_supplement") == nullptr) {
        return no(2, "no supplement was requested for this dossier.",
                  "hồ sơ không có yêu cầu bổ sung, hoàn thiện.");
      }
      return {};
    case 3:
      if (LastEvent(audit, "refuse") == nullptr) {
        return no(3, "the dossier was not refused.", "hồ sơ không bị từ chối.");
      }
      return {};
    case 4:
      if (LastEvent(audit, "apologise") == nullptr) {
        return no(4, "no apology was issued for this dossier.",
                  "hồ sơ không có phiếu xin lỗi, hẹn lại ngày trả kết quả.");
      }
      return {};
    case 6:
      if (!d.received_at) {
        return no(6, "the dossier has not been received, so it is in no register.",
                  "hồ sơ chưa được tiếp nhận nên chưa vào sổ theo dõi.");
      }
      return {};
    default:
      return Fail(ErrorCode::kInvalidField, "form: 01 to 06.", "form: từ 01 đến 06.", "form");
  }
}

Result<std::string> RenderForm(int number, const FormInput& in) {
  MOTCUA_RETURN_IF_ERROR(CheckInput(in));
  if (number == 6 && in.dossier.code.empty()) return Form06(in);  // a unit's register
  MOTCUA_RETURN_IF_ERROR(FormApplies(number, in.dossier, in.audit));
  switch (number) {
    case 1:
      return Form01(in);
    case 2:
      return Form02(in);
    case 3:
      return Form03(in);
    case 4:
      return Form04(in);
    case 5:
      return Form05(in);
    default:
      return Form06(in);
  }
}

Result<std::string> RenderRegisterXlsx(const FormInput& in, const std::filesystem::path& tmp_dir) {
  if (in.units == nullptr) {
    return Fail(ErrorCode::kInvalidField, "Forms need the unit directory.",
                "Biểu mẫu cần danh mục đơn vị.", "form");
  }
  MOTCUA_RETURN_IF_ERROR(CheckRegister(in));
  const RegisterInput& r = in.register_book;
  Instant as_of = RegisterAsOf(in);
  render::XlsxSheet sheet;
  sheet.name = "Mau 06 " + MonthLabel(r.from).replace(2, 1, "-");
  sheet.title_lines = {"SỔ THEO DÕI HỒ SƠ (Mẫu số 06)",
                       UnitName(in, r.unit_code) + " - tháng " + MonthLabel(r.from),
                       "Tính đến " + DateTimeVn(as_of)};
  sheet.header = RegisterHeader();
  sheet.column_widths = {6, 28, 50, 26, 16, 16, 16, 16, 12, 18};
  auto when = [](const std::optional<Instant>& t) -> render::XlsxCell {
    if (!t) return std::monostate{};
    Civil c = VnCivil(*t);
    return render::XlsxDateTime{c.year, c.month, c.day, c.hour, c.minute, c.second};
  };
  double n = 0;
  for (const Dossier* d : RegisterOrder(r)) {
    sheet.rows.push_back({++n, d->code, d->procedure_name, d->applicant.full_name,
                          when(d->received_at), when(d->due_at), when(d->finished_at),
                          when(d->returned_at), std::string(DeadlineVi(in.deadline_of(*d, as_of))),
                          std::string(StateNameVi(d->state))});
  }
  render::XlsxInfo info{"Sổ theo dõi hồ sơ " + UnitName(in, r.unit_code) + " " + MonthLabel(r.from),
                        "motcua", UnixSeconds(as_of)};
  return render::WriteXlsx(sheet, info, tmp_dir);
}

}  // namespace motcua
