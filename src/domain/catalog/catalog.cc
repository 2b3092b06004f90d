#include "domain/catalog/catalog.h"

#include <algorithm>

#include "common/json.h"
#include "common/text.h"

namespace motcua {
namespace {

// True iff every query word is one of `sorted_words`; the last query word may also be a prefix
// of one (typing in progress).
bool HasAllWords(const std::vector<std::string>& sorted_words,
                 const std::vector<std::string_view>& query) {
  for (size_t i = 0; i < query.size(); ++i) {
    auto it = std::lower_bound(sorted_words.begin(), sorted_words.end(), query[i],
                               [](const std::string& w, std::string_view q) { return w < q; });
    if (it == sorted_words.end()) return false;
    bool ok = i + 1 == query.size() ? std::string_view(*it).starts_with(query[i]) : *it == query[i];
    if (!ok) return false;
  }
  return true;
}

// True iff every word of `words` starts some word of `text` (both folded). The last query word
// may be a prefix (typing in progress); the others must match whole words.
bool MatchesAll(std::string_view text, const std::vector<std::string_view>& words) {
  for (size_t i = 0; i < words.size(); ++i) {
    bool prefix_ok = i + 1 == words.size();
    bool found = false;
    size_t pos = 0;
    while (!found && (pos = text.find(words[i], pos)) != std::string_view::npos) {
      bool starts = pos == 0 || text[pos - 1] == ' ';
      size_t end = pos + words[i].size();
      bool ends = end == text.size() || text[end] == ' ';
      found = starts && (ends || prefix_ok);
      pos = end;
    }
    if (!found) return false;
  }
  return true;
}

bool ContainsPhrase(std::string_view text, std::string_view phrase) {
  size_t pos = 0;
  while ((pos = text.find(phrase, pos)) != std::string_view::npos) {
    size_t end = pos + phrase.size();
    if ((pos == 0 || text[pos - 1] == ' ') && (end == text.size() || text[end] == ' ')) return true;
    pos = end;
  }
  return false;
}

}  // namespace

CatalogEntry MakeCatalogEntry(Procedure p, int64_t version, Instant imported_at) {
  CatalogEntry e;
  e.version = version;
  e.imported_at = imported_at;
  boost::json::object detail = p.raw;
  detail["version"] = version;
  detail["imported_at"] = FormatIso8601Vn(imported_at);
  e.detail_json = boost::json::serialize(detail);
  boost::json::object summary;
  for (const char* key : {"id", "national_code", "name", "name_en", "field", "level", "agency_kind",
                          "processing_working_days", "time_unit", "fee_vnd", "online_level",
                          "eligible_full_online", "applicants"}) {
    if (const auto* v = p.raw.if_contains(key)) summary[key] = *v;
  }
  summary["version"] = version;
  e.summary_json = boost::json::serialize(summary);
  e.folded_name = FoldForSearch(p.name);
  e.folded_field = FoldForSearch(p.field);
  std::string text = e.folded_name + " | " + e.folded_field + " | " + FoldForSearch(p.id) + " " +
                     FoldForSearch(p.national_code);
  for (const auto& k : p.keywords) text += " | " + FoldForSearch(k);
  for (std::string_view w : SplitWords(text)) {
    if (w != "|") e.words.emplace_back(w);
  }
  std::sort(e.words.begin(), e.words.end());
  e.words.erase(std::unique(e.words.begin(), e.words.end()), e.words.end());
  e.folded_text = std::move(text);
  e.procedure = std::move(p);
  return e;
}

Catalog::Catalog(std::vector<CatalogEntry> entries) : entries_(std::move(entries)) {
  std::sort(entries_.begin(), entries_.end(), [](const CatalogEntry& a, const CatalogEntry& b) {
    return a.procedure.id < b.procedure.id;
  });
  for (size_t i = 0; i < entries_.size(); ++i) by_id_.emplace(entries_[i].procedure.id, i);
}

const CatalogEntry* Catalog::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &entries_[it->second];
}

CatalogPage Catalog::Search(const CatalogQuery& query) const {
  std::string folded_q = FoldForSearch(query.q);
  std::vector<std::string_view> words = SplitWords(folded_q);
  std::string folded_field = FoldForSearch(query.field);
  struct Hit {
    int score;
    size_t index;
  };
  std::vector<Hit> hits;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const CatalogEntry& e = entries_[i];
    const Procedure& p = e.procedure;
    if (!query.level.empty() && p.level != query.level) continue;
    if (!query.online_level.empty() && p.online_level != query.online_level) continue;
    if (!query.agency.empty() && p.agency_kind != query.agency) continue;
    if (!query.field.empty() && e.folded_field != folded_field) continue;
    int score = 0;
    if (!words.empty()) {
      if (!HasAllWords(e.words, words)) continue;
      if (ContainsPhrase(e.folded_name, folded_q)) score += 100;
      if (MatchesAll(e.folded_name, words)) score += 50;
      if (ContainsPhrase(e.folded_text, folded_q)) score += 20;
      // Shorter names that match are more specific.
      score -= static_cast<int>(std::min<size_t>(e.folded_name.size() / 10, 19));
    }
    hits.push_back({score, i});
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const Hit& a, const Hit& b) { return a.score > b.score; });
  CatalogPage page;
  page.total = hits.size();
  for (size_t i = query.offset; i < hits.size() && page.items.size() < query.limit; ++i) {
    page.items.push_back(&entries_[hits[i].index]);
  }
  return page;
}

}  // namespace motcua
