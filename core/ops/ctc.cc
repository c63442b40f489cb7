// Connectionist temporal classification loss (MXNet 1.x's CTCLoss, also contrib's).
//
// Note [CTC conventions]
// data is (T, B, A): activations before softmax, time first. label is (B, Lmax). The blank is
// class 0 with blank_label='first' (tokens 1..A-1, padding 0) and class A-1 with 'last' (tokens
// 0..A-2, padding -1). Without use_label_lengths a label ends at its first padding value; with
// it, label_lengths[b] entries are taken and anything after them is ignored. Values are
// truncated to integers like a C cast, as MXNet does. A label that needs more steps than the
// sequence has (its length plus its repeated neighbours, which need a blank between them,
// exceeds the sequence length) gets loss 0 and gradient 0: MXNet 1.9.1 returns loss 0 there,
// and leaves its gradient unset. Values MXNet reads out of bounds (token values outside the
// vocabulary, lengths beyond the padded sizes) are errors here.
//
// Note [CTC gradient]
// The forward pass runs the forward-backward recursion in log space, in double, and writes both
// the loss and d loss / d data (softmax minus the posterior occupancy of each class) into a
// hidden second output, as MXNet does. The gradient is that output scaled by each sequence's
// incoming gradient, so it costs no second pass; it is not itself differentiated.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/op/kernel_util.h"
#include "core/op/op.h"

namespace minerva {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

bool uses_data_lengths(const Attrs& a) { return a.get_bool("use_data_lengths"); }
bool uses_label_lengths(const Attrs& a) { return a.get_bool("use_label_lengths"); }
bool blank_first(const Attrs& a) { return a.get_str("blank_label") == "first"; }

std::vector<std::string> ctc_inputs(const Attrs& a) {
  std::vector<std::string> names{"data", "label"};
  if (uses_data_lengths(a)) names.push_back("data_lengths");
  if (uses_label_lengths(a)) names.push_back("label_lengths");
  return names;
}

void ctc_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const std::string& name = attrs.op->name;
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  MV_CHECK(d.size() == 3, kValue) << "Operator " << name
                                  << ": input 'data' must be 3-D (sequence_length, batch_size, alphabet_size), got shape "
                                  << shape_str(d);
  MV_CHECK(d[2] >= 1, kValue) << "Operator " << name << ": input 'data' needs an alphabet of at least 1 class (the "
                              << "blank), got shape " << shape_str(d);
  const Shape& l = (*in)[1];
  if (!l.empty()) {
    MV_CHECK(l.size() == 2, kValue) << "Operator " << name
                                    << ": input 'label' must be 2-D (batch_size, label_sequence_length), got shape "
                                    << shape_str(l);
    MV_CHECK(l[0] == d[1], kValue) << "Operator " << name << ": input 'label' has batch size " << l[0]
                                   << " but input 'data' has " << d[1] << " (data " << shape_str(d) << ", label "
                                   << shape_str(l) << ")";
    MV_CHECK(l[1] <= d[0], kValue) << "Operator " << name << ": input 'label' holds up to " << l[1]
                                   << " labels per sequence, more than the " << d[0]
                                   << " steps of input 'data' (label " << shape_str(l) << ", data " << shape_str(d)
                                   << ")";
  }
  const Shape lengths{d[1]};
  for (size_t i = 2; i < in->size(); ++i) {
    if ((*in)[i].empty()) (*in)[i] = lengths;
    if ((*in)[i] != lengths) shape_mismatch(attrs, "input '" + ctc_inputs(attrs)[i] + "' (one length per sequence)",
                                            lengths, (*in)[i]);
  }
  (*out)[0] = lengths;
  (*out)[1] = d;
}

// The loss and its hidden gradient take the data's dtype; labels and lengths keep their own
// (the data's when unknown).
void ctc_infer_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  const int d = (*in)[0];
  if (d < 0) return;
  const DType dt = static_cast<DType>(d);
  MV_CHECK(dt == DType::kFloat32 || dt == DType::kFloat64 || dt == DType::kFloat16, kType)
      << "Operator " << attrs.op->name << ": input 'data' must be float16, float32 or float64, got "
      << dtype_name(dt);
  for (size_t i = 1; i < in->size(); ++i)
    if ((*in)[i] < 0) (*in)[i] = d;
  (*out)[0] = (*out)[1] = d;
}

std::vector<double> as_doubles(const TBlob& b) {
  std::vector<double> v(static_cast<size_t>(shape_size(b.shape)));
  cast_copy(b, TBlob{v.data(), b.shape, DType::kFloat64});
  return v;
}

