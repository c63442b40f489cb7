// _sample_unique_zipfian: per batch row, num_sampled distinct classes of [0, range_max) drawn
// from the approximately log-uniform (Zipfian) distribution
//   P(class) = (log(class + 2) - log(class + 1)) / log(range_max + 1)
// by rejecting repeats, plus the number of draws each row needed (candidate sampling for
// sampled softmax, as in MXNet).
#include <algorithm>
#include <cmath>
#include <random>
#include <unordered_set>

#include "core/op/random.h"
#include "core/ops/random_util.h"

namespace minerva {

MV_REGISTER_OP(_sample_unique_zipfian)
    .describe("Draws random samples from an approximately log-uniform (Zipfian) distribution without replacement: "
              "for a 2-D shape (batch_size, num_sampled), each row holds num_sampled distinct classes of "
              "[0, range_max), with P(class) = (log(class + 2) - log(class + 1)) / log(range_max + 1). The second "
              "output is the number of draws each row needed.\n\n"
              "Example::\n\n  samples, trials = _sample_unique_zipfian(750000, shape=(4, 8192))\n"
              "  unique(samples[0]) = 8192\n  trials[0] = 16435")
    .required_param("range_max", ParamType::kInt, "The number of possible classes.")
    .param("shape", ParamType::kShape, "None",
           "2-D shape of the output, where shape[0] is the batch size, and shape[1] is the number of candidates to "
           "sample for each batch.").kind(ParamKind::kPerDim)
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>*, std::vector<Shape>* out) {
      MV_CHECK(!attrs.is_none("shape") && attrs.get_shape("shape").size() == 2, kValue)
          << "Operator " << attrs.op->name << ": shape must be 2-D (batch_size, num_sampled), got "
          << (attrs.is_none("shape") ? std::string("None") : shape_str(attrs.get_shape("shape")));
      const Shape& s = attrs.get_shape("shape");
      const int64_t range_max = attrs.get_int("range_max");
      MV_CHECK(range_max > 0 && s[0] >= 0 && s[1] >= 0 && s[1] <= range_max, kValue)
          << "Operator " << attrs.op->name << ": cannot draw " << s[1] << " distinct classes of range_max="
          << range_max;
      (*out)[0] = s;
      (*out)[1] = Shape{s[0]};
    })
    .set_infer_type([](const Attrs&, std::vector<int>*, std::vector<int>* out) {
      (*out)[0] = (*out)[1] = static_cast<int>(DType::kInt64);
    })
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
      const int64_t range_max = attrs.get_int("range_max");
      const int64_t rows = out[0].shape[0], n = out[0].shape[1];
      const double log_range = std::log(static_cast<double>(range_max) + 1);
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      std::mt19937_64& eng = ctx.rng->engine;
      int64_t* samples = out[0].ptr<int64_t>();
      int64_t* trials = out[1].ptr<int64_t>();
      for (int64_t r = 0; r < rows; ++r) {
        std::unordered_set<int64_t> seen;
        int64_t tries = 0;
        while (static_cast<int64_t>(seen.size()) < n) {
          ++tries;
          int64_t c = static_cast<int64_t>(std::exp(unit(eng) * log_range)) - 1;
          c = std::min(std::max<int64_t>(c, 0), range_max - 1);  // rounding at the ends
          if (seen.insert(c).second) samples[r * n + static_cast<int64_t>(seen.size()) - 1] = c;
        }
        trials[r] = tries;
      }
    })
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({}, {{"range_max", "100"}, {"shape", "(2, 5)"}}));

}  // namespace minerva
