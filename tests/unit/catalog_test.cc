#include "domain/catalog/catalog.h"

#include <gtest/gtest.h>

#include "common/json.h"
#include "common/text.h"
#include "domain/units/unit.h"
#include "test_data.h"

namespace motcua {
namespace {

CatalogReferences BundledRefs() {
  CatalogReferences refs;
  auto types = ParseDocumentTypeIds(*ParseJson(testing::BundledFile("/document_types.json"), 64));
  EXPECT_TRUE(types);
  refs.doc_types = *types;
  auto agencies = ParseAgenciesCsv(testing::BundledFile("/agencies-phu-tho.csv"), "25");
  for (const Unit& u : *agencies) refs.agencies.insert(u.code);
  return refs;
}

boost::json::value BundledCatalog() {
  return *ParseJson(testing::BundledFile("/procedures.json"), 64);
}

Catalog BuildCatalog() {
  auto procs = ParseCatalog(BundledCatalog(), BundledRefs());
  EXPECT_TRUE(procs);
  std::vector<CatalogEntry> entries;
  for (auto& p : *procs) entries.push_back(MakeCatalogEntry(std::move(p), 1, Instant{}));
  return Catalog(std::move(entries));
}

TEST(Catalog, BundledCatalogValidates) {
  auto procs = ParseCatalog(BundledCatalog(), BundledRefs());
  ASSERT_TRUE(procs) << procs.error().front().message;
  EXPECT_EQ(procs->size(), 105u);
}

// Each case edits procedure 0 (HT-001) and expects an error naming the id and the field.
struct BadCase {
  const char* name;
  void (*edit)(boost::json::object&);
  const char* field_suffix;
};

TEST(Catalog, ValidationErrorsNameProcedureAndField) {
  const BadCase cases[] = {
      {"steps do not sum", [](boost::json::object& p) { p["processing_working_days"] = 7; },
       "(HT-001).steps"},
      {"unknown doc type",
       [](boost::json::object& p) {
         p["components"].as_array()[0].as_object()["doc_type"] = "nope";
       },
       "(HT-001).components[0].doc_type"},
      {"unknown agency", [](boost::json::object& p) { p["agency_kind"] = "SXX"; },
       "(HT-001).agency_kind"},
      {"bad level", [](boost::json::object& p) { p["level"] = "district"; }, "(HT-001).level"},
      {"unknown field", [](boost::json::object& p) { p["colour"] = "red"; }, "(HT-001).colour"},
      {"missing name", [](boost::json::object& p) { p.erase("name"); }, "(HT-001).name"},
      {"bad national code", [](boost::json::object& p) { p["national_code"] = "1-001193"; },
       "(HT-001).national_code"},
      {"step unit",
       [](boost::json::object& p) { p["steps"].as_array()[1].as_object()["unit"] = "X"; },
       "(HT-001).steps[1].unit"},
  };
  for (const BadCase& c : cases) {
    boost::json::value doc = BundledCatalog();
    c.edit(doc.as_object()["procedures"].as_array()[0].as_object());
    auto r = ParseCatalog(doc, BundledRefs());
    ASSERT_FALSE(r) << c.name;
    ASSERT_EQ(r.error().size(), 1u) << c.name;
    EXPECT_EQ(r.error()[0].field, std::string("procedures[0]") + c.field_suffix) << c.name;
  }
}

TEST(Catalog, DuplicateIdsAreReported) {
  boost::json::value doc = BundledCatalog();
  auto& arr = doc.as_object()["procedures"].as_array();
  arr[1].as_object()["id"] = "HT-001";
  arr[1].as_object()["national_code"] = nullptr;
  auto r = ParseCatalog(doc, BundledRefs());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error()[0].code, ErrorCode::kConflict);
  EXPECT_EQ(r.error()[0].field, "procedures[1](HT-001).id");
}

TEST(Catalog, SearchIsAccentInsensitive) {
  Catalog c = BuildCatalog();
  for (const char* q : {"dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh"}) {
    CatalogQuery query;
    query.q = q;
    CatalogPage page = c.Search(query);
    ASSERT_FALSE(page.items.empty()) << q;
    EXPECT_EQ(page.items[0]->procedure.name, "Thủ tục đăng ký khai sinh") << q;
  }
  CatalogQuery marriage;
  marriage.q = "dang ky ket hon";
  auto page = c.Search(marriage);
  ASSERT_FALSE(page.items.empty());
  EXPECT_NE(FoldForSearch(page.items[0]->procedure.name).find("ket hon"), std::string::npos);
}

TEST(Catalog, FiltersAndPaging) {
  Catalog c = BuildCatalog();
  CatalogQuery all;
  all.limit = 1000;
  EXPECT_EQ(c.Search(all).total, 105u);
  CatalogQuery commune;
  commune.level = "commune";
  EXPECT_EQ(c.Search(commune).total, 71u);
  CatalogQuery full;
  full.online_level = "full";
  EXPECT_EQ(c.Search(full).total, 30u);
  CatalogQuery field;
  field.field = "ho tich";
  auto page = c.Search(field);
  ASSERT_GT(page.total, 0u);
  for (auto* e : page.items) EXPECT_EQ(e->procedure.field, "Hộ tịch");
  CatalogQuery paged;
  paged.offset = 100;
  paged.limit = 20;
  EXPECT_EQ(c.Search(paged).items.size(), 5u);
  CatalogQuery none;
  none.q = "zzzz khong co";
  EXPECT_EQ(c.Search(none).total, 0u);
}

}  // namespace
}  // namespace motcua
