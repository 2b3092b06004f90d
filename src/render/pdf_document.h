// A small PDF writer with a layout API for printed forms: pages of a fixed size, text lines and
// wrapped paragraphs in two TrueType faces, bordered table rows, lines and vector QR codes.
//
// Fonts are embedded as Type0 / CIDFontType2 with Identity-H encoding: the content streams
// carry glyph ids, the embedded font is a subset that keeps the original glyph ids, and a
// ToUnicode CMap maps every glyph used back to its (precomposed) characters, so text extraction
// (pdftotext, search, copy and paste) returns exactly the text that was set; a character the
// font has no glyph for is set (and read back) as '?', and the document information keeps text
// only (no control characters or noncharacters). Streams are Flate-compressed. The output
// depends only on what was drawn and on DocumentInfo: no clock, no random ids (/ID is derived
// from the content).
//
// Coordinates are points (1/72 inch) from the top-left corner of the page, y growing downwards.
// A PdfDocument is single-threaded; the fonts it borrows are immutable and may be shared.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "render/qr.h"
#include "render/truetype.h"

namespace motcua::render {

struct PageSize {
  double width = 0;
  double height = 0;
};
// ISO 216 sizes in points, rounded to 0.01 pt (A5 = 148 x 210 mm = 419.53 x 595.28 pt).
constexpr PageSize kA5Portrait{419.53, 595.28};
constexpr PageSize kA4Portrait{595.28, 841.89};
constexpr PageSize kA4Landscape{841.89, 595.28};

enum class Align { kLeft, kCenter, kRight };

struct TextStyle {
  double size = 10;  // points
  bool bold = false;
  Align align = Align::kLeft;
  double leading = 1.25;  // line height as a multiple of the size
};

// The faces a document is set in. Borrowed: they must outlive every document using them.
struct FontPair {
  const TrueTypeFont* regular = nullptr;
  const TrueTypeFont* bold = nullptr;
};

// The document information dictionary. Strings are UTF-8; creation_date is a PDF date
// ("D:20260424100000+07'00'", see PdfDate) or empty for none.
struct DocumentInfo {
  std::string title;
  std::string subject;
  std::string author;
  std::string creation_date;
};

// "D:YYYYMMDDHHmmSS+HH'mm'" for the civil time `utc_offset_minutes` east of UTC of the instant
// `unix_seconds`.
std::string PdfDate(int64_t unix_seconds, int utc_offset_minutes);

class PdfDocument {
 public:
  // Both fonts must be set. Starts with no page: call AddPage before drawing.
  explicit PdfDocument(FontPair fonts);

  // Starts a new page; drawing goes to it from now on.
  void AddPage(PageSize size);
  PageSize page_size() const { return pages_.empty() ? PageSize{} : pages_.back().size; }
  size_t page_count() const { return pages_.size(); }

  // The advance width of one line of `text` (UTF-8) in points.
  double TextWidth(std::string_view text, double size, bool bold) const;
  // `text` broken into lines no wider than `width`: at '\n', else between words, else (a word
  // longer than the line) between characters. An empty text gives one empty line.
  std::vector<std::string> Wrap(std::string_view text, double width, double size, bool bold) const;
  // The height of a line of `style`.
  static double LineHeight(const TextStyle& style) { return style.size * style.leading; }

  // One line of text with its baseline at `baseline`; `x` is the left edge, the centre or the
  // right edge as style.align says. Line breaks are drawn as spaces.
  void Text(double x, double baseline, std::string_view text, const TextStyle& style);
  // `text` wrapped into a box of `width` whose top is at `top`, aligned within the box as
  // style.align says. Returns the height used (lines x line height).
  double Paragraph(double x, double top, double width, std::string_view text,
                   const TextStyle& style);
  // The height Paragraph would use, without drawing.
  double ParagraphHeight(double width, std::string_view text, const TextStyle& style) const;

  // A straight line of `line_width` points.
  void Line(double x1, double y1, double x2, double y2, double line_width = 0.5);
  // The outline of a rectangle.
  void Rect(double x, double top, double width, double height, double line_width = 0.5);

  // One table row: a cell per column (cells.size() must equal widths.size()), each wrapped in
  // its column with `padding` on every side, with borders; all cells take the height of the
  // tallest. Returns that height.
  double Row(double x, double top, const std::vector<double>& widths,
             const std::vector<std::string>& cells, const TextStyle& style, double padding = 3);
  // The height Row would use, without drawing.
  double RowHeight(const std::vector<double>& widths, const std::vector<std::string>& cells,
                   const TextStyle& style, double padding = 3) const;

  // A QR code as filled vector rectangles, in a square of `side` points at (x, top) that
  // includes the quiet zone.
  void Qr(double x, double top, double side, const QrMatrix& qr);

  // The finished PDF. Call once, after the last drawing; fails (kInternal) only if zlib does.
  Result<std::string> Finish(const DocumentInfo& info);

 private:
  struct Face {
    const TrueTypeFont* font = nullptr;
    std::map<uint16_t, std::u32string> used;  // glyph -> the characters it stands for
  };
  struct Page {
    PageSize size;
    std::string content;
  };
  struct Shaped {
    std::vector<uint16_t> glyphs;
    std::vector<std::u32string> chars;  // per glyph
    double width = 0;                   // in 1/1000 em
  };
  Shaped Shape(std::u32string_view text, bool bold) const;
  int Width1000(const Face& face, uint16_t glyph) const;
  std::vector<std::u32string> WrapCodePoints(std::u32string_view text, double width, double size,
                                             bool bold) const;
  void DrawLine(double x, double baseline, std::u32string_view text, const TextStyle& style);
  std::string& Out();
  double Y(double top) const { return page_size().height - top; }

  Face faces_[2];  // regular, bold
  std::vector<Page> pages_;
};

}  // namespace motcua::render
