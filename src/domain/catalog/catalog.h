// An immutable, searchable snapshot of the current procedure catalog, with each procedure's JSON
// serialised once at build time so that lookups and listings only copy bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "domain/catalog/procedure.h"

namespace motcua {

struct CatalogEntry {
  Procedure procedure;
  int64_t version = 1;
  Instant imported_at{};
  std::string detail_json;         // the full record plus version and imported_at
  std::string summary_json;        // the fields a listing shows
  std::string folded_name;         // FoldForSearch(name)
  std::string folded_field;        // FoldForSearch(field)
  std::string folded_text;         // name, keywords, field, ids: what q= matches against
  std::vector<std::string> words;  // the distinct words of folded_text, sorted
};

// Builds one entry (serialises the JSON and the folded search text).
CatalogEntry MakeCatalogEntry(Procedure p, int64_t version, Instant imported_at);

struct CatalogQuery {
  std::string q;             // free text, accent-insensitive
  std::string level;         // commune | province
  std::string field;         // matched accent-insensitively against the procedure's field
  std::string online_level;  // full | partial | none
  std::string agency;        // agency_kind code
  size_t offset = 0;
  size_t limit = 20;
};

struct CatalogPage {
  std::vector<const CatalogEntry*> items;
  size_t total = 0;
};

// Thread-safe for concurrent reads; never modified after construction.
class Catalog {
 public:
  explicit Catalog(std::vector<CatalogEntry> entries);
  // The current version of procedure `id`, or nullptr.
  const CatalogEntry* Find(std::string_view id) const;
  // Filters, ranks (by relevance when q is given, else by id) and pages the catalog.
  CatalogPage Search(const CatalogQuery& query) const;
  size_t size() const { return entries_.size(); }
  const std::vector<CatalogEntry>& entries() const { return entries_; }

 private:
  std::vector<CatalogEntry> entries_;
  std::unordered_map<std::string_view, size_t> by_id_;
};

// Where a service gets the Catalog in force (a snapshot that is swapped when the stored data
// changes; see domain/reference/reference_data.h).
using CatalogSource = std::function<std::shared_ptr<const Catalog>()>;

}  // namespace motcua
