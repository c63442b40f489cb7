// _sample_multinomial: draws category indices from the probability rows of `data` (its last
// axis), with an optional second output holding the log-probability of each draw. That second
// output is what MXNet differentiates (a score-function gradient):
// d/d data[r, j] = sum over draws of row r that picked j of ograd / data[r, j].
#include <algorithm>
#include <cmath>
#include <random>

#include "core/op/random.h"
#include "core/ops/random_util.h"

namespace minerva {

namespace {

// Output shape: data.shape[:-1] + shape; a vector of probabilities with an empty `shape` gives (1,).
Shape multinomial_out_shape(const Attrs& attrs, const Shape& data) {
  MV_CHECK(!data.empty() && data.back() > 0, kValue)
      << "Operator " << attrs.op->name << ": data must hold at least one category on its last axis, got shape "
      << shape_str(data);
  Shape out(data.begin(), data.end() - 1);
  for (int64_t d : attrs.get_shape("shape")) {
    MV_CHECK(d >= 0, kValue) << "Operator " << attrs.op->name << ": shape " << shape_str(attrs.get_shape("shape"))
                             << " has a negative dimension";
    out.push_back(d);
  }
  if (out.empty()) out.push_back(1);
  return out;
}

// (rows, categories, draws per row) of a multinomial call.
struct MultinomialGeom {
  int64_t rows, k, draws;
};

MultinomialGeom multinomial_geom(const Shape& data, const Shape& out) {
  MultinomialGeom g;
  g.k = data.back();
  g.rows = g.k == 0 ? 0 : shape_size(data) / g.k;
  g.draws = g.rows == 0 ? 0 : shape_size(out) / g.rows;
  return g;
}

void multinomial_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  Shape o = multinomial_out_shape(attrs, (*in)[0]);
  for (Shape& s : *out) {
    if (!s.empty() && s != o) shape_mismatch(attrs, "output", o, s);
    s = o;
  }
}

void multinomial_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  const int t = (*in)[0];
  MV_CHECK(t < 0 || t == static_cast<int>(DType::kFloat16) || t == static_cast<int>(DType::kFloat32) ||
               t == static_cast<int>(DType::kFloat64),
           kType)
      << "Operator " << attrs.op->name << ": data must be float16, float32 or float64, got "
      << dtype_name(static_cast<DType>(t));
  (*out)[0] = static_cast<int>(attrs.get_dtype("dtype"));
  if (out->size() > 1) (*out)[1] = t;
}

void multinomial_forward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  const MultinomialGeom g = multinomial_geom(in[0].shape, out[0].shape);
  std::vector<double> prob(static_cast<size_t>(in[0].size()));
  cast_copy(in[0], TBlob{prob.data(), in[0].shape, DType::kFloat64});
  for (size_t i = 0; i < prob.size(); ++i)
    MV_CHECK(prob[i] >= 0 && std::isfinite(prob[i]), kValue)
        << "Operator " << attrs.op->name << ": probabilities must be finite and non-negative, got " << prob[i]
        << " at flat index " << i;
  std::vector<double> index(static_cast<size_t>(out[0].size())), logp(index.size());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::mt19937_64& eng = ctx.rng->engine;
  for (int64_t r = 0; r < g.rows; ++r) {
    const double* p = prob.data() + r * g.k;
    for (int64_t j = 0; j < g.draws; ++j) {
      // The first category whose cumulative probability exceeds u. Rows summing to less than
      // one leave u past the end: MXNet then returns k, an index out of range; Minerva keeps
      // the last category.
      const double u = unit(eng);
      double acc = 0;
      int64_t c = 0;
      for (; c < g.k - 1; ++c) {
        acc += p[c];
        if (u < acc) break;
      }
      index[static_cast<size_t>(r * g.draws + j)] = static_cast<double>(c);
      logp[static_cast<size_t>(r * g.draws + j)] = std::log(p[c]);
    }
  }
  cast_copy(TBlob{index.data(), out[0].shape, DType::kFloat64}, out[0]);
  if (out.size() > 1) cast_copy(TBlob{logp.data(), out[1].shape, DType::kFloat64}, out[1]);
}

}  // namespace

