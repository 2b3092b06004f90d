// Untrusted text (applicant names, notes) through the document writers: whatever the bytes, the
// XLSX workbook's XML parts stay well-formed XML 1.0 and the PDF's text reads back without the
// characters its formats cannot hold. The XML is checked by Python's expat (python3 -c), the PDF
// by pdftotext and pdfinfo (poppler-utils), each run as a separate process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "api/embedded_fonts.h"
#include "common/crypto.h"
#include "render/pdf_document.h"
#include "render/xlsx_writer.h"

namespace motcua {
namespace {

namespace fs = std::filesystem;

struct Proc {
  int status = -1;
  std::string out;
};

Proc Shell(const std::string& cmd) {
  Proc r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  r.status = pclose(p);
  return r;
}

// The value of "Name:   value" in pdfinfo's output.
std::string InfoField(const std::string& pdfinfo, const std::string& name) {
  std::string out = "\n" + pdfinfo;
  size_t at = out.find("\n" + name + ":");
  if (at == std::string::npos) return "<none>";
  at += name.size() + 2;
  while (at < out.size() && out[at] == ' ') ++at;
  return out.substr(at, out.find('\n', at) - at);
}

std::string HexOf(std::string_view s) {
  return Hex(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

class RenderTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("motcua_render_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Save(const std::string& name, const std::string& bytes) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }

  fs::path dir_;
};

// Text as the writers get it from the database: names with the noncharacters U+FFFE and U+FFFF,
// C0 control characters, malformed UTF-8 (a stray byte, a UTF-16 surrogate, an overlong form, a
// cut character), and the three control characters XML does allow.
const std::vector<std::pair<std::string, std::string>> kHostile = {
    // input, what a reader must get back
    {"Nguyễn Văn\xEF\xBF\xBE"
     "A",
     "Nguyễn Văn\xEF\xBF\xBD"
     "A"},
    {"Trần\xEF\xBF\xBF", "Trần\xEF\xBF\xBD"},
    {"L\x01\x02\x08\x0B\x0C\x1B\x1F\x7F"
     "ê",
     "L\x7F"
     "ê"},
    {"a\tb\nc", "a\tb\nc"},
    {"Bad\xFF", "Bad\xEF\xBF\xBD"},
    {"Sur\xED\xA0\x80", "Sur\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"Over\xC0\xAF", "Over\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"Cut\xE1\xBB", "Cut\xEF\xBF\xBD\xEF\xBF\xBD"},
};

// Every XML part of the workbook parses (expat refuses U+FFFE, U+FFFF and C0 controls), and the
// sheet's inline strings come back as the reader must see them (as hex, one per line).
TEST_F(RenderTextTest, XlsxHoldsOnlyCharactersXmlAllows) {
  render::XlsxSheet sheet;
  sheet.name = "So";
  sheet.title_lines = {"Sổ theo dõi \x01\xEF\xBF\xBE"};
  sheet.header = {"Họ tên\x02", "Ghi chú"};
  for (const auto& [in, out] : kHostile) sheet.rows.push_back({in, std::string("x\x03y")});
  sheet.rows.push_back({std::string("ok\r\nline"), 1.5});
  auto xlsx = render::WriteXlsx(sheet, {"Tiêu đề\xEF\xBF\xBF", "Tác giả\x04", 0}, dir_);
  ASSERT_TRUE(xlsx) << ErrorText(xlsx.error());
  std::string path = Save("hostile.xlsx", *xlsx);
  Proc py = Shell(
      "/usr/bin/python3 -c '\n"
      "import sys, zipfile, xml.dom.minidom\n"
      "z = zipfile.ZipFile(sys.argv[1])\n"
      "for n in z.namelist():\n"
      "    if n.endswith((\".xml\", \".rels\")):\n"
      "        try:\n"
      "            xml.dom.minidom.parseString(z.read(n))\n"
      "        except Exception as e:\n"
      "            print(\"BAD\", n, e)\n"
      "d = xml.dom.minidom.parseString(z.read(\"xl/worksheets/sheet1.xml\"))\n"
      "for t in d.getElementsByTagName(\"t\"):\n"
      "    print(\"\".join(c.data for c in t.childNodes).encode(\"utf-8\").hex())\n"
      "c = xml.dom.minidom.parseString(z.read(\"docProps/core.xml\"))\n"
      "for t in (\"dc:title\", \"dc:creator\"):\n"
      "    e = c.getElementsByTagName(t)[0]\n"
      "    print(\"\".join(x.data for x in e.childNodes).encode(\"utf-8\").hex())\n"
      "' '" +
      path + "' 2>&1");
  ASSERT_EQ(py.status, 0) << py.out;
  EXPECT_EQ(py.out.find("BAD"), std::string::npos) << py.out;
  std::string lines = "\n" + py.out;
  for (const auto& [in, out] : kHostile) {
    EXPECT_NE(lines.find("\n" + HexOf(out) + "\n"), std::string::npos) << out << "\n" << py.out;
  }
  EXPECT_NE(lines.find("\n" + HexOf("Sổ theo dõi \xEF\xBF\xBD") + "\n"), std::string::npos);
  EXPECT_NE(lines.find("\n" + HexOf("Họ tên") + "\n"), std::string::npos);
  EXPECT_NE(lines.find("\n" + HexOf("xy") + "\n"), std::string::npos);
  EXPECT_NE(lines.find("\n" + HexOf("Tiêu đề\xEF\xBF\xBD") + "\n"), std::string::npos);
  EXPECT_NE(lines.find("\n" + HexOf("Tác giả") + "\n"), std::string::npos);
}

// The PDF writer sets each glyph for one text only (its ToUnicode entry): a character the font
// cannot draw is set as '?' (before, a combining mark without a glyph was added to the previous
// letter's entry, so every later use of that letter read back with the mark), and the document
// information holds no control characters or noncharacters.
TEST_F(RenderTextTest, PdfReadsBackWithoutCharactersItCannotEncode) {
  auto fonts = EmbeddedFormFonts();
  ASSERT_TRUE(fonts) << ErrorText(fonts.error());
  render::PdfDocument doc(*fonts);
  doc.AddPage(render::kA5Portrait);
  render::TextStyle style{12};
  // U+0350 and U+036B: combining marks DejaVu Sans has no glyph for.
  doc.Text(20, 60, "Ba\xCD\x90 Ho\xCD\xAB", style);
  doc.Text(20, 90,
           "L\x01\x1F\xEF\xBF\xBE\xEF\xBF\xBF\xFF"
           "end",
           style);
  doc.Text(20, 120, "Hoa Bo Ba", style);
  auto bytes = doc.Finish({"Tiêu đề\x01\xEF\xBF\xBF", "Mã\x02", "Tác giả\x1B", ""});
  ASSERT_TRUE(bytes) << ErrorText(bytes.error());
  std::string pdf = Save("hostile.pdf", *bytes);
  Proc text = Shell("pdftotext -enc UTF-8 '" + pdf + "' - 2>&1");
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("Ba? Ho?"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("L????\xEF\xBF\xBD"
                          "end"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("Hoa Bo Ba"), std::string::npos) << text.out;
  for (char c : text.out) {
    auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 || c == '\n' || c == '\f') << "control character " << int(u);
  }
  Proc info = Shell("pdfinfo -enc UTF-8 '" + pdf + "' 2>&1");
  ASSERT_EQ(info.status, 0) << info.out;
  EXPECT_EQ(InfoField(info.out, "Title"), "Tiêu đề\xEF\xBF\xBD") << info.out;
  EXPECT_EQ(InfoField(info.out, "Subject"), "Mã") << info.out;
  EXPECT_EQ(InfoField(info.out, "Author"), "Tác giả") << info.out;
}

}  // namespace
}  // namespace motcua
