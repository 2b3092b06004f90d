#include "http/router.h"

namespace motcua {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

const std::string& RequestContext::Param(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return kEmpty;
}

void Router::Add(std::string method, std::string pattern, Handler handler, RouteDoc doc) {
  Route r;
  r.method = std::move(method);
  for (auto s : Split(pattern)) r.segments.emplace_back(s);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  r.doc = std::move(doc);
  r.index = routes_.size();
  routes_.push_back(std::move(r));
}

const Route* Router::Match(std::string_view method, std::string_view path,
                           std::vector<std::pair<std::string_view, std::string>>& params,
                           std::string* allowed) const {
  allowed->clear();
  if (path.empty() || path[0] != '/') return nullptr;
  std::vector<std::string_view> segs = Split(path);
  for (const Route& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    params.clear();
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& pat = r.segments[i];
      if (pat.size() > 2 && pat.front() == '{' && pat.back() == '}') {
        if (segs[i].empty())
          ok = false;
        else
          params.emplace_back(std::string_view(pat).substr(1, pat.size() - 2), segs[i]);
      } else {
        ok = pat == segs[i];
      }
    }
    if (!ok) continue;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) return &r;
    if (!allowed->empty()) *allowed += ", ";
    *allowed += r.method;
    if (r.method == "GET") *allowed += ", HEAD";
  }
  params.clear();
  return nullptr;
}

}  // namespace motcua
