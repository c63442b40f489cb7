// MXNet 1.x's contrib hawkesll: the log likelihood of K independent univariate Hawkes processes
// with exponential decay, observed on (0, max_time], for a batch of N ragged sequences.
#include <cmath>

#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

enum HawkesInput { kLda, kAlpha, kBeta, kState, kLags, kMarks, kValidLength, kMaxTime, kNumHawkesInputs };

const char* const kHawkesInputNames[] = {"lda", "alpha", "beta", "state", "lags", "marks", "valid_length",
                                         "max_time"};

struct HawkesDims {
  int64_t n = 0, t = 0, k = 0;  // batch, points per sequence, marks (processes)
};

void require_ndim(const Attrs& attrs, const Shape& s, const char* input, size_t ndim, const char* layout) {
  MV_CHECK(s.size() == ndim, kValue) << "Operator " << attrs.op->name << ": input '" << input << "' must be "
                                     << ndim << "-D " << layout << ", got shape " << shape_str(s);
}

// N and T come from lags (N, T), K from lda (N, K); every other input is checked against them.
// `first` is where the forward inputs start (1 in the backward, after the output gradient).
HawkesDims hawkes_dims(const Attrs& attrs, std::vector<Shape>* in, size_t first) {
  auto at = [&](int i) -> Shape& { return (*in)[first + static_cast<size_t>(i)]; };
  require_ndim(attrs, at(kLda), "lda", 2, "(N, K)");
  require_ndim(attrs, at(kLags), "lags", 2, "(N, T)");
  HawkesDims d{at(kLags)[0], at(kLags)[1], at(kLda)[1]};
  const Shape expected[] = {{d.n, d.k}, {d.k}, {d.k}, {d.n, d.k}, {d.n, d.t}, {d.n, d.t}, {d.n}, {d.n}};
  for (int i = 0; i < kNumHawkesInputs; ++i) {
    if (at(i).empty()) at(i) = expected[i];
    if (at(i) != expected[i])
      shape_mismatch(attrs, std::string("input '") + kHawkesInputNames[i] + "' (N = lags.shape[0], T = lags.shape[1], "
                                "K = lda.shape[1])", expected[i], at(i));
  }
  return d;
}

void hawkes_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[kLda].empty() || (*in)[kLags].empty()) return;
  const HawkesDims d = hawkes_dims(attrs, in, 0);
  (*out)[0] = {d.n};
  (*out)[1] = {d.n, d.k};
}

// The real-valued inputs share lda's floating dtype; marks may have any dtype (MXNet requires
// int32) as long as its values are mark ids.
void hawkes_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  int t = (*in)[kLda] >= 0 ? (*in)[kLda] : (*out)[0];
  if (t < 0) return;
  require_float_dtype(attrs, t, "lda");
  for (int i = 0; i < kNumHawkesInputs; ++i) {
    if (i == kMarks) continue;
    if ((*in)[i] < 0) (*in)[i] = t;
    MV_CHECK((*in)[i] == t, kType) << "Operator " << attrs.op->name << ": input '" << kHawkesInputNames[i]
                                   << "' must have lda's dtype " << dtype_name(static_cast<DType>(t)) << ", got "
                                   << dtype_name(static_cast<DType>((*in)[i]));
  }
  if ((*in)[kMarks] < 0) (*in)[kMarks] = static_cast<int>(DType::kInt32);
  (*out)[0] = (*out)[1] = t;
}

// The inputs as doubles, with the ragged layout checked once before the parallel loops: each
// sequence i has count[i] = ceil(valid_length[i]) points (MXNet's `j < valid_length[i]`), at most
// T, and its marks are ids in [0, K). Entries past count[i] are padding and never read.
struct HawkesData {
  HawkesDims d;
  std::vector<double> lda, alpha, beta, state, lags, valid_length, max_time;
  std::vector<int64_t> marks, count;
};

