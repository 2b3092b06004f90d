#include "render/qr.h"

#include <cerrno>
#include <memory>

#include <qrencode.h>

namespace motcua::render {

Result<QrMatrix> EncodeQr(std::string_view text) {
  if (text.empty() || text.size() > 2331) {
    return Fail(ErrorCode::kInvalidField, "QR text must be 1 to 2331 bytes.",
                "Nội dung mã QR phải dài 1 đến 2331 byte.", "qr");
  }
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M),
      &QRcode_free);
  if (!code) {
    if (errno == ERANGE) {
      return Fail(ErrorCode::kInvalidField, "Text too long for a QR code.",
                  "Nội dung quá dài cho mã QR.", "qr");
    }
    return Fail(ErrorCode::kInternal);
  }
  QrMatrix m;
  m.size = code->width;
  m.dark.resize(static_cast<size_t>(m.size) * m.size);
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (code->data[i] & 1) != 0;
  return m;
}

}  // namespace motcua::render
