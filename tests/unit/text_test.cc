#include "common/text.h"

#include <gtest/gtest.h>

namespace motcua {
namespace {

TEST(FoldForSearch, StripsVietnameseDiacriticsAndCase) {
  EXPECT_EQ(FoldForSearch("Thủ tục Đăng ký khai sinh"), "thu tuc dang ky khai sinh");
  EXPECT_EQ(FoldForSearch("ĐĂNG KÝ KẾT HÔN"), "dang ky ket hon");
  EXPECT_EQ(FoldForSearch("Giấy chứng nhận quyền sử dụng đất"),
            "giay chung nhan quyen su dung dat");
  EXPECT_EQ(FoldForSearch("ư ơ ă â ê ô đ Ư Ơ Ă Â Ê Ô Đ"), "u o a a e o d u o a a e o d");
}

TEST(FoldForSearch, HandlesDecomposedText) {
  // "Việt" in NFD: e + combining circumflex + combining dot below.
  EXPECT_EQ(FoldForSearch("Vie\xCC\x82\xCC\xA3t"), "viet");
}

TEST(FoldForSearch, CollapsesPunctuationAndSpace) {
  EXPECT_EQ(FoldForSearch("  khai-sinh,  (bản sao)  "), "khai sinh ban sao");
  EXPECT_EQ(FoldForSearch(""), "");
  EXPECT_EQ(FoldForSearch("!!!"), "");
}

TEST(FoldForSearch, DropsInvalidUtf8) {
  EXPECT_EQ(FoldForSearch("ab\xFF\xFE"
                          "cd"),
            "abcd");
}

TEST(Utf8, Validates) {
  EXPECT_TRUE(IsValidUtf8("Phú Thọ"));
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xE1\xBA"));       // truncated
  EXPECT_EQ(Utf8Length("Phú Thọ"), 7u);
}

TEST(SplitWords, Splits) {
  auto w = SplitWords("dang ky  khai");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0], "dang");
  EXPECT_EQ(w[2], "khai");
}

}  // namespace
}  // namespace motcua
