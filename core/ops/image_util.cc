#include "core/ops/image_util.h"

#include "core/ops/float_tuple.h"

namespace minerva {

std::vector<double> image_float_tuple(const Attrs& attrs, const std::string& name) {
  FloatTupleRules rules;
  rules.finite = false;  // unlike the optimizers' tuples, these have always let infinities through
  rules.non_empty = true;
  rules.expects = "a float or a tuple of floats such as (0.5, 0.25)";
  return float_tuple(attrs, name, rules);
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
