#include "domain/units/unit.h"

#include <gtest/gtest.h>

#include "test_data.h"

namespace motcua {
namespace {

UnitDirectory Bundled() {
  auto units = ParseUnitsCsv(testing::BundledFile("/units-vn-2025.csv"));
  EXPECT_TRUE(units);
  auto agencies = ParseAgenciesCsv(testing::BundledFile("/agencies-phu-tho.csv"), "25");
  EXPECT_TRUE(agencies);
  units->insert(units->end(), agencies->begin(), agencies->end());
  return UnitDirectory(std::move(*units));
}

TEST(Units, BundledListHasTheCountsOfThe2025Reform) {
  UnitDirectory dir = Bundled();
  size_t provinces = 0, communes = 0;
  for (const Unit& u : dir.All()) {
    if (u.category != UnitCategory::kAdministrative) continue;
    (u.kind == "province" ? provinces : communes)++;
  }
  EXPECT_EQ(provinces, 34u);
  EXPECT_EQ(communes, 3321u);
  size_t phu_tho = 0, xa = 0, phuong = 0;
  for (const Unit* u : dir.Children("25")) {
    if (u->category != UnitCategory::kAdministrative) continue;
    ++phu_tho;
    xa += u->kind == "xa";
    phuong += u->kind == "phuong";
  }
  EXPECT_EQ(phu_tho, 148u);
  EXPECT_EQ(xa, 133u);
  EXPECT_EQ(phuong, 15u);
}

TEST(Units, HierarchyAncestorsAndWithin) {
  UnitDirectory dir = Bundled();
  const Unit* xuan_hoa = dir.Find("08746");
  ASSERT_NE(xuan_hoa, nullptr);
  EXPECT_EQ(xuan_hoa->name, "Phường Xuân Hòa");
  auto anc = dir.Ancestors("08746");
  ASSERT_EQ(anc.size(), 1u);
  EXPECT_EQ(anc[0]->code, "25");
  EXPECT_TRUE(dir.IsWithin("08746", "25"));
  EXPECT_FALSE(dir.IsWithin("08746", "01"));
  EXPECT_TRUE(dir.IsWithin("TTPVHCC_CN1", "TTPVHCC"));
  EXPECT_TRUE(dir.IsWithin("TTPVHCC_CN1", "25"));
  EXPECT_EQ(dir.ProvinceOf("VPDKDD"), "25");
  EXPECT_EQ(dir.Find("UBND_XA")->category, UnitCategory::kAgencyTemplate);
  EXPECT_FALSE(dir.IsWithin("nope", "25"));
}

TEST(Csv, QuotesAndLineEndings) {
  auto rows = ParseCsv("a,\"b,c\",\"d\"\"e\"\r\n1,2,3\n");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][1], "b,c");
  EXPECT_EQ((*rows)[0][2], "d\"e");
  EXPECT_EQ((*rows)[1][2], "3");
  EXPECT_FALSE(ParseCsv("a,\"b\n"));
}

TEST(Csv, UnitErrorsNameTheLine) {
  auto r =
      ParseUnitsCsv("code,name,type,parent_code\n25,Tỉnh Phú Thọ,province,\n99,X,district,25\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "line 3");
  EXPECT_FALSE(ParseUnitsCsv("wrong,header\n"));
}

}  // namespace
}  // namespace motcua
