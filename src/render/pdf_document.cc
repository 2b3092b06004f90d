#include "render/pdf_document.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include <zlib.h>

#include "common/crypto.h"
#include "render/unicode_text.h"

namespace motcua::render {
namespace {

// A number for a content stream: at most 3 decimals, no trailing zeros, no "-0".
std::string Num(double v) {
  double r = std::round(v * 1000) / 1000;
  if (r == 0) r = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", r);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

void AppendHex16(std::string& out, uint32_t v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 0xF]);
}

// UTF-16BE hex of code points (surrogate pairs above the BMP).
void AppendUtf16Hex(std::string& out, std::u32string_view cps) {
  for (char32_t c : cps) {
    if (c >= 0x10000) {
      c -= 0x10000;
      AppendHex16(out, 0xD800 + (c >> 10));
      AppendHex16(out, 0xDC00 + (c & 0x3FF));
    } else {
      AppendHex16(out, c);
    }
  }
}

// A PDF text string: UTF-16BE with a byte order mark, in hex. Only text: control characters are
// dropped (tabs and line breaks become spaces), the noncharacters U+FFFE and U+FFFF become U+FFFD.
std::string TextString(std::string_view utf8) {
  std::u32string text;
  for (char32_t c : ComposedCodePoints(utf8)) {
    if (c == '\t' || c == '\n' || c == '\r') {
      text.push_back(' ');
    } else if (c == 0xFFFE || c == 0xFFFF) {
      text.push_back(0xFFFD);
    } else if (c >= 0x20 && (c < 0x7F || c > 0x9F)) {
      text.push_back(c);
    }
  }
  std::string out = "<FEFF";
  AppendUtf16Hex(out, text);
  out += ">";
  return out;
}

Result<std::string> Deflate(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  int rc =
      compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()), 6);
  if (rc != Z_OK) return Fail(ErrorCode::kInternal, "zlib compress2 failed");
  out.resize(size);
  return out;
}

// Six capital letters naming a subset, from its glyph set (so equal subsets get equal names).
std::string SubsetTag(const std::map<uint16_t, std::u32string>& used, int face) {
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(face);
  for (const auto& [g, chars] : used) {
    h = (h ^ g) * 1099511628211ull;
  }
  std::string tag;
  for (int i = 0; i < 6; ++i) {
    tag.push_back(static_cast<char>('A' + h % 26));
    h /= 26;
  }
  return tag;
}

bool IsBreakable(char32_t c) { return c == ' ' || c == '\t'; }

// A serialised PDF under construction: objects by number, offsets for the cross-reference table.
class Writer {
 public:
  int Reserve() {
    offsets_.push_back(0);
    return static_cast<int>(offsets_.size());
  }
  void Object(int id, std::string_view body) {
    offsets_[static_cast<size_t>(id) - 1] = out_.size();
    out_ += std::to_string(id) + " 0 obj\n";
    out_ += body;
    out_ += "\nendobj\n";
  }
  Status Stream(int id, std::string_view dict_entries, std::string_view data) {
    auto packed = Deflate(data);
    MOTCUA_RETURN_IF_ERROR(packed);
    offsets_[static_cast<size_t>(id) - 1] = out_.size();
    out_ += std::to_string(id) + " 0 obj\n<< /Length " + std::to_string(packed->size()) +
            " /Filter /FlateDecode" + std::string(dict_entries) + " >>\nstream\n";
    out_ += *packed;
    out_ += "\nendstream\nendobj\n";
    return {};
  }
  std::string& out() { return out_; }
  const std::vector<size_t>& offsets() const { return offsets_; }

 private:
  std::string out_;
  std::vector<size_t> offsets_;
};

}  // namespace

