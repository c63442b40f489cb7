// The fused recurrent operator RNN of MXNet 1.x (modes rnn_relu, rnn_tanh, lstm, gru; stacked and
// bidirectional) over MXNet's packed parameter vector, and its backward operator _backward_RNN.
//
// Note [RNN parameter layout]
// `parameters` is one flat vector: first every weight, then every bias. For each layer l and
// direction d (forward, then reverse), in that order, the weights are the i2h matrix
// (G*H, in_l) followed by the h2h matrix (G*H, H), row-major; then, in the same (l, d) order, the
// i2h bias (G*H) and the h2h bias (G*H). G is the number of gates (1, 4, 3), H is state_size,
// in_0 the input size and in_l = D*H for the layers above (D directions). Gate blocks are in
// MXNet's order (Note [Fused RNN cells] in rnn_cells.h). This is the order in which MXNet's
// gluon layers concatenate their l0_i2h_weight, l0_h2h_weight, r0_i2h_weight, ... parameters.
//
// Note [RNN backward from the trace]
// Like MXNet's reserve space, the forward pass keeps what backpropagation through time needs in a
// hidden output, `trace`: per layer and direction the gate activations, the state (and LSTM
// cell) each step started from, the LSTM cells it computed, GRU's recurrent n-gate projection or
// the LSTM clipping mask, and the input of every layer above the first (dropout applied). The
// forward always fills it, in training and in prediction, so _backward_RNN (which takes RNN's
// inputs, its hidden outputs and its output gradients) runs whatever mode the forward ran in,
// without computing the forward again. With p > 0 and several layers the forward also keeps the
// scaled dropout masks it drew as a hidden output, through which the backward passes the
// gradient of each layer's input. A symbol file may call _backward_RNN directly: every input's
// shape is checked, so a made-up trace gives wrong numbers but no read out of bounds.
//
// Note [RNN sequence lengths]
// With use_sequence_length, sequence b has sequence_length[b] valid steps (as cuDNN defines it):
// its outputs beyond them are zero and its state stops changing there, so hy is the state
// after its last valid step; the reverse direction starts at that last valid step. A step t is
// "inactive" for row b when t >= sequence_length[b]; an inactive step passes the state through
// unchanged in both directions, which gives exactly these semantics, and its backward passes
// the state gradient through unchanged.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/base/checked.h"
#include "core/kernels/blas/gemm.h"
#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/op/random.h"
#include "core/ops/rnn_cells.h"

