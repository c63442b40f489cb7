// MXNet's parametric samplers beyond uniform/normal/randint (core/ops/random.cc):
//   _random_<dist>       scalar parameters, output shape from `shape`;
//   _random_<dist>_like  scalar parameters, the shape and dtype of the input `data`;
//   _sample_<dist>       one parameter set per element of the input arrays; the output shape is
//                        the parameters' shape followed by `shape` (MXNet's multisample rule).
// One Distribution row per distribution says how to validate a parameter set and how to draw
// one value; every declaration below is wiring around that row. Draws run on one thread from
// the device generator, in output order, so mx.random.seed reproduces them under either engine.
// MXNet registers zero gradients for these samplers; Minerva marks them non-differentiable,
// which gives recorded inputs the same zero gradient.
#include <cmath>
#include <random>

#include "core/op/random.h"
#include "core/ops/random_util.h"

namespace minerva {

namespace {

using Rng = std::mt19937_64;

// Where one distribution parameter may lie. Bad values are errors: MXNet returns garbage or
// hangs on several of them (negative_binomial with p=0, sample_* with negative scales).
enum class Domain { kAny, kPositive, kNonNegative, kProbability };

struct Distribution {
  const char* name;
  std::vector<std::string> random_params;  // the _random_ operator's parameter names
  std::vector<std::string> sample_inputs;  // the _sample_ operator's input names
  std::vector<Domain> domains;             // one per parameter
  bool ordered;                            // parameter 0 <= parameter 1 (uniform's low/high)
  double (*draw)(Rng& rng, const double* p);
};

double draw_poisson(Rng& rng, double lam) {
  if (!(lam > 0)) return 0;  // std::poisson_distribution needs a positive mean
  return static_cast<double>(std::poisson_distribution<int64_t>(lam)(rng));
}

// A gamma draw that accepts a zero scale (the degenerate distribution at 0).
double draw_gamma(Rng& rng, double shape, double scale) {
  if (!(scale > 0) || !(shape > 0)) return 0;
  return std::gamma_distribution<double>(shape, scale)(rng);
}

const Distribution kUniform{"uniform", {"low", "high"}, {"low", "high"}, {Domain::kAny, Domain::kAny}, true,
                            [](Rng& rng, const double* p) {
                              if (p[0] == p[1]) return p[0];
                              return std::uniform_real_distribution<double>(p[0], p[1])(rng);
                            }};
const Distribution kNormal{"normal", {"loc", "scale"}, {"mu", "sigma"}, {Domain::kAny, Domain::kPositive}, false,
                           [](Rng& rng, const double* p) { return std::normal_distribution<double>(p[0], p[1])(rng); }};
const Distribution kGamma{"gamma", {"alpha", "beta"}, {"alpha", "beta"}, {Domain::kPositive, Domain::kPositive}, false,
                          [](Rng& rng, const double* p) { return draw_gamma(rng, p[0], p[1]); }};
const Distribution kExponential{"exponential", {"lam"}, {"lam"}, {Domain::kPositive}, false,
                                [](Rng& rng, const double* p) { return std::exponential_distribution<double>(p[0])(rng); }};
const Distribution kPoisson{"poisson", {"lam"}, {"lam"}, {Domain::kNonNegative}, false,
                            [](Rng& rng, const double* p) { return draw_poisson(rng, p[0]); }};
// Failures before the k-th success with success probability p: a Poisson draw whose mean is
// Gamma(k, (1 - p) / p), as MXNet samples it.
const Distribution kNegativeBinomial{
    "negative_binomial", {"k", "p"}, {"k", "p"}, {Domain::kNonNegative, Domain::kProbability}, false,
    [](Rng& rng, const double* p) { return draw_poisson(rng, draw_gamma(rng, p[0], (1 - p[1]) / p[1])); }};
// Mean mu, variance mu + alpha * mu^2: Poisson with a Gamma(1 / alpha, alpha * mu) mean; alpha = 0
// is the Poisson distribution itself.
const Distribution kGeneralizedNegativeBinomial{
    "generalized_negative_binomial", {"mu", "alpha"}, {"mu", "alpha"},
    {Domain::kNonNegative, Domain::kNonNegative}, false, [](Rng& rng, const double* p) {
      if (p[1] == 0) return draw_poisson(rng, p[0]);
      return draw_poisson(rng, draw_gamma(rng, 1 / p[1], p[1] * p[0]));
    }};

const char* domain_text(Domain d) {
  switch (d) {
    case Domain::kAny: return "any number";
    case Domain::kPositive: return "greater than 0";
    case Domain::kNonNegative: return "greater than or equal to 0";
    case Domain::kProbability: return "in (0, 1]";
  }
  return "?";
}

bool in_domain(Domain d, double v) {
  switch (d) {
    case Domain::kAny: return !std::isnan(v);
    case Domain::kPositive: return v > 0;
    case Domain::kNonNegative: return v >= 0;
    case Domain::kProbability: return v > 0 && v <= 1;
  }
  return false;
}

// Throws a kValue error naming the operator and the parameter when p is outside the domain.
void check_params(const Attrs& attrs, const Distribution& d, const std::vector<std::string>& names, const double* p) {
  for (size_t i = 0; i < d.domains.size(); ++i)
    MV_CHECK(in_domain(d.domains[i], p[i]), kValue)
        << "Operator " << attrs.op->name << ": " << names[i] << "=" << p[i] << " must be " << domain_text(d.domains[i]);
  MV_CHECK(!d.ordered || p[0] <= p[1], kValue) << "Operator " << attrs.op->name << ": " << names[0] << "=" << p[0]
                                               << " must be less than or equal to " << names[1] << "=" << p[1];
}

// The scalar parameters of a _random_ operator, in the distribution's order.
std::vector<double> scalar_params(const Attrs& attrs, const Distribution& d) {
  std::vector<double> p;
  for (const auto& name : d.random_params) {
    ParamType type = ParamType::kFloat;
    for (const auto& f : attrs.op->params)
      if (f.name == name) type = f.type;
    p.push_back(type == ParamType::kInt ? static_cast<double>(attrs.get_int(name)) : attrs.get_float(name));
  }
  check_params(attrs, d, d.random_params, p.data());
  return p;
}

void fill_draws(const TBlob& out, Rng& rng, const Distribution& d, const double* p, int64_t begin, int64_t count) {
  // Rounding a uniform draw to a narrow dtype can reach `high`: draw again so [low, high) stays
  // half-open (as _random_uniform does).
  const bool half_open = d.ordered && p[0] < p[1];
  MV_DTYPE_SWITCH(out.dtype, T, {
    T* o = out.ptr<T>() + begin;
    for (int64_t i = 0; i < count; ++i) {
      T v = static_cast<T>(d.draw(rng, p));
      for (int tries = 0; half_open && static_cast<double>(v) >= p[1]; ++tries)
        v = static_cast<T>(tries < 64 ? d.draw(rng, p) : p[0]);
      o[i] = v;
    }
  });
}

// ---- _random_<dist> ---------------------------------------------------------------------------

InferShapeFn random_shape(const Distribution& d) {
  return [&d](const Attrs& attrs, std::vector<Shape>*, std::vector<Shape>* out) {
    scalar_params(attrs, d);
    creation_infer_shape(attrs, out);
  };
}

ForwardFn random_forward(const Distribution& d) {
  return [&d](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
    std::vector<double> p = scalar_params(attrs, d);
    fill_draws(out[0], ctx.rng->engine, d, p.data(), 0, out[0].size());
  };
}

// ---- _random_<dist>_like ----------------------------------------------------------------------

InferShapeFn like_shape(const Distribution& d) {
  return [&d](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    scalar_params(attrs, d);
    infer_same_shape(attrs, in, out);
  };
}

// The output has the input's dtype, which must be a floating type.
void like_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  infer_same_type(attrs, in, out);
  int t = (*out)[0];
  MV_CHECK(t < 0 || t == static_cast<int>(DType::kFloat16) || t == static_cast<int>(DType::kFloat32) ||
               t == static_cast<int>(DType::kFloat64),
           kType)
      << "Operator " << attrs.op->name << ": data must be float16, float32 or float64, got "
      << dtype_name(static_cast<DType>(t));
}

// ---- _sample_<dist> ---------------------------------------------------------------------------

InferShapeFn multisample_shape() {
  return [](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    const Shape* known = nullptr;
    for (const Shape& s : *in)
      if (!s.empty()) known = &s;
    if (!known) return;
    for (size_t i = 0; i < in->size(); ++i) {
      Shape& s = (*in)[i];
      if (s.empty()) s = *known;
      if (s != *known)
        shape_mismatch(attrs, "input " + attrs.op->inputs_for(attrs)[i] + " (the parameters share one shape)", *known, s);
    }
    Shape o = *known;
    for (int64_t d : attrs.get_shape("shape")) {
      MV_CHECK(d >= 0, kValue) << "Operator " << attrs.op->name << ": shape " << shape_str(attrs.get_shape("shape"))
                               << " has a negative dimension";
      o.push_back(d);
    }
    Shape& target = (*out)[0];
    if (!target.empty() && target != o) shape_mismatch(attrs, "output", o, target);
    target = o;
  };
}

// Parameter inputs share one floating dtype; the output dtype comes from `dtype` (float32 by default).
void multisample_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  int t = -1;
  for (int x : *in)
    if (x >= 0) t = x;
  for (int& x : *in) {
    if (x < 0) x = t;
    MV_CHECK(x == t, kType) << "Operator " << attrs.op->name << ": the parameter arrays must share one dtype, got "
                            << dtype_name(static_cast<DType>(x)) << " and " << dtype_name(static_cast<DType>(t));
    MV_CHECK(t < 0 || t == static_cast<int>(DType::kFloat16) || t == static_cast<int>(DType::kFloat32) ||
                 t == static_cast<int>(DType::kFloat64),
             kType)
        << "Operator " << attrs.op->name << ": the parameter arrays must be float16, float32 or float64, got "
        << dtype_name(static_cast<DType>(t));
  }
  sample_type(DType::kFloat32, float_types())(attrs, in, out);
}