std::string PdfDate(int64_t unix_seconds, int utc_offset_minutes) {
  using namespace std::chrono;
  sys_seconds t{seconds(unix_seconds + int64_t{utc_offset_minutes} * 60)};
  auto day = floor<days>(t);
  year_month_day ymd(day);
  hh_mm_ss hms(t - day);
  char buf[48];
  int off = std::abs(utc_offset_minutes);
  std::snprintf(buf, sizeof buf, "D:%04d%02u%02u%02ld%02ld%02ld%c%02d'%02d'", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                long(hms.minutes().count()), long(hms.seconds().count()),
                utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

PdfDocument::PdfDocument(FontPair fonts) {
  faces_[0].font = fonts.regular;
  faces_[1].font = fonts.bold;
}

void PdfDocument::AddPage(PageSize size) { pages_.push_back({size, {}}); }

std::string& PdfDocument::Out() {
  if (pages_.empty()) AddPage(kA4Portrait);
  return pages_.back().content;
}

int PdfDocument::Width1000(const Face& face, uint16_t glyph) const {
  return static_cast<int>(
      std::lround(face.font->Advance(glyph) * 1000.0 / face.font->units_per_em()));
}

PdfDocument::Shaped PdfDocument::Shape(std::u32string_view text, bool bold) const {
  const Face& face = faces_[bold ? 1 : 0];
  Shaped s;
  s.glyphs.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char32_t c = text[i];
    if (c == '\n' || c == '\t' || c == '\r' || c == 0xA0) c = ' ';
    uint16_t g = face.font->GlyphOf(c);
    if (g == 0) {
      // A character the font cannot draw (a control character, U+FFFF, a rare combining mark) is
      // set as '?'. Never as part of another glyph's text: a glyph's ToUnicode entry is named by
      // its first use, so every later use of that glyph would read back with it.
      c = '?';
      g = face.font->GlyphOf(c);
    }
    s.glyphs.push_back(g);
    s.chars.emplace_back(1, c);
    s.width += Width1000(face, g);
  }
  return s;
}

double PdfDocument::TextWidth(std::string_view text, double size, bool bold) const {
  return Shape(ComposedCodePoints(text), bold).width * size / 1000.0;
}

std::vector<std::u32string> PdfDocument::WrapCodePoints(std::u32string_view text, double width,
                                                        double size, bool bold) const {
  std::vector<std::u32string> lines;
  double limit = width * 1000.0 / size;
  const Face& face = faces_[bold ? 1 : 0];
  auto w = [&](char32_t c) {
    uint16_t g = face.font->GlyphOf(c == '\t' || c == 0xA0 ? ' ' : c);
    return static_cast<double>(Width1000(face, g == 0 ? face.font->GlyphOf('?') : g));
  };
  size_t start = 0;
  while (true) {
    size_t nl = text.find(U'\n', start);
    std::u32string_view para = text.substr(
        start, nl == std::u32string_view::npos ? std::u32string_view::npos : nl - start);
    if (!para.empty() && para.back() == '\r') para.remove_suffix(1);
    // Greedy filling: words separated by spaces; a word wider than the line is split.
    std::u32string line;
    double line_w = 0;
    size_t i = 0;
    bool any = false;
    while (i < para.size()) {
      size_t j = i;
      while (j < para.size() && !IsBreakable(para[j])) ++j;
      std::u32string_view word = para.substr(i, j - i);
      double word_w = 0;
      for (char32_t c : word) word_w += w(c);
      double space_w = line.empty() ? 0 : w(' ');
      if (!line.empty() && line_w + space_w + word_w > limit) {
        lines.push_back(std::move(line));
        line.clear();
        line_w = 0;
        space_w = 0;
      }
      if (word_w > limit) {
        for (char32_t c : word) {
          double cw = w(c);
          if (!line.empty() && line_w + space_w + cw > limit) {
            lines.push_back(std::move(line));
            line.clear();
            line_w = 0;
            space_w = 0;
          }
          if (space_w > 0) {
            line.push_back(' ');
            line_w += space_w;
            space_w = 0;
          }
          line.push_back(c);
          line_w += cw;
        }
      } else if (!word.empty()) {
        if (space_w > 0) {
          line.push_back(' ');
          line_w += space_w;
        }
        line += word;
        line_w += word_w;
      }
      any = true;
      i = j;
      while (i < para.size() && IsBreakable(para[i])) ++i;
    }
    if (!line.empty() || !any) lines.push_back(std::move(line));
    if (nl == std::u32string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::vector<std::string> PdfDocument::Wrap(std::string_view text, double width, double size,
                                           bool bold) const {
  std::vector<std::string> out;
  for (const auto& line : WrapCodePoints(ComposedCodePoints(text), width, size, bold)) {
    std::string s;
    AppendUtf8(line, s);
    out.push_back(std::move(s));
  }
  return out;
}

void PdfDocument::DrawLine(double x, double baseline, std::u32string_view text,
                           const TextStyle& style) {
  if (text.empty()) return;
  Face& face = faces_[style.bold ? 1 : 0];
  Shaped s = Shape(text, style.bold);
  if (s.glyphs.empty()) return;
  double w = s.width * style.size / 1000.0;
  if (style.align == Align::kCenter) x -= w / 2;
  if (style.align == Align::kRight) x -= w;
  std::string& out = Out();
  out += "BT /F";
  out += style.bold ? '2' : '1';
  out += ' ' + Num(style.size) + " Tf 1 0 0 1 " + Num(x) + ' ' + Num(Y(baseline)) + " Tm <";
  for (size_t i = 0; i < s.glyphs.size(); ++i) {
    AppendHex16(out, s.glyphs[i]);
    face.used.emplace(s.glyphs[i], s.chars[i]);  // the first use names the glyph
  }
  out += "> Tj ET\n";
}

void PdfDocument::Text(double x, double baseline, std::string_view text, const TextStyle& style) {
  DrawLine(x, baseline, ComposedCodePoints(text), style);
}

double PdfDocument::Paragraph(double x, double top, double width, std::string_view text,
                              const TextStyle& style) {
  auto lines = WrapCodePoints(ComposedCodePoints(text), width, style.size, style.bold);
  double lh = LineHeight(style);
  const TrueTypeFont& font = *faces_[style.bold ? 1 : 0].font;
  // The baseline sits so that ascent and descent are centred in the line height.
  double asc = font.ascent() * style.size / font.units_per_em();
  double desc = -font.descent() * style.size / font.units_per_em();
  double first = top + (lh - asc - desc) / 2 + asc;
  double ax = style.align == Align::kCenter  ? x + width / 2
              : style.align == Align::kRight ? x + width
                                             : x;
  for (size_t i = 0; i < lines.size(); ++i) {
    DrawLine(ax, first + static_cast<double>(i) * lh, lines[i], style);
  }
  return static_cast<double>(lines.size()) * lh;
}

double PdfDocument::ParagraphHeight(double width, std::string_view text,
                                    const TextStyle& style) const {
  return static_cast<double>(
             WrapCodePoints(ComposedCodePoints(text), width, style.size, style.bold).size()) *
         LineHeight(style);
}

void PdfDocument::Line(double x1, double y1, double x2, double y2, double line_width) {
  Out() += Num(line_width) + " w " + Num(x1) + ' ' + Num(Y(y1)) + " m " + Num(x2) + ' ' +
           Num(Y(y2)) + " l S\n";
}

void PdfDocument::Rect(double x, double top, double width, double height, double line_width) {
  Out() += Num(line_width) + " w " + Num(x) + ' ' + Num(Y(top + height)) + ' ' + Num(width) + ' ' +
           Num(height) + " re S\n";
}

double PdfDocument::RowHeight(const std::vector<double>& widths,
                              const std::vector<std::string>& cells, const TextStyle& style,
                              double padding) const {
  double h = LineHeight(style);
  for (size_t i = 0; i < widths.size() && i < cells.size(); ++i) {
    h = std::max(h, ParagraphHeight(widths[i] - 2 * padding, cells[i], style));
  }
  return h + 2 * padding;
}

double PdfDocument::Row(double x, double top, const std::vector<double>& widths,
                        const std::vector<std::string>& cells, const TextStyle& style,
                        double padding) {
  double h = RowHeight(widths, cells, style, padding);
  double cx = x;
  for (size_t i = 0; i < widths.size(); ++i) {
    if (i < cells.size()) {
      Paragraph(cx + padding, top + padding, widths[i] - 2 * padding, cells[i], style);
    }
    Rect(cx, top, widths[i], h, 0.5);
    cx += widths[i];
  }
  return h;
}

void PdfDocument::Qr(double x, double top, double side, const QrMatrix& qr) {
  if (qr.size <= 0) return;
  double m = side / (qr.size + 2 * kQrQuietZone);
  std::string& out = Out();
  out += "q 0 g\n";
  // One rectangle per horizontal run of dark modules, all in one path filled once, so that
  // neighbouring rectangles leave no seams.
  for (int r = 0; r < qr.size; ++r) {
    int c = 0;
    while (c < qr.size) {
      if (!qr.At(r, c)) {
        ++c;
        continue;
      }
      int start = c;
      while (c < qr.size && qr.At(r, c)) ++c;
      double rx = x + (kQrQuietZone + start) * m;
      double ry = top + (kQrQuietZone + r + 1) * m;
      out += Num(rx) + ' ' + Num(Y(ry)) + ' ' + Num((c - start) * m) + ' ' + Num(m) + " re\n";
    }
  }
  out += "f\nQ\n";
}

Result<std::string> PdfDocument::Finish(const DocumentInfo& info) {
  if (pages_.empty()) AddPage(kA4Portrait);
  Writer w;
  int catalog = w.Reserve();
  int pages = w.Reserve();
  int info_id = w.Reserve();
  w.out() = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";

  std::string font_resources;
  for (int f = 0; f < 2; ++f) {
    Face& face = faces_[f];
    if (face.used.empty()) continue;
    const TrueTypeFont& font = *face.font;
    int type0 = w.Reserve();
    int cid = w.Reserve();
    int descriptor = w.Reserve();
    int file = w.Reserve();
    int to_unicode = w.Reserve();
    font_resources += " /F" + std::to_string(f + 1) + ' ' + std::to_string(type0) + " 0 R";
    std::string name = SubsetTag(face.used, f) + '+' + font.postscript_name();
    auto scale = [&](int v) {
      return std::to_string(std::lround(v * 1000.0 / font.units_per_em()));
    };
    w.Object(type0, "<< /Type /Font /Subtype /Type0 /BaseFont /" + name +
                        " /Encoding /Identity-H /DescendantFonts [" + std::to_string(cid) +
                        " 0 R] /ToUnicode " + std::to_string(to_unicode) + " 0 R >>");
    // Widths, grouped in runs of consecutive glyph ids.
    std::string widths = "[";
    int prev = -2;
    for (const auto& [g, chars] : face.used) {
      if (g != prev + 1) {
        if (prev >= 0) widths += "]";
        widths += ' ' + std::to_string(g) + " [";
      } else {
        widths += ' ';
      }
      widths += std::to_string(Width1000(face, g));
      prev = g;
    }
    widths += "]]";
    w.Object(cid, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /" + name +
                      " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
                      " /FontDescriptor " +
                      std::to_string(descriptor) + " 0 R /DW 0 /W " + widths +
                      " /CIDToGIDMap /Identity >>");
    const int16_t* bb = font.bbox();
    w.Object(descriptor, "<< /Type /FontDescriptor /FontName /" + name + " /Flags 4 /FontBBox [" +
                             scale(bb[0]) + ' ' + scale(bb[1]) + ' ' + scale(bb[2]) + ' ' +
                             scale(bb[3]) + "] /ItalicAngle 0 /Ascent " + scale(font.ascent()) +
                             " /Descent " + scale(font.descent()) + " /CapHeight " +
                             scale(font.cap_height()) + " /StemV " + (f == 1 ? "120" : "80") +
                             " /FontFile2 " + std::to_string(file) + " 0 R >>");
    std::set<uint16_t> glyphs;
    for (const auto& [g, chars] : face.used) glyphs.insert(g);
    std::string program = font.Subset(glyphs);
    MOTCUA_RETURN_IF_ERROR(w.Stream(file, " /Length1 " + std::to_string(program.size()), program));
    std::string cmap =
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
    std::vector<std::pair<uint16_t, const std::u32string*>> entries;
    for (const auto& [g, chars] : face.used) entries.emplace_back(g, &chars);
    for (size_t i = 0; i < entries.size(); i += 100) {
      size_t n = std::min<size_t>(100, entries.size() - i);
      cmap += std::to_string(n) + " beginbfchar\n";
      for (size_t k = i; k < i + n; ++k) {
        cmap += '<';
        AppendHex16(cmap, entries[k].first);
        cmap += "> <";
        AppendUtf16Hex(cmap, *entries[k].second);
        cmap += ">\n";
      }
      cmap += "endbfchar\n";
    }
    cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
    MOTCUA_RETURN_IF_ERROR(w.Stream(to_unicode, "", cmap));
  }

  std::string kids;
  for (const Page& p : pages_) {
    int content = w.Reserve();
    int page = w.Reserve();
    MOTCUA_RETURN_IF_ERROR(w.Stream(content, "", p.content));
    w.Object(page, "<< /Type /Page /Parent " + std::to_string(pages) + " 0 R /MediaBox [0 0 " +
                       Num(p.size.width) + ' ' + Num(p.size.height) + "] /Resources << /Font <<" +
                       font_resources + " >> >> /Contents " + std::to_string(content) + " 0 R >>");
    kids += (kids.empty() ? "" : " ") + std::to_string(page) + " 0 R";
  }
  w.Object(pages,
           "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages_.size()) + " >>");
  w.Object(catalog, "<< /Type /Catalog /Pages " + std::to_string(pages) + " 0 R >>");
  std::string info_dict = "<< /Producer (motcua)";
  if (!info.title.empty()) info_dict += " /Title " + TextString(info.title);
  if (!info.subject.empty()) info_dict += " /Subject " + TextString(info.subject);
  if (!info.author.empty()) info_dict += " /Author " + TextString(info.author);
  if (!info.creation_date.empty()) info_dict += " /CreationDate (" + info.creation_date + ")";
  w.Object(info_id, info_dict + " >>");

  std::string id = Sha256Hex(w.out()).substr(0, 32);
  std::string& out = w.out();
  size_t xref = out.size();
  out += "xref\n0 " + std::to_string(w.offsets().size() + 1) + "\n0000000000 65535 f \n";
  char entry[24];
  for (size_t off : w.offsets()) {
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", off);
    out += entry;
  }
  out += "trailer\n<< /Size " + std::to_string(w.offsets().size() + 1) + " /Root " +
         std::to_string(catalog) + " 0 R /Info " + std::to_string(info_id) + " 0 R /ID [<" + id +
         "> <" + id + ">] >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  pages_.clear();
  for (Face& f : faces_) f.used.clear();
  return std::move(out);
}

}  // namespace motcua::render
