#include "common/json.h"

#include <cstring>

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>

#include "common/text.h"

namespace motcua {

namespace {

// Boost.JSON's own value-building handler (boost/json/detail/handler.hpp) plus one check: no
// object has a key twice. Boost keeps the last of them silently, other readers the first, so a
// body with a repeated key could mean one thing to a proxy, a log or a WAF and another to us.
// The keys of the objects being read are kept on a stack; when an object ends, its keys are
// sorted and compared (n log n in its number of keys).
class StrictHandler {
 public:
  // The names Boost.JSON's basic_parser requires of a handler.
  // NOLINTBEGIN(readability-identifier-naming)
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();
  // NOLINTEND(readability-identifier-naming)

  StrictHandler(unsigned char* temp, std::size_t size)
      : st(boost::json::storage_ptr(), temp, size) {}

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code&) {
    frames_.push_back(keys_.size());
    return true;
  }
  bool on_object_end(std::size_t n, boost::json::error_code& ec) {
    auto first = keys_.begin() + static_cast<std::ptrdiff_t>(frames_.back());
    std::sort(first, keys_.end());
    auto twice = std::adjacent_find(first, keys_.end());
    if (twice != keys_.end()) {
      duplicate = std::move(*twice);
      ec = boost::json::error::syntax;
      return false;
    }
    keys_.erase(first, keys_.end());
    frames_.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(boost::json::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_chars(s);
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_key(s);
    key_.append(s.data(), s.size());
    keys_.push_back(std::move(key_));
    key_.clear();
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::json::error_code&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::json::error_code&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, boost::json::string_view, boost::json::error_code&) {
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, boost::json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(boost::json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }

  boost::json::value_stack st;
  std::string duplicate;  // the key found twice, when that stopped the parse

 private:
  std::string key_;                  // the key being read, when it comes in parts
  std::vector<std::string> keys_;    // the keys of every object being read, outermost first
  std::vector<std::size_t> frames_;  // where each open object's keys start in keys_
};

}  // namespace

Result<boost::json::value> ParseJson(std::string_view text, int max_depth) {
  boost::json::parse_options opt;
  opt.max_depth = static_cast<std::size_t>(max_depth);
  opt.allow_comments = false;
  opt.allow_trailing_commas = false;
  opt.allow_invalid_utf8 = false;
  unsigned char temp[4096];
  boost::json::basic_parser<StrictHandler> parser(opt, temp, sizeof temp);
  parser.handler().st.reset();
  boost::system::error_code ec;
  size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = boost::json::error::extra_data;
  if (ec && !parser.handler().duplicate.empty()) {
    const std::string& key = parser.handler().duplicate;
    std::string shown = IsValidUtf8(key) && Utf8Length(key) <= 64 ? key : "?";
    return Fail(ErrorCode::kBadRequest, "The JSON body has the key '" + shown + "' twice.",
                "Nội dung JSON có khóa '" + shown + "' hai lần.", shown);
  }
  if (ec) {
    return Fail(ErrorCode::kBadRequest, "The body is not valid JSON: " + ec.message() + ".",
                "Nội dung không phải JSON hợp lệ: " + ec.message() + ".");
  }
  return parser.handler().st.release();
}

std::string ToJson(const boost::json::value& v) { return boost::json::serialize(v); }

JsonObjectReader::JsonObjectReader(const boost::json::value& v, std::string path)
    : path_(std::move(path)) {
  object_ = v.if_object();
  if (object_ == nullptr) {
    error_ = Error{ErrorCode::kInvalidField, "Expected a JSON object.", "Cần một đối tượng JSON.",
                   path_};
  }
}

std::string JsonObjectReader::FieldPath(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

void JsonObjectReader::Reject(ErrorCode code, std::string_view key, std::string message,
                              std::string message_vi) {
  if (!error_) error_ = Error{code, std::move(message), std::move(message_vi), FieldPath(key)};
}

void JsonObjectReader::Allow(std::string_view key) { seen_.emplace_back(key); }

const boost::json::value* JsonObjectReader::Lookup(std::string_view key, bool required) {
  seen_.emplace_back(key);
  if (object_ == nullptr || error_) return nullptr;
  const boost::json::value* v = object_->if_contains(key);
  if ((v == nullptr || v->is_null()) && required) {
    Reject(ErrorCode::kMissingField, key, "Field '" + FieldPath(key) + "' is required.",
           "Trường '" + FieldPath(key) + "' là bắt buộc.");
    return nullptr;
  }
  if (v != nullptr && v->is_null()) return nullptr;
  return v;
}

const boost::json::value* JsonObjectReader::Raw(std::string_view key, bool required) {
  return Lookup(key, required);
}

std::optional<std::string> JsonObjectReader::String(std::string_view key, StringRule rule) {
  const boost::json::value* v = Lookup(key, rule.required);
  if (v == nullptr) return std::nullopt;
  const boost::json::string* s = v->if_string();
  if (s == nullptr) {
    Reject(ErrorCode::kInvalidField, key, "Field '" + FieldPath(key) + "' must be a string.",
           "Trường '" + FieldPath(key) + "' phải là chuỗi ký tự.");
    return std::nullopt;
  }
  std::string_view text(s->data(), s->size());
  if (text.empty() && !rule.allow_empty) {
    Reject(ErrorCode::kInvalidField, key, "Field '" + FieldPath(key) + "' must not be empty.",
           "Trường '" + FieldPath(key) + "' không được để trống.");
    return std::nullopt;
  }
  if (Utf8Length(text) > rule.max_chars) {
    Reject(ErrorCode::kInvalidField, key,
           "Field '" + FieldPath(key) + "' is longer than " + std::to_string(rule.max_chars) +
               " characters.",
           "Trường '" + FieldPath(key) + "' dài quá " + std::to_string(rule.max_chars) + " ký tự.");
    return std::nullopt;
  }
  if (text.find('\0') != std::string_view::npos) {
    Reject(ErrorCode::kInvalidField, key, "Field '" + FieldPath(key) + "' contains a NUL.",
           "Trường '" + FieldPath(key) + "' chứa ký tự NUL.");
    return std::nullopt;
  }
  return std::string(text);
}

std::optional<int64_t> JsonObjectReader::Int(std::string_view key, bool required, int64_t min,
                                             int64_t max) {
  const boost::json::value* v = Lookup(key, required);
  if (v == nullptr) return std::nullopt;
  std::optional<int64_t> n;
  if (v->is_int64()) n = v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v->get_uint64());
  }
  if (!n || *n < min || *n > max) {
    Reject(ErrorCode::kInvalidField, key,
           "Field '" + FieldPath(key) + "' must be an integer from " + std::to_string(min) +
               " to " + std::to_string(max) + ".",
           "Trường '" + FieldPath(key) + "' phải là số nguyên từ " + std::to_string(min) + " đến " +
               std::to_string(max) + ".");
    return std::nullopt;
  }
  return n;
}

std::optional<bool> JsonObjectReader::Bool(std::string_view key, bool required) {
  const boost::json::value* v = Lookup(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    Reject(ErrorCode::kInvalidField, key, "Field '" + FieldPath(key) + "' must be true or false.",
           "Trường '" + FieldPath(key) + "' phải là true hoặc false.");
    return std::nullopt;
  }
  return v->get_bool();
}

Status JsonObjectReader::Finish() {
  if (error_) return tl::unexpected(*error_);
  for (const auto& kv : *object_) {
    std::string_view key = kv.key();
    if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
      std::string shown = IsValidUtf8(key) && key.size() <= 64 ? std::string(key) : "?";
      return Fail(ErrorCode::kUnknownField, "Unknown field '" + FieldPath(shown) + "'.",
                  "Trường không được hỗ trợ: '" + FieldPath(shown) + "'.", FieldPath(shown));
    }
  }
  return {};
}

void JsonWriter::Separate() {
  if (need_comma_) out_ += ',';
  need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_ += '{';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_ += '[';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view k) {
  String(k);
  out_ += ':';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view v) {
  static constexpr char kHex[] = "0123456789abcdef";
  Separate();
  out_ += '"';
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  // Eight bytes at a time while none of them needs escaping (a control byte, '"' or '\').
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t x) { return ((x - kOnes) & ~x & kHigh) != 0; };
  for (; i + 8 <= v.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, v.data() + i, 8);
    bool control = ((x - kOnes * 0x20) & ~x & kHigh) != 0;
    if (control || has_zero(x ^ (kOnes * '"')) || has_zero(x ^ (kOnes * '\\'))) break;
  }
  for (; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(v.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        out_ += "\\u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 15];
    }
  }
  out_.append(v.substr(run));
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t v) {
  Separate();
  out_ += std::to_string(v);
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_.append(json);
  return *this;
}

}  // namespace motcua
