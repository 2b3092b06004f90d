#include "render/truetype.h"

#include <algorithm>
#include <cstring>

namespace motcua::render {
namespace {

uint16_t U16(std::string_view d, size_t at) {
  if (at + 2 > d.size()) return 0;
  return static_cast<uint16_t>((static_cast<uint8_t>(d[at]) << 8) |
                               static_cast<uint8_t>(d[at + 1]));
}
int16_t I16(std::string_view d, size_t at) { return static_cast<int16_t>(U16(d, at)); }
uint32_t U32(std::string_view d, size_t at) {
  return (static_cast<uint32_t>(U16(d, at)) << 16) | U16(d, at + 2);
}

void Put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v & 0xFFFF));
}
void Set16(std::string& out, size_t at, uint16_t v) {
  out[at] = static_cast<char>(v >> 8);
  out[at + 1] = static_cast<char>(v & 0xFF);
}
void Set32(std::string& out, size_t at, uint32_t v) {
  Set16(out, at, static_cast<uint16_t>(v >> 16));
  Set16(out, at + 2, static_cast<uint16_t>(v & 0xFFFF));
}

uint32_t Checksum(std::string_view d) {
  uint32_t sum = 0;
  for (size_t i = 0; i < d.size(); i += 4) {
    uint32_t word = 0;
    for (size_t k = 0; k < 4; ++k) {
      word = (word << 8) | (i + k < d.size() ? static_cast<uint8_t>(d[i + k]) : 0u);
    }
    sum += word;
  }
  return sum;
}

tl::unexpected<Error> Bad(const std::string& what) {
  return Fail(ErrorCode::kInvalidField, "Not a usable TrueType font: " + what + ".",
              "Phông chữ TrueType không dùng được: " + what + ".", "font");
}

// Composite glyph flags (TrueType 'glyf').
constexpr uint16_t kArgsAreWords = 0x0001;
constexpr uint16_t kHaveScale = 0x0008;
constexpr uint16_t kMoreComponents = 0x0020;
constexpr uint16_t kHaveXYScale = 0x0040;
constexpr uint16_t kHaveTwoByTwo = 0x0080;

}  // namespace

std::string_view TrueTypeFont::TableData(std::string_view tag) const {
  auto it = tables_.find(std::string(tag));
  if (it == tables_.end()) return {};
  return std::string_view(data_).substr(it->second.offset, it->second.length);
}

uint32_t TrueTypeFont::GlyphOffset(uint16_t glyph) const {
  std::string_view loca = TableData("loca");
  return long_loca_ ? U32(loca, 4u * glyph) : 2u * U16(loca, 2u * glyph);
}

