// Strict JSON decoding of untrusted request bodies on top of Boost.JSON: depth-limited parsing,
// UTF-8 validated, and an object reader that checks types, lengths and unknown fields and names
// the field at fault in its Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "common/error.h"

namespace motcua {

// Parses `text` as one JSON value (no comments, no trailing commas, valid UTF-8 only), nesting at
// most `max_depth` deep. Fails with kBadRequest naming the problem.
Result<boost::json::value> ParseJson(std::string_view text, int max_depth = 32);

// Serialises `v` compactly.
std::string ToJson(const boost::json::value& v);

// Writes compact JSON straight into a string, for large responses (a queue page) where building
// a boost::json tree first would cost an allocation per field. The caller nests Begin/End calls
// correctly and writes a Key before each value inside an object; strings must be valid UTF-8
// (what the database holds: intake validates it). Not thread-safe.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view k);
  JsonWriter& String(std::string_view v);
  JsonWriter& Int(int64_t v);
  JsonWriter& Null();
  // Appends already-serialised JSON as one value (e.g. an ISO 8601 instant made elsewhere).
  JsonWriter& Raw(std::string_view json);

 private:
  void Separate();
  std::string& out_;
  bool need_comma_ = false;
};

// Reads the fields of one JSON object and records the first failure. Every getter returns a
// fallback value after a failure, so callers read all fields and then check Finish() once.
// Not thread-safe; borrows `v`, which must outlive the reader.
class JsonObjectReader {
 public:
  // `path` prefixes field names in errors, e.g. "procedures[3]". A non-object `v` is an error.
  JsonObjectReader(const boost::json::value& v, std::string path = {});

  struct StringRule {
    bool required = true;
    size_t max_chars = 1000;  // counted in code points
    bool allow_empty = false;
  };
  // A string field; nullopt when absent (and not required) or on failure.
  std::optional<std::string> String(std::string_view key, StringRule rule);
  std::optional<std::string> String(std::string_view key) { return String(key, StringRule{}); }
  // An integer field within [min, max].
  std::optional<int64_t> Int(std::string_view key, bool required, int64_t min, int64_t max);
  // A boolean field.
  std::optional<bool> Bool(std::string_view key, bool required);
  // A field of any JSON type, unchecked; nullptr if absent.
  const boost::json::value* Raw(std::string_view key, bool required);
  // Marks a field as known without reading it.
  void Allow(std::string_view key);

  // Records a failure found by the caller (the first one wins).
  void Reject(ErrorCode code, std::string_view key, std::string message, std::string message_vi);
  bool ok() const { return !error_.has_value(); }
  // Fails with the first recorded failure, or with kUnknownField if the object has a field that
  // no getter or Allow() touched.
  Status Finish();
  // The JSON path of a field, e.g. "procedures[3].steps".
  std::string FieldPath(std::string_view key) const;

 private:
  const boost::json::value* Lookup(std::string_view key, bool required);

  const boost::json::object* object_ = nullptr;
  std::string path_;
  std::optional<Error> error_;
  std::vector<std::string> seen_;
};

}  // namespace motcua
