#include "render/unicode_text.h"

#include <algorithm>
#include <cstdint>

namespace motcua::render {
namespace {

struct Composition {
  char32_t first;
  char32_t mark;
  char32_t composed;
};
struct MarkClass {
  char32_t mark;
  int combining_class;
};

#include "render/compose_table.inc"

constexpr char32_t kReplacement = 0xFFFD;

bool IsCombining(char32_t c) { return c >= 0x300 && c <= 0x36F; }

int CombiningClass(char32_t mark) {
  auto it = std::lower_bound(std::begin(kMarkClasses), std::end(kMarkClasses), mark,
                             [](const MarkClass& m, char32_t c) { return m.mark < c; });
  if (it != std::end(kMarkClasses) && it->mark == mark) return it->combining_class;
  return 230;  // the class of most marks above; these compose with nothing in the table
}

char32_t Compose(char32_t first, char32_t mark) {
  auto it = std::lower_bound(std::begin(kCompositions), std::end(kCompositions),
                             std::pair{first, mark}, [](const Composition& c, auto key) {
                               return std::pair{c.first, c.mark} < key;
                             });
  if (it != std::end(kCompositions) && it->first == first && it->mark == mark) return it->composed;
  return 0;
}

std::u32string Decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto b0 = static_cast<uint8_t>(s[i]);
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    int len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
    char32_t cp = len == 4 ? b0 & 0x07 : len == 3 ? b0 & 0x0F : b0 & 0x1F;
    bool ok = len > 0 && b0 < 0xF5 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      auto b = static_cast<uint8_t>(s[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    out.push_back(ok ? cp : kReplacement);
    i += ok ? len : 1;
  }
  return out;
}

char32_t Upper(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c >= 0x100 && c <= 0x17F && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
    // Latin Extended-A pairs upper/lower as even/odd, except in 0x139..0x148 and 0x179..0x17E.
    bool odd_pairs = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_pairs ? (c % 2 == 0) : (c % 2 == 1)) return c - 1;
    return c;
  }
  if (c == 0x1A1 || c == 0x1B0) return c == 0x1A1 ? 0x1A0 : 0x1AF;  // ơ ư
  if (c >= 0x1EA0 && c <= 0x1EF9 && c % 2 == 1) return c - 1;       // Vietnamese block pairs
  return c;
}

}  // namespace

std::string XmlSafeText(std::string_view utf8) {
  std::u32string kept;
  kept.reserve(utf8.size());
  for (char32_t c : Decode(utf8)) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
    kept.push_back(c == 0xFFFE || c == 0xFFFF ? kReplacement : c);
  }
  std::string out;
  AppendUtf8(kept, out);
  return out;
}

void AppendUtf8(std::u32string_view cps, std::string& out) {
  for (char32_t c : cps) {
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = kReplacement;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
}

std::u32string ComposedCodePoints(std::string_view utf8) {
  std::u32string in = Decode(utf8);
  std::u32string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    char32_t starter = in[i++];
    size_t j = i;
    while (j < in.size() && IsCombining(in[j])) ++j;
    if (j == i) {
      out.push_back(starter);
      continue;
    }
    // Canonical ordering of the marks, then composition: a mark composes with the starter
    // unless an uncomposed mark of the same or a higher class came before it (blocked).
    std::u32string marks = in.substr(i, j - i);
    std::stable_sort(marks.begin(), marks.end(),
                     [](char32_t a, char32_t b) { return CombiningClass(a) < CombiningClass(b); });
    std::u32string left;
    int last_class = -1;
    for (char32_t m : marks) {
      int cls = CombiningClass(m);
      char32_t composed = last_class >= cls ? 0 : Compose(starter, m);
      if (composed != 0) {
        starter = composed;
      } else {
        left.push_back(m);
        last_class = cls;
      }
    }
    out.push_back(starter);
    out += left;
    i = j;
  }
  return out;
}

std::string UpperCase(std::string_view utf8) {
  std::u32string cps = ComposedCodePoints(utf8);
  for (char32_t& c : cps) c = Upper(c);
  std::string out;
  out.reserve(utf8.size());
  AppendUtf8(cps, out);
  return out;
}

}  // namespace motcua::render
