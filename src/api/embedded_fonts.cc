#include "api/embedded_fonts.h"

#include <cstring>

namespace motcua {
namespace {

Result<render::TrueTypeFont> LoadFont(const char* path) {
  for (const EmbeddedFile* f = kEmbeddedFonts; f->path != nullptr; ++f) {
    if (std::strcmp(f->path, path) == 0) {
      auto font =
          render::TrueTypeFont::Parse(std::string(reinterpret_cast<const char*>(f->data), f->size));
      if (!font) {
        return Fail(ErrorCode::kInternal,
                    std::string("embedded font ") + path + ": " + ErrorText(font.error()));
      }
      return font;
    }
  }
  return Fail(ErrorCode::kInternal, std::string("embedded font ") + path + " is missing");
}

struct Fonts {
  Result<render::TrueTypeFont> regular = LoadFont("/DejaVuSans.ttf");
  Result<render::TrueTypeFont> bold = LoadFont("/DejaVuSans-Bold.ttf");
};

}  // namespace

Result<render::FontPair> EmbeddedFormFonts() {
  static const Fonts kFonts;  // parsed once; C++ makes the initialisation thread-safe
  if (!kFonts.regular) return tl::unexpected(kFonts.regular.error());
  if (!kFonts.bold) return tl::unexpected(kFonts.bold.error());
  return render::FontPair{&*kFonts.regular, &*kFonts.bold};
}

}  // namespace motcua