Result<TrueTypeFont> TrueTypeFont::Parse(std::string data) {
  TrueTypeFont f;
  f.data_ = std::move(data);
  std::string_view d = f.data_;
  if (d.size() < 12) return Bad("too short");
  uint32_t version = U32(d, 0);
  if (version != 0x00010000 && version != 0x74727565) return Bad("no TrueType outlines");
  uint16_t num_tables = U16(d, 4);
  if (12 + 16 * static_cast<size_t>(num_tables) > d.size()) return Bad("truncated directory");
  for (uint16_t i = 0; i < num_tables; ++i) {
    size_t rec = 12 + 16 * static_cast<size_t>(i);
    Table t{U32(d, rec + 8), U32(d, rec + 12)};
    if (static_cast<uint64_t>(t.offset) + t.length > d.size()) return Bad("table out of range");
    f.tables_[std::string(d.substr(rec, 4))] = t;
  }
  for (const char* tag : {"head", "hhea", "hmtx", "maxp", "loca", "glyf", "cmap"}) {
    if (!f.tables_.contains(tag)) return Bad(std::string("no '") + tag + "' table");
  }
  std::string_view head = f.TableData("head");
  std::string_view hhea = f.TableData("hhea");
  std::string_view maxp = f.TableData("maxp");
  if (head.size() < 54 || hhea.size() < 36 || maxp.size() < 6) return Bad("short header tables");
  f.units_per_em_ = U16(head, 18);
  if (f.units_per_em_ < 16) return Bad("bad unitsPerEm");
  for (int k = 0; k < 4; ++k) f.bbox_[k] = I16(head, 36 + 2 * static_cast<size_t>(k));
  f.long_loca_ = I16(head, 50) == 1;
  f.num_glyphs_ = U16(maxp, 4);
  f.ascent_ = I16(hhea, 4);
  f.descent_ = I16(hhea, 6);
  f.num_hmetrics_ = U16(hhea, 34);
  if (f.num_glyphs_ == 0 || f.num_hmetrics_ == 0 ||
      static_cast<size_t>(f.num_hmetrics_) > f.num_glyphs_) {
    return Bad("bad glyph counts");
  }
  std::string_view hmtx = f.TableData("hmtx");
  if (hmtx.size() < 4 * static_cast<size_t>(f.num_hmetrics_)) return Bad("short 'hmtx'");
  f.advances_.resize(f.num_glyphs_);
  for (size_t g = 0; g < f.num_glyphs_; ++g) {
    size_t m = std::min<size_t>(g, static_cast<size_t>(f.num_hmetrics_) - 1);
    f.advances_[g] = U16(hmtx, 4 * m);
  }
  std::string_view loca = f.TableData("loca");
  if (loca.size() < (f.num_glyphs_ + 1) * (f.long_loca_ ? 4 : 2)) return Bad("short 'loca'");
  std::string_view glyf = f.TableData("glyf");
  for (size_t g = 0; g < f.num_glyphs_; ++g) {
    uint32_t a = f.GlyphOffset(static_cast<uint16_t>(g));
    uint32_t b = f.GlyphOffset(static_cast<uint16_t>(g + 1));
    if (a > b || b > glyf.size()) return Bad("'loca' out of range");
  }

  // cmap: the Windows full-repertoire subtable (format 12) if present, else BMP (format 4).
  std::string_view cmap = f.TableData("cmap");
  size_t best = 0;
  int best_rank = 0;
  for (uint16_t i = 0, n = U16(cmap, 2); i < n; ++i) {
    size_t rec = 4 + 8 * static_cast<size_t>(i);
    uint16_t platform = U16(cmap, rec);
    uint16_t encoding = U16(cmap, rec + 2);
    uint32_t offset = U32(cmap, rec + 4);
    if (offset >= cmap.size()) continue;
    uint16_t format = U16(cmap, offset);
    int rank = 0;
    if (format == 12 && (platform == 3 || platform == 0)) rank = 3;
    if (format == 4 && ((platform == 3 && encoding == 1) || platform == 0)) rank = 2;
    if (rank > best_rank) {
      best_rank = rank;
      best = offset;
    }
  }
  if (best_rank == 0) return Bad("no Unicode 'cmap'");
  auto add = [&f](char32_t cp, uint32_t glyph) {
    if (glyph != 0 && glyph < f.num_glyphs_) f.cmap_.emplace(cp, static_cast<uint16_t>(glyph));
  };
  if (U16(cmap, best) == 12) {
    uint32_t groups = U32(cmap, best + 12);
    if (best + 16 + 12 * static_cast<uint64_t>(groups) > cmap.size()) return Bad("short 'cmap'");
    for (uint32_t i = 0; i < groups; ++i) {
      size_t g = best + 16 + 12 * static_cast<size_t>(i);
      uint32_t start = U32(cmap, g);
      uint32_t end = std::min<uint32_t>(U32(cmap, g + 4), 0x10FFFF);
      uint32_t glyph = U32(cmap, g + 8);
      if (end >= start && end - start > 0x10000) return Bad("'cmap' group too large");
      for (uint32_t cp = start; cp <= end; ++cp) add(cp, glyph + (cp - start));
    }
  } else {
    size_t seg_count = U16(cmap, best + 6) / 2;
    size_t ends = best + 14;
    size_t starts = ends + 2 * seg_count + 2;
    size_t deltas = starts + 2 * seg_count;
    size_t ranges = deltas + 2 * seg_count;
    if (ranges + 2 * seg_count > cmap.size()) return Bad("short 'cmap'");
    for (size_t s = 0; s < seg_count; ++s) {
      uint16_t end = U16(cmap, ends + 2 * s);
      uint16_t start = U16(cmap, starts + 2 * s);
      uint16_t delta = U16(cmap, deltas + 2 * s);
      uint16_t range = U16(cmap, ranges + 2 * s);
      for (uint32_t cp = start; cp <= end && cp != 0xFFFF; ++cp) {
        uint32_t glyph;
        if (range == 0) {
          glyph = (cp + delta) & 0xFFFF;
        } else {
          size_t at = ranges + 2 * s + range + 2 * (cp - start);
          glyph = U16(cmap, at);
          if (glyph != 0) glyph = (glyph + delta) & 0xFFFF;
        }
        add(cp, glyph);
      }
    }
  }

  // Cap height: OS/2 version 2+ has it; otherwise the top of 'H'.
  std::string_view os2 = f.TableData("OS/2");
  if (os2.size() >= 90 && U16(os2, 0) >= 2) f.cap_height_ = I16(os2, 88);
  if (f.cap_height_ <= 0) {
    uint16_t h = f.GlyphOf('H');
    uint32_t at = f.GlyphOffset(h);
    f.cap_height_ = h != 0 && f.GlyphOffset(h + 1) >= at + 10 ? I16(glyf, at + 8) : f.ascent_;
  }

  // PostScript name (name id 6), Windows UTF-16BE or Macintosh Roman; ASCII only.
  std::string_view name = f.TableData("name");
  uint16_t count = U16(name, 2);
  size_t strings = U16(name, 4);
  for (uint16_t i = 0; i < count && f.postscript_name_.empty(); ++i) {
    size_t rec = 6 + 12 * static_cast<size_t>(i);
    if (rec + 12 > name.size() || U16(name, rec + 6) != 6) continue;
    uint16_t platform = U16(name, rec);
    size_t len = U16(name, rec + 8);
    size_t at = strings + U16(name, rec + 10);
    if (at + len > name.size()) continue;
    std::string ps;
    bool wide = platform == 3 || platform == 0;
    for (size_t k = 0; k < len; k += wide ? 2 : 1) {
      uint16_t c = wide ? U16(name, at + k) : static_cast<uint8_t>(name[at + k]);
      if (c <= 32 || c >= 127 || std::strchr("[](){}<>/%", c) != nullptr) {
        ps.clear();
        break;
      }
      ps.push_back(static_cast<char>(c));
    }
    f.postscript_name_ = ps;
  }
  if (f.postscript_name_.empty()) f.postscript_name_ = "Font";
  return f;
}

