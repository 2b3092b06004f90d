// Unicode text preparation for the format writers: UTF-8 decoding with canonical composition
// (so decomposed Vietnamese input is set and extracted as precomposed NFC letters) and the upper
// case of Latin and Vietnamese letters (for headings). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace motcua::render {

// The code points of `utf8`, with every (letter, combining marks) sequence that has a precomposed
// form in U+00C0..U+024F or U+1E00..U+1EFF composed as NFC does (marks are put in canonical order
// first). Malformed UTF-8 bytes become U+FFFD. Line breaks and other characters pass unchanged.
std::u32string ComposedCodePoints(std::string_view utf8);

// `utf8` with ASCII, Latin-1, Latin Extended-A/B (as far as Vietnamese needs: ă đ ĩ ũ ơ ư) and
// Latin Extended Additional (U+1EA0..U+1EF9) letters in upper case; other characters unchanged.
// "Phường Xuân Hòa" -> "PHƯỜNG XUÂN HÒA". The result is composed (see ComposedCodePoints).
std::string UpperCase(std::string_view utf8);

// `utf8` with only characters XML 1.0 can hold (its Char production): malformed UTF-8 and the
// noncharacters U+FFFE and U+FFFF become U+FFFD, control characters below U+0020 other than tab,
// line feed and carriage return are dropped. Everything else passes unchanged (not composed).
std::string XmlSafeText(std::string_view utf8);

// Appends `cps` to `out` as UTF-8 (U+FFFD for surrogates and values above U+10FFFF).
void AppendUtf8(std::u32string_view cps, std::string& out);

}  // namespace motcua::render
