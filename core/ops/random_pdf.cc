// Probability densities of MXNet 1.9.1's samplers, _random_pdf_<dist>: the density (or, with
// is_log, its logarithm) of each sample under the parameters of its leading axes. The parameter
// arrays share one shape, a prefix of the sample's shape; the output has the sample's shape
// (Dirichlet: without its last axis, the vector dimension). Gradients reach the sample and the
// parameters as MXNet computes them (the discrete distributions give the sample no gradient),
// through one _backward_random_pdf_<dist> kernel per distribution. MXNet's conventions kept
// here: gamma's beta is a rate, negative_binomial counts failures before the k-th success of
// probability p, and the uniform density does not check that the sample lies in [low, high].
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {

namespace {

double digamma(double x) {
  double acc = 0;
  while (x < 6) {  // recurrence up to where the asymptotic series is accurate
    acc -= 1 / x;
    x += 1;
  }
  const double f = 1 / (x * x);
  return acc + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

// log-density of x under parameters p; with dx/dp non-null, also its partial derivatives.
using LogPdf = double (*)(double x, const double* p, double* dx, double* dp);

struct Density {
  std::vector<std::string> params;
  bool discrete;  // the sample gets no gradient
  LogPdf logpdf;
};

const Density kUniformPdf{{"low", "high"}, false, [](double, const double* p, double* dx, double* dp) {
                            const double w = p[1] - p[0];
                            if (dx) {
                              *dx = 0;
                              dp[0] = 1 / w;
                              dp[1] = -1 / w;
                            }
                            return -std::log(w);
                          }};
const Density kNormalPdf{{"mu", "sigma"}, false, [](double x, const double* p, double* dx, double* dp) {
                           const double z = (x - p[0]) / p[1];
                           if (dx) {
                             *dx = -z / p[1];
                             dp[0] = z / p[1];
                             dp[1] = (z * z - 1) / p[1];
                           }
                           return -0.5 * z * z - std::log(p[1]) - 0.5 * std::log(2 * M_PI);
                         }};
const Density kGammaPdf{{"alpha", "beta"}, false, [](double x, const double* p, double* dx, double* dp) {
                          const double a = p[0], b = p[1];  // shape, rate
                          if (dx) {
                            *dx = (a - 1) / x - b;
                            dp[0] = std::log(b) - digamma(a) + std::log(x);
                            dp[1] = a / b - x;
                          }
                          return a * std::log(b) - std::lgamma(a) + (a - 1) * std::log(x) - b * x;
                        }};
const Density kExponentialPdf{{"lam"}, false, [](double x, const double* p, double* dx, double* dp) {
                                if (dx) {
                                  *dx = -p[0];
                                  dp[0] = 1 / p[0] - x;
                                }
                                return std::log(p[0]) - p[0] * x;
                              }};
const Density kPoissonPdf{{"lam"}, true, [](double x, const double* p, double* dx, double* dp) {
                            if (dx) {
                              *dx = 0;
                              dp[0] = x / p[0] - 1;
                            }
                            return x * std::log(p[0]) - p[0] - std::lgamma(x + 1);
                          }};
const Density kNegativeBinomialPdf{{"k", "p"}, true, [](double x, const double* p, double* dx, double* dp) {
                                     const double k = p[0], q = p[1];
                                     if (dx) {
                                       *dx = 0;
                                       dp[0] = digamma(x + k) - digamma(k) + std::log(q);
                                       dp[1] = k / q - x / (1 - q);
                                     }
                                     return std::lgamma(x + k) - std::lgamma(x + 1) - std::lgamma(k) + k * std::log(q) +
                                            x * std::log1p(-q);
                                   }};
// Mean mu, dispersion alpha: a negative binomial with k = 1 / alpha and p = 1 / (1 + alpha * mu).
const Density kGeneralizedNegativeBinomialPdf{
    {"mu", "alpha"}, true, [](double x, const double* p, double* dx, double* dp) {
      const double mu = p[0], a = p[1], r = 1 / a, s = 1 + a * mu;
      if (dx) {
        *dx = 0;
        dp[0] = x / mu - (1 + x * a) / s;
        dp[1] = (std::log(s) - digamma(x + r) + digamma(r)) / (a * a) - mu / (a * s) + x / a - x * mu / s;
      }
      return std::lgamma(x + r) - std::lgamma(x + 1) - std::lgamma(r) - r * std::log(s) + x * std::log(a * mu / s);
    }};

// (sets of parameters, samples per set) of a scalar density call.
struct PdfGeom {
  int64_t sets, per_set;
};

PdfGeom pdf_geom(const Shape& sample, const Shape& param) {
  PdfGeom g;
  g.sets = shape_size(param);
  g.per_set = g.sets == 0 ? 0 : shape_size(sample) / g.sets;
  return g;
}

// Parameter arrays share one shape, a prefix of the sample's (Dirichlet: of the sample without
// its last axis, plus that axis).
void check_params(const Attrs& attrs, const std::vector<Shape>& in, size_t first_param, bool vector_valued) {
  const Shape& s = in[0];
  const Shape& p = in[first_param];
  const auto names = attrs.op->inputs_for(attrs);
  for (size_t i = first_param + 1; i < in.size(); ++i)
    if (in[i] != p) shape_mismatch(attrs, "input " + names[i] + " (parameters share one shape)", p, in[i]);
  bool prefix = p.size() <= s.size();
  const size_t lead = vector_valued ? p.size() - 1 : p.size();
  for (size_t d = 0; prefix && d < lead; ++d) prefix = p[d] == s[d];
  if (vector_valued) prefix = prefix && !p.empty() && !s.empty() && p.back() == s.back();
  MV_CHECK(prefix, kValue) << "Operator " << attrs.op->name << ": parameter shape " << shape_str(p)
                           << (vector_valued ? " must be the sample's leading axes plus its last axis"
                                             : " must be a prefix of the sample shape ")
                           << (vector_valued ? ", sample " : "") << shape_str(s);
}

void pdf_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  infer_same_type(attrs, in, out);
  const int t = (*out)[0];
  MV_CHECK(t < 0 || t == static_cast<int>(DType::kFloat16) || t == static_cast<int>(DType::kFloat32) ||
               t == static_cast<int>(DType::kFloat64),
           kType)
      << "Operator " << attrs.op->name << " supports float16/float32/float64 inputs, got "
      << dtype_name(static_cast<DType>(t));
}

std::vector<std::vector<double>> doubles(const std::vector<TBlob>& in, size_t from) {
  std::vector<std::vector<double>> v;
  for (size_t i = from; i < in.size(); ++i) {
    v.emplace_back(static_cast<size_t>(in[i].size()));
    cast_copy(in[i], TBlob{v.back().data(), in[i].shape, DType::kFloat64});
  }
  return v;
}

void store(const std::vector<double>& v, const TBlob& out) {
  cast_copy(TBlob{const_cast<double*>(v.data()), out.shape, DType::kFloat64}, out);
}

// ---- scalar densities --------------------------------------------------------------------------

InferShapeFn pdf_shape() {
  return [](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    for (const Shape& s : *in)
      if (s.empty()) return;
    check_params(attrs, *in, 1, false);
    (*out)[0] = (*in)[0];
  };
}

ForwardFn pdf_forward(const Density& d) {
  return [&d](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
    const bool is_log = attrs.get_bool("is_log");
    const auto v = doubles(in, 0);
    const PdfGeom g = pdf_geom(in[0].shape, in[1].shape);
    std::vector<double> res(v[0].size()), p(d.params.size());
    for (int64_t s = 0; s < g.sets; ++s) {
      for (size_t k = 0; k < p.size(); ++k) p[k] = v[k + 1][static_cast<size_t>(s)];
      for (int64_t j = 0; j < g.per_set; ++j) {
        const size_t at = static_cast<size_t>(s * g.per_set + j);
        const double lp = d.logpdf(v[0][at], p.data(), nullptr, nullptr);
        res[at] = is_log ? lp : std::exp(lp);
      }
    }
    store(res, out[0]);
  };
}

// Inputs (ograd, sample, params...); outputs the gradients of sample and params.
InferShapeFn pdf_backward_shape() {
  return [](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    std::vector<Shape> fwd(in->begin() + 1, in->end());
    for (const Shape& s : fwd)
      if (s.empty()) return;
    check_params(attrs, fwd, 1, false);
    if ((*in)[0] != fwd[0]) shape_mismatch(attrs, "input ograd", fwd[0], (*in)[0]);
    for (size_t i = 0; i < out->size(); ++i) (*out)[i] = fwd[i];
  };
}

ForwardFn pdf_backward(const Density& d) {
  return [&d](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
    const bool is_log = attrs.get_bool("is_log");
    const auto v = doubles(in, 0);  // ograd, sample, params...
    const PdfGeom g = pdf_geom(in[1].shape, in[2].shape);
    const size_t np = d.params.size();
    std::vector<double> dsample(v[1].size(), 0.0), p(np), dp(np);
    std::vector<std::vector<double>> dparams(np, std::vector<double>(static_cast<size_t>(g.sets), 0.0));
    for (int64_t s = 0; s < g.sets; ++s) {
      for (size_t k = 0; k < np; ++k) p[k] = v[k + 2][static_cast<size_t>(s)];
      for (int64_t j = 0; j < g.per_set; ++j) {
        const size_t at = static_cast<size_t>(s * g.per_set + j);
        double dx = 0;
        const double lp = d.logpdf(v[1][at], p.data(), &dx, dp.data());
        const double scale = v[0][at] * (is_log ? 1.0 : std::exp(lp));  // d pdf = pdf * d log pdf
        dsample[at] = d.discrete ? 0.0 : scale * dx;
        for (size_t k = 0; k < np; ++k) dparams[k][static_cast<size_t>(s)] += scale * dp[k];
      }
    }
    store(dsample, out[0]);
    for (size_t k = 0; k < np; ++k) store(dparams[k], out[k + 1]);
  };
}

GradientFn pdf_gradient(const std::string& backward) {
  return [backward](const GradContext& g) {
    std::vector<Tensor> in{g.ograd()};
    in.insert(in.end(), g.inputs.begin(), g.inputs.end());
    return op_all(backward, in, g.forward_params());
  };
}

OpSample pdf_sample(std::vector<Shape> shapes, double lo, double hi, bool discrete) {
  OpSample s = op_sample(std::move(shapes), {});
  s.lo = lo;
  s.hi = hi;
  if (discrete) s.no_grad_inputs = {0};  // MXNet gives the counts no gradient
  return s;
}

const char* kIsLogDoc = "If set, compute the density of the log-probability instead of the probability.";

}  // namespace

// The backward kernel of one scalar density: inputs (ograd, sample, the parameters given as a
// chain of .input(...) in the trailing arguments), outputs the gradients of sample and parameters.
#define MV_PDF_BACKWARD(NAME, DENSITY, N_PARAMS, ...)                                                \
  MV_REGISTER_OP(_backward_random_pdf_##NAME)                                                       \
      .describe("Gradients of _random_pdf_" #NAME " with respect to the sample and the parameters.") \
      .input("ograd", "gradient of the densities")                                                 \
      .input("sample", "the samples") __VA_ARGS__                                                  \
      .params_from("_random_pdf_" #NAME)                                                            \
      .set_num_outputs(1 + (N_PARAMS))                                                              \
      .set_infer_shape(pdf_backward_shape())                                                        \
      .set_infer_type(pdf_type)                                                                     \
      .set_forward(pdf_backward(DENSITY))                                                           \
      .set_non_differentiable()

MV_REGISTER_OP(_random_pdf_uniform)
    .alias("random_pdf_uniform")
    .describe("Computes the value of the PDF of `sample` under uniform distributions on [low, high) "
              "(1 / (high - low); the sample's position is not checked, as in MXNet). low and high share one shape, "
              "a prefix of the sample's; the output has the sample's shape.\n\n"
              "Example::\n\n  random_pdf_uniform(sample=[[1, 2, 3]], low=[0], high=[10]) = [[0.1, 0.1, 0.1]]")
    .input("sample", "Samples from the distributions.")
    .input("low", "Lower bounds of the distributions.")
    .input("high", "Upper bounds of the distributions.")
    .param("is_log", ParamType::kBool, "False", kIsLogDoc)
    .set_infer_shape(pdf_shape())
    .set_infer_type(pdf_type)
    .set_forward(pdf_forward(kUniformPdf))
    .set_gradient(pdf_gradient("_backward_random_pdf_uniform"))
    .add_sample([] {
      OpSample s = pdf_sample({{2, 3}, {2}, {2}}, 0, 1, false);
      s.grad_check = false;  // low and high come from one range, so high - low may be tiny or negative
      return s;
    }());
MV_PDF_BACKWARD(uniform, kUniformPdf, 2, .input("low", "parameter").input("high", "parameter"));

MV_REGISTER_OP(_random_pdf_normal)
    .alias("random_pdf_normal")
    .describe("Computes the value of the PDF of `sample` under normal distributions with means `mu` and standard "
              "deviations `sigma` (sharing one shape, a prefix of the sample's).\n\n"
              "Example::\n\n  random_pdf_normal(sample=[[-2, -1, 0, 1, 2]], mu=[0], sigma=[1]) =\n"
              "    [[0.05399097, 0.24197073, 0.3989423, 0.24197073, 0.05399097]]")
    .input("sample", "Samples from the distributions.")
    .input("mu", "Means of the distributions.")
    .input("sigma", "Standard deviations of the distributions.")
    .param("is_log", ParamType::kBool, "False", kIsLogDoc)
    .set_infer_shape(pdf_shape())
    .set_infer_type(pdf_type)
    .set_forward(pdf_forward(kNormalPdf))
    .set_gradient(pdf_gradient("_backward_random_pdf_normal"))
    .add_sample(pdf_sample({{2, 3}, {2}, {2}}, 0.5, 2, false))
    .add_sample([] {
      OpSample s = pdf_sample({{2, 2}, {2}, {2}}, 0.5, 2, false);
      s.params = {{"is_log", "True"}};
      return s;
    }());
MV_PDF_BACKWARD(normal, kNormalPdf, 2, .input("mu", "parameter").input("sigma", "parameter"));

MV_REGISTER_OP(_random_pdf_gamma)
    .alias("random_pdf_gamma")
    .describe("Computes the value of the PDF of `sample` under gamma distributions with shapes `alpha` and rates "
              "`beta` (MXNet's convention for this density; the sampler's beta is a scale).\n\n"
              "Example::\n\n  random_pdf_gamma(sample=[[1, 2, 3, 4, 5]], alpha=[5], beta=[1]) =\n"
              "    [[0.01532831, 0.09022352, 0.16803136, 0.19536681, 0.17546739]]")
    .input("sample", "Samples from the distributions.")
    .input("alpha", "Alpha (shape) parameters of the distributions.")
    .input("beta", "Beta (rate) parameters of the distributions.")
    .param("is_log", ParamType::kBool, "False", kIsLogDoc)
    .set_infer_shape(pdf_shape())
    .set_infer_type(pdf_type)
    .set_forward(pdf_forward(kGammaPdf))
    .set_gradient(pdf_gradient("_backward_random_pdf_gamma"))
    .add_sample(pdf_sample({{2, 3}, {2}, {2}}, 0.5, 2, false));
MV_PDF_BACKWARD(gamma, kGammaPdf, 2, .input("alpha", "parameter").input("beta", "parameter"));

MV_REGISTER_OP(_random_pdf_exponential)
    .alias("random_pdf_exponential")
    .describe("Computes the value of the PDF of `sample` under exponential distributions with rates `lam`.\n\n"
              "Example::\n\n  random_pdf_exponential(sample=[[1, 2, 3]], lam=[1]) = [[0.36787945, 0.13533528, "
              "0.04978707]]")
    .input("sample", "Samples from the distributions.")
    .input("lam", "Lambda (rate) parameters of the distributions.")
    .param("is_log", ParamType::kBool, "False", kIsLogDoc)
    .set_infer_shape(pdf_shape())
    .set_infer_type(pdf_type)
    .set_forward(pdf_forward(kExponentialPdf))
    .set_gradient(pdf_gradient("_backward_random_pdf_exponential"))
    .add_sample(pdf_sample({{2, 3}, {2}}, 0.5, 2, false));
MV_PDF_BACKWARD(exponential, kExponentialPdf, 1, .input("lam", "parameter"));

MV_REGISTER_OP(_random_pdf_poisson)
    .alias("random_pdf_poisson")
    .describe("Computes the value of the PMF of `sample` (counts) under Poisson distributions with rates `lam`; "
              "the counts get no gradient.\n\n"
              "Example::\n\n  random_pdf_poisson(sample=[[0, 1, 2, 3]], lam=[1]) = [[0.36787945, 0.36787945, "
              "0.18393973, 0.06131324]]")
    .input("sample", "Samples from the distributions.")
    .input("lam", "Lambda (rate) parameters of the distributions.")
    .param("is_log", ParamType::kBool, "False", kIsLogDoc)
    .set_infer_shape(pdf_shape())
    .set_infer_type(pdf_type)
    .set_forward(pdf_forward(kPoissonPdf))
    .set_gradient(pdf_gradient("_backward_random_pdf_poisson"))
    .add_sample(pdf_sample({{2, 3}, {2}}, 0.5, 3, true));
MV_PDF_BACKWARD(poisson, kPoissonPdf, 1, .input("lam", "parameter"));

MV_REGISTER_OP(_random_pdf_negative_binomial)
    .alias("random_pdf_negative_binomial")
    .describe("Computes the value of the PMF of `sample` (failures before the k-th success, each trial "
              "succeeding with probability p) under negative binomial distributions; the counts get no "
              "gradient.\n\n"
              "Example::\n\n  random_pdf_negative_binomial(sample=[[1, 2, 3, 4]], k=[1], p=[0.5]) =\n"
              "    [[0.25, 0.125, 0.0625, 0.03125]]")
    .input("sample", "Samples from the distributions.")
    .input("k", "Limits of unsuccessful experiments.")
    .input("p", "Failure probabilities in each experiment.")
    .param("is_log", ParamType::kBool, "False", kIsLogDoc)
    .set_infer_shape(pdf_shape())
    .set_infer_type(pdf_type)
    .set_forward(pdf_forward(kNegativeBinomialPdf))
    .set_gradient(pdf_gradient("_backward_random_pdf_negative_binomial"))
    .add_sample(pdf_sample({{2, 3}, {2}, {2}}, 0.2, 0.8, true));
MV_PDF_BACKWARD(negative_binomial, kNegativeBinomialPdf, 2, .input("k", "parameter").input("p", "parameter"));

MV_REGISTER_OP(_random_pdf_generalized_negative_binomial)
    .alias("random_pdf_generalized_negative_binomial")
    .describe("Computes the value of the PMF of `sample` (counts) under generalized negative binomial "
              "distributions with means `mu` and dispersions `alpha`; the counts get no gradient.\n\n"
              "Example::\n\n  random_pdf_generalized_negative_binomial(sample=[[1, 2, 3, 4]], alpha=[1], mu=[1]) =\n"
              "    [[0.25, 0.125, 0.0625, 0.03125]]")
    .input("sample", "Samples from the distributions.")
    .input("mu", "Means of the distributions.")
    .input("alpha", "Alpha (dispersion) parameters of the distributions.")
    .param("is_log", ParamType::kBool, "False", kIsLogDoc)
    .set_infer_shape(pdf_shape())
    .set_infer_type(pdf_type)
    .set_forward(pdf_forward(kGeneralizedNegativeBinomialPdf))
    .set_gradient(pdf_gradient("_backward_random_pdf_generalized_negative_binomial"))
    .add_sample(pdf_sample({{2, 3}, {2}, {2}}, 0.5, 2, true));
MV_PDF_BACKWARD(generalized_negative_binomial, kGeneralizedNegativeBinomialPdf, 2,
                .input("mu", "parameter").input("alpha", "parameter"));

// ---- Dirichlet: vector samples -------------------------------------------------------------------

namespace {

// (sets, samples per set, k) of a Dirichlet call: alpha is (sets..., k), sample (sets..., extra..., k).
struct DirichletGeom {
  int64_t sets, per_set, k;
};

DirichletGeom dirichlet_geom(const Shape& sample, const Shape& alpha) {
  DirichletGeom g;
  g.k = alpha.back();
  g.sets = g.k == 0 ? 0 : shape_size(alpha) / g.k;
  g.per_set = g.sets == 0 || g.k == 0 ? 0 : shape_size(sample) / g.k / g.sets;
  return g;
}

// log-density of x (k values) under alpha; with dx/da non-null, adds scale * its derivatives.
double dirichlet_logpdf(const double* x, const double* a, int64_t k, double scale_if_grad, double* dx, double* da) {
  double sum_a = 0, lp = 0;
  for (int64_t i = 0; i < k; ++i) {
    sum_a += a[i];
    lp += (a[i] - 1) * std::log(x[i]) - std::lgamma(a[i]);
  }
  lp += std::lgamma(sum_a);
  if (dx) {
    const double dg = digamma(sum_a);
    for (int64_t i = 0; i < k; ++i) {
      dx[i] = scale_if_grad * (a[i] - 1) / x[i];
      da[i] += scale_if_grad * (dg - digamma(a[i]) + std::log(x[i]));
    }
  }
  return lp;
}

}  // namespace

MV_REGISTER_OP(_random_pdf_dirichlet)
    .alias("random_pdf_dirichlet")
    .describe("Computes the value of the PDF of the vectors in `sample` (its last axis) under Dirichlet "
              "distributions with concentrations `alpha` (shape: the sample's leading axes plus the vector "
              "axis); the output drops the vector axis.\n\n"
              "Example::\n\n  random_pdf_dirichlet(sample=[[[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]], alpha=[[1.5, 2, 3]]) =\n"
              "    [[5.4477954, 3.2871876]]")
    .input("sample", "Samples from the distributions.")
    .input("alpha", "Concentration parameters of the distributions.")
    .param("is_log", ParamType::kBool, "False", kIsLogDoc)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty() || (*in)[1].empty()) return;
      check_params(attrs, *in, 1, true);
      (*out)[0] = Shape((*in)[0].begin(), (*in)[0].end() - 1);
    })
    .set_infer_type(pdf_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const bool is_log = attrs.get_bool("is_log");
      const auto v = doubles(in, 0);
      const DirichletGeom g = dirichlet_geom(in[0].shape, in[1].shape);
      std::vector<double> res(static_cast<size_t>(out[0].size()));
      for (int64_t s = 0; s < g.sets; ++s)
        for (int64_t j = 0; j < g.per_set; ++j) {
          const int64_t at = s * g.per_set + j;
          const double lp = dirichlet_logpdf(v[0].data() + at * g.k, v[1].data() + s * g.k, g.k, 0, nullptr, nullptr);
          res[static_cast<size_t>(at)] = is_log ? lp : std::exp(lp);
        }
      store(res, out[0]);
    })
    .set_gradient(pdf_gradient("_backward_random_pdf_dirichlet"))
    .add_sample([] {
      OpSample s = pdf_sample({{2, 3, 4}, {2, 4}}, 0.2, 0.9, false);
      s.params = {{"is_log", "True"}};
      return s;
    }());