uint16_t TrueTypeFont::GlyphOf(char32_t cp) const {
  auto it = cmap_.find(cp);
  return it == cmap_.end() ? 0 : it->second;
}

int TrueTypeFont::Advance(uint16_t glyph) const {
  return glyph < advances_.size() ? advances_[glyph] : 0;
}

std::string TrueTypeFont::Subset(const std::set<uint16_t>& glyphs) const {
  std::string_view glyf = TableData("glyf");
  std::vector<bool> keep(num_glyphs_, false);
  std::vector<uint16_t> todo(glyphs.begin(), glyphs.end());
  todo.push_back(0);
  while (!todo.empty()) {
    uint16_t g = todo.back();
    todo.pop_back();
    if (g >= num_glyphs_ || keep[g]) continue;
    keep[g] = true;
    uint32_t at = GlyphOffset(g);
    uint32_t end = GlyphOffset(g + 1);
    if (end < at + 10 || I16(glyf, at) >= 0) continue;
    // A composite: keep its components too.
    size_t p = at + 10;
    while (p + 4 <= end) {
      uint16_t flags = U16(glyf, p);
      todo.push_back(U16(glyf, p + 2));
      p += 4 + ((flags & kArgsAreWords) ? 4 : 2);
      if (flags & kHaveScale) p += 2;
      if (flags & kHaveXYScale) p += 4;
      if (flags & kHaveTwoByTwo) p += 8;
      if (!(flags & kMoreComponents)) break;
    }
  }

  std::string new_glyf;
  std::string new_loca;
  std::string hmtx(TableData("hmtx"));
  for (size_t g = 0; g < num_glyphs_; ++g) {
    Put32(new_loca, static_cast<uint32_t>(new_glyf.size()));
    if (keep[g]) {
      uint32_t at = GlyphOffset(static_cast<uint16_t>(g));
      new_glyf.append(glyf.substr(at, GlyphOffset(static_cast<uint16_t>(g + 1)) - at));
      while (new_glyf.size() % 4 != 0) new_glyf.push_back('\0');
    } else if (g < static_cast<size_t>(num_hmetrics_)) {
      Set32(hmtx, 4 * g, 0);  // advance and left side bearing: unused
    } else if (4 * static_cast<size_t>(num_hmetrics_) + 2 * (g - num_hmetrics_) + 2 <=
               hmtx.size()) {
      Set16(hmtx, 4 * num_hmetrics_ + 2 * (g - num_hmetrics_), 0);
    }
  }
  Put32(new_loca, static_cast<uint32_t>(new_glyf.size()));
  std::string head(TableData("head"));
  Set32(head, 8, 0);   // checkSumAdjustment, set below
  Set16(head, 50, 1);  // long loca offsets

  std::vector<std::pair<std::string, std::string>> out_tables;
  for (const char* tag : {"cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "prep"}) {
    std::string body;
    if (std::strcmp(tag, "glyf") == 0) {
      body = std::move(new_glyf);  // NOLINT(bugprone-use-after-move): each tag comes once
    } else if (std::strcmp(tag, "loca") == 0) {
      body = std::move(new_loca);  // NOLINT(bugprone-use-after-move): each tag comes once
    } else if (std::strcmp(tag, "head") == 0) {
      body = head;
    } else if (std::strcmp(tag, "hmtx") == 0) {
      body = hmtx;
    } else if (tables_.contains(tag)) {
      body = std::string(TableData(tag));
    } else {
      continue;
    }
    out_tables.emplace_back(tag, std::move(body));
  }  // already in tag order
  uint16_t n = static_cast<uint16_t>(out_tables.size());
  uint16_t power = 1;
  uint16_t log2 = 0;
  while (power * 2 <= n) {
    power *= 2;
    ++log2;
  }
  std::string font;
  Put32(font, 0x00010000);
  Put16(font, n);
  Put16(font, static_cast<uint16_t>(power * 16));
  Put16(font, log2);
  Put16(font, static_cast<uint16_t>(n * 16 - power * 16));
  size_t offset = 12 + 16 * static_cast<size_t>(n);
  size_t head_offset = 0;
  for (const auto& [tag, body] : out_tables) {
    font += tag;
    Put32(font, Checksum(body));
    Put32(font, static_cast<uint32_t>(offset));
    Put32(font, static_cast<uint32_t>(body.size()));
    if (tag == "head") head_offset = offset;
    offset += (body.size() + 3) / 4 * 4;
  }
  for (const auto& [tag, body] : out_tables) {
    font += body;
    while (font.size() % 4 != 0) font.push_back('\0');
  }
  Set32(font, head_offset + 8, 0xB1B0AFBAu - Checksum(font));
  return font;
}

}  // namespace motcua::render
