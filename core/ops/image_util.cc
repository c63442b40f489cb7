#include "core/ops/image_util.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace minerva {

namespace {
std::string trimmed(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\n"), e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}
}  // namespace

std::vector<double> image_float_tuple(const Attrs& attrs, const std::string& name) {
  const std::string& text = attrs.get_str(name);
  auto malformed = [&]() {
    MV_THROW(kValue) << "Operator " << attrs.op->name << ": parameter '" << name
                     << "' expects a float or a tuple of floats such as (0.5, 0.25), got '" << text << "'";
  };
  std::string body = trimmed(text);
  if (!body.empty() && (body.front() == '(' || body.front() == '[')) {
    if (body.back() != (body.front() == '(' ? ')' : ']')) malformed();
    body = body.substr(1, body.size() - 2);
  }
  std::vector<double> values;
  std::stringstream items(body);
  std::string item;
  while (std::getline(items, item, ',')) {
    const std::string v = trimmed(item);
    if (v.empty()) {
      if (items.eof() && !values.empty()) break;  // the trailing comma of "(0.5,)"
      malformed();
    }
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (*end != '\0') malformed();
    values.push_back(x);
  }
  if (values.empty()) malformed();
  return values;
}

void check_hwc_image(const Attrs& attrs, const Shape& s) {
  MV_CHECK(s.size() == 3, kValue) << "Operator " << attrs.op->name
                                  << ": input image must have shape (height, width, channels), got " << shape_str(s);
  MV_CHECK(s[2] == 1 || s[2] == 3, kValue)
      << "Operator " << attrs.op->name << ": the last dimension of the input image is the channel dimension and "
      << "must have 1 or 3 elements, got shape " << shape_str(s);
}

void check_image_or_batch(const Attrs& attrs, const Shape& s) {
  MV_CHECK(s.size() == 3 || s.size() == 4, kValue)
      << "Operator " << attrs.op->name
      << ": input must be an image (height, width, channels) or a batch (N, height, width, channels), got "
      << shape_str(s);
}

InferTypeFn image_type(std::vector<DType> allowed) {
  return [allowed](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
    const int t = (*in)[0] >= 0 ? (*in)[0] : (*out)[0];
    if (t < 0) return;
    const DType d = static_cast<DType>(t);
    const bool ok = allowed.empty() ? d != DType::kBool
                                    : std::find(allowed.begin(), allowed.end(), d) != allowed.end();
    if (!ok) {
      std::string names;
      for (DType a : allowed) names += std::string(names.empty() ? "" : ", ") + dtype_name(a);
      MV_THROW(kType) << "Operator " << attrs.op->name << " does not support dtype " << dtype_name(d) << "; "
                      << (allowed.empty() ? std::string("use a numeric image") : "supported: " + names);
    }
    (*in)[0] = t;
    (*out)[0] = t;
  };
}

}  // namespace minerva
