// The oneDNN fast paths against the reference kernels (DESIGN rule 4, STYLE rule 14): for many
// random float32 Convolution geometries (1-D and 2-D; stride, pad, dilate, groups, with and
// without bias, batch 1..8, odd sizes) the forward output and the data, weight and bias
// gradients of onednn::conv_forward / conv_backward equal those of the reference kernels,
// which run through the registry with the fast paths switched off; likewise Pooling (max and
// avg, every convention, global, ties between maxima) through onednn::pool_forward /
// pool_backward. Skipped in builds without oneDNN.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "core/kernels/dnnl/conv.h"
#include "core/kernels/dnnl/dnnl_util.h"
#include "core/kernels/dnnl/pool.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;
using testing::to_vector;

// Switches the fast paths off for one scope (the reference side of a comparison).
class ReferenceOnly {
 public:
  ReferenceOnly() : previous_(onednn::set_enabled(false)) {}
  ~ReferenceOnly() { onednn::set_enabled(previous_); }

 private:
  bool previous_;
};

std::vector<double> random_values(std::mt19937* rng, int64_t n) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = static_cast<float>(u(*rng));  // exactly representable in float32
  return v;
}

std::vector<float> floats_of(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

// float32 sums of up to a few hundred products of values in [-1, 1]: a relative tolerance of
// 1e-4, against the larger of the value and the array's typical magnitude.
void expect_close(const std::vector<float>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double scale = 0;
  for (double w : want) scale = std::max(scale, std::fabs(w));
  int reported = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = 1e-4 * std::max({1.0, std::fabs(want[i]), 0.1 * scale});
    if (!(std::fabs(got[i] - want[i]) <= tol) && reported++ < 5)  // NaN fails too
      ADD_FAILURE() << what << " [" << i << "]: oneDNN " << got[i] << ", reference " << want[i];
  }
}

struct ConvCase {
  onednn::ConvDims d;
  bool one_d = false, bias = true;

  KeyValues params() const {
    auto pair = [&](int64_t h, int64_t w) {
      std::ostringstream s;
      if (one_d) s << "(" << w << ",)";
      else s << "(" << h << ", " << w << ")";
      return s.str();
    };
    return {{"kernel", pair(d.k_h, d.k_w)},         {"stride", pair(d.stride_h, d.stride_w)},
            {"dilate", pair(d.dilate_h, d.dilate_w)}, {"pad", pair(d.pad_h, d.pad_w)},
            {"num_filter", std::to_string(d.filters)}, {"num_group", std::to_string(d.groups)},
            {"no_bias", bias ? "False" : "True"}};
  }
  Shape data_shape() const {
    return one_d ? Shape{d.batch, d.channels, d.in_w} : Shape{d.batch, d.channels, d.in_h, d.in_w};
  }
  Shape weight_shape() const {
    const int64_t cg = d.channels / d.groups;
    return one_d ? Shape{d.filters, cg, d.k_w} : Shape{d.filters, cg, d.k_h, d.k_w};
  }
  Shape out_shape() const {
    return one_d ? Shape{d.batch, d.filters, d.out_w} : Shape{d.batch, d.filters, d.out_h, d.out_w};
  }
  std::string str() const {
    std::ostringstream s;
    s << "data " << shape_str(data_shape()) << " weight " << shape_str(weight_shape()) << " stride (" << d.stride_h
      << "," << d.stride_w << ") dilate (" << d.dilate_h << "," << d.dilate_w << ") pad (" << d.pad_h << ","
      << d.pad_w << ") groups " << d.groups << (bias ? " bias" : " no_bias");
    return s.str();
  }
};

int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t dil, int64_t p) { return (in + 2 * p - dil * (k - 1) - 1) / s + 1; }

