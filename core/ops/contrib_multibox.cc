// MultiBoxPrior from mx.nd.contrib (the SSD anchor generator of MXNet's example/ssd and GluonCV):
// for every cell of a feature map, anchors of each size at the first ratio, then of the first
// size at each further ratio, as corner boxes in [0, 1] image coordinates.
#include <algorithm>
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/float_tuple.h"
#include "core/ops/layout_util.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

struct PriorParams {
  std::vector<double> sizes, ratios, steps, offsets;
  explicit PriorParams(const Attrs& a)
      : sizes(float_tuple(a, "sizes")), ratios(float_tuple(a, "ratios")), steps(float_tuple(a, "steps", 2)),
        offsets(float_tuple(a, "offsets", 2)) {
    MV_CHECK(!sizes.empty() && !ratios.empty(), kValue)
        << "Operator " << a.op->name << ": sizes and ratios need at least one value each";
    for (double s : sizes) MV_CHECK(s > 0, kValue) << "Operator " << a.op->name << ": sizes must be positive, got " << s;
    for (double r : ratios) MV_CHECK(r > 0, kValue) << "Operator " << a.op->name << ": ratios must be positive, got " << r;
  }
  int64_t per_cell() const { return static_cast<int64_t>(sizes.size() + ratios.size() - 1); }
};

}  // namespace

MV_REGISTER_OP(_contrib_MultiBoxPrior)
    .describe("Generates prior (anchor) boxes from data of shape (batch, channel, height, width): for each cell (r, c), "
              "centred at ((c + offsets[1]) * step_x, (r + offsets[0]) * step_y) with steps (step_y, step_x) "
              "(1 / height and 1 / width when a step is <= 0), one box per size at ratio ratios[0], then one per further "
              "ratio at size sizes[0]; a box of size s and ratio q is s * height / width * sqrt(q) wide and "
              "s / sqrt(q) high. The output (1, height * width * (len(sizes) + len(ratios) - 1), 4) holds corner boxes "
              "[xmin, ymin, xmax, ymax], clipped to [0, 1] with clip. The gradient is zero, as in MXNet.\n\n"
              "Example::\n\n  MultiBoxPrior(x of shape (1, 3, 2, 2), sizes=(0.5, 0.25), ratios=(1, 2))  # (1, 12, 4)")
    .input("data", "Input data.")
    .param("sizes", ParamType::kString, "[1]", "List of sizes of generated MultiBoxPriores (a tuple of floats).")
    .param("ratios", ParamType::kString, "[1]", "List of aspect ratios of generated MultiBoxPriores (a tuple of floats).")
    .param("clip", ParamType::kBool, "False", "Whether to clip out-of-boundary boxes.")
    .param("steps", ParamType::kString, "[-1,-1]", "Priorbox step across y and x, -1 for auto calculation.")
    .param("offsets", ParamType::kString, "[0.5,0.5]", "Priorbox center offsets, y and x respectively")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      MV_CHECK(s.size() == 4, kValue) << "Operator " << attrs.op->name
                                      << ": data must be 4-D (batch, channel, height, width), got " << shape_str(s);
      (*out)[0] = Shape{1, s[2] * s[3] * PriorParams(attrs).per_cell(), 4};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const PriorParams p(attrs);
      const int64_t H = in[0].shape[2], W = in[0].shape[3];
      const double step_y = p.steps[0] > 0 ? p.steps[0] : 1.0 / static_cast<double>(H);
      const double step_x = p.steps[1] > 0 ? p.steps[1] : 1.0 / static_cast<double>(W);
      const double aspect = static_cast<double>(H) / static_cast<double>(W);
      const bool clip = attrs.get_bool("clip");
      std::vector<double> boxes;
      boxes.reserve(static_cast<size_t>(out[0].size()));
      auto add = [&](double cx, double cy, double size, double ratio) {
        const double q = std::sqrt(ratio), w = size * aspect * q / 2, h = size / q / 2;
        for (double v : {cx - w, cy - h, cx + w, cy + h}) boxes.push_back(clip ? std::min(std::max(v, 0.0), 1.0) : v);
      };
      for (int64_t r = 0; r < H; ++r) {
        const double cy = (static_cast<double>(r) + p.offsets[0]) * step_y;
        for (int64_t c = 0; c < W; ++c) {
          const double cx = (static_cast<double>(c) + p.offsets[1]) * step_x;
          for (double size : p.sizes) add(cx, cy, size, p.ratios[0]);
          for (size_t j = 1; j < p.ratios.size(); ++j) add(cx, cy, p.sizes[0], p.ratios[j]);
        }
      }
      store_doubles(boxes, out[0]);
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("zeros_like", {g.input(0)})}; })
    .add_sample([] {
      OpSample s = op_sample({{1, 2, 3, 4}}, {{"sizes", "(0.5, 0.25)"}, {"ratios", "(1, 2, 0.5)"}, {"clip", "True"}});
      s.grad_check = false;  // the declared gradient is MXNet's zero
      return s;
    }());

}  // namespace minerva