HawkesData hawkes_data(const Attrs& attrs, const TBlob* in) {
  HawkesData h;
  h.d = {in[kLags].shape[0], in[kLags].shape[1], in[kLda].shape[1]};
  h.lda = blob_doubles(in[kLda]);
  h.alpha = blob_doubles(in[kAlpha]);
  h.beta = blob_doubles(in[kBeta]);
  h.state = blob_doubles(in[kState]);
  h.lags = blob_doubles(in[kLags]);
  h.valid_length = blob_doubles(in[kValidLength]);
  h.max_time = blob_doubles(in[kMaxTime]);
  const std::vector<double> marks = blob_doubles(in[kMarks]);
  h.marks.assign(marks.size(), 0);
  h.count.assign(static_cast<size_t>(h.d.n), 0);
  for (int64_t i = 0; i < h.d.n; ++i) {
    const double v = h.valid_length[static_cast<size_t>(i)];
    MV_CHECK(v >= 0 && v <= static_cast<double>(h.d.t), kValue)
        << "Operator " << attrs.op->name << ": valid_length[" << i << "] = " << v
        << " must lie in [0, T] = [0, " << h.d.t << "] (T = lags.shape[1])";
    const int64_t n = static_cast<int64_t>(std::ceil(v));
    h.count[static_cast<size_t>(i)] = n;
    for (int64_t j = 0; j < n; ++j) {
      const size_t at = static_cast<size_t>(i * h.d.t + j);
      const double m = marks[at];
      MV_CHECK(m >= 0 && m < static_cast<double>(h.d.k) && m == std::floor(m), kValue)
          << "Operator " << attrs.op->name << ": marks[" << i << ", " << j << "] = " << m
          << " is not a mark id in [0, K) = [0, " << h.d.k << ") (K = lda.shape[1])";
      h.marks[at] = static_cast<int64_t>(m);
    }
  }
  return h;
}

// Note [Hawkes log likelihood]
// Sequence i walks its points in time order: a point of mark c at time t, d = t - (the last
// point of mark c, or 0), sees the intensity lda[i, c] + alpha[c] * beta[c] * s[c] * exp(-beta[c] d)
// where s[c] is the state (the decayed count of earlier points of mark c, starting at state[i, c]),
// and adds log(intensity) minus the compensator lda[i, c] d + alpha[c] s[c] (1 - exp(-beta[c] d));
// then s[c] = 1 + s[c] exp(-beta[c] d). Each mark's compensator from its last point to max_time
// closes the sum, and the states decayed to max_time are the second output. The backward carries
// ds/dbeta along the same walk. As in MXNet, the gradient flows from the log likelihood only (not
// from out_state) to lda, alpha and beta; state, lags, marks, valid_length and max_time get none.
void hawkes_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  const HawkesData h = hawkes_data(attrs, in.data());
  const int64_t K = h.d.k, T = h.d.t;
  std::vector<double> ll(static_cast<size_t>(h.d.n)), state(h.state);
  parallel_for(
      h.d.n,
      [&](int64_t i) {
        std::vector<double> last(static_cast<size_t>(K), 0.0);
        const double* mu = h.lda.data() + i * K;
        double* s = state.data() + i * K;
        double t = 0, sum = 0;
        for (int64_t j = 0; j < h.count[static_cast<size_t>(i)]; ++j) {
          const size_t c = static_cast<size_t>(h.marks[static_cast<size_t>(i * T + j)]);
          t += h.lags[static_cast<size_t>(i * T + j)];
          const double d = t - last[c], ed = std::exp(-h.beta[c] * d);
          const double intensity = mu[c] + h.alpha[c] * h.beta[c] * s[c] * ed;
          sum += std::log(intensity) - (mu[c] * d + h.alpha[c] * s[c] * (1 - ed));
          s[c] = 1 + s[c] * ed;
          last[c] = t;
        }
        for (size_t c = 0; c < static_cast<size_t>(K); ++c) {
          const double d = h.max_time[static_cast<size_t>(i)] - last[c], ed = std::exp(-h.beta[c] * d);
          sum -= mu[c] * d + h.alpha[c] * s[c] * (1 - ed);
          s[c] *= ed;
        }
        ll[static_cast<size_t>(i)] = sum;
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, T + K)));
  store_doubles(ll, out[0]);
  store_doubles(state, out[1]);
}

