// One-sheet XLSX workbooks (Office Open XML spreadsheets) for registers and reports, written by
// libxlsxwriter (BSD). The sheet has optional title lines merged across the columns, a header
// row (frozen, with an autofilter, repeated on every printed page) and rows of cells; it prints
// on A4 landscape, fitted to the page width. Strings are stored inline in the sheet XML, with the
// characters XML cannot hold dropped or replaced (render::XmlSafeText).
#pragma once

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "common/error.h"

namespace motcua::render {

// A civil date and time, shown as dd/mm/yyyy hh:mm and stored as an Excel date.
struct XlsxDateTime {
  int year = 1900;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
};

using XlsxCell = std::variant<std::monostate, std::string, double, XlsxDateTime>;

struct XlsxSheet {
  std::string name;                      // the sheet tab, at most 31 characters, no []:*?/\\ .
  std::vector<std::string> title_lines;  // bold lines above the table
  std::vector<std::string> header;       // one per column
  std::vector<double> column_widths;     // in characters, one per column (default 12)
  std::vector<std::vector<XlsxCell>> rows;
};

struct XlsxInfo {
  std::string title;
  std::string author;
  int64_t created_unix_seconds = 0;  // the document's creation time (0 = 1970-01-01)
};

// The workbook's bytes. libxlsxwriter assembles the file on disk: it is written under
// `tmp_dir` (which must exist and be writable) with a name unique in this process, read back
// and removed, whatever happens. Fails with kInternal (the library's message goes to the
// error's English text) when the library or the file system fails. Thread-safe.
Result<std::string> WriteXlsx(const XlsxSheet& sheet, const XlsxInfo& info,
                              const std::filesystem::path& tmp_dir);

}  // namespace motcua::render