ForwardFn multisample_forward(const Distribution& d) {
  return [&d](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
    const int64_t sets = in[0].size();
    std::vector<std::vector<double>> params(in.size(), std::vector<double>(static_cast<size_t>(sets)));
    for (size_t k = 0; k < in.size(); ++k) cast_copy(in[k], TBlob{params[k].data(), in[k].shape, DType::kFloat64});
    if (sets == 0) return;
    const int64_t per_set = out[0].size() / sets;
    std::vector<double> p(in.size());
    for (int64_t i = 0; i < sets; ++i) {
      for (size_t k = 0; k < in.size(); ++k) p[k] = params[k][static_cast<size_t>(i)];
      check_params(attrs, d, d.sample_inputs, p.data());
      fill_draws(out[0], ctx.rng->engine, d, p.data(), i * per_set, per_set);
    }
  };
}

}  // namespace

// The parameters of every _sample_ operator, in MXNet's order.
#define MV_MULTISAMPLE_PARAMS                                                                                 \
  param("shape", ParamType::kShape, "[]", "Shape to be sampled from each random distribution.")             \
      .kind(ParamKind::kPerDim)                                                                               \
      .param("dtype", ParamType::kDType, "None",                                                             \
             "DType of the output in case this can't be inferred. Defaults to float32 if not defined (dtype=None).")