namespace minerva {
namespace {

using rnn::StepArgs;

template <typename T>
using StepFn = void (*)(const StepArgs<T>&);

// One mode: its number of gates and its cell's step functions per compute type.
struct RnnMode {
  int gates = 1;
  bool has_cell = false;        // lstm: a cell state beside h
  bool keeps_recurrent_n = false;  // gru: the backward needs the n gate's recurrent projection
  StepFn<float> forward32 = nullptr, backward32 = nullptr;
  StepFn<double> forward64 = nullptr, backward64 = nullptr;
  void step_forward(const StepArgs<float>& a) const { forward32(a); }
  void step_forward(const StepArgs<double>& a) const { forward64(a); }
  void step_backward(const StepArgs<float>& a) const { backward32(a); }
  void step_backward(const StepArgs<double>& a) const { backward64(a); }
};

template <typename Cell>
RnnMode make_mode(int gates, bool has_cell, bool keeps_recurrent_n) {
  RnnMode m;
  m.gates = gates;
  m.has_cell = has_cell;
  m.keeps_recurrent_n = keeps_recurrent_n;
  m.forward32 = &Cell::template forward<float>;
  m.backward32 = &Cell::template backward<float>;
  m.forward64 = &Cell::template forward<double>;
  m.backward64 = &Cell::template backward<double>;
  return m;
}

const Variants<RnnMode> kRnnModes("mode", {
    {"gru", make_mode<rnn::GruCell>(3, false, true)},
    {"lstm", make_mode<rnn::LstmCell>(4, true, false)},
    {"rnn_relu", make_mode<rnn::ReluCell>(1, false, false)},
    {"rnn_tanh", make_mode<rnn::TanhCell>(1, false, false)},
});

// Note [Checked size arithmetic], with the operator's name in front of what was being sized.
int64_t mul_checked(int64_t a, int64_t b, const char* who, const char* what) {
  return checked_mul(a, b, std::string("Operator ") + who + ": " + what);
}
int64_t add_checked(int64_t a, int64_t b, const char* who, const char* what) {
  return checked_add(a, b, std::string("Operator ") + who + ": " + what);
}

bool uses_sequence_length(const Attrs& a) { return a.get_bool("use_sequence_length"); }
bool has_cell(const Attrs& a) { return kRnnModes.of(a).has_cell; }
// Dropout runs between layers, so only a stacked RNN with p > 0 draws (and keeps) masks.
bool keeps_dropout_mask(const Attrs& a) { return a.get_float("p") > 0 && a.get_int("num_layers") > 1; }
int visible_outputs(const Attrs& a) { return a.get_bool("state_outputs") ? (has_cell(a) ? 3 : 2) : 1; }
// The hidden outputs follow the visible ones: the dropout mask when kept, then the trace.
int trace_output(const Attrs& a) { return visible_outputs(a) + (keeps_dropout_mask(a) ? 1 : 0); }

std::vector<std::string> rnn_inputs(const Attrs& a) {
  std::vector<std::string> names{"data", "parameters", "state"};
  if (has_cell(a)) names.push_back("state_cell");
  if (uses_sequence_length(a)) names.push_back("sequence_length");
  return names;
}

struct RnnGeom {
  int64_t L = 0, D = 0, T = 0, N = 0, I = 0, H = 0, G = 0;
  bool lstm = false;
  int64_t in_size(int64_t l) const { return l == 0 ? I : D * H; }
  int64_t gh() const { return G * H; }
  Shape state_shape() const { return {L * D, N, H}; }
  Shape out_shape() const { return {T, N, D * H}; }
  Shape mask_shape() const { return {L - 1, T, N, D * H}; }
};

// Checks the parameters that Minerva's CPU kernel cannot honour or that contradict each other.
void check_rnn_params(const Attrs& a) {
  const std::string& who = a.op->name;
  MV_CHECK(a.is_none("projection_size"), kValue)
      << "Operator " << who << ": projection_size is not supported (MXNet 1.9.1 supports LSTM projection only on "
      << "GPUs with cuDNN); got projection_size=" << a.get_int("projection_size");
  const bool lo = !a.is_none("lstm_state_clip_min"), hi = !a.is_none("lstm_state_clip_max");
  if (!lo && !hi) return;
  MV_CHECK(lo && hi, kValue) << "Operator " << who
                             << ": lstm_state_clip_min and lstm_state_clip_max must be given together";
  MV_CHECK(has_cell(a), kValue) << "Operator " << who << ": state clipping is only supported for mode='lstm', got mode='"
                                << a.get_str("mode") << "'";
  MV_CHECK(a.get_float("lstm_state_clip_max") >= a.get_float("lstm_state_clip_min"), kValue)
      << "Operator " << who << ": lstm_state_clip_max (" << a.get_float("lstm_state_clip_max")
      << ") must be greater than or equal to lstm_state_clip_min (" << a.get_float("lstm_state_clip_min") << ")";
}

RnnGeom rnn_geom(const Attrs& a, const Shape& data) {
  const std::string& who = a.op->name;
  check_rnn_params(a);
  MV_CHECK(data.size() == 3, kValue) << "Operator " << who
                                     << ": input 'data' must be 3-D (sequence_length, batch_size, input_size) "
                                     << "(layout TNC), got shape " << shape_str(data);
  MV_CHECK(data[0] >= 1 && data[1] >= 1 && data[2] >= 1, kValue)
      << "Operator " << who << ": input 'data' needs at least one step, one sequence and one feature, got shape "
      << shape_str(data);
  RnnGeom g;
  g.L = a.get_int("num_layers");
  g.D = a.get_bool("bidirectional") ? 2 : 1;
  g.T = data[0];
  g.N = data[1];
  g.I = data[2];
  g.H = a.get_int("state_size");
  g.G = kRnnModes.of(a).gates;
  g.lstm = kRnnModes.of(a).has_cell;
  // The largest buffers hold T*N*G*max(I, D*H) values, and the trace fewer than T*N*(G+5)*H per
  // layer-direction.
  const char* w = who.c_str();
  const int64_t steps = mul_checked(g.T, g.N, w, "the buffer size");
  const int64_t widest = std::max(g.I, mul_checked(g.D, g.H, w, "the bidirectional state size"));
  mul_checked(steps, mul_checked(2 * g.G, widest, w, "the buffer size"), w, "the buffer size");
  mul_checked(steps, mul_checked((g.G + 5) * g.H, g.L * g.D, w, "the buffer size"), w, "the buffer size");
  return g;
}

// The length of the packed parameter vector (Note [RNN parameter layout]).
int64_t param_count(const RnnGeom& g, const char* who) {
  int64_t total = 0;
  for (int64_t l = 0; l < g.L; ++l) {
    // G*H*(in + H + 2): the i2h and h2h weights and their two biases.
    const int64_t per_dir = mul_checked(g.gh(), add_checked(g.in_size(l), g.H + 2, who, "the parameter count"), who,
                                        "the parameter count");
    total = add_checked(total, mul_checked(per_dir, g.D, who, "the parameter count"), who, "the parameter count");
  }
  return total;
}

[[noreturn]] void wrong_param_count(const Attrs& a, const RnnGeom& g, const Shape& got) {
  const int64_t n = param_count(g, a.op->name.c_str());
  MV_THROW(kValue) << "Operator " << a.op->name << ": input 'parameters' must have shape (" << n << ",), got "
                   << shape_str(got) << ". With mode='" << a.get_str("mode") << "' (" << g.G << " gate"
                   << (g.G > 1 ? "s" : "") << "), state_size H=" << g.H << ", input size I=" << g.I
                   << " (data's last axis), num_layers=" << g.L << " and " << g.D << " direction" << (g.D > 1 ? "s" : "")
                   << ", each layer and direction holds G*H*(in + H + 2) = " << g.G << "*" << g.H
                   << "*(in + " << g.H << " + 2) values (i2h weight, h2h weight, i2h bias, h2h bias), where in is I="
                   << g.I << " for layer 0 and D*H=" << g.D * g.H << " for the layers above";
}

// Where each part of the trace lies (Note [RNN backward from the trace]): per layer-direction
// the arrays of Trace, then the input of every layer above the first, (T, N, D*H) each.
struct TraceLayout {
  std::vector<int64_t> acts, extra, hprev, cprev, cell;  // per layer-direction; -1 when absent
  std::vector<int64_t> layer_in;                         // per layer; -1 for layer 0
  int64_t size = 0;
};

// Whether the trace holds StepArgs::extra: GRU's recurrent n projection or LSTM's clipping mask.
bool keeps_extra(const Attrs& a) { return kRnnModes.of(a).keeps_recurrent_n || !a.is_none("lstm_state_clip_min"); }

TraceLayout trace_layout(const RnnGeom& g, bool extra) {
  TraceLayout t;
  const int64_t rows = g.T * g.N, block = rows * g.H;
  auto take = [&](int64_t n) {
    const int64_t at = t.size;
    t.size += n;
    return at;
  };
  for (int64_t k = 0; k < g.L * g.D; ++k) {
    t.acts.push_back(take(rows * g.gh()));
    t.extra.push_back(extra ? take(block) : -1);
    t.hprev.push_back(take(block));
    t.cprev.push_back(g.lstm ? take(block) : -1);
    t.cell.push_back(g.lstm ? take(block) : -1);
  }
  for (int64_t l = 0; l < g.L; ++l) t.layer_in.push_back(l == 0 ? -1 : take(rows * g.D * g.H));
  return t;
}

// Fills an unknown input shape or checks a known one against `expected`.
void fill_or_check(const Attrs& a, std::vector<Shape>* in, size_t i, const std::string& what, const Shape& expected) {
  Shape& s = (*in)[i];
  if (s.empty()) s = expected;
  if (s != expected) shape_mismatch(a, what, expected, s);
}

// Checks (and fills) the forward inputs; returns the geometry.
RnnGeom check_forward_inputs(const Attrs& a, std::vector<Shape>* in) {
  const RnnGeom g = rnn_geom(a, (*in)[0]);
  Shape& params = (*in)[1];
  const int64_t n = param_count(g, a.op->name.c_str());
  if (params.empty()) params = {n};
  if (params != Shape{n}) wrong_param_count(a, g, params);
  size_t next = 2;
  fill_or_check(a, in, next++, "input 'state' (num_layers * directions, batch_size, state_size)", g.state_shape());
  if (g.lstm) fill_or_check(a, in, next++, "input 'state_cell' (num_layers * directions, batch_size, state_size)",
                            g.state_shape());
  if (uses_sequence_length(a)) fill_or_check(a, in, next++, "input 'sequence_length' (batch_size,)", Shape{g.N});
  return g;
}

void rnn_infer_shape(const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  const RnnGeom g = check_forward_inputs(a, in);
  (*out)[0] = g.out_shape();
  size_t k = 1;
  if (a.get_bool("state_outputs")) {
    (*out)[k++] = g.state_shape();
    if (g.lstm) (*out)[k++] = g.state_shape();
  }
  if (keeps_dropout_mask(a)) (*out)[k++] = g.mask_shape();
  (*out)[k++] = Shape{trace_layout(g, keeps_extra(a)).size};
}

// Every array takes the data's dtype, except sequence_length, which keeps its own (any number type).
void rnn_infer_type(const Attrs& a, std::vector<int>* in, std::vector<int>* out) {
  int d = (*in)[0];
  if (d < 0) {
    for (size_t i = 1; i < in->size(); ++i)
      if ((*in)[i] >= 0 && !(uses_sequence_length(a) && i == rnn_inputs(a).size() - 1)) d = (*in)[i];
    if (d < 0) return;
  }
  const DType dt = static_cast<DType>(d);
  MV_CHECK(dt == DType::kFloat32 || dt == DType::kFloat64, kType)
      << "Operator " << a.op->name << ": supports float32 and float64 data, got " << dtype_name(dt);
  const size_t seq = uses_sequence_length(a) ? rnn_inputs(a).size() - 1 : in->size();
  for (size_t i = 0; i < in->size(); ++i) {
    if ((*in)[i] < 0) (*in)[i] = d;
    if (i != seq && (*in)[i] != d)
      MV_THROW(kType) << "Operator " << a.op->name << ": input " << i << " has dtype "
                      << dtype_name(static_cast<DType>((*in)[i])) << " but data has " << dtype_name(dt);
  }
  for (auto& o : *out) o = d;
}

// ---- kernels ---------------------------------------------------------------------------------

template <typename T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
          double beta, T* c, int64_t ldc) {
  blas::gemm_typed(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, "RNN");
}

// Offsets of one layer-direction's weights and biases in the packed vector.
struct Slot {
  int64_t wi = 0, wh = 0, bi = 0, bh = 0;
};

std::vector<Slot> param_slots(const RnnGeom& g) {
  std::vector<Slot> slots(static_cast<size_t>(g.L * g.D));
  int64_t off = 0;
  for (int64_t l = 0; l < g.L; ++l)
    for (int64_t d = 0; d < g.D; ++d) {
      Slot& s = slots[static_cast<size_t>(l * g.D + d)];
      s.wi = off;
      off += g.gh() * g.in_size(l);
      s.wh = off;
      off += g.gh() * g.H;
    }
  for (auto& s : slots) {
    s.bi = off;
    off += g.gh();
    s.bh = off;
    off += g.gh();
  }
  return slots;
}

// What one layer-direction's forward keeps for its backward, every array indexed by time step:
// views into the forward's hidden `trace` output (Note [RNN backward from the trace]).
template <typename T>
struct Trace {
  T* acts = nullptr;   // (T, N, G*H) gate activations
  T* extra = nullptr;  // (T, N, H) gru: hh_n; lstm with clipping: the not-clipped mask; else absent
  T* hprev = nullptr;  // (T, N, H) the state each step started from
  T* cprev = nullptr;  // (T, N, H) lstm: the cell each step started from
  T* cell = nullptr;   // (T, N, H) lstm: the cell each step computed
};

// The clipping and the valid lengths, shared by every layer.
struct RunOptions {
  bool clip = false, clip_nan = false;
  double clip_lo = 0, clip_hi = 0;
  std::vector<int64_t> lengths;  // empty: every step of every sequence is valid
  bool active(int64_t t, int64_t b) const { return lengths.empty() || t < lengths[static_cast<size_t>(b)]; }
};

template <typename T>
StepArgs<T> step_args(const RnnGeom& g, const RunOptions& o) {
  StepArgs<T> a;
  a.n = g.N;
  a.h = g.H;
  a.clip = o.clip;
  a.clip_nan = o.clip_nan;
  a.clip_lo = o.clip_lo;
  a.clip_hi = o.clip_hi;
  return a;
}

// Runs layer l in direction d over its input X (T, N, in_l): writes the direction's half of Y
// (T, N, D*H), the final state(s) to hy/cy when given, and fills the trace.
template <typename T>
void run_direction(const RnnGeom& g, const RnnMode& mode, const RunOptions& o, int64_t l, int64_t d, const T* X,
                   const T* w, const Slot& slot, const T* h0, const T* c0, T* Y, T* hy, T* cy, const Trace<T>& tr) {
  const int64_t N = g.N, H = g.H, GH = g.gh(), in = g.in_size(l), rows = g.T * N, NH = N * H;
  const T *wi = w + slot.wi, *wh = w + slot.wh, *bi = w + slot.bi, *bh = w + slot.bh;
  T* acts = tr.acts;
  // The input projection of every step at once.
  gemm(false, true, rows, GH, in, X, in, wi, in, 0.0, acts, GH);
  parallel_for(rows, [&](int64_t r) {
    for (int64_t j = 0; j < GH; ++j) acts[r * GH + j] += bi[j];
  }, rows * GH > kParallelGrain ? 0 : rows);
  std::vector<T> h(h0, h0 + NH), c, hh(static_cast<size_t>(N * GH));
  if (g.lstm) c.assign(c0, c0 + NH);
  StepArgs<T> a = step_args<T>(g, o);
  const int64_t DH = g.D * H;
  for (int64_t s = 0; s < g.T; ++s) {
    const int64_t t = d == 0 ? s : g.T - 1 - s;
    T* hprev = tr.hprev + t * NH;
    std::memcpy(hprev, h.data(), sizeof(T) * NH);
    for (int64_t b = 0; b < N; ++b) std::memcpy(hh.data() + b * GH, bh, sizeof(T) * GH);
    gemm(false, true, N, GH, H, hprev, H, wh, H, 1.0, hh.data(), GH);
    a.act = acts + t * N * GH;
    a.hh = hh.data();
    a.extra = tr.extra ? tr.extra + t * NH : nullptr;
    a.h_prev = hprev;
    a.h_out = h.data();
    if (g.lstm) {
      std::memcpy(tr.cprev + t * NH, c.data(), sizeof(T) * NH);
      a.c_prev = tr.cprev + t * NH;
      a.c_out = tr.cell + t * NH;
    }
    mode.step_forward(a);
    for (int64_t b = 0; b < N; ++b) {
      T* y = Y + (t * N + b) * DH + d * H;
      if (o.active(t, b)) {
        std::memcpy(y, h.data() + b * H, sizeof(T) * H);
        if (g.lstm) std::memcpy(c.data() + b * H, a.c_out + b * H, sizeof(T) * H);
      } else {  // Note [RNN sequence lengths]
        std::memset(static_cast<void*>(y), 0, sizeof(T) * H);
        std::memcpy(h.data() + b * H, hprev + b * H, sizeof(T) * H);
      }
    }
  }
  if (hy) std::memcpy(hy, h.data(), sizeof(T) * NH);
  if (cy && g.lstm) std::memcpy(cy, c.data(), sizeof(T) * NH);
}

template <typename T>
Trace<T> trace_at(const TraceLayout& layout, T* base, int64_t k) {
  auto at = [&](const std::vector<int64_t>& v) { return v[static_cast<size_t>(k)] < 0 ? nullptr : base + v[static_cast<size_t>(k)]; };
  Trace<T> t;
  t.acts = at(layout.acts);
  t.extra = at(layout.extra);
  t.hprev = at(layout.hprev);
  t.cprev = at(layout.cprev);
  t.cell = at(layout.cell);
  return t;
}

// The forward pass of every layer, keeping the trace. masks: (L-1, T, N, D*H) dropout masks or null.
template <typename T>
void run_layers(const RnnGeom& g, const RnnMode& mode, const RunOptions& o, const TraceLayout& layout, const T* x,
                const T* w, const T* hx, const T* cx, const T* masks, T* y, T* hy, T* cy, T* trace) {
  const std::vector<Slot> slots = param_slots(g);
  const int64_t NH = g.N * g.H, out_size = g.T * g.N * g.D * g.H;
  for (int64_t l = 0; l < g.L; ++l) {
    const T* X = l == 0 ? x : trace + layout.layer_in[static_cast<size_t>(l)];
    // A layer below the top writes straight into the next layer's input, masked in place below.
    T* Y = l < g.L - 1 ? trace + layout.layer_in[static_cast<size_t>(l + 1)] : y;
    for (int64_t d = 0; d < g.D; ++d) {
      const int64_t k = l * g.D + d;
      run_direction(g, mode, o, l, d, X, w, slots[static_cast<size_t>(k)], hx + k * NH,
                    g.lstm ? cx + k * NH : nullptr, Y, hy ? hy + k * NH : nullptr, cy ? cy + k * NH : nullptr,
                    trace_at(layout, trace, k));
    }
    if (l < g.L - 1 && masks) {
      const T* m = masks + l * out_size;
      parallel_for(out_size, [&](int64_t i) { Y[i] *= m[i]; });
    }
  }
}

// Backpropagation through time of layer l in direction d. dY: gradient of the layer's output
// (T, N, D*H); dhy/dcy: of its final states (null: zero). Writes (beta 0) or adds (beta 1) the
// input gradient to dX (T, N, in_l), writes the parameter gradients into dw at the slot's
// offsets and the initial states' gradients to dh0/dc0.
template <typename T>
void backprop_direction(const RnnGeom& g, const RnnMode& mode, const RunOptions& o, int64_t l, int64_t d,
                        const T* X, const T* w, const Slot& slot, const Trace<const T>& tr, const T* dY, const T* dhy,
                        const T* dcy, double beta, T* dX, T* dw, T* dh0, T* dc0) {
  const int64_t N = g.N, H = g.H, GH = g.gh(), in = g.in_size(l), rows = g.T * N, NH = N * H, DH = g.D * H;
  const T *wi = w + slot.wi, *wh = w + slot.wh;
  std::vector<T> dgx(static_cast<size_t>(rows * GH)), dgh(static_cast<size_t>(rows * GH));
  std::vector<T> dh(static_cast<size_t>(NH), T(0)), dc(static_cast<size_t>(NH), T(0));
  std::vector<T> dh_step(static_cast<size_t>(NH)), dc_prev(static_cast<size_t>(NH)), dh_direct(static_cast<size_t>(NH));
  if (dhy) dh.assign(dhy, dhy + NH);
  if (dcy && g.lstm) dc.assign(dcy, dcy + NH);
  StepArgs<T> a = step_args<T>(g, o);
  for (int64_t s = g.T - 1; s >= 0; --s) {
    const int64_t t = d == 0 ? s : g.T - 1 - s;
    for (int64_t b = 0; b < N; ++b) {
      const T* dy = dY + (t * N + b) * DH + d * H;
      const bool on = o.active(t, b);  // an inactive step's output is a constant zero
      for (int64_t j = 0; j < H; ++j) dh_step[b * H + j] = dh[b * H + j] + (on ? dy[j] : T(0));
    }
    // The cells' backward only reads act, extra and c_out (StepArgs shares the forward's fields).
    a.act = const_cast<T*>(tr.acts) + t * N * GH;
    a.extra = tr.extra ? const_cast<T*>(tr.extra) + t * NH : nullptr;
    a.h_prev = tr.hprev + t * NH;
    if (g.lstm) {
      a.c_prev = tr.cprev + t * NH;
      a.c_out = const_cast<T*>(tr.cell) + t * NH;
    }
    a.dh = dh_step.data();
    a.dc = dc.data();
    a.dc_prev = dc_prev.data();
    a.dgx = dgx.data() + t * N * GH;
    a.dgh = dgh.data() + t * N * GH;
    a.dh_direct = dh_direct.data();
    mode.step_backward(a);
    for (int64_t b = 0; b < N; ++b) {
      if (o.active(t, b)) continue;  // Note [RNN sequence lengths]: the gradients pass through
      std::memset(static_cast<void*>(a.dgx + b * GH), 0, sizeof(T) * GH);
      std::memset(static_cast<void*>(a.dgh + b * GH), 0, sizeof(T) * GH);
      std::memcpy(dh_direct.data() + b * H, dh_step.data() + b * H, sizeof(T) * H);
      std::memcpy(dc_prev.data() + b * H, dc.data() + b * H, sizeof(T) * H);
    }
    dh = dh_direct;
    gemm(false, false, N, H, GH, a.dgh, GH, wh, H, 1.0, dh.data(), H);
    if (g.lstm) dc.swap(dc_prev);
  }
  std::memcpy(dh0, dh.data(), sizeof(T) * NH);
  if (dc0 && g.lstm) std::memcpy(dc0, dc.data(), sizeof(T) * NH);
  gemm(true, false, GH, in, rows, dgx.data(), GH, X, in, 0.0, dw + slot.wi, in);
  gemm(true, false, GH, H, rows, dgh.data(), GH, tr.hprev, H, 0.0, dw + slot.wh, H);
  T* dbi = dw + slot.bi;
  T* dbh = dw + slot.bh;
  for (int64_t j = 0; j < GH; ++j) dbi[j] = dbh[j] = T(0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < GH; ++j) {
      dbi[j] += dgx[static_cast<size_t>(r * GH + j)];
      dbh[j] += dgh[static_cast<size_t>(r * GH + j)];
    }
  gemm(false, false, rows, in, GH, dgx.data(), GH, wi, in, beta, dX, in);
}

RunOptions run_options(const Attrs& a, const RnnGeom& g, const std::vector<TBlob>& in) {
  RunOptions o;
  if (!a.is_none("lstm_state_clip_min")) {
    o.clip = true;
    o.clip_lo = a.get_float("lstm_state_clip_min");
    o.clip_hi = a.get_float("lstm_state_clip_max");
    o.clip_nan = a.get_bool("lstm_state_clip_nan");
  }
  if (uses_sequence_length(a)) {
    const TBlob& lengths = in[g.lstm ? 4 : 3];
    std::vector<double> v(static_cast<size_t>(g.N));
    cast_copy(lengths, TBlob{v.data(), Shape{g.N}, DType::kFloat64});
    for (int64_t b = 0; b < g.N; ++b) {
      const double x = v[static_cast<size_t>(b)];
      MV_CHECK(std::isfinite(x) && x >= 0 && x <= static_cast<double>(g.T) && x == std::floor(x), kValue)
          << "Operator " << a.op->name << ": sequence_length[" << b << "] = " << x
          << " must be a whole number in [0, " << g.T << "] (the data's sequence length)";
      o.lengths.push_back(static_cast<int64_t>(x));
    }
  }
  return o;
}

template <typename T>
void rnn_forward_typed(const OpContext& ctx, const Attrs& a, const RnnGeom& g, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const RunOptions o = run_options(a, g, in);
  const RnnMode& mode = kRnnModes.of(a);
  const bool states = a.get_bool("state_outputs");
  T* hy = states ? out[1].ptr<T>() : nullptr;
  T* cy = states && g.lstm ? out[2].ptr<T>() : nullptr;
  const T* masks = nullptr;
  if (keeps_dropout_mask(a)) {
    const TBlob& mask = out[static_cast<size_t>(visible_outputs(a))];
    const double p = a.get_float("p");
    T* m = mask.ptr<T>();
    if (ctx.is_train) {
      MV_CHECK(ctx.rng != nullptr, kInternal) << "Operator RNN: no random generator";
      std::bernoulli_distribution keep(1.0 - p);
      const T scale = T(1.0 / (1.0 - p));
      for (int64_t i = 0; i < mask.size(); ++i) m[i] = keep(ctx.rng->engine) ? scale : T(0);
      masks = m;
    } else {
      fill_blob(mask, 1.0);
    }
  }
  run_layers(g, mode, o, trace_layout(g, keeps_extra(a)), in[0].ptr<T>(), in[1].ptr<T>(), in[2].ptr<T>(),
             g.lstm ? in[3].ptr<T>() : nullptr, masks, out[0].ptr<T>(), hy, cy,
             out[static_cast<size_t>(trace_output(a))].ptr<T>());
}

void rnn_forward(const OpContext& ctx, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const RnnGeom g = rnn_geom(a, in[0].shape);
  switch (in[0].dtype) {
    case DType::kFloat32: rnn_forward_typed<float>(ctx, a, g, in, out); break;
    case DType::kFloat64: rnn_forward_typed<double>(ctx, a, g, in, out); break;
    default: MV_THROW(kType) << "Operator RNN supports float32 and float64 data, got " << dtype_name(in[0].dtype);
  }
}

// ---- _backward_RNN ---------------------------------------------------------------------------

// Inputs: RNN's inputs, then its hidden outputs (the dropout mask when it keeps one, the trace),
// then the gradients of its visible outputs.
std::vector<std::string> backward_inputs(const Attrs& a) {
  std::vector<std::string> names = rnn_inputs(a);
  if (keeps_dropout_mask(a)) names.push_back("dropout_mask");
  names.push_back("trace");
  names.push_back("ograd");
  if (a.get_bool("state_outputs")) {
    names.push_back("ograd_state");
    if (has_cell(a)) names.push_back("ograd_state_cell");
  }
  return names;
}

void backward_infer_shape(const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  const RnnGeom g = check_forward_inputs(a, in);
  size_t next = rnn_inputs(a).size();
  if (keeps_dropout_mask(a)) fill_or_check(a, in, next++, "input 'dropout_mask'", g.mask_shape());
  fill_or_check(a, in, next++, "input 'trace' (RNN's hidden trace output)", Shape{trace_layout(g, keeps_extra(a)).size});
  fill_or_check(a, in, next++, "input 'ograd' (the gradient of the output)", g.out_shape());
  if (a.get_bool("state_outputs")) {
    fill_or_check(a, in, next++, "input 'ograd_state'", g.state_shape());
    if (g.lstm) fill_or_check(a, in, next++, "input 'ograd_state_cell'", g.state_shape());
  }
  for (size_t i = 0; i < out->size(); ++i) (*out)[i] = (*in)[i];
}

void backward_infer_type(const Attrs& a, std::vector<int>* in, std::vector<int>* out) {
  rnn_infer_type(a, in, out);
  if ((*in)[0] < 0) return;
  for (auto& o : *out) o = (*in)[0];
}

template <typename T>
void rnn_backward_typed(const Attrs& a, const RnnGeom& g, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  const RunOptions o = run_options(a, g, in);
  const RnnMode& mode = kRnnModes.of(a);
  size_t next = rnn_inputs(a).size();
  const T* masks = keeps_dropout_mask(a) ? in[next++].ptr<T>() : nullptr;
  const T* trace = in[next++].ptr<T>();
  const T* dy = in[next++].ptr<T>();
  const T *dhy = nullptr, *dcy = nullptr;
  if (a.get_bool("state_outputs")) {
    dhy = in[next++].ptr<T>();
    if (g.lstm) dcy = in[next++].ptr<T>();
  }
  const T* w = in[1].ptr<T>();
  const int64_t NH = g.N * g.H, out_size = g.T * g.N * g.D * g.H;
  const TraceLayout layout = trace_layout(g, keeps_extra(a));

  const std::vector<Slot> slots = param_slots(g);
  T* dw = out[1].ptr<T>();
  T* dhx = out[2].ptr<T>();
  T* dcx = g.lstm ? out[3].ptr<T>() : nullptr;
  std::vector<T> dY_buf(static_cast<size_t>(g.L > 1 ? out_size : 0)), dX_buf(dY_buf.size());
  const T* dY = dy;
  for (int64_t l = g.L - 1; l >= 0; --l) {
    const T* X = l == 0 ? in[0].ptr<T>() : trace + layout.layer_in[static_cast<size_t>(l)];
    T* dX = l == 0 ? out[0].ptr<T>() : dX_buf.data();
    for (int64_t d = 0; d < g.D; ++d) {
      const int64_t k = l * g.D + d;
      backprop_direction(g, mode, o, l, d, X, w, slots[static_cast<size_t>(k)], trace_at(layout, trace, k), dY,
                         dhy ? dhy + k * NH : nullptr, dcy ? dcy + k * NH : nullptr, d == 0 ? 0.0 : 1.0, dX, dw,
                         dhx + k * NH, dcx ? dcx + k * NH : nullptr);
    }
    if (l > 0) {  // the gradient of layer l-1's output, through its dropout mask
      if (masks) {
        const T* m = masks + (l - 1) * out_size;
        parallel_for(out_size, [&](int64_t i) { dX[i] *= m[i]; });
      }
      dY_buf.swap(dX_buf);
      dY = dY_buf.data();
    }
  }
}

void rnn_backward(const OpContext&, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const RnnGeom g = rnn_geom(a, in[0].shape);
  switch (in[0].dtype) {
    case DType::kFloat32: rnn_backward_typed<float>(a, g, in, out); break;
    case DType::kFloat64: rnn_backward_typed<double>(a, g, in, out); break;
    default:
      MV_THROW(kType) << "Operator _backward_RNN supports float32 and float64 data, got " << dtype_name(in[0].dtype);
  }
}

std::vector<Tensor> rnn_gradient(const GradContext& g) {
  const Attrs& a = *g.attrs;
  const size_t n_in = rnn_inputs(a).size();
  std::vector<Tensor> ins(g.inputs.begin(), g.inputs.begin() + static_cast<std::ptrdiff_t>(n_in));
  const int visible = visible_outputs(a);
  if (keeps_dropout_mask(a)) ins.push_back(g.output(static_cast<size_t>(visible)));
  ins.push_back(g.output(static_cast<size_t>(trace_output(a))));
  for (int k = 0; k < visible; ++k) ins.push_back(g.ograd(static_cast<size_t>(k)));
  std::vector<Tensor> grads = op_all("_backward_RNN", ins, g.forward_params());
  grads.resize(n_in);  // sequence_length gets none (an undefined Tensor)
  return grads;
}

OpSample rnn_sample(const RnnGeom& g, const std::string& mode, KeyValues extra) {
  OpSample s;
  s.shapes = {{g.T, g.N, g.I}, {0}, g.state_shape()};
  s.params = {{"mode", mode}, {"state_size", std::to_string(g.H)}, {"num_layers", std::to_string(g.L)},
              {"bidirectional", g.D == 2 ? "True" : "False"}};
  for (auto& kv : extra) s.params.push_back(kv);
  RnnGeom full = g;
  full.G = kRnnModes.at(mode).gates;
  s.shapes[1] = {param_count(full, "RNN")};
  if (mode == "lstm") s.shapes.push_back(g.state_shape());
  return s;
}

RnnGeom sample_geom(int64_t T, int64_t N, int64_t I, int64_t H, int64_t L, int64_t D) {
  RnnGeom g;
  g.T = T;
  g.N = N;
  g.I = I;
  g.H = H;
  g.L = L;
  g.D = D;
  return g;
}

OpSample with_lengths(OpSample s, int64_t steps, int64_t batch) {
  s.params.push_back({"use_sequence_length", "True"});
  s.shapes.push_back({batch});
  s.index_inputs = {static_cast<int>(s.shapes.size()) - 1};
  s.index_high = steps + 1;
  return s;
}

}  // namespace

