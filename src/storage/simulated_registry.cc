#include "storage/simulated_registry.h"

#include <future>

namespace motcua::storage {

const std::map<std::string, std::string, std::less<>>& SimulatedNationalRegistry::Holdings() {
  static const std::map<std::string, std::string, std::less<>> kHoldings = {
      {"id_card", "Thông tin thẻ căn cước (CSDL quốc gia về dân cư)"},
      {"residence_confirmation", "Thông tin về cư trú (CSDL quốc gia về dân cư)"},
      {"birth_certificate", "Trích lục khai sinh (CSDL hộ tịch điện tử)"},
      {"marriage_certificate", "Trích lục kết hôn (CSDL hộ tịch điện tử)"},
      {"civil_status_extract", "Trích lục hộ tịch (CSDL hộ tịch điện tử)"},
  };
  return kHoldings;
}

SimulatedNationalRegistry::SimulatedNationalRegistry(BlobStore& blobs, FileContentLimits limits,
                                                     FileIndex& files, render::FontPair fonts,
                                                     const Clock& clock)
    : blobs_(blobs), limits_(limits), files_(files), fonts_(fonts), clock_(clock) {}

Result<std::optional<FileRecord>> SimulatedNationalRegistry::FetchDocument(
    const std::string& id_number, const std::string& doc_type) {
  using Found = std::optional<FileRecord>;
  bool digits = id_number.size() == 12;
  for (char c : id_number) digits = digits && c >= '0' && c <= '9';
  auto held = Holdings().find(doc_type);
  if (!digits || held == Holdings().end()) return Found();
  auto key = std::make_pair(id_number, doc_type);
  {
    std::lock_guard lock(mu_);
    if (auto it = made_.find(key); it != made_.end()) return Found(it->second);
  }
  if (fonts_.regular == nullptr || fonts_.bold == nullptr) {
    return Failure(ErrorCode::kUnavailable, "The national registry simulation has no fonts.");
  }
  // The same ID and type always give the same bytes, so the same file.
  render::PdfDocument doc(fonts_);
  doc.AddPage(render::kA5Portrait);
  double width = render::kA5Portrait.width - 80;
  double top = 50;
  top += doc.Paragraph(40, top, width, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                       {10, true, render::Align::kCenter});
  top += doc.Paragraph(40, top + 4, width, held->second, {12, true, render::Align::kCenter}) + 20;
  top += doc.Paragraph(40, top, width, "Số định danh cá nhân: " + id_number, {10}) + 6;
  doc.Paragraph(40, top, width,
                "Dữ liệu mô phỏng của motcua (không kết nối CSDL quốc gia thật); loại giấy tờ: " +
                    doc_type + ".",
                {8});
  auto pdf = doc.Finish({held->second, "motcua national registry simulation", "motcua", ""});
  MOTCUA_RETURN_IF_ERROR(pdf);
  auto blob = blobs_.Put(*pdf, limits_);
  MOTCUA_RETURN_IF_ERROR(blob);
  FileRecord record{blob->sha256, static_cast<int64_t>(blob->size),
                    std::string(MediaTypeName(blob->media_type)), clock_.Now()};
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  files_.RecordFileAsync(record, 0, [promise](Status st) { promise->set_value(std::move(st)); });
  if (Status st = future.get(); !st) return tl::unexpected(st.error());
  std::lock_guard lock(mu_);
  if (made_.size() >= kMaxMade) made_.clear();
  made_.emplace(std::move(key), record);
  return Found(std::move(record));
}

}  // namespace motcua::storage
