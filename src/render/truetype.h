// A TrueType font ('glyf' outlines) as the PDF writer needs it: the Unicode -> glyph map, glyph
// advances, the metrics of the font descriptor, and subsetting for embedding. Subsets keep the
// original glyph ids (so a PDF can use Identity CID -> GID mapping): glyphs that are not kept
// become empty, and the tables a PDF does not need (cmap, kern, GPOS, names, ...) are dropped.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.h"

namespace motcua::render {

class TrueTypeFont {
 public:
  // Parses a TrueType font file (copied). Fails with kInvalidField when the file is not a
  // TrueType font with glyf outlines, a Unicode cmap (format 4 or 12) and consistent tables.
  static Result<TrueTypeFont> Parse(std::string data);

  // The glyph for a code point, or 0 (.notdef) when the font has none.
  uint16_t GlyphOf(char32_t cp) const;
  // The advance width of `glyph` in font units (0 for an unknown glyph).
  int Advance(uint16_t glyph) const;
  int units_per_em() const { return units_per_em_; }
  int ascent() const { return ascent_; }    // font units, positive
  int descent() const { return descent_; }  // font units, negative
  int cap_height() const { return cap_height_; }
  const int16_t* bbox() const { return bbox_; }  // xMin, yMin, xMax, yMax
  size_t glyph_count() const { return num_glyphs_; }
  // The PostScript name ("DejaVuSans-Bold"), or "Font" if the font has none in ASCII.
  const std::string& postscript_name() const { return postscript_name_; }

  // A TrueType program with the same glyph ids in which `glyphs`, glyph 0 and the components of
  // any composite among them keep their outlines and advances; every other glyph is empty.
  // Deterministic: the same glyph set gives the same bytes.
  std::string Subset(const std::set<uint16_t>& glyphs) const;

 private:
  struct Table {
    uint32_t offset = 0;
    uint32_t length = 0;
  };
  TrueTypeFont() = default;
  std::string_view TableData(std::string_view tag) const;
  uint32_t GlyphOffset(uint16_t glyph) const;

  std::string data_;
  std::unordered_map<std::string, Table> tables_;
  std::unordered_map<char32_t, uint16_t> cmap_;
  std::vector<uint16_t> advances_;  // one per glyph
  int units_per_em_ = 1000;
  int ascent_ = 0;
  int descent_ = 0;
  int cap_height_ = 0;
  int16_t bbox_[4] = {0, 0, 0, 0};
  size_t num_glyphs_ = 0;
  int num_hmetrics_ = 0;
  bool long_loca_ = false;
  std::string postscript_name_;
};

}  // namespace motcua::render
