// QR codes (ISO/IEC 18004) as module matrices, encoded by libqrencode (LGPL-2.1, linked
// dynamically). The format writers draw them; nothing here knows about pages or pixels.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace motcua::render {

// A square of modules, row by row from the top; true = dark. Excludes the quiet zone, which
// the drawer adds (kQrQuietZone modules on every side, as the standard asks).
struct QrMatrix {
  int size = 0;  // modules per side (21 for version 1, +4 per version)
  std::vector<bool> dark;
  bool At(int row, int col) const { return dark[static_cast<size_t>(row) * size + col]; }
};

constexpr int kQrQuietZone = 4;

// Encodes `text` (bytes, e.g. a URL) at error correction level M in the smallest version that
// holds it. Fails with kInvalidField when the text is empty or too long for a QR code (over
// 2331 bytes at level M), kInternal if the encoder fails otherwise. Thread-safe.
Result<QrMatrix> EncodeQr(std::string_view text);

}  // namespace motcua::render