MV_REGISTER_OP(_backward_random_pdf_dirichlet)
    .describe("Gradients of _random_pdf_dirichlet with respect to the sample and alpha.")
    .input("ograd", "gradient of the densities")
    .input("sample", "the sample vectors")
    .input("alpha", "the concentrations")
    .params_from("_random_pdf_dirichlet")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      std::vector<Shape> fwd{(*in)[1], (*in)[2]};
      if (fwd[0].empty() || fwd[1].empty()) return;
      check_params(attrs, fwd, 1, true);
      const Shape want(fwd[0].begin(), fwd[0].end() - 1);
      if ((*in)[0] != want) shape_mismatch(attrs, "input ograd", want, (*in)[0]);
      (*out)[0] = fwd[0];
      (*out)[1] = fwd[1];
    })
    .set_infer_type(pdf_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const bool is_log = attrs.get_bool("is_log");
      const auto v = doubles(in, 0);
      const DirichletGeom g = dirichlet_geom(in[1].shape, in[2].shape);
      std::vector<double> dx(v[1].size(), 0.0), da(v[2].size(), 0.0);
      for (int64_t s = 0; s < g.sets; ++s)
        for (int64_t j = 0; j < g.per_set; ++j) {
          const int64_t at = s * g.per_set + j;
          const double* x = v[1].data() + at * g.k;
          const double* a = v[2].data() + s * g.k;
          const double lp = dirichlet_logpdf(x, a, g.k, 0, nullptr, nullptr);
          const double scale = v[0][static_cast<size_t>(at)] * (is_log ? 1.0 : std::exp(lp));
          dirichlet_logpdf(x, a, g.k, scale, dx.data() + at * g.k, da.data() + s * g.k);
        }
      store(dx, out[0]);
      store(da, out[1]);
    })
    .set_non_differentiable();

}  // namespace minerva