// One sequence's problem: its valid steps and its label tokens.
struct CtcItem {
  int64_t steps = 0;
  std::vector<int64_t> label;
};

// Reads and checks the labels and lengths (see Note [CTC conventions]). Runs before the
// parallel loop, so a bad value throws on the calling thread.
std::vector<CtcItem> ctc_items(const Attrs& attrs, const std::vector<TBlob>& in) {
  const std::string& name = attrs.op->name;
  const int64_t steps = in[0].shape[0], batch = in[0].shape[1], alphabet = in[0].shape[2];
  const int64_t width = in[1].shape[1];
  const bool first = blank_first(attrs);
  const int64_t lo = first ? 1 : 0, hi = first ? alphabet - 1 : alphabet - 2;  // token range
  const int64_t padding = first ? 0 : -1;
  const std::vector<double> label = as_doubles(in[1]);
  size_t next = 2;
  std::vector<double> data_len, label_len;
  if (uses_data_lengths(attrs)) data_len = as_doubles(in[next++]);
  if (uses_label_lengths(attrs)) label_len = as_doubles(in[next++]);

  // A length truncated to an integer in [0, limit].
  auto length_at = [&](const std::vector<double>& v, int64_t b, const char* input, int64_t limit) {
    const double x = v[static_cast<size_t>(b)];
    MV_CHECK(std::isfinite(x) && x > -1 && x < static_cast<double>(limit) + 1, kValue)
        << "Operator " << name << ": input '" << input << "'[" << b << "] = " << x << " must lie in [0, " << limit
        << "]";
    return static_cast<int64_t>(x);
  };
  std::vector<CtcItem> items(static_cast<size_t>(batch));
  for (int64_t b = 0; b < batch; ++b) {
    CtcItem& item = items[static_cast<size_t>(b)];
    item.steps = data_len.empty() ? steps : length_at(data_len, b, "data_lengths", steps);
    const int64_t n = label_len.empty() ? width : length_at(label_len, b, "label_lengths", width);
    for (int64_t i = 0; i < n; ++i) {
      const double x = label[static_cast<size_t>(b * width + i)];
      // Checked as a double first: casting a value beyond int64 to an integer is undefined.
      MV_CHECK(std::isfinite(x) && std::fabs(x) < 1e15, kValue)
          << "Operator " << name << ": input 'label'[" << b << ", " << i << "] is " << x;
      const int64_t k = static_cast<int64_t>(x);
      if (label_len.empty() && k == padding) break;
      MV_CHECK(k >= lo && k <= hi, kValue)
          << "Operator " << name << ": input 'label'[" << b << ", " << i << "] = " << x << " is out of range: with "
          << "blank_label='" << attrs.get_str("blank_label") << "' and alphabet_size " << alphabet
          << ", label values must lie in [" << lo << ", " << hi << "]"
          << (label_len.empty() ? ", and " + std::to_string(padding) + " pads" : std::string());
      item.label.push_back(k);
    }
  }
  return items;
}

double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

