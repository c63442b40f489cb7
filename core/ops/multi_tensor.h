// The input layout of the multi-tensor optimizer operators (multi_sgd_*, _multi_lamb_update,
// _multi_adamw_update...): `count_param` items of interleaved slots (weight_0, grad_0, mom_0,
// weight_1, ...), then a few fixed inputs (preloaded_*'s lrs and wds, AdamW's rescale_grad).
// One description gives the input names, the inputs updated in place, and shape and dtype
// inference, so each operator declares only its slots.
#pragma once
#include <string>
#include <vector>

#include "core/op/op.h"

namespace minerva {

struct MultiTensorLayout {
  std::string count_param;          // "num_weights" or "num_tensors"
  std::vector<std::string> slots;   // per item, e.g. {"weight", "grad", "mom"}: inputs weight_0, grad_0, mom_0, ...
  std::vector<std::string> extra;   // after the items, e.g. {"lrs", "wds"}
  bool extra_per_item = true;       // extra inputs hold one value per item (shape (n,)); else shape (1,)
  int first_state = -1;             // slots from here on are float32 (multi-precision states); -1: none
  std::vector<int> mutated;         // slots updated in place

  int group() const { return static_cast<int>(slots.size()); }
  int64_t items(const Attrs& a) const { return a.get_int(count_param); }
  NamesFn input_names() const;
  IndicesFn mutated_inputs() const;
  // Every slot of item i has one shape, which output i takes.
  void infer_shapes(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) const;
  // Slots before first_state share a floating dtype, which output i takes; states and the extra
  // inputs are float32 (float64 accepted, so the registry's float64 samples run).
  void infer_types(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) const;
  // The two inferences as registry functions (holding a copy of this layout).
  InferShapeFn shape_fn() const;
  InferTypeFn type_fn() const;
  // A registry sample: two items of shapes (3, 4) and (5,), extra inputs filled by the test.
  OpSample sample(KeyValues params) const;
};

}  // namespace minerva