MV_REGISTER_OP(RNN)
    .describe(
        "Applies recurrent layers to input data: vanilla RNN (ReLU or tanh), LSTM and GRU, stacked and "
        "optionally bidirectional, with all parameters packed in one vector.\n\n"
        "**Vanilla RNN** (mode 'rnn_relu' or 'rnn_tanh'): h_t = act(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh).\n\n"
        "**LSTM** (mode 'lstm'), gates in the order i, f, g, o:\n\n"
        "- i_t = sigmoid(W_ii x_t + b_ii + W_hi h_(t-1) + b_hi)\n"
        "- f_t = sigmoid(W_if x_t + b_if + W_hf h_(t-1) + b_hf)\n"
        "- g_t = tanh(W_ig x_t + b_ig + W_hg h_(t-1) + b_hg)\n"
        "- o_t = sigmoid(W_io x_t + b_io + W_ho h_(t-1) + b_ho)\n"
        "- c_t = f_t * c_(t-1) + i_t * g_t, clipped to [lstm_state_clip_min, lstm_state_clip_max] when given\n"
        "- h_t = o_t * tanh(c_t)\n\n"
        "**GRU** (mode 'gru'), gates in the order r, z, n (cuDNN's form: the reset gate multiplies the recurrent "
        "projection including its bias):\n\n"
        "- r_t = sigmoid(W_ir x_t + b_ir + W_hr h_(t-1) + b_hr)\n"
        "- z_t = sigmoid(W_iz x_t + b_iz + W_hz h_(t-1) + b_hz)\n"
        "- n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_(t-1) + b_hn))\n"
        "- h_t = (1 - z_t) * n_t + z_t * h_(t-1)\n\n"
        "Shapes: data (T, N, C) (layout TNC); state and state_cell (num_layers * D, N, state_size) with D = 2 "
        "when bidirectional, else 1; out (T, N, D * state_size), the reverse direction's features after the "
        "forward direction's. With state_outputs the final states follow out.\n\n"
        "``parameters`` holds every weight, then every bias: for each layer and direction (forward first) the "
        "i2h weight (G*H, in) and the h2h weight (G*H, H), then in the same order the i2h and h2h biases "
        "(G*H each); G is the number of gates (1, 4, 3), H state_size, in the input size C for layer 0 and "
        "D*H above. Its length is therefore the sum over layers of D*G*H*(in + H + 2).\n\n"
        "``p`` applies dropout to the outputs of every layer but the last, in training only. With "
        "use_sequence_length, sequence b has sequence_length[b] valid steps: later outputs are zero, the state "
        "stops at the last valid step and the reverse direction starts there. projection_size is not supported "
        "(MXNet supports it only with cuDNN).\n\n"
        "Example::\n\n"
        "  x = ones((1, 1, 1)); params = [0.5, 0, 0, 0]   # i2h weight, h2h weight, i2h bias, h2h bias\n"
        "  RNN(x, params, zeros((1, 1, 1)), state_size=1, num_layers=1, mode='rnn_relu') = [[[0.5]]]")
    .input("data", "Input data to RNN")
    .input("parameters", "Vector of all RNN trainable parameters concatenated")
    .input("state", "initial hidden state of the RNN")
    .input("state_cell", "initial cell state for LSTM networks (only for LSTM)")
    .input("sequence_length",
           "Vector of valid sequence lengths for each element in batch. (Only used if use_sequence_length kwarg is "
           "True)")
    .set_list_inputs(rnn_inputs)
    .required_param("state_size", ParamType::kInt, "size of the state for each layer")
    .bounds(1, 2147483647)
    .required_param("num_layers", ParamType::kInt, "number of stacked layers")
    .bounds(1, 2147483647)
    .param("bidirectional", ParamType::kBool, "False", "whether to use bidirectional recurrent layers")
    .enum_param(kRnnModes, "", "the type of RNN to compute")
    .param("p", ParamType::kFloat, "0", "drop rate of the dropout on the outputs of each RNN layer, except the last layer.")
    .bounds(0, 0.99999999)
    .param("state_outputs", ParamType::kBool, "False", "Whether to have the states as symbol outputs.")
    .param("projection_size", ParamType::kInt, "None", "size of project size (not supported: an error if given)")
    .allow_none()
    .param("lstm_state_clip_min", ParamType::kFloat, "None",
           "Minimum clip value of LSTM states. This option must be used together with lstm_state_clip_max.")
    .allow_none()
    .param("lstm_state_clip_max", ParamType::kFloat, "None",
           "Maximum clip value of LSTM states. This option must be used together with lstm_state_clip_min.")
    .allow_none()
    .param("lstm_state_clip_nan", ParamType::kBool, "False",
           "Whether to stop NaN from propagating in state by clipping it to min/max (a NaN cell becomes "
           "lstm_state_clip_min). If clipping range is not specified, this option is ignored.")
    .param("use_sequence_length", ParamType::kBool, "False",
           "If set to true, this layer takes in an extra input parameter `sequence_length` to specify variable "
           "length sequence")
    .set_num_outputs([](const Attrs& a) { return trace_output(a) + 1; })
    .set_num_visible_outputs(visible_outputs)
    .set_list_outputs([](const Attrs& a) {
      std::vector<std::string> names{"output"};
      if (a.get_bool("state_outputs")) {
        names.push_back("state_output");
        if (has_cell(a)) names.push_back("statecell_output");
      }
      if (keeps_dropout_mask(a)) names.push_back("dropout_mask");
      names.push_back("trace");
      return names;
    })
    .set_infer_shape(rnn_infer_shape)
    .set_infer_type(rnn_infer_type)
    .set_forward(rnn_forward)
    .set_gradient(rnn_gradient)
    .set_uses_rng(keeps_dropout_mask)  // dropout between layers
    .add_sample(rnn_sample(sample_geom(3, 2, 3, 2, 1, 1), "lstm", {{"state_outputs", "True"}}))
    .add_sample(rnn_sample(sample_geom(3, 2, 2, 2, 2, 2), "gru", {{"state_outputs", "True"}}))
    .add_sample(rnn_sample(sample_geom(3, 2, 3, 2, 2, 1), "rnn_tanh", {{"state_outputs", "True"}}))
    .add_sample(rnn_sample(sample_geom(2, 2, 3, 3, 1, 2), "rnn_relu", {}))
    .add_sample(rnn_sample(sample_geom(3, 2, 2, 2, 2, 2), "lstm", {{"state_outputs", "True"}}))
    .add_sample(with_lengths(rnn_sample(sample_geom(4, 3, 2, 2, 1, 2), "lstm",
                                        {{"state_outputs", "True"}, {"lstm_state_clip_min", "-0.3"},
                                         {"lstm_state_clip_max", "0.3"}}),
                             4, 3))
    .add_sample(with_lengths(rnn_sample(sample_geom(4, 3, 2, 2, 2, 2), "gru", {{"state_outputs", "True"}}), 4, 3));