// ---- scalar parameters ------------------------------------------------------------------------

MV_REGISTER_OP(_random_gamma)
    .alias("random_gamma")
    .describe("Draws samples from a gamma distribution with shape `alpha` and scale `beta`.\n\n"
              "Example::\n\n  random_gamma(alpha=9, beta=0.5, shape=(2, 2)) = [[7.1, 3.6], [4.9, 4.2]]")
    .param("alpha", ParamType::kFloat, "1", "Alpha parameter (shape) of the gamma distribution.")
    .param("beta", ParamType::kFloat, "1", "Beta parameter (scale) of the gamma distribution.")
    .MV_SAMPLE_PARAMS
    .set_infer_shape(random_shape(kGamma))
    .set_infer_type(sample_type(DType::kFloat32, float_types()))
    .set_forward(random_forward(kGamma))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({}, {{"alpha", "2"}, {"beta", "0.5"}, {"shape", "(2, 3)"}}))
    .add_sample(random_sample({}, {{"alpha", "0.3"}, {"shape", "(5,)"}, {"dtype", "float64"}}));

MV_REGISTER_OP(_random_exponential)
    .alias("random_exponential")
    .describe("Draws samples from an exponential distribution with rate `lam` (mean 1 / lam).\n\n"
              "Example::\n\n  random_exponential(lam=4, shape=(2, 2)) = [[0.0097, 0.0504], [0.2101, 0.4405]]")
    .param("lam", ParamType::kFloat, "1", "Lambda parameter (rate) of the exponential distribution.")
    .MV_SAMPLE_PARAMS
    .set_infer_shape(random_shape(kExponential))
    .set_infer_type(sample_type(DType::kFloat32, float_types()))
    .set_forward(random_forward(kExponential))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({}, {{"lam", "4"}, {"shape", "(2, 3)"}}));

