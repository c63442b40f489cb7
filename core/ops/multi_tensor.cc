#include "core/ops/multi_tensor.h"

#include <algorithm>

#include "core/ops/layout_util.h"
#include "core/ops/reference_util.h"

namespace minerva {

NamesFn MultiTensorLayout::input_names() const {
  const MultiTensorLayout self = *this;
  return [self](const Attrs& a) {
    std::vector<std::string> names;
    for (int64_t i = 0; i < self.items(a); ++i)
      for (const std::string& s : self.slots) names.push_back(s + "_" + std::to_string(i));
    names.insert(names.end(), self.extra.begin(), self.extra.end());
    return names;
  };
}

IndicesFn MultiTensorLayout::mutated_inputs() const {
  const MultiTensorLayout self = *this;
  return [self](const Attrs& a) {
    std::vector<int> idx;
    for (int64_t i = 0; i < self.items(a); ++i)
      for (int k : self.mutated) idx.push_back(static_cast<int>(i) * self.group() + k);
    return idx;
  };
}

void MultiTensorLayout::infer_shapes(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) const {
  const int64_t n = items(attrs);
  const std::vector<std::string> names = attrs.op->inputs_for(attrs);
  for (int64_t i = 0; i < n; ++i) {
    const size_t base = static_cast<size_t>(i * group());
    Shape known = (*out)[i];
    for (int k = 0; k < group() && known.empty(); ++k) known = (*in)[base + k];
    if (known.empty()) continue;
    for (int k = 0; k < group(); ++k) {
      Shape& s = (*in)[base + k];
      if (s.empty()) s = known;
      else if (s != known) shape_mismatch(attrs, "input '" + names[base + k] + "'", known, s);
    }
    (*out)[i] = known;
  }
  const Shape extra_shape = extra_per_item ? Shape{n} : Shape{1};
  for (size_t k = static_cast<size_t>(n * group()); k < in->size(); ++k) {
    Shape& s = (*in)[k];
    if (s.empty()) s = extra_shape;
    else if (s != extra_shape)
      shape_mismatch(attrs, "input '" + names[k] + (extra_per_item ? "' (one value per tensor)" : "'"), extra_shape, s);
  }
}

void MultiTensorLayout::infer_types(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) const {
  const std::vector<std::string> names = attrs.op->inputs_for(attrs);
  const int f32 = static_cast<int>(DType::kFloat32), f64 = static_cast<int>(DType::kFloat64);
  auto state = [&](size_t k) {
    int& t = (*in)[k];
    if (t < 0) t = f32;
    MV_CHECK(t == f32 || t == f64, kType) << "Operator " << attrs.op->name << ": input '" << names[k]
                                          << "' must be float32, got " << dtype_name(static_cast<DType>(t));
  };
  const int64_t n = items(attrs);
  const int own = first_state < 0 ? group() : first_state;  // slots in the weight's dtype
  for (int64_t i = 0; i < n; ++i) {
    const size_t base = static_cast<size_t>(i * group());
    int t = (*out)[i];
    for (int k = 0; k < own && t < 0; ++k) t = (*in)[base + k];
    for (int k = own; k < group(); ++k) state(base + k);
    if (t < 0) continue;
    MV_CHECK(is_float_dtype(t), kType) << "Operator " << attrs.op->name << ": input '" << names[base]
                                       << "' must be float16, float32 or float64, got "
                                       << dtype_name(static_cast<DType>(t));
    for (int k = 0; k < own; ++k) {
      int& s = (*in)[base + k];
      if (s < 0) s = t;
      MV_CHECK(s == t, kType) << "Operator " << attrs.op->name << ": input '" << names[base + k] << "' has dtype "
                              << dtype_name(static_cast<DType>(s)) << ", expected " << dtype_name(static_cast<DType>(t))
                              << " like '" << names[base] << "'";
    }
    (*out)[i] = t;
  }
  for (size_t k = static_cast<size_t>(n * group()); k < in->size(); ++k) state(k);
}

InferShapeFn MultiTensorLayout::shape_fn() const {
  const MultiTensorLayout self = *this;
  return [self](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) { self.infer_shapes(a, in, out); };
}

InferTypeFn MultiTensorLayout::type_fn() const {
  const MultiTensorLayout self = *this;
  return [self](const Attrs& a, std::vector<int>* in, std::vector<int>* out) { self.infer_types(a, in, out); };
}

OpSample MultiTensorLayout::sample(KeyValues params) const {
  std::vector<Shape> shapes;
  for (const Shape& s : {Shape{3, 4}, Shape{5}})
    for (int k = 0; k < group(); ++k) shapes.push_back(s);
  for (size_t k = 0; k < extra.size(); ++k) shapes.push_back(extra_per_item ? Shape{2} : Shape{1});
  params.emplace_back(count_param, "2");
  OpSample s = op_sample(shapes, std::move(params));
  s.lo = 0.1;  // states such as var, learning rates and weight decays are positive
  s.hi = 1.0;
  s.grad_check = false;
  return s;
}

}  // namespace minerva
