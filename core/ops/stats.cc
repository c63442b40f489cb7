// Statistics: _np_cumsum (alias cumsum) and its backward, moments (mean and variance over axes)
// and its backward, and _histogram (counts and bin edges; the Python `histogram` wraps it).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/ops/elemwise_common.h"
#include "core/ops/layout_util.h"
#include "core/ops/reduce.h"
#include "core/ops/tensor_util.h"

namespace minerva {
namespace {

// ---- cumsum ----------------------------------------------------------------------------------

// The summed axis as (outer, size, inner); axis=None walks the flattened array.
AxisSplit cumsum_split(const Attrs& attrs, const Shape& d) {
  if (attrs.is_none("axis")) {
    AxisSplit s;
    s.size = shape_size(d);
    return s;
  }
  MV_CHECK(!d.empty(), kValue) << "Operator " << attrs.op->name << ": axis=" << attrs.get_int("axis")
                               << " given for an input with no dimensions";
  return split_at_axis(d, normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size())));
}

Shape cumsum_shape(const Attrs& attrs, const Shape& d) {
  cumsum_split(attrs, d);  // validates the axis
  return attrs.is_none("axis") ? Shape{shape_size(d)} : d;
}

// The output dtype: `dtype` when given, else the input's, with bool summed as int64 (MXNet).
int cumsum_dtype(const Attrs& attrs, int in) {
  if (!attrs.is_none("dtype")) return static_cast<int>(dtype_from_name(attrs.get_str("dtype")));
  if (in < 0) return -1;
  return in == static_cast<int>(DType::kBool) ? static_cast<int>(DType::kInt64) : in;
}

// out[o, j, i] = sum_{t <= j} in[o, t, i] (reverse: sum_{t >= j}), accumulated in the output's
// type as MXNet does (uint8 wraps around), float for float16.
void running_sum(const TBlob& in, const TBlob& out, const AxisSplit& s, bool reverse) {
  MV_DTYPE_SWITCH(out.dtype, O, {
    using A = elemwise::acc_t<O>;
    MV_DTYPE_SWITCH(in.dtype, I, {
      const I* x = in.ptr<I>();
      O* y = out.ptr<O>();
      parallel_for(s.outer * s.inner, [&](int64_t r) {
        const int64_t o = r / s.inner, i = r % s.inner;
        A acc = A(0);
        for (int64_t t = 0; t < s.size; ++t) {
          const int64_t j = reverse ? s.size - 1 - t : t;
          acc = static_cast<A>(acc + static_cast<A>(static_cast<O>(x[s.index(o, j, i)])));
          y[s.index(o, j, i)] = static_cast<O>(acc);
        }
      }, 1);
    });
  });
}

const std::vector<std::string> kCumsumDTypes = {"float16", "float32", "float64", "int32", "int64", "int8"};

// ---- moments ---------------------------------------------------------------------------------

// The reduced axes: MXNet requires them listed (sorted after normalising, no duplicates).
std::vector<bool> moment_axes(const Attrs& attrs, const Shape& d) {
  MV_CHECK(!attrs.is_none("axes") && !attrs.get_shape("axes").empty(), kValue)
      << "Operator moments: axes must be given (an empty axes is not supported); to reduce every axis pass "
         "them all, e.g. axes=(0, 1) for a 2-D input";
  const int nd = static_cast<int>(d.size());
  std::vector<bool> red(d.size(), false);
  for (int64_t a : attrs.get_shape("axes")) {
    const int ax = normalize_axis(attrs, a, nd, "axes");
    MV_CHECK(!red[ax], kValue) << "Operator moments: axes " << shape_str(attrs.get_shape("axes"))
                               << " have duplicates";
    red[ax] = true;
  }
  return red;
}

// For every input element, the index of its reduced position (the output element it feeds).
std::vector<int64_t> reduced_index(const Shape& d, const std::vector<bool>& red) {
  const int64_t n = shape_size(d);
  std::vector<int64_t> idx(static_cast<size_t>(n));
  const int nd = static_cast<int>(d.size());
  for (int64_t e = 0; e < n; ++e) {
    int64_t rem = e, out = 0, scale = 1;
    for (int k = nd - 1; k >= 0; --k) {
      const int64_t c = rem % d[k];
      rem /= d[k];
      if (!red[k]) {
        out += c * scale;
        scale *= d[k];
      }
    }
    idx[static_cast<size_t>(e)] = out;
  }
  return idx;
}