MV_REGISTER_OP(_random_poisson)
    .alias("random_poisson")
    .describe("Draws samples from a Poisson distribution with mean `lam`; the samples are integers stored in a "
              "floating dtype.\n\n"
              "Example::\n\n  random_poisson(lam=4, shape=(2, 2)) = [[5, 2], [4, 6]]")
    .param("lam", ParamType::kFloat, "1", "Lambda parameter (rate) of the Poisson distribution.")
    .MV_SAMPLE_PARAMS
    .set_infer_shape(random_shape(kPoisson))
    .set_infer_type(sample_type(DType::kFloat32, float_types()))
    .set_forward(random_forward(kPoisson))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({}, {{"lam", "4"}, {"shape", "(2, 3)"}}));

MV_REGISTER_OP(_random_negative_binomial)
    .alias("random_negative_binomial")
    .describe("Draws samples from a negative binomial distribution: the number of failures before the `k`-th "
              "success in trials that succeed with probability `p`.\n\n"
              "Example::\n\n  random_negative_binomial(k=3, p=0.4, shape=(2, 2)) = [[4, 7], [2, 5]]")
    .param("k", ParamType::kInt, "1", "Limit of unsuccessful experiments.")
    .param("p", ParamType::kFloat, "1", "Failure probability in each experiment.")
    .MV_SAMPLE_PARAMS
    .set_infer_shape(random_shape(kNegativeBinomial))
    .set_infer_type(sample_type(DType::kFloat32, float_types()))
    .set_forward(random_forward(kNegativeBinomial))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({}, {{"k", "3"}, {"p", "0.4"}, {"shape", "(2, 3)"}}));

