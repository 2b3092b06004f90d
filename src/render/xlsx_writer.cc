#include "render/xlsx_writer.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <system_error>

#include <xlsxwriter.h>

#include "render/unicode_text.h"

namespace motcua::render {
namespace {

std::atomic<uint64_t> next_file{0};

// Removes the file when it goes out of scope.
struct TempFile {
  std::filesystem::path path;
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

tl::unexpected<Error> LibraryError(const std::string& what, lxw_error e) {
  return Fail(ErrorCode::kInternal, "xlsx: " + what + ": " + lxw_strerror(e));
}

}  // namespace

Result<std::string> WriteXlsx(const XlsxSheet& sheet, const XlsxInfo& info,
                              const std::filesystem::path& tmp_dir) {
  TempFile file{tmp_dir / ("motcua-" + std::to_string(getpid()) + "-" +
                           std::to_string(next_file.fetch_add(1)) + ".xlsx")};
  std::string path = file.path.string();
  std::string dir = tmp_dir.string();
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;  // rows stream to disk; strings go inline
  options.tmpdir = dir.data();
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (wb == nullptr) return Fail(ErrorCode::kInternal, "xlsx: cannot create " + path);

  // Every string goes into the workbook's XML: only characters XML 1.0 can hold (names may carry
  // anything, e.g. U+FFFF, and one such character made sheet1.xml unreadable).
  lxw_doc_properties props{};
  std::string title = XmlSafeText(info.title);
  std::string author = XmlSafeText(info.author);
  props.title = title.data();
  props.author = author.data();
  props.created = static_cast<time_t>(info.created_unix_seconds);
  workbook_set_properties(wb, &props);

  std::string name = XmlSafeText(sheet.name);
  lxw_worksheet* ws = workbook_add_worksheet(wb, name.empty() ? nullptr : name.c_str());
  if (ws == nullptr) {
    workbook_close(wb);
    return Fail(ErrorCode::kInternal, "xlsx: bad sheet name");
  }
  lxw_format* title_fmt = workbook_add_format(wb);
  format_set_bold(title_fmt);
  format_set_align(title_fmt, LXW_ALIGN_CENTER);
  lxw_format* head_fmt = workbook_add_format(wb);
  format_set_bold(head_fmt);
  format_set_border(head_fmt, LXW_BORDER_THIN);
  format_set_text_wrap(head_fmt);
  format_set_align(head_fmt, LXW_ALIGN_CENTER);
  format_set_align(head_fmt, LXW_ALIGN_VERTICAL_CENTER);
  format_set_bg_color(head_fmt, 0xDDEBF7);
  lxw_format* cell_fmt = workbook_add_format(wb);
  format_set_border(cell_fmt, LXW_BORDER_THIN);
  format_set_text_wrap(cell_fmt);
  format_set_align(cell_fmt, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* date_fmt = workbook_add_format(wb);
  format_set_border(date_fmt, LXW_BORDER_THIN);
  format_set_num_format(date_fmt, "dd/mm/yyyy hh:mm");
  format_set_align(date_fmt, LXW_ALIGN_VERTICAL_TOP);

  auto cols = static_cast<lxw_col_t>(std::max<size_t>(1, sheet.header.size()));
  for (lxw_col_t c = 0; c < cols; ++c) {
    double w = c < sheet.column_widths.size() ? sheet.column_widths[c] : 12;
    worksheet_set_column(ws, c, c, w, nullptr);
  }
  worksheet_set_landscape(ws);
  worksheet_set_paper(ws, 9);  // A4
  worksheet_fit_to_pages(ws, 1, 0);

  lxw_error e = LXW_NO_ERROR;
  auto check = [&e](lxw_error r) {
    if (e == LXW_NO_ERROR) e = r;
  };
  lxw_row_t row = 0;
  for (const std::string& text : sheet.title_lines) {
    std::string line = XmlSafeText(text);
    if (cols > 1) {
      check(worksheet_merge_range(ws, row, 0, row, cols - 1, line.c_str(), title_fmt));
    } else {
      check(worksheet_write_string(ws, row, 0, line.c_str(), title_fmt));
    }
    ++row;
  }
  if (!sheet.title_lines.empty()) ++row;  // a blank line before the table
  lxw_row_t header_row = row;
  for (lxw_col_t c = 0; c < sheet.header.size(); ++c) {
    check(worksheet_write_string(ws, row, c, XmlSafeText(sheet.header[c]).c_str(), head_fmt));
  }
  ++row;
  for (const auto& cells : sheet.rows) {
    for (lxw_col_t c = 0; c < cells.size(); ++c) {
      const XlsxCell& cell = cells[c];
      if (const auto* s = std::get_if<std::string>(&cell)) {
        check(worksheet_write_string(ws, row, c, XmlSafeText(*s).c_str(), cell_fmt));
      } else if (const auto* n = std::get_if<double>(&cell)) {
        check(worksheet_write_number(ws, row, c, *n, cell_fmt));
      } else if (const auto* t = std::get_if<XlsxDateTime>(&cell)) {
        lxw_datetime dt{t->year, t->month, t->day, t->hour, t->minute, double(t->second)};
        check(worksheet_write_datetime(ws, row, c, &dt, date_fmt));
      } else {
        check(worksheet_write_blank(ws, row, c, cell_fmt));
      }
    }
    ++row;
  }
  if (!sheet.header.empty()) {
    check(worksheet_repeat_rows(ws, header_row, header_row));
    worksheet_freeze_panes(ws, header_row + 1, 0);
    check(worksheet_autofilter(ws, header_row, 0, row > header_row + 1 ? row - 1 : header_row,
                               cols - 1));
  }
  lxw_error closed = workbook_close(wb);  // writes the file and frees the workbook
  if (e != LXW_NO_ERROR) return LibraryError("writing cells", e);
  if (closed != LXW_NO_ERROR) return LibraryError("closing " + path, closed);
  std::ifstream in(file.path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return Fail(ErrorCode::kInternal, "xlsx: cannot read back " + path);
  return std::move(bytes).str();
}

}  // namespace motcua::render