MV_REGISTER_OP(_backward_RNN)
    .describe("Gradients of RNN with respect to data, parameters, state and (lstm) state_cell, by backpropagation "
              "through time over the trace its forward kept (Note [RNN backward from the trace]). Inputs: RNN's "
              "inputs, its dropout mask when it keeps one (p > 0 and num_layers > 1), then the gradients of its "
              "visible outputs. Takes RNN's parameters.")
    .input("data", "RNN's data")
    .input("parameters", "RNN's parameters")
    .input("state", "RNN's state")
    .input("state_cell", "RNN's state_cell (lstm only)")
    .input("sequence_length", "RNN's sequence_length (with use_sequence_length only)")
    .input("dropout_mask", "the dropout masks RNN kept, (num_layers - 1, T, N, D * state_size) (p > 0 only)")
    .input("trace", "RNN's hidden trace output: what its forward pass kept for the backward pass")
    .input("ograd", "gradient of RNN's output")
    .input("ograd_state", "gradient of RNN's final state (with state_outputs only)")
    .input("ograd_state_cell", "gradient of RNN's final cell state (lstm with state_outputs only)")
    .params_from("RNN")
    .set_list_inputs(backward_inputs)
    .set_num_outputs([](const Attrs& a) { return has_cell(a) ? 4 : 3; })
    .set_infer_shape(backward_infer_shape)
    .set_infer_type(backward_infer_type)
    .set_forward(rnn_backward)
    .set_non_differentiable();

}  // namespace minerva