MV_REGISTER_OP(_random_generalized_negative_binomial)
    .alias("random_generalized_negative_binomial")
    .describe("Draws samples from a generalized negative binomial distribution with mean `mu` and dispersion "
              "`alpha` (variance mu + alpha * mu^2; alpha=0 is the Poisson distribution).\n\n"
              "Example::\n\n  random_generalized_negative_binomial(mu=2, alpha=0.3, shape=(2, 2)) = [[2, 1], [6, 4]]")
    .param("mu", ParamType::kFloat, "1", "Mean of the negative binomial distribution.")
    .param("alpha", ParamType::kFloat, "1", "Alpha (dispersion) parameter of the negative binomial distribution.")
    .MV_SAMPLE_PARAMS
    .set_infer_shape(random_shape(kGeneralizedNegativeBinomial))
    .set_infer_type(sample_type(DType::kFloat32, float_types()))
    .set_forward(random_forward(kGeneralizedNegativeBinomial))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({}, {{"mu", "2"}, {"alpha", "0.3"}, {"shape", "(2, 3)"}}))
    .add_sample(random_sample({}, {{"mu", "2"}, {"alpha", "0"}, {"shape", "(4,)"}}));

// ---- shape and dtype of an input ---------------------------------------------------------------

MV_REGISTER_OP(_random_uniform_like)
    .describe("Draws samples from a uniform distribution on [low, high), shaped like `data`.\n\n"
              "Example::\n\n  uniform_like(data=ones((2, 2)), low=0, high=1) = [[0.55, 0.59], [0.72, 0.84]]")
    .input("data", "The input")
    .param("low", ParamType::kFloat, "0", "Lower bound of the distribution.")
    .param("high", ParamType::kFloat, "1", "Upper bound of the distribution.")
    .set_infer_shape(like_shape(kUniform))
    .set_infer_type(like_type)
    .set_forward(random_forward(kUniform))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2, 3}}, {{"low", "-1"}, {"high", "2"}}));

MV_REGISTER_OP(_random_normal_like)
    .describe("Draws samples from a normal distribution with mean `loc` and standard deviation `scale`, shaped "
              "like `data`.\n\n"
              "Example::\n\n  normal_like(data=ones((2, 2)), loc=0, scale=1) = [[1.89, -1.17], [-1.23, 1.56]]")
    .input("data", "The input")
    .param("loc", ParamType::kFloat, "0", "Mean of the distribution.")
    .param("scale", ParamType::kFloat, "1", "Standard deviation of the distribution.")
    .set_infer_shape(like_shape(kNormal))
    .set_infer_type(like_type)
    .set_forward(random_forward(kNormal))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2, 3}}, {{"loc", "1"}, {"scale", "2"}}));

MV_REGISTER_OP(_random_gamma_like)
    .describe("Draws samples from a gamma distribution with shape `alpha` and scale `beta`, shaped like `data`.\n\n"
              "Example::\n\n  gamma_like(data=ones((2, 2)), alpha=9, beta=0.5) = [[7.1, 3.6], [4.9, 4.2]]")
    .input("data", "The input")
    .param("alpha", ParamType::kFloat, "1", "Alpha parameter (shape) of the gamma distribution.")
    .param("beta", ParamType::kFloat, "1", "Beta parameter (scale) of the gamma distribution.")
    .set_infer_shape(like_shape(kGamma))
    .set_infer_type(like_type)
    .set_forward(random_forward(kGamma))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2, 3}}, {{"alpha", "9"}, {"beta", "0.5"}}));

MV_REGISTER_OP(_random_exponential_like)
    .describe("Draws samples from an exponential distribution with rate `lam`, shaped like `data`.\n\n"
              "Example::\n\n  exponential_like(data=ones((2, 2)), lam=4) = [[0.0097, 0.0504], [0.2101, 0.4405]]")
    .input("data", "The input")
    .param("lam", ParamType::kFloat, "1", "Lambda parameter (rate) of the exponential distribution.")
    .set_infer_shape(like_shape(kExponential))
    .set_infer_type(like_type)
    .set_forward(random_forward(kExponential))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2, 3}}, {{"lam", "4"}}));