// Loss and gradient of one sequence. x(t, k) reads the activations; the gradient goes to
// grad(t, k) for every t < item.steps (the caller zeroes the rest).
template <typename X, typename G>
double ctc_sequence(const CtcItem& item, int64_t alphabet, int64_t blank, X x, G grad) {
  const int64_t steps = item.steps, n = static_cast<int64_t>(item.label.size());
  int64_t repeats = 0;
  for (int64_t i = 1; i < n; ++i) repeats += item.label[i] == item.label[i - 1];
  if (n + repeats > steps) {  // no alignment exists; see Note [CTC conventions]
    for (int64_t t = 0; t < steps; ++t)
      for (int64_t k = 0; k < alphabet; ++k) grad(t, k, 0.0);
    return 0.0;
  }
  if (steps == 0) return 0.0;  // the empty label on an empty sequence: probability 1
  // Log-softmax of every valid step.
  std::vector<double> lp(static_cast<size_t>(steps * alphabet));
  for (int64_t t = 0; t < steps; ++t) {
    double* row = lp.data() + t * alphabet;
    double m = kNegInf;
    for (int64_t k = 0; k < alphabet; ++k) m = std::max(m, row[k] = x(t, k));
    double sum = 0;
    for (int64_t k = 0; k < alphabet; ++k) sum += std::exp(row[k] - m);
    const double lse = m + std::log(sum);
    for (int64_t k = 0; k < alphabet; ++k) row[k] -= lse;
  }
  // The extended label: blanks around and between the tokens.
  const int64_t S = 2 * n + 1;
  std::vector<int64_t> ext(static_cast<size_t>(S), blank);
  for (int64_t i = 0; i < n; ++i) ext[static_cast<size_t>(2 * i + 1)] = item.label[static_cast<size_t>(i)];
  // s may follow s - 2 directly when s is a token different from the one before it.
  auto skip_ok = [&](int64_t s) { return s >= 2 && ext[s] != blank && ext[s] != ext[s - 2]; };
  auto lpa = [&](int64_t t, int64_t s) { return lp[static_cast<size_t>(t * alphabet + ext[s])]; };

  // alpha(t, s): log probability of the prefixes ending at s at step t, emissions included.
  // beta(t, s): log probability of completing the label from s at step t, emissions after t.
  std::vector<double> alpha(static_cast<size_t>(steps * S), kNegInf), beta(alpha.size(), kNegInf);
  auto A = [&](int64_t t, int64_t s) -> double& { return alpha[static_cast<size_t>(t * S + s)]; };
  auto B = [&](int64_t t, int64_t s) -> double& { return beta[static_cast<size_t>(t * S + s)]; };
  A(0, 0) = lpa(0, 0);
  if (S > 1) A(0, 1) = lpa(0, 1);
  for (int64_t t = 1; t < steps; ++t)
    for (int64_t s = 0; s < S; ++s) {
      double v = A(t - 1, s);
      if (s >= 1) v = log_add(v, A(t - 1, s - 1));
      if (skip_ok(s)) v = log_add(v, A(t - 1, s - 2));
      if (v != kNegInf) A(t, s) = v + lpa(t, s);
    }
  B(steps - 1, S - 1) = 0;
  if (S > 1) B(steps - 1, S - 2) = 0;
  for (int64_t t = steps - 2; t >= 0; --t)
    for (int64_t s = 0; s < S; ++s) {
      double v = B(t + 1, s) + lpa(t + 1, s);
      if (s + 1 < S) v = log_add(v, B(t + 1, s + 1) + lpa(t + 1, s + 1));
      if (s + 2 < S && skip_ok(s + 2)) v = log_add(v, B(t + 1, s + 2) + lpa(t + 1, s + 2));
      B(t, s) = v;
    }
  double log_p = A(steps - 1, S - 1);
  if (S > 1) log_p = log_add(log_p, A(steps - 1, S - 2));

  // d(-log p)/d x(t, k) = softmax(t, k) - sum over s with ext[s] = k of exp(alpha + beta - log p).
  std::vector<double> occupancy(static_cast<size_t>(alphabet));
  for (int64_t t = 0; t < steps; ++t) {
    std::fill(occupancy.begin(), occupancy.end(), kNegInf);
    for (int64_t s = 0; s < S; ++s) {
      double& o = occupancy[static_cast<size_t>(ext[s])];
      o = log_add(o, A(t, s) + B(t, s));
    }
    for (int64_t k = 0; k < alphabet; ++k)
      grad(t, k, std::exp(lp[static_cast<size_t>(t * alphabet + k)]) -
                     std::exp(occupancy[static_cast<size_t>(k)] - log_p));
  }
  return -log_p;
}

void ctc_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const std::vector<CtcItem> items = ctc_items(attrs, in);
  const int64_t steps = in[0].shape[0], batch = in[0].shape[1], alphabet = in[0].shape[2];
  const int64_t blank = blank_first(attrs) ? 0 : alphabet - 1;
  fill_blob(out[1], 0);
  const int64_t work = steps * (alphabet + 2 * in[1].shape[1] + 1);  // per sequence
  MV_FLOAT_SWITCH(in[0].dtype, attrs.op->name, T, {
    const T* x = in[0].ptr<T>();
    T* loss = out[0].ptr<T>();
    T* grad = out[1].ptr<T>();
    parallel_for(
        batch,
        [&](int64_t b) {
          auto at = [&](int64_t t, int64_t k) { return (t * batch + b) * alphabet + k; };
          const double l = ctc_sequence(
              items[static_cast<size_t>(b)], alphabet, blank,
              [&](int64_t t, int64_t k) { return static_cast<double>(x[at(t, k)]); },
              [&](int64_t t, int64_t k, double g) { grad[at(t, k)] = static_cast<T>(g); });
          loss[b] = static_cast<T>(l);
        },
        work >= kParallelGrain ? 0 : batch);
  });
}

OpSample ctc_sample(std::vector<Shape> shapes, KeyValues params, int64_t index_high) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  s.index_inputs = {1};
  s.index_high = index_high;
  return s;
}

}  // namespace

