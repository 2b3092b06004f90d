#include "common/text.h"

#include <cstdint>

namespace motcua {
namespace {

#include "common/fold_table.inc"

// Decodes one code point at s[i]; returns its length or 0 if the sequence is invalid.
size_t Decode(std::string_view s, size_t i, char32_t* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n;
  char32_t v;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    v = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
      (v >= 0xD800 && v <= 0xDFFF)) {
    return 0;
  }
  *cp = v;
  return n;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  char32_t cp;
  for (size_t i = 0; i < s.size();) {
    size_t n = Decode(s, i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t count = 0;
  char32_t cp;
  for (size_t i = 0; i < s.size(); ++count) {
    size_t n = Decode(s, i, &cp);
    i += n == 0 ? 1 : n;
  }
  return count;
}

std::string FoldForSearch(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  auto emit = [&](char c) {
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  };
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    size_t n = Decode(s, i, &cp);
    if (n == 0) {
      ++i;
      continue;
    }
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        emit(c);
      } else {
        pending_space = true;
      }
    } else if (cp >= kFoldLatin1ExtFirst && cp < kFoldLatin1ExtFirst + sizeof kFoldLatin1Ext &&
               kFoldLatin1Ext[cp - kFoldLatin1ExtFirst] != 0) {
      emit(kFoldLatin1Ext[cp - kFoldLatin1ExtFirst]);
    } else if (cp >= kFoldLatinExtAdditionalFirst &&
               cp < kFoldLatinExtAdditionalFirst + sizeof kFoldLatinExtAdditional &&
               kFoldLatinExtAdditional[cp - kFoldLatinExtAdditionalFirst] != 0) {
      emit(kFoldLatinExtAdditional[cp - kFoldLatinExtAdditionalFirst]);
    } else if (cp >= 0x300 && cp <= 0x36F) {
      // combining marks (text in NFD form): drop them, the base letter is already out
    } else if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F)) {
      pending_space = true;  // spaces and punctuation
    } else {
      if (pending_space && !out.empty()) out.push_back(' ');
      pending_space = false;
      out.append(s.substr(i, n));  // other scripts pass through unchanged
    }
    i += n;
  }
  return out;
}

std::vector<std::string_view> SplitWords(std::string_view folded) {
  std::vector<std::string_view> words;
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string_view::npos) end = folded.size();
    if (end > start) words.push_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

}  // namespace motcua