MV_REGISTER_OP(_random_poisson_like)
    .describe("Draws samples from a Poisson distribution with mean `lam`, shaped like `data`.\n\n"
              "Example::\n\n  poisson_like(data=ones((2, 2)), lam=4) = [[5, 2], [4, 6]]")
    .input("data", "The input")
    .param("lam", ParamType::kFloat, "1", "Lambda parameter (rate) of the Poisson distribution.")
    .set_infer_shape(like_shape(kPoisson))
    .set_infer_type(like_type)
    .set_forward(random_forward(kPoisson))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2, 3}}, {{"lam", "4"}}));

MV_REGISTER_OP(_random_negative_binomial_like)
    .describe("Draws samples from a negative binomial distribution (failures before the `k`-th success with "
              "success probability `p`), shaped like `data`.\n\n"
              "Example::\n\n  negative_binomial_like(data=ones((2, 2)), k=3, p=0.4) = [[4, 7], [2, 5]]")
    .input("data", "The input")
    .param("k", ParamType::kInt, "1", "Limit of unsuccessful experiments.")
    .param("p", ParamType::kFloat, "1", "Failure probability in each experiment.")
    .set_infer_shape(like_shape(kNegativeBinomial))
    .set_infer_type(like_type)
    .set_forward(random_forward(kNegativeBinomial))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2, 3}}, {{"k", "3"}, {"p", "0.4"}}));

MV_REGISTER_OP(_random_generalized_negative_binomial_like)
    .describe("Draws samples from a generalized negative binomial distribution with mean `mu` and dispersion "
              "`alpha`, shaped like `data`.\n\n"
              "Example::\n\n  generalized_negative_binomial_like(data=ones((2, 2)), mu=2, alpha=0.3) = [[2, 1], [6, 4]]")
    .input("data", "The input")
    .param("mu", ParamType::kFloat, "1", "Mean of the negative binomial distribution.")
    .param("alpha", ParamType::kFloat, "1", "Alpha (dispersion) parameter of the negative binomial distribution.")
    .set_infer_shape(like_shape(kGeneralizedNegativeBinomial))
    .set_infer_type(like_type)
    .set_forward(random_forward(kGeneralizedNegativeBinomial))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2, 3}}, {{"mu", "2"}, {"alpha", "0.3"}}));

// ---- one parameter set per element of the inputs -------------------------------------------------

MV_REGISTER_OP(_sample_uniform)
    .alias("sample_uniform")
    .describe("Concurrent sampling from several uniform distributions on [low, high): for each element of "
              "`low` and `high`, `shape` samples; the output shape is low.shape + shape.\n\n"
              "Example::\n\n  sample_uniform(low=[0, 2.5], high=[1, 3.7], shape=(2,)) = [[0.40, 0.88], [3.16, 3.55]]")
    .input("low", "Lower bounds of the distributions.")
    .input("high", "Upper bounds of the distributions.")
    .MV_MULTISAMPLE_PARAMS
    .set_infer_shape(multisample_shape())
    .set_infer_type(multisample_type)
    .set_forward(multisample_forward(kUniform))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2}, {2}}, {{"shape", "(3,)"}}, 0, 0))
    .add_sample(random_sample({{2, 2}, {2, 2}}, {}, 0, 0));

MV_REGISTER_OP(_sample_normal)
    .alias("sample_normal")
    .describe("Concurrent sampling from several normal distributions with means `mu` and standard deviations "
              "`sigma`; the output shape is mu.shape + shape.\n\n"
              "Example::\n\n  sample_normal(mu=[0, 2.5], sigma=[1, 3.7], shape=(2,)) = [[-0.56, -0.11], [0.44, 4.72]]")
    .input("mu", "Means of the distributions.")
    .input("sigma", "Standard deviations of the distributions.")
    .MV_MULTISAMPLE_PARAMS
    .set_infer_shape(multisample_shape())
    .set_infer_type(multisample_type)
    .set_forward(multisample_forward(kNormal))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2}, {2}}, {{"shape", "(3,)"}}, 0.5, 2));

