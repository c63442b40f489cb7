// Random sampling: _random_uniform, _random_normal, _random_randint and _shuffle. They draw from
// the device's seeded generator (OpContext::rng, see core/op/random.h), one value after another
// on one thread, so mx.random.seed reproduces a run exactly under either engine.
#include <cstring>
#include <numeric>
#include <random>

#include "core/op/random.h"
#include "core/ops/random_util.h"

namespace minerva {

MV_REGISTER_OP(_random_uniform)
    .alias("uniform")
    .alias("random_uniform")
    .describe("Draws samples from a uniform distribution on [low, high).\n\n"
              "Example::\n\n  uniform(low=0, high=1, shape=(2, 2)) = [[0.5488135, 0.5928446], [0.7151894, 0.8442657]]")
    .param("low", ParamType::kFloat, "0", "Lower bound of the distribution.")
    .param("high", ParamType::kFloat, "1", "Upper bound of the distribution.")
    .MV_SAMPLE_PARAMS
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>*, std::vector<Shape>* out) {
      MV_CHECK(attrs.get_float("high") >= attrs.get_float("low"), kValue)
          << "Operator _random_uniform: low=" << attrs.get_float("low") << " must be less than or equal to high="
          << attrs.get_float("high");
      creation_infer_shape(attrs, out);
    })
    .set_infer_type(sample_type(DType::kFloat32, float_types()))
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
      const double low = attrs.get_float("low"), high = attrs.get_float("high");
      std::uniform_real_distribution<double> dist(low, high);
      std::mt19937_64& eng = ctx.rng->engine;
      fill_random(out[0], [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        // Rounding to a narrow dtype can reach `high`; draw again so the interval stays open.
        T v = static_cast<T>(dist(eng));
        for (int tries = 0; high > low && static_cast<double>(v) >= high; ++tries)
          v = static_cast<T>(tries < 64 ? dist(eng) : low);
        return v;
      });
    })
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({}, {{"shape", "(2, 3)"}}))
    .add_sample(random_sample({}, {{"low", "-2"}, {"high", "3"}, {"shape", "(4,)"}, {"dtype", "float64"}}));

MV_REGISTER_OP(_random_normal)
    .alias("normal")
    .alias("random_normal")
    .describe("Draws samples from a normal (Gaussian) distribution with mean `loc` and standard deviation `scale`.\n\n"
              "Example::\n\n  normal(loc=0, scale=1, shape=(2, 2)) = [[1.89171135, -1.16881478], [-1.23474145, 1.55807114]]")
    .param("loc", ParamType::kFloat, "0", "Mean of the distribution.")
    .param("scale", ParamType::kFloat, "1", "Standard deviation of the distribution.")
    .MV_SAMPLE_PARAMS
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>*, std::vector<Shape>* out) {
      MV_CHECK(attrs.get_float("scale") > 0, kValue)
          << "Operator _random_normal: scale=" << attrs.get_float("scale") << " must be positive";
      creation_infer_shape(attrs, out);
    })
    .set_infer_type(sample_type(DType::kFloat32, float_types()))
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
      std::normal_distribution<double> dist(attrs.get_float("loc"), attrs.get_float("scale"));
      std::mt19937_64& eng = ctx.rng->engine;
      fill_random(out[0], [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        return static_cast<T>(dist(eng));
      });
    })
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({}, {{"shape", "(2, 3)"}}))
    .add_sample(random_sample({}, {{"loc", "5"}, {"scale", "0.5"}, {"shape", "(4,)"}, {"dtype", "float16"}}));

MV_REGISTER_OP(_random_randint)
    .alias("randint")
    .alias("random_randint")
    .describe("Draws integer samples uniformly from [low, high).\n\n"
              "Example::\n\n  randint(low=0, high=5, shape=(2, 2)) = [[0, 2], [3, 1]]")
    .required_param("low", ParamType::kInt, "Lower bound of the distribution.")
    .required_param("high", ParamType::kInt, "Upper bound of the distribution.")
    .MV_SAMPLE_PARAMS
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>*, std::vector<Shape>* out) {
      MV_CHECK(attrs.get_int("low") < attrs.get_int("high"), kValue)
          << "Operator _random_randint: low=" << attrs.get_int("low") << " must be less than high="
          << attrs.get_int("high");
      creation_infer_shape(attrs, out);
    })
    .set_infer_type(sample_type(DType::kInt32, {DType::kInt32, DType::kInt64}))
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
      std::uniform_int_distribution<int64_t> dist(attrs.get_int("low"), attrs.get_int("high") - 1);
      std::mt19937_64& eng = ctx.rng->engine;
      fill_random(out[0], [&](auto* tag) {
        using T = std::remove_pointer_t<decltype(tag)>;
        return static_cast<T>(static_cast<double>(dist(eng)));
      });
    })
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({}, {{"low", "-3"}, {"high", "5"}, {"shape", "(6,)"}}))
    .add_sample(random_sample({}, {{"low", "0"}, {"high", "100"}, {"shape", "(2, 2)"}, {"dtype", "int64"}}));

MV_REGISTER_OP(_shuffle)
    .alias("shuffle")
    .describe("Randomly shuffles the array along its first axis (the rows keep their contents).\n\n"
              "Example::\n\n  shuffle([[0, 1], [2, 3], [4, 5]]) = [[4, 5], [0, 1], [2, 3]]")
    .input("data", "Data to be shuffled.")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext& ctx, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t n = in[0].shape[0];
      if (n == 0) return;
      std::vector<int64_t> perm(static_cast<size_t>(n));
      std::iota(perm.begin(), perm.end(), 0);
      std::mt19937_64& eng = ctx.rng->engine;
      for (int64_t i = n - 1; i > 0; --i) {  // Fisher-Yates
        std::uniform_int_distribution<int64_t> pick(0, i);
        std::swap(perm[i], perm[pick(eng)]);
      }
      const size_t row = static_cast<size_t>(in[0].size() / n) * dtype_size(in[0].dtype);
      const char* src = static_cast<const char*>(in[0].data);
      char* dst = static_cast<char*>(out[0].data);
      parallel_for(n, [&](int64_t i) { std::memcpy(dst + i * row, src + perm[i] * row, row); });
    })
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{5, 2}}, {}));

}  // namespace minerva