int64_t reduced_count(const Shape& d, const std::vector<bool>& red) {
  int64_t c = 1;
  for (size_t k = 0; k < d.size(); ++k)
    if (red[k]) c *= d[k];
  return c;
}

// ---- histogram ---------------------------------------------------------------------------------

// The `range` parameter "(lo, hi)": a pair of numbers with lo <= hi.
std::pair<double, double> hist_range(const Attrs& attrs) {
  const std::string& r = attrs.get_str("range");
  std::string body = r;
  for (char& c : body)
    if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') c = ' ';
  const char* p = body.c_str();
  char* end = nullptr;
  const double lo = std::strtod(p, &end);
  bool ok = end != p;
  const char* q = end;
  const double hi = std::strtod(q, &end);
  ok = ok && end != q;
  while (ok && *end == ' ') ++end;
  MV_CHECK(ok && *end == '\0', kValue) << "Operator _histogram: range must be a pair (lo, hi) of numbers, got '" << r
                                       << "'";
  MV_CHECK(lo <= hi, kValue) << "Operator _histogram: range (" << lo << ", " << hi
                             << ") must have its first element less than or equal to its second";
  return {lo, hi};
}

// Uniform bins need bin_cnt and range together; without them the edges come as an input.
bool hist_uniform(const Attrs& attrs) {
  const bool cnt = !attrs.is_none("bin_cnt"), range = !attrs.is_none("range");
  MV_CHECK(cnt == range, kValue) << "Operator _histogram: bin_cnt and range must both be given (uniform bins) or "
                                    "both be omitted (bin edges as the input 'bins')";
  return cnt;
}

// The bin of x: uniform bins split [lo, hi] evenly, explicit edges by binary search; the last
// bin includes its right edge; -1 when x (or NaN) lies outside.
template <typename T>
void count_bins(const T* x, int64_t n, int64_t nbins, const std::function<int64_t(double)>& bin_of, int64_t* counts) {
  std::fill(counts, counts + nbins, 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t b = bin_of(static_cast<double>(x[i]));
    if (b >= 0) ++counts[b];
  }
}

}  // namespace

MV_REGISTER_OP(_np_cumsum)
    .alias("cumsum")
    .describe(
        "Cumulative sum along an axis (of the flattened array when axis is None, giving a 1-D result), "
        "accumulated in the output dtype: `dtype` when given, else the input's (bool sums as int64).\n\n"
        "Example::\n\n  x = [[1, 2, 3], [4, 5, 6]]\n  cumsum(x) = [1, 3, 6, 10, 15, 21]\n"
        "  cumsum(x, axis=0) = [[1, 2, 3], [5, 7, 9]]\n  cumsum(x, axis=1, dtype='int32') = [[1, 3, 6], [4, 9, 15]]")
    .input("a", "Input ndarray")
    .param("axis", ParamType::kInt, "None",
           "Axis along which the cumulative sum is computed. The default (None) is to compute the cumsum over the "
           "flattened array.").kind(ParamKind::kAxis)
    .allow_none()
    .enum_param("dtype", kCumsumDTypes, "None",
                "Type of the returned array and of the accumulator in which the elements are summed. If dtype is not "
                "specified, it defaults to the dtype of a.")
    .allow_none()
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = cumsum_shape(attrs, (*in)[0]);
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      (*out)[0] = cumsum_dtype(attrs, (*in)[0]);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      running_sum(in[0], out[0], cumsum_split(attrs, in[0].shape), false);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_np_cumsum", {g.ograd(), g.input()}, g.forward_params())};
    })
    .add_sample(op_sample({{3, 4}}))
    .add_sample(op_sample({{2, 3, 2}}, {{"axis", "1"}}))
    .add_sample(op_sample({{2, 3}}, {{"axis", "-1"}, {"dtype", "float64"}}));