MV_REGISTER_OP(_sample_gamma)
    .alias("sample_gamma")
    .describe("Concurrent sampling from several gamma distributions with shapes `alpha` and scales `beta`; the "
              "output shape is alpha.shape + shape.\n\n"
              "Example::\n\n  sample_gamma(alpha=[0, 2.5], beta=[1, 0.7], shape=(2,)) = [[0, 0], [2.25, 1.96]]")
    .input("alpha", "Alpha (shape) parameters of the distributions.")
    .input("beta", "Beta (scale) parameters of the distributions.")
    .MV_MULTISAMPLE_PARAMS
    .set_infer_shape(multisample_shape())
    .set_infer_type(multisample_type)
    .set_forward(multisample_forward(kGamma))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2}, {2}}, {{"shape", "(3,)"}}, 0.5, 2));

MV_REGISTER_OP(_sample_exponential)
    .alias("sample_exponential")
    .describe("Concurrent sampling from several exponential distributions with rates `lam`; the output shape "
              "is lam.shape + shape.\n\n"
              "Example::\n\n  sample_exponential(lam=[1, 8.5], shape=(2,)) = [[0.51, 0.09], [0.04, 0.11]]")
    .input("lam", "Lambda (rate) parameters of the distributions.")
    .MV_MULTISAMPLE_PARAMS
    .set_infer_shape(multisample_shape())
    .set_infer_type(multisample_type)
    .set_forward(multisample_forward(kExponential))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{3}}, {{"shape", "(2,)"}}, 0.5, 2));

MV_REGISTER_OP(_sample_poisson)
    .alias("sample_poisson")
    .describe("Concurrent sampling from several Poisson distributions with means `lam`; the output shape is "
              "lam.shape + shape.\n\n"
              "Example::\n\n  sample_poisson(lam=[1, 8.5], shape=(2,)) = [[0, 4], [10, 11]]")
    .input("lam", "Lambda (rate) parameters of the distributions.")
    .MV_MULTISAMPLE_PARAMS
    .set_infer_shape(multisample_shape())
    .set_infer_type(multisample_type)
    .set_forward(multisample_forward(kPoisson))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{3}}, {{"shape", "(2,)"}}, 0.5, 8));

MV_REGISTER_OP(_sample_negative_binomial)
    .alias("sample_negative_binomial")
    .describe("Concurrent sampling from several negative binomial distributions (failures before the `k`-th "
              "success with success probability `p`); the output shape is k.shape + shape.\n\n"
              "Example::\n\n  sample_negative_binomial(k=[20, 49], p=[0.4, 0.77], shape=(2,)) = [[15, 50], [16, 12]]")
    .input("k", "Limits of unsuccessful experiments.")
    .input("p", "Failure probabilities in each experiment.")
    .MV_MULTISAMPLE_PARAMS
    .set_infer_shape(multisample_shape())
    .set_infer_type(multisample_type)
    .set_forward(multisample_forward(kNegativeBinomial))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2}, {2}}, {{"shape", "(3,)"}}, 0.2, 1));

MV_REGISTER_OP(_sample_generalized_negative_binomial)
    .alias("sample_generalized_negative_binomial")
    .describe("Concurrent sampling from several generalized negative binomial distributions with means `mu` and "
              "dispersions `alpha`; the output shape is mu.shape + shape.\n\n"
              "Example::\n\n  sample_generalized_negative_binomial(mu=[2, 2.5], alpha=[0, 2], shape=(2,)) = "
              "[[0, 3], [3, 1]]")
    .input("mu", "Means of the distributions.")
    .input("alpha", "Alpha (dispersion) parameters of the distributions.")
    .MV_MULTISAMPLE_PARAMS
    .set_infer_shape(multisample_shape())
    .set_infer_type(multisample_type)
    .set_forward(multisample_forward(kGeneralizedNegativeBinomial))
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({{2}, {2}}, {{"shape", "(3,)"}}, 0, 2));

}  // namespace minerva
