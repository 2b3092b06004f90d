// Bytes through every parser of untrusted text that is not HTTP framing: JSON decoding with the
// strict object readers (login and account bodies), catalog validation, CSV imports, request
// targets, ISO 8601 instants and search folding.
#include <boost/json.hpp>

#include "common/clock.h"
#include "common/json.h"
#include "common/text.h"
#include "domain/catalog/procedure.h"
#include "domain/units/unit.h"
#include "http/message.h"

using namespace motcua;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto v = ParseJson(text, 32)) {
    JsonObjectReader login(*v);
    auto u = login.String("username", {true, 64, false});
    login.String("password", {true, 128, false});
    login.Int("n", false, 0, 100);
    login.Bool("b", false);
    if (login.Finish() && (!u || Utf8Length(*u) > 64 || !IsValidUtf8(*u))) __builtin_trap();
    CatalogReferences refs;
    refs.doc_types = {"id_card", "form_civil_status"};
    refs.agencies = {"UBND_XA", "TTPVHCC_XA"};
    auto catalog = ParseCatalog(*v, refs);
    if (!catalog && catalog.error().empty()) __builtin_trap();
    (void)ParseDocumentTypeIds(*v);
    (void)ToJson(*v);
  }
  (void)ParseCsv(text);
  (void)ParseUnitsCsv(text);
  (void)ParseAgenciesCsv(text, "25");
  Request req;
  if (ParseTarget(text, req) && !IsValidUtf8(req.path)) __builtin_trap();
  (void)ParseIso8601(text);
  std::string folded = FoldForSearch(text);
  if (!IsValidUtf8(folded)) __builtin_trap();
  return 0;
}