ConvCase random_case(std::mt19937* rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(*rng); };
  ConvCase c;
  onednn::ConvDims& d = c.d;
  c.one_d = pick(0, 5) == 0;
  c.bias = pick(0, 2) != 0;
  d.batch = pick(1, 8);
  d.groups = pick(0, 2) == 0 ? pick(2, 4) : 1;
  d.channels = d.groups * pick(1, 6);
  d.filters = d.groups * pick(1, 7);
  auto dim = [&](int64_t* in, int64_t* k, int64_t* s, int64_t* dil, int64_t* p, int64_t* out) {
    *k = pick(1, 5);
    *s = pick(1, 3);
    *dil = pick(0, 3) == 0 ? pick(2, 3) : 1;
    *p = pick(0, 2);
    const int64_t span = *dil * (*k - 1) + 1;
    *in = std::max<int64_t>(span - 2 * *p, 1) + pick(0, 12);  // odd and even sizes alike
    *out = out_size(*in, *k, *s, *dil, *p);
  };
  dim(&d.in_w, &d.k_w, &d.stride_w, &d.dilate_w, &d.pad_w, &d.out_w);
  if (!c.one_d) dim(&d.in_h, &d.k_h, &d.stride_h, &d.dilate_h, &d.pad_h, &d.out_h);
  return c;
}

// One case: the reference through the registry, oneDNN directly (it must accept the case), and
// the registry again with the fast path on (the dispatch reaches oneDNN and gives its values).
void check_case(const ConvCase& c, std::mt19937* rng) {
  SCOPED_TRACE(c.str());
  const onednn::ConvDims& d = c.d;
  const std::vector<double> x = random_values(rng, shape_size(c.data_shape()));
  const std::vector<double> w = random_values(rng, shape_size(c.weight_shape()));
  const std::vector<double> b = random_values(rng, d.filters);
  const std::vector<double> dy = random_values(rng, shape_size(c.out_shape()));
  auto arrays = [&] {
    std::vector<NDArray> in = {make_array(c.data_shape(), x), make_array(c.weight_shape(), w)};
    if (c.bias) in.push_back(make_array({d.filters}, b));
    return in;
  };
  const KeyValues params = c.params();

  std::vector<double> ref_y, ref_dx, ref_dw, ref_db;
  {
    ReferenceOnly reference;
    ref_y = to_vector(invoke("Convolution", arrays(), params).at(0));
    std::vector<NDArray> grads = invoke("_backward_Convolution",
                                        {make_array(c.out_shape(), dy), make_array(c.data_shape(), x),
                                         make_array(c.weight_shape(), w)},
                                        params);
    ref_dx = to_vector(grads.at(0));
    ref_dw = to_vector(grads.at(1));
    if (c.bias) ref_db = to_vector(grads.at(2));
  }

  const std::vector<float> xf = floats_of(x), wf = floats_of(w), bf = floats_of(b), dyf = floats_of(dy);
  std::vector<float> y(ref_y.size(), NAN), dx(ref_dx.size(), NAN), dw(ref_dw.size(), NAN), db(ref_db.size(), NAN);
  ASSERT_TRUE(onednn::conv_forward(d, xf.data(), wf.data(), c.bias ? bf.data() : nullptr, y.data()));
  ASSERT_TRUE(onednn::conv_backward(d, dyf.data(), xf.data(), wf.data(), dx.data(), dw.data(),
                                    c.bias ? db.data() : nullptr));
  expect_close(y, ref_y, "output");
  expect_close(dx, ref_dx, "data gradient");
  expect_close(dw, ref_dw, "weight gradient");
  if (c.bias) expect_close(db, ref_db, "bias gradient");

  const std::vector<double> dispatched = to_vector(invoke("Convolution", arrays(), params).at(0));
  ASSERT_EQ(dispatched.size(), y.size());
  for (size_t i = 0; i < y.size(); ++i) ASSERT_EQ(static_cast<float>(dispatched[i]), y[i]) << "dispatch [" << i << "]";
}

class DnnlConv : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!onednn::available()) GTEST_SKIP() << "built without oneDNN";
    previous_ = onednn::set_enabled(true);
  }
  void TearDown() override {
    if (onednn::available()) onednn::set_enabled(previous_);
  }
  bool previous_ = false;
};