// Inputs: the gradient of the log likelihood (N,), then the forward's eight inputs. Outputs: the
// gradients of lda (N, K), alpha (K,) and beta (K,).
void hawkes_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[1 + kLda].empty() || (*in)[1 + kLags].empty()) return;
  const HawkesDims d = hawkes_dims(attrs, in, 1);
  expect_input_shape(attrs, *in, 0, {d.n});
  (*out)[0] = {d.n, d.k};
  (*out)[1] = {d.k};
  (*out)[2] = {d.k};
}

void hawkes_backward_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  std::vector<int> fwd(in->begin() + 1, in->end()), fwd_out(2, -1);
  hawkes_type(attrs, &fwd, &fwd_out);
  (*out)[0] = (*out)[1] = (*out)[2] = fwd_out[0];
}

void hawkes_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const std::vector<double> og = blob_doubles(in[0]);
  const HawkesData h = hawkes_data(attrs, in.data() + 1);
  const int64_t N = h.d.n, K = h.d.k, T = h.d.t;
  // Per-sequence gradients; alpha's and beta's are summed over the batch afterwards.
  std::vector<double> g_lda(static_cast<size_t>(N * K), 0.0), g_alpha(g_lda), g_beta(g_lda);
  parallel_for(
      N,
      [&](int64_t i) {
        const size_t row = static_cast<size_t>(i * K);
        std::vector<double> last(static_cast<size_t>(K), 0.0), ds(static_cast<size_t>(K), 0.0);
        std::vector<double> s(h.state.begin() + static_cast<std::ptrdiff_t>(row),
                              h.state.begin() + static_cast<std::ptrdiff_t>(row + static_cast<size_t>(K)));
        double* gm = g_lda.data() + row;
        double* ga = g_alpha.data() + row;
        double* gb = g_beta.data() + row;
        const double* mu = h.lda.data() + row;
        double t = 0;
        for (int64_t j = 0; j < h.count[static_cast<size_t>(i)]; ++j) {
          const size_t c = static_cast<size_t>(h.marks[static_cast<size_t>(i * T + j)]);
          t += h.lags[static_cast<size_t>(i * T + j)];
          const double a = h.alpha[c], b = h.beta[c];
          const double d = t - last[c], ed = std::exp(-b * d);
          const double intensity = mu[c] + a * b * s[c] * ed;
          gm[c] += 1 / intensity - d;
          ga[c] += b * s[c] * ed / intensity - s[c] * (1 - ed);
          gb[c] += a * ed * (s[c] * (1 - b * d) + b * ds[c]) / intensity - a * (ds[c] * (1 - ed) + s[c] * d * ed);
          ds[c] = ed * (ds[c] - d * s[c]);
          s[c] = 1 + s[c] * ed;
          last[c] = t;
        }
        const double w = og[static_cast<size_t>(i)];
        for (size_t c = 0; c < static_cast<size_t>(K); ++c) {
          const double d = h.max_time[static_cast<size_t>(i)] - last[c], ed = std::exp(-h.beta[c] * d);
          gm[c] = w * (gm[c] - d);
          ga[c] = w * (ga[c] - s[c] * (1 - ed));
          gb[c] = w * (gb[c] - h.alpha[c] * (ds[c] * (1 - ed) + s[c] * d * ed));
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, T + K)));
  std::vector<double> sum_alpha(static_cast<size_t>(K), 0.0), sum_beta(sum_alpha);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t c = 0; c < K; ++c) {
      sum_alpha[static_cast<size_t>(c)] += g_alpha[static_cast<size_t>(i * K + c)];
      sum_beta[static_cast<size_t>(c)] += g_beta[static_cast<size_t>(i * K + c)];
    }
  store_doubles(g_lda, out[0]);
  store_doubles(sum_alpha, out[1]);
  store_doubles(sum_beta, out[2]);
}

OpSample hawkes_sample(int64_t n, int64_t t, int64_t k) {
  OpSample s;
  s.shapes = {{n, k}, {k}, {k}, {n, k}, {n, t}, {n, t}, {n}, {n}};
  s.lo = 0.1;  // positive intensities, decays and gaps
  s.hi = 1.0;
  // marks and valid_length are drawn as integers in [0, K): K = T + 1 keeps valid_length <= T.
  s.index_inputs = {kMarks, kValidLength};
  s.index_high = k;
  s.no_grad_inputs = {kState, kLags, kMaxTime};
  s.no_grad_outputs = {1};  // out_state passes no gradient back, as in MXNet
  return s;
}

}  // namespace