MV_REGISTER_OP(CTCLoss)
    .alias("ctc_loss")
    .alias("_contrib_CTCLoss")
    .alias("_contrib_ctc_loss")
    .describe(
        "Connectionist Temporal Classification loss (Graves et al., 2006) of unsegmented label sequences.\n\n"
        "``data`` holds activations before softmax, shaped (sequence_length, batch_size, alphabet_size); "
        "``label`` holds token sequences, shaped (batch_size, label_sequence_length). The output, shaped "
        "(batch_size,), is each sequence's negative log likelihood of its label, summed over every "
        "alignment that maps to the label once repeats are merged and blanks removed.\n\n"
        "- ``blank_label='first'``: class 0 is the blank, tokens are 1 .. alphabet_size-1 and 0 pads labels.\n"
        "- ``blank_label='last'``: class alphabet_size-1 is the blank, tokens are 0 .. alphabet_size-2 and "
        "-1 pads labels.\n"
        "- A label ends at its first padding value, or after label_lengths[b] values with "
        "use_label_lengths. With use_data_lengths, only the first data_lengths[b] steps of sequence b count "
        "and the rest get zero gradient.\n"
        "- A label that no alignment fits (its length plus its number of equal neighbours exceeds the "
        "sequence length) gets loss 0 and gradient 0, as in MXNet.\n"
        "- The gradient with respect to data is softmax(data) minus the posterior probability of each "
        "class at each step, times the output's gradient; labels and lengths get none. It is computed "
        "with the loss and kept in a hidden second output.\n\n"
        "Example::\n\n"
        "  data = zeros((2, 1, 3))   # 2 steps, batch 1, classes {blank, 1, 2}, each with probability 1/3\n"
        "  CTCLoss(data, [[1, 0]]) = [1.0986123]   # -log(3/9): alignments '1 1', '_ 1', '1 _'\n"
        "  CTCLoss(data, [[1, 2]]) = [2.1972246]   # -log(1/9): only '1 2'")
    .input("data", "Input ndarray")
    .input("label", "Ground-truth labels for the loss.")
    .input("data_lengths", "Lengths of data for each of the samples. Only required when use_data_lengths is true.")
    .input("label_lengths",
           "Lengths of labels for each of the samples. Only required when use_label_lengths is true.")
    .set_list_inputs(ctc_inputs)
    .param("use_data_lengths", ParamType::kBool, "False",
           "Whether the input data_lengths gives each sequence's length. If false, every sequence has the "
           "full length.")
    .param("use_label_lengths", ParamType::kBool, "False",
           "Whether the input label_lengths gives each label's length. If false, a label ends at the first "
           "padding value: 0 with blank_label='first', -1 with 'last'.")
    .enum_param("blank_label", {"first", "last"}, "first",
                "Which class is the blank. 'first': class 0, tokens 1 .. alphabet_size-1, padding 0. 'last': "
                "class alphabet_size-1, tokens 0 .. alphabet_size-2, padding -1.")
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_infer_shape(ctc_infer_shape)
    .set_infer_type(ctc_infer_type)
    .set_forward(ctc_forward)
    .set_gradient([](const GradContext& g) {  // see Note [CTC gradient]
      Tensor scale = op("expand_dims", {op("expand_dims", {g.ograd()}, {{"axis", "0"}})}, {{"axis", "2"}});
      std::vector<Tensor> r{op("broadcast_mul", {g.output(1), scale}), Tensor{}};
      if (uses_data_lengths(*g.attrs)) r.push_back(Tensor{});
      if (uses_label_lengths(*g.attrs)) r.push_back(Tensor{});
      return r;
    })
    // Labels draw from [0, 5): 0 pads, so labels of every length up to 2 occur, repeats included.
    .add_sample([] {
      OpSample s = ctc_sample({{4, 2, 5}, {2, 2}}, {}, 5);
      s.lo = -2.0;
      s.hi = 2.0;
      return s;
    }())
    // Tokens 0..3 with blank 4, explicit label lengths from [0, 4). data_lengths is drawn from the
    // data's domain, [2, 6), so it truncates to 2..5 of 6 steps, some too short for their label;
    // the softmax ignores the shift of the activations.
    .add_sample([] {
      OpSample s = ctc_sample({{6, 3, 5}, {3, 3}, {3}, {3}},
                              {{"use_data_lengths", "True"}, {"use_label_lengths", "True"}, {"blank_label", "last"}},
                              4);
      s.index_inputs = {1, 3};
      s.no_grad_inputs = {2};
      s.lo = 2.0;
      s.hi = 6.0;
      return s;
    }())
    .add_sample([] {
      OpSample s = ctc_sample({{5, 2, 4}, {2, 3}, {2}}, {{"use_label_lengths", "True"}, {"blank_label", "last"}}, 3);
      s.index_inputs = {1, 2};
      return s;
    }());

}  // namespace minerva
