#include "core/ops/float_tuple.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace minerva {

namespace {
std::string strip(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n"), e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}
}  // namespace

std::vector<double> float_tuple(const Attrs& attrs, const std::string& name, const FloatTupleRules& rules) {
  const std::string& text = attrs.get_str(name);
  auto bad = [&]() {
    MV_THROW(kValue) << "Operator " << attrs.op->name << ": parameter '" << name << "' expects " << rules.expects
                     << ", got '" << text << "'";
  };
  std::string t = strip(text);
  if (!t.empty() && (t.front() == '(' || t.front() == '[')) {
    const char close = t.front() == '(' ? ')' : ']';
    if (t.back() != close) bad();
    t = t.substr(1, t.size() - 2);
  }
  std::vector<double> values;
  std::stringstream ss(t);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::string v = strip(item);
    if (v.empty()) {
      if (ss.eof()) break;  // the trailing comma of "(0.1,)"
      bad();
    }
    char* end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    if (*end != '\0' || (rules.finite && !std::isfinite(x))) bad();
    values.push_back(x);
  }
  if (rules.non_empty && values.empty()) bad();
  return values;
}

std::vector<double> float_tuple(const Attrs& attrs, const std::string& name, int64_t count) {
  std::vector<double> values = float_tuple(attrs, name);
  MV_CHECK(static_cast<int64_t>(values.size()) == count, kValue)
      << "Operator " << attrs.op->name << ": parameter '" << name << "' holds " << values.size()
      << " value(s), expected " << count << " (one per tensor)";
  return values;
}

}  // namespace minerva
