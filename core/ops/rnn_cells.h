// The element-wise part of one time step of each fused RNN mode (rnn_relu, rnn_tanh, lstm, gru),
// forward and backward, in MXNet's gate order. The matrix products around them (input and
// recurrent projections, weight gradients) are GEMMs in core/ops/rnn.cc; a cell only sees the
// pre-activations of one step for the N rows of the batch.
//
// Note [Fused RNN cells]
// G is the number of gates (1, 4, 3) and H the state size; a row of pre-activations holds G
// blocks of H values, gate k at [k*H, (k+1)*H).
//   rnn_*: h = act(x + hh)
//   lstm:  i, f, g, o = sig(x_i + hh_i), sig(x_f + hh_f), tanh(x_g + hh_g), sig(x_o + hh_o)
//          c = clip(f * c_prev + i * g),  h = o * tanh(c)
//   gru:   r = sig(x_r + hh_r), z = sig(x_z + hh_z), n = tanh(x_n + r * hh_n)
//          h = (1 - z) * n + z * h_prev
// where x is the step's input projection plus the i2h bias and hh the recurrent projection plus
// the h2h bias. GRU's reset gate multiplies hh_n, bias included (MXNet's and cuDNN's form), which
// is why the two projections stay apart instead of being summed before the cell.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace minerva {
namespace rnn {

template <typename T>
struct StepArgs {
  int64_t n = 0, h = 0;     // rows (batch) and state size
  T* act = nullptr;         // (n, G*h): forward: in x (input projection + i2h bias), out the gate
                            // activations; backward: the activations
  const T* hh = nullptr;    // (n, G*h): recurrent projection + h2h bias (forward only)
  T* extra = nullptr;       // (n, h): gru: hh_n; lstm with clipping: 1 where c was not clipped
  const T* h_prev = nullptr;
  const T* c_prev = nullptr;  // lstm only
  T* h_out = nullptr;       // forward: the new state
  T* c_out = nullptr;       // forward: the new cell (lstm); backward: the cell of this step (read)
  // Backward.
  const T* dh = nullptr;    // (n, h): gradient reaching this step's h
  const T* dc = nullptr;    // (n, h): gradient reaching this step's c (lstm)
  T* dc_prev = nullptr;     // (n, h): out, gradient of c_prev (lstm)
  T* dgx = nullptr;         // (n, G*h): out, gradient of the input-side pre-activations
  T* dgh = nullptr;         // (n, G*h): out, gradient of the recurrent-side pre-activations
  T* dh_direct = nullptr;   // (n, h): out, the part of h_prev's gradient not through hh
  // LSTM state clipping.
  bool clip = false, clip_nan = false;
  double clip_lo = 0, clip_hi = 0;
};

template <typename T>
inline T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

// tanh for the cells. glibc's tanhf goes through expm1f, which took a third of an LSTM's forward
// time; in float32, 1 - 2 / (exp(2x) + 1) through the fast expf is within a few 1e-8 of it
// (absolute), far inside float32's use here. float64 keeps the library's tanh, which the
// registry's numeric gradient checks run on.
inline float tanh_of(float x) {
  if (x > 15.f) return 1.f;  // exp(2x) would overflow for large x; tanh is 1 to float precision
  if (x < -15.f) return -1.f;
  return 1.f - 2.f / (std::exp(2.f * x) + 1.f);
}
inline double tanh_of(double x) { return std::tanh(x); }

struct ReluCell {
  template <typename T>
  static void forward(const StepArgs<T>& a) {
    for (int64_t i = 0; i < a.n * a.h; ++i) a.h_out[i] = a.act[i] = std::max(a.act[i] + a.hh[i], T(0));
  }
  template <typename T>
  static void backward(const StepArgs<T>& a) {
    for (int64_t i = 0; i < a.n * a.h; ++i) {
      a.dgx[i] = a.dgh[i] = a.act[i] > T(0) ? a.dh[i] : T(0);
      a.dh_direct[i] = T(0);
    }
  }
};

struct TanhCell {
  template <typename T>
  static void forward(const StepArgs<T>& a) {
    for (int64_t i = 0; i < a.n * a.h; ++i) a.h_out[i] = a.act[i] = tanh_of(a.act[i] + a.hh[i]);
  }
  template <typename T>
  static void backward(const StepArgs<T>& a) {
    for (int64_t i = 0; i < a.n * a.h; ++i) {
      const T y = a.act[i];
      a.dgx[i] = a.dgh[i] = a.dh[i] * (T(1) - y * y);
      a.dh_direct[i] = T(0);
    }
  }
};

struct LstmCell {
  template <typename T>
  static void forward(const StepArgs<T>& a) {
    const int64_t H = a.h, G = 4 * H;
    for (int64_t b = 0; b < a.n; ++b) {
      T* g = a.act + b * G;
      const T* r = a.hh + b * G;
      for (int64_t j = 0; j < H; ++j) {
        const T in = sigmoid(g[j] + r[j]);
        const T forget = sigmoid(g[H + j] + r[H + j]);
        const T cand = tanh_of(g[2 * H + j] + r[2 * H + j]);
        const T out = sigmoid(g[3 * H + j] + r[3 * H + j]);
        g[j] = in;
        g[H + j] = forget;
        g[2 * H + j] = cand;
        g[3 * H + j] = out;
        const int64_t k = b * H + j;
        T c = forget * a.c_prev[k] + in * cand;
        if (a.clip) {
          const T lo = T(a.clip_lo), hi = T(a.clip_hi);
          // NaN compares false both ways: it stays NaN unless clip_nan asks to clip it (to the minimum).
          const bool inside = c >= lo && c <= hi;
          a.extra[k] = inside ? T(1) : T(0);
          if (std::isnan(c)) {
            if (a.clip_nan) c = lo;
          } else if (!inside) {
            c = c < lo ? lo : hi;
          }
        }
        a.c_out[k] = c;
        a.h_out[k] = out * tanh_of(c);
      }
    }
  }
  template <typename T>
  static void backward(const StepArgs<T>& a) {
    const int64_t H = a.h, G = 4 * H;
    for (int64_t b = 0; b < a.n; ++b) {
      const T* g = a.act + b * G;
      T* dx = a.dgx + b * G;
      T* dr = a.dgh + b * G;
      for (int64_t j = 0; j < H; ++j) {
        const int64_t k = b * H + j;
        const T in = g[j], forget = g[H + j], cand = g[2 * H + j], out = g[3 * H + j];
        const T tc = tanh_of(a.c_out[k]);
        T dc = a.dc[k] + a.dh[k] * out * (T(1) - tc * tc);
        if (a.clip) dc *= a.extra[k];  // a clipped cell passes no gradient to what it was computed from
        dx[j] = dc * cand * in * (T(1) - in);
        dx[H + j] = dc * a.c_prev[k] * forget * (T(1) - forget);
        dx[2 * H + j] = dc * in * (T(1) - cand * cand);
        dx[3 * H + j] = a.dh[k] * tc * out * (T(1) - out);
        for (int64_t q = 0; q < 4; ++q) dr[q * H + j] = dx[q * H + j];
        a.dc_prev[k] = dc * forget;
        a.dh_direct[k] = T(0);
      }
    }
  }
};

struct GruCell {
  template <typename T>
  static void forward(const StepArgs<T>& a) {
    const int64_t H = a.h, G = 3 * H;
    for (int64_t b = 0; b < a.n; ++b) {
      T* g = a.act + b * G;
      const T* r = a.hh + b * G;
      for (int64_t j = 0; j < H; ++j) {
        const int64_t k = b * H + j;
        const T reset = sigmoid(g[j] + r[j]);
        const T update = sigmoid(g[H + j] + r[H + j]);
        const T hn = r[2 * H + j];
        const T cand = tanh_of(g[2 * H + j] + reset * hn);
        g[j] = reset;
        g[H + j] = update;
        g[2 * H + j] = cand;
        a.extra[k] = hn;
        a.h_out[k] = (T(1) - update) * cand + update * a.h_prev[k];
      }
    }
  }
  template <typename T>
  static void backward(const StepArgs<T>& a) {
    const int64_t H = a.h, G = 3 * H;
    for (int64_t b = 0; b < a.n; ++b) {
      const T* g = a.act + b * G;
      T* dx = a.dgx + b * G;
      T* dr = a.dgh + b * G;
      for (int64_t j = 0; j < H; ++j) {
        const int64_t k = b * H + j;
        const T reset = g[j], update = g[H + j], cand = g[2 * H + j], dh = a.dh[k];
        const T dcand = dh * (T(1) - update) * (T(1) - cand * cand);
        const T dupdate = dh * (a.h_prev[k] - cand) * update * (T(1) - update);
        const T dreset = dcand * a.extra[k] * reset * (T(1) - reset);
        dx[j] = dr[j] = dreset;
        dx[H + j] = dr[H + j] = dupdate;
        dx[2 * H + j] = dcand;
        dr[2 * H + j] = dcand * reset;
        a.dh_direct[k] = dh * update;
      }
    }
  }
};

}  // namespace rnn
}  // namespace minerva