TEST_F(DnnlConv, RandomGeometriesMatchReference) {
  std::mt19937 rng(20240611);
  for (int i = 0; i < 80; ++i) {
    ConvCase c = random_case(&rng);
    check_case(c, &rng);
    if (HasFatalFailure()) return;
  }
}

// The two layers of the CIFAR-10 benchmark and LeNet's, the shapes the fast path exists for.
TEST_F(DnnlConv, BenchmarkLayersMatchReference) {
  std::mt19937 rng(7);
  auto layer = [](int64_t batch, int64_t c, int64_t f, int64_t in, int64_t k, int64_t pad) {
    ConvCase cc;
    cc.d.batch = batch, cc.d.channels = c, cc.d.filters = f;
    cc.d.in_h = cc.d.in_w = in, cc.d.k_h = cc.d.k_w = k, cc.d.pad_h = cc.d.pad_w = pad;
    cc.d.out_h = cc.d.out_w = out_size(in, k, 1, 1, pad);
    return cc;
  };
  for (const ConvCase& c : {layer(4, 3, 64, 32, 3, 1), layer(4, 64, 128, 16, 3, 1), layer(8, 1, 20, 28, 5, 0),
                            layer(8, 20, 50, 12, 5, 0)}) {
    check_case(c, &rng);
    if (HasFatalFailure()) return;
  }
}

struct PoolCase {
  onednn::PoolDims d;  // out_h / out_w come from the reference's output shape
  bool one_d = false, global = false, ties = false;
  std::string convention = "valid";

  KeyValues params() const {
    auto pair = [&](int64_t h, int64_t w) {
      std::ostringstream s;
      if (one_d) s << "(" << w << ",)";
      else s << "(" << h << ", " << w << ")";
      return s.str();
    };
    const bool is_max = d.kind == onednn::PoolKind::kMax;
    KeyValues kv = {{"pool_type", is_max ? "max" : "avg"}};
    if (!is_max) kv.push_back({"count_include_pad", d.kind == onednn::PoolKind::kAvgIncludePad ? "True" : "False"});
    if (global) {
      kv.push_back({"global_pool", "True"});
      return kv;
    }
    kv.push_back({"kernel", pair(d.k_h, d.k_w)});
    kv.push_back({"stride", pair(d.stride_h, d.stride_w)});
    kv.push_back({"pad", pair(d.pad_h, d.pad_w)});
    kv.push_back({"pooling_convention", convention});
    return kv;
  }
  Shape data_shape() const {
    return one_d ? Shape{d.batch, d.channels, d.in_w} : Shape{d.batch, d.channels, d.in_h, d.in_w};
  }
  std::string str() const {
    std::ostringstream s;
    s << "data " << shape_str(data_shape());
    for (const auto& [k, v] : params()) s << " " << k << "=" << v;
    if (ties) s << " (ties)";
    return s.str();
  }
  // The reference divides an average that counts padding by the window cut at in + pad; oneDNN by
  // the kernel size, so the wrapper declines when a window runs past in + pad.
  // oneDNN also rejects a window made only of padding ('full' can produce one).
  bool expect_supported() const {
    auto touches = [](int64_t in, int64_t out, int64_t k, int64_t s, int64_t p) { return p < k && (out - 1) * s - p < in; };
    if (!touches(d.in_h, d.out_h, d.k_h, d.stride_h, d.pad_h) || !touches(d.in_w, d.out_w, d.k_w, d.stride_w, d.pad_w))
      return false;
    if (d.kind != onednn::PoolKind::kAvgIncludePad) return true;
    return (d.out_h - 1) * d.stride_h + d.k_h <= d.in_h + 2 * d.pad_h &&
           (d.out_w - 1) * d.stride_w + d.k_w <= d.in_w + 2 * d.pad_w;
  }
};