MV_REGISTER_OP(_sample_multinomial)
    .alias("sample_multinomial")
    .describe("Concurrent sampling from several multinomial distributions: each row of `data` (its last axis) "
              "holds the probabilities of k categories, and `shape` draws of a category index are taken from each "
              "row. The output shape is data.shape[:-1] + shape. With get_prob=True a second output holds the "
              "log-probability of each draw, whose gradient reaches `data` (for REINFORCE-style training).\n\n"
              "Example::\n\n  probs = [[0, 0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1, 0]]\n"
              "  sample_multinomial(probs) = [3, 1]\n"
              "  sample_multinomial(probs, shape=(2,)) = [[4, 2], [0, 0]]")
    .input("data", "Distribution probabilities. Must sum to one on the last axis.")
    .param("shape", ParamType::kShape, "[]", "Shape to be sampled from each random distribution.")
    .kind(ParamKind::kPerDim)
    .param("get_prob", ParamType::kBool, "False",
           "Whether to also return the log probability of sampled result. This is usually used for differentiating "
           "through stochastic variables, e.g. in reinforcement learning.")
    .param("dtype", ParamType::kDType, "int32", "DType of the output in case this can't be inferred.")
    .set_num_outputs([](const Attrs& a) { return a.get_bool("get_prob") ? 2 : 1; })
    .set_infer_shape(multinomial_shape)
    .set_infer_type(multinomial_type)
    .set_forward(multinomial_forward)
    .set_uses_rng()
    .set_gradient([](const GradContext& g) -> std::vector<Tensor> {
      if (!g.attrs->get_bool("get_prob")) return {op("zeros_like", {g.input()})};
      return {op("_backward_sample_multinomial", {g.ograd(1), g.input(), g.output(0)})};
    })
    .add_sample(random_sample({{2, 4}}, {{"shape", "(3,)"}}, 0.1, 1))
    .add_sample(random_sample({{3}}, {{"get_prob", "True"}, {"dtype", "float32"}}, 0.1, 1));

MV_REGISTER_OP(_backward_sample_multinomial)
    .describe("Gradient of _sample_multinomial's log-probability output: ograd / data at each drawn index, "
              "summed per category.")
    .input("ograd", "Gradient of the log-probability output.")
    .input("data", "The probabilities given to _sample_multinomial.")
    .input("sample", "The drawn indices.")
    .params_from("_sample_multinomial")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& data = (*in)[1];
      if (data.empty()) return;
      MV_CHECK(data.back() > 0, kValue) << "Operator " << attrs.op->name << ": data " << shape_str(data)
                                        << " has no categories";
      const Shape& sample = (*in)[2];
      MV_CHECK(sample.size() >= data.size() - 1 && std::equal(data.begin(), data.end() - 1, sample.begin()) &&
                   !(data.size() == 1 && sample.empty()),
               kValue)
          << "Operator " << attrs.op->name << ": sample shape " << shape_str(sample)
          << " does not start with data's leading dimensions " << shape_str(data);
      if ((*in)[0] != sample) shape_mismatch(attrs, "input ograd", sample, (*in)[0]);
      (*out)[0] = data;
    })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[1]; })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const MultinomialGeom g = multinomial_geom(in[1].shape, in[2].shape);
      auto to_double = [](const TBlob& b) {
        std::vector<double> v(static_cast<size_t>(b.size()));
        cast_copy(b, TBlob{v.data(), b.shape, DType::kFloat64});
        return v;
      };
      const std::vector<double> ograd = to_double(in[0]), data = to_double(in[1]), sample = to_double(in[2]);
      std::vector<double> grad(data.size(), 0.0);
      for (int64_t r = 0; r < g.rows; ++r) {
        for (int64_t j = 0; j < g.draws; ++j) {
          const size_t at = static_cast<size_t>(r * g.draws + j);
          const double c = sample[at];
          MV_CHECK(c >= 0 && c < static_cast<double>(g.k) && c == std::floor(c), kValue)
              << "Operator " << attrs.op->name << ": sample index " << c << " is not a category in [0, " << g.k << ")";
          const size_t d = static_cast<size_t>(r * g.k + static_cast<int64_t>(c));
          grad[d] += ograd[at] / data[d];
        }
      }
      cast_copy(TBlob{grad.data(), out[0].shape, DType::kFloat64}, out[0]);
    })
    .set_non_differentiable();

}  // namespace minerva
