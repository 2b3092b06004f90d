// Text helpers for Vietnamese: UTF-8 validation and accent-insensitive folding for search.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace motcua {

// True iff `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in valid UTF-8 `s` (bytes for invalid input).
size_t Utf8Length(std::string_view s);

// Folds text for search: lower case, Vietnamese (and other Latin) diacritics removed, đ -> d,
// every run of characters that are not letters or digits becomes one space, trimmed.
// "Thủ tục Đăng ký  khai-sinh" -> "thu tuc dang ky khai sinh". Invalid UTF-8 bytes are dropped.
std::string FoldForSearch(std::string_view utf8);

// Splits folded text on spaces.
std::vector<std::string_view> SplitWords(std::string_view folded);

}  // namespace motcua