PoolCase random_pool_case(std::mt19937* rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(*rng); };
  PoolCase c;
  onednn::PoolDims& d = c.d;
  const int64_t kind = pick(0, 3);  // max twice as often: it is the common case
  d.kind = kind <= 1 ? onednn::PoolKind::kMax : kind == 2 ? onednn::PoolKind::kAvgIncludePad : onednn::PoolKind::kAvgExcludePad;
  c.one_d = pick(0, 5) == 0;
  c.global = pick(0, 7) == 0;
  c.ties = d.kind == onednn::PoolKind::kMax && pick(0, 2) == 0;
  const int64_t conv = pick(0, 3);
  c.convention = conv <= 1 ? "valid" : conv == 2 ? "full" : d.kind == onednn::PoolKind::kMax ? "same" : "valid";
  d.batch = pick(1, 8);
  d.channels = pick(1, 20);
  auto dim = [&](int64_t* in, int64_t* k, int64_t* s, int64_t* p) {
    *k = pick(1, 4);
    *s = pick(1, 3);
    *p = c.convention == "same" ? 0 : pick(0, (*k - 1) / 2 + (*k > 1 ? 1 : 0));
    *p = std::min(*p, *k - 1);
    *in = std::max<int64_t>(*k - 2 * *p, 1) + pick(0, 12);
  };
  dim(&d.in_w, &d.k_w, &d.stride_w, &d.pad_w);
  if (!c.one_d) dim(&d.in_h, &d.k_h, &d.stride_h, &d.pad_h);
  return c;
}

void check_pool_case(PoolCase c, std::mt19937* rng) {
  SCOPED_TRACE(c.str());
  const Shape xs = c.data_shape();
  std::vector<double> x = random_values(rng, shape_size(xs));
  if (c.ties)  // a few distinct values, so windows hold equal maxima (as after a ReLU)
    for (double& v : x) v = std::round(v * 2) / 2;
  const KeyValues params = c.params();

  std::vector<double> ref_y, ref_dx, dy;
  Shape ys;
  {
    ReferenceOnly reference;
    NDArray y = invoke("Pooling", {make_array(xs, x)}, params).at(0);
    ys = y.shape();
    ref_y = to_vector(y);
    dy = random_values(rng, shape_size(ys));
    ref_dx = to_vector(invoke("_backward_Pooling", {make_array(ys, dy), make_array(xs, x), y}, params).at(0));
  }
  onednn::PoolDims& d = c.d;
  d.out_w = ys.back();
  if (!c.one_d) d.out_h = ys[2];
  if (c.global) {
    d.k_h = d.in_h, d.k_w = d.in_w, d.stride_h = d.stride_w = 1, d.pad_h = d.pad_w = 0;
  }
  const std::vector<float> xf = floats_of(x), dyf = floats_of(dy);
  std::vector<float> y(ref_y.size(), NAN), dx(ref_dx.size(), NAN);
  const bool supported = c.expect_supported();
  ASSERT_EQ(onednn::pool_forward(d, xf.data(), y.data()), supported);
  ASSERT_EQ(onednn::pool_backward(d, dyf.data(), xf.data(), dx.data()), supported);
  if (!supported) return;
  expect_close(y, ref_y, "output");
  expect_close(dx, ref_dx, "data gradient");
}

TEST_F(DnnlConv, RandomPoolingMatchesReference) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 120; ++i) {
    check_pool_case(random_pool_case(&rng), &rng);
    if (HasFatalFailure()) return;
  }
}

// With the switch off the wrappers decline, so the operators run the reference kernels.
TEST_F(DnnlConv, SwitchedOffDeclines) {
  ReferenceOnly reference;
  onednn::ConvDims d;
  d.batch = d.channels = d.filters = 1;
  float x = 1, w = 2, y = 0;
  EXPECT_FALSE(onednn::conv_forward(d, &x, &w, nullptr, &y));
  EXPECT_EQ(y, 0.0f);
}

}  // namespace
}  // namespace minerva