MV_REGISTER_OP(_contrib_hawkesll)
    .describe(
        "Log likelihood of K independent univariate Hawkes processes with exponential kernels.\n\n"
        "Mark k has the conditional intensity\n\n"
        "  lda_k(t) = lda[i, k] + alpha[k] * beta[k] * sum over earlier points t_j of mark k of exp(-beta[k] (t - t_j))\n\n"
        "(background intensity ``lda``, branching ratio ``alpha``, decay ``beta``). The observations are N\n"
        "left-aligned ragged sequences: ``lags`` (N, T) holds each point's time since the previous point,\n"
        "``marks`` (N, T) its process id in [0, K), and ``valid_length`` (N,) how many points of each row\n"
        "are real; the rest is padding. Sequence i is observed on (0, max_time[i]]. ``state`` (N, K) is the\n"
        "memory carried in from earlier observations, s_k(0), where s_k(t) = sum over t_j < t of\n"
        "exp(-beta[k] (t - t_j)).\n\n"
        "Outputs: the log likelihood of each sequence (N,) and the state at max_time, s_k(max_time[i]) (N, K),\n"
        "to carry into the next batch. The gradient flows from the log likelihood to lda, alpha and beta\n"
        "only, as in MXNet. MXNet requires int32 marks; Minerva takes any dtype with integral values.\n\n"
        "Example::\n\n"
        "  lda = [[1.5, 2.0]], alpha = [0.2, 0.3], beta = [1.0, 2.0], state = [[0, 0]]\n"
        "  lags = [[1.0, 1.0]], marks = [[0, 0]], valid_length = [2], max_time = [3]\n"
        "  hawkesll(lda, alpha, beta, state, lags, marks, valid_length, max_time)\n"
        "    = [-9.9405...], [[0.5032..., 0]]")
    .input("lda", "Shape (N, K): the background intensity of each of the K processes, per sample")
    .input("alpha", "Shape (K,): the branching ratio of each process")
    .input("beta", "Shape (K,): the decay of each process")
    .input("state", "Shape (N, K): the Hawkes state (memory) of each process at time 0")
    .input("lags", "Shape (N, T): the time between each point and the previous one")
    .input("marks", "Shape (N, T): the process id of each point")
    .input("valid_length", "Shape (N,): the number of valid points in each row of lags and marks")
    .input("max_time", "Shape (N,): the end of each sequence's observation period")
    .set_num_outputs(2)
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "out_state"}; })
    .set_infer_shape(hawkes_shape)
    .set_infer_type(hawkes_type)
    .set_forward(hawkes_forward)
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> in{g.ograd(0)};
      for (int i = 0; i < kNumHawkesInputs; ++i) in.push_back(g.input(static_cast<size_t>(i)));
      auto d = op_all("_backward_contrib_hawkesll", in, g.forward_params());
      return std::vector<Tensor>{d[0], d[1], d[2], Tensor{}, Tensor{}, Tensor{}, Tensor{}, Tensor{}};
    })
    .add_sample(hawkes_sample(3, 3, 4))
    .add_sample(hawkes_sample(2, 4, 5));

MV_REGISTER_OP(_backward_contrib_hawkesll)
    .describe("Gradient of hawkesll's log likelihood with respect to lda, alpha and beta; see Note [Hawkes log "
              "likelihood].")
    .input("ograd", "gradient of the log likelihood, (N,)")
    .input("lda", "the forward lda")
    .input("alpha", "the forward alpha")
    .input("beta", "the forward beta")
    .input("state", "the forward state")
    .input("lags", "the forward lags")
    .input("marks", "the forward marks")
    .input("valid_length", "the forward valid_length")
    .input("max_time", "the forward max_time")
    .params_from("_contrib_hawkesll")
    .set_num_outputs(3)
    .set_infer_shape(hawkes_backward_shape)
    .set_infer_type(hawkes_backward_type)
    .set_forward(hawkes_backward)
    .set_non_differentiable();

}  // namespace minerva