MV_REGISTER_OP(_backward_np_cumsum)
    .describe("Gradient of cumsum: the reversed cumulative sum of ograd along the axis, shaped and typed like a.")
    .input("ograd", "Gradient of cumsum's output.")
    .input("a", "cumsum's input; only its shape and dtype are used.")
    .params_from("_np_cumsum")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[1].empty()) return;
      const Shape want = cumsum_shape(attrs, (*in)[1]);
      if ((*in)[0].empty()) (*in)[0] = want;
      if ((*in)[0] != want) shape_mismatch(attrs, "input 'ograd'", want, (*in)[0]);
      (*out)[0] = (*in)[1];
    })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      if ((*in)[1] >= 0) (*out)[0] = (*in)[1];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      // The flattened case: ograd is 1-D, the gradient has a's shape; the walk is the same.
      running_sum(in[0], out[0], cumsum_split(attrs, out[0].shape), true);
    })
    .set_gradient([](const GradContext& g) {
      GradParams p;
      for (const auto& kv : g.forward_params())
        if (kv.first == "axis") p.push_back(kv);
      return std::vector<Tensor>{op("_np_cumsum", {g.ograd()}, p), Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{6}, {2, 3}});
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(moments)
    .describe(
        "Mean and (population) variance of the input over `axes`, as two outputs; keepdims keeps the reduced "
        "axes with size 1.\n\n"
        "Example::\n\n  x = [[1, 2, 3], [4, 5, 6]]\n  moments(x, axes=(1,)) = [[2, 5], [0.6667, 0.6667]]\n"
        "  moments(x, axes=(0, 1)) = [[3.5], [2.9167]]")
    .input("data", "Input ndarray")
    .param("axes", ParamType::kShape, "None", "Array of ints. Axes along which to compute mean and variance.")
    .kind(ParamKind::kAxes)
    .allow_none()
    .param("keepdims", ParamType::kBool, "False", "produce moments with the same dimensionality as the input.")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = (*out)[1] = reduced_shape((*in)[0], moment_axes(attrs, (*in)[0]), attrs.get_bool("keepdims"));
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      std::vector<bool> red = moment_axes(attrs, in[0].shape);
      std::vector<int64_t> where = reduced_index(in[0].shape, red);
      const int64_t m = out[0].size(), cnt = reduced_count(in[0].shape, red);
      std::vector<double> mean(static_cast<size_t>(m), 0.0), var(static_cast<size_t>(m), 0.0);
      MV_DTYPE_SWITCH(in[0].dtype, T, {
        const T* x = in[0].ptr<T>();
        for (size_t e = 0; e < where.size(); ++e) mean[where[e]] += static_cast<double>(x[e]);
        for (auto& v : mean) v /= static_cast<double>(cnt);
        for (size_t e = 0; e < where.size(); ++e) {
          const double dv = static_cast<double>(x[e]) - mean[where[e]];
          var[where[e]] += dv * dv;
        }
        T* om = out[0].ptr<T>();
        T* ov = out[1].ptr<T>();
        for (int64_t j = 0; j < m; ++j) {
          om[j] = elemwise::store<T>(mean[j]);
          ov[j] = elemwise::store<T>(var[j] / static_cast<double>(cnt));
        }
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{
          op("_backward_moments", {g.ograd(0), g.ograd(1), g.input(), g.output(0)}, g.forward_params())};
    })
    .add_sample(op_sample({{3, 4}}, {{"axes", "(1,)"}}))
    .add_sample(op_sample({{2, 3, 4}}, {{"axes", "(0, -1)"}, {"keepdims", "True"}}));

MV_REGISTER_OP(_backward_moments)
    .describe("Gradient of moments: ograd_mean / N + ograd_var * 2 (data - mean) / N, N the reduced count.")
    .input("ograd_mean", "Gradient of the mean output.")
    .input("ograd_var", "Gradient of the variance output.")
    .input("data", "moments' input.")
    .input("mean", "moments' mean output.")
    .params_from("moments")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[2].empty()) return;
      const Shape want = reduced_shape((*in)[2], moment_axes(attrs, (*in)[2]), attrs.get_bool("keepdims"));
      for (int i : {0, 1, 3}) {
        if ((*in)[i].empty()) (*in)[i] = want;
        if ((*in)[i] != want) shape_mismatch(attrs, "input " + std::to_string(i), want, (*in)[i]);
      }
      (*out)[0] = (*in)[2];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      std::vector<bool> red = moment_axes(attrs, in[2].shape);
      std::vector<int64_t> where = reduced_index(in[2].shape, red);
      const double cnt = static_cast<double>(reduced_count(in[2].shape, red));
      MV_FLOAT_SWITCH(in[2].dtype, "_backward_moments", T, {
        const T *gm = in[0].ptr<T>(), *gv = in[1].ptr<T>(), *x = in[2].ptr<T>(), *mu = in[3].ptr<T>();
        T* g = out[0].ptr<T>();
        parallel_for(static_cast<int64_t>(where.size()), [&](int64_t e) {
          const int64_t j = where[static_cast<size_t>(e)];
          const double xm = static_cast<double>(x[e]) - static_cast<double>(mu[j]);
          g[e] = static_cast<T>((static_cast<double>(gm[j]) + 2.0 * static_cast<double>(gv[j]) * xm) / cnt);
        });
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_histogram)
    .describe(
        "Histogram of the flattened data: counts per bin (int64) and the bin edges. Uniform bins from bin_cnt "
        "and range (a range with lo == hi widens to (lo - 0.5, hi + 0.5), as numpy does), or explicit, sorted "
        "edges as the input 'bins'. A bin is [left, right), the last one [left, right]; values outside the "
        "edges and NaN are not counted.\n\n"
        "Example::\n\n  _histogram([0.1, 0.5, 0.9, 1.5], bin_cnt=2, range=(0, 1)) = [[1, 2], [0, 0.5, 1]]\n"
        "  _histogram([0.1, 0.5, 0.9], bins=[0, 0.2, 1]) = [[1, 2], [0, 0.2, 1]]")
    .input("data", "Input ndarray")
    .input("bins", "Input ndarray")
    .set_list_inputs([](const Attrs& a) {
      return hist_uniform(a) ? std::vector<std::string>{"data"} : std::vector<std::string>{"data", "bins"};
    })
    .param("bin_cnt", ParamType::kInt, "None", "Number of bins for uniform case")
    .allow_none()
    .bounds(1, 1e15)
    .param("range", ParamType::kString, "None",
           "The lower and upper range of the bins, as (lo, hi). Values outside the range are ignored. The first "
           "element of the range must be less than or equal to the second.")
    .allow_none()
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if (hist_uniform(attrs)) {
        hist_range(attrs);
        const int64_t n = attrs.get_int("bin_cnt");
        (*out)[0] = Shape{n};
        (*out)[1] = Shape{n + 1};
        return;
      }
      const Shape& b = (*in)[1];
      if (b.empty()) return;
      MV_CHECK(b.size() == 1 && b[0] >= 2, kValue)
          << "Operator _histogram: bins must be a 1-D array of at least 2 edges, got shape " << shape_str(b);
      (*out)[0] = Shape{b[0] - 1};
      (*out)[1] = b;
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      (*out)[0] = static_cast<int>(DType::kInt64);
      if (!hist_uniform(attrs) && (*in)[0] >= 0 && (*in)[1] >= 0) {
        MV_CHECK((*in)[0] == (*in)[1], kType)
            << "Operator _histogram: bins must have data's dtype " << dtype_name(static_cast<DType>((*in)[0]))
            << ", got " << dtype_name(static_cast<DType>((*in)[1]));
      }
      if ((*in)[0] >= 0) (*out)[1] = (*in)[0];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      int64_t* counts = out[0].ptr<int64_t>();
      const int64_t nbins = out[0].size();
      if (hist_uniform(attrs)) {
        auto [lo, hi] = hist_range(attrs);
        if (lo == hi) {
          lo -= 0.5;
          hi += 0.5;
        }
        const double width = (hi - lo) / static_cast<double>(nbins);
        MV_DTYPE_SWITCH(in[0].dtype, T, {
          count_bins(in[0].ptr<T>(), in[0].size(), nbins, [&](double x) -> int64_t {
            if (!(x >= lo && x <= hi)) return -1;
            return std::min<int64_t>(nbins - 1, static_cast<int64_t>((x - lo) / width));
          }, counts);
          T* edges = out[1].ptr<T>();
          for (int64_t i = 0; i <= nbins; ++i) edges[i] = elemwise::store<T>(lo + static_cast<double>(i) * width);
        });
        return;
      }
      std::vector<double> edges(static_cast<size_t>(in[1].size()));
      MV_DTYPE_SWITCH(in[1].dtype, T, {
        const T* b = in[1].ptr<T>();
        for (size_t i = 0; i < edges.size(); ++i) edges[i] = static_cast<double>(b[i]);
      });
      MV_DTYPE_SWITCH(in[0].dtype, T, {
        count_bins(in[0].ptr<T>(), in[0].size(), nbins, [&](double x) -> int64_t {
          if (!(x >= edges.front() && x <= edges.back())) return -1;
          const int64_t b = static_cast<int64_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin()) - 1;
          return std::min<int64_t>(std::max<int64_t>(b, 0), nbins - 1);
        }, counts);
      });
      std::copy_n(static_cast<const char*>(in[1].data), in[1].size() * dtype_size(in[1].dtype),
                  static_cast<char*>(out[1].data));
    })
    .set_non_differentiable()
    .add_sample(op_sample({{3, 4}}, {{"bin_cnt", "5"}, {"range", "(-1, 1)"}}))
    .add_sample([] {
      OpSample s = op_sample({{10}, {4}}, {});
      s.lo = 0;
      s.hi = 1;
      return s;
    }());

}  // namespace minerva
