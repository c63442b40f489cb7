// Bounding-box operators of mx.nd.contrib used by GluonCV's detectors: box_nms (non-maximum
// suppression over rows [.., id, score, .., 4 coordinates, ..]), box_iou (pairwise
// intersection over union), box_encode / box_decode and bipartite_matching. Boxes are "corner" [xmin, ymin, xmax, ymax] or "center"
// [x, y, width, height].
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

struct Corner {
  double x1, y1, x2, y2;
};

// The box at p in `format` ("corner" or "center"; the enum admits no other value).
Corner corner_of(const double* p, const std::string& format) {
  if (format == "corner") return {p[0], p[1], p[2], p[3]};
  if (format == "center") return {p[0] - p[2] / 2, p[1] - p[3] / 2, p[0] + p[2] / 2, p[1] + p[3] / 2};
  MV_THROW(kValue) << "unknown box format '" << format << "'";
}

void write_box(const Corner& c, const std::string& format, double* p) {
  if (format == "corner") {
    p[0] = c.x1, p[1] = c.y1, p[2] = c.x2, p[3] = c.y2;
  } else if (format == "center") {
    p[0] = (c.x1 + c.x2) / 2, p[1] = (c.y1 + c.y2) / 2, p[2] = c.x2 - c.x1, p[3] = c.y2 - c.y1;
  } else {
    MV_THROW(kValue) << "unknown box format '" << format << "'";
  }
}

double area(const Corner& c) {
  const double w = c.x2 - c.x1, h = c.y2 - c.y1;
  return (w < 0 || h < 0) ? 0.0 : w * h;
}

double iou(const Corner& a, const Corner& b) {
  const double w = std::max(0.0, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  const double h = std::max(0.0, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  const double inter = w * h, uni = area(a) + area(b) - inter;
  return uni <= 0 ? 0.0 : inter / uni;
}

// box_nms's column layout, checked against the row width K.
struct NmsLayout {
  int64_t coord, score, id, background;
  NmsLayout(const Attrs& a, int64_t width)
      : coord(a.get_int("coord_start")), score(a.get_int("score_index")), id(a.get_int("id_index")),
        background(a.get_int("background_id")) {
    auto check = [&](bool ok, const char* what, int64_t v) {
      MV_CHECK(ok, kValue) << "Operator " << a.op->name << ": " << what << " = " << v
                           << " does not fit rows of width " << width;
    };
    check(coord >= 0 && coord + 4 <= width, "coord_start (needs 4 columns)", coord);
    check(score >= 0 && score < width, "score_index", score);
    check(id < width, "id_index", id);
  }
};

// Non-maximum suppression of one batch item of n rows of `width` values; returns the source row
// of each output row (-1 for the padding rows).
std::vector<int64_t> nms_rows(const Attrs& attrs, const NmsLayout& L, const double* rows, int64_t n, int64_t width) {
  const double valid_thresh = attrs.get_float("valid_thresh"), overlap = attrs.get_float("overlap_thresh");
  const int64_t topk = attrs.get_int("topk");
  const bool force = attrs.get_bool("force_suppress");
  const std::string& in_format = attrs.get_str("in_format");
  std::vector<int64_t> order;
  for (int64_t i = 0; i < n; ++i) {
    const double* r = rows + i * width;
    if (!(r[L.score] > valid_thresh)) continue;
    if (L.id >= 0 && L.background >= 0 && r[L.id] == static_cast<double>(L.background)) continue;
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return rows[a * width + L.score] > rows[b * width + L.score]; });
  if (topk > 0 && static_cast<int64_t>(order.size()) > topk) order.resize(static_cast<size_t>(topk));
  std::vector<Corner> boxes;
  for (int64_t i : order) boxes.push_back(corner_of(rows + i * width + L.coord, in_format));
  std::vector<bool> removed(order.size(), false);
  std::vector<int64_t> kept;
  for (size_t i = 0; i < order.size(); ++i) {
    if (removed[i]) continue;
    kept.push_back(order[i]);
    for (size_t j = i + 1; j < order.size(); ++j) {
      if (removed[j]) continue;
      const bool same_class = force || L.id < 0 || rows[order[i] * width + L.id] == rows[order[j] * width + L.id];
      if (same_class && iou(boxes[i], boxes[j]) > overlap) removed[j] = true;
    }
  }
  kept.resize(static_cast<size_t>(n), -1);
  return kept;
}

// Leading dimensions of a (..., n, width) array as (batch, n, width).
struct Rows {
  int64_t batch = 1, n = 0, width = 0;
  explicit Rows(const Shape& s) : n(s[s.size() - 2]), width(s.back()) {
    for (size_t k = 0; k + 2 < s.size(); ++k) batch *= s[k];
  }
};

}  // namespace

MV_REGISTER_OP(_contrib_box_nms)
    .alias("_contrib_box_non_maximum_suppression")
    .describe("Applies non-maximum suppression to boxes of shape (..., n, width), rows holding a score at "
              "score_index, 4 coordinates from coord_start and optionally a class id at id_index. Per batch item: rows "
              "with score <= valid_thresh (or of class background_id) are dropped, the rest sorted by descending score "
              "(ties keep their order) and cut to the topk best (topk > 0); then each kept row removes the later rows "
              "whose IoU with it exceeds overlap_thresh (only rows of its own class unless force_suppress or "
              "id_index < 0). The output has data's shape: the kept rows first, in score order, with coordinates "
              "converted from in_format to out_format, then rows of -1. The gradient flows back to the kept rows.\n\n"
              "Example::\n\n  x = [[0, 0.5, 0.1, 0.1, 0.2, 0.2], [1, 0.4, 0.1, 0.1, 0.2, 0.2], [0, 0.3, 0.1, 0.1, 0.14, 0.14]]\n"
              "  box_nms(x, overlap_thresh=0.1, coord_start=2, score_index=1, id_index=0, force_suppress=True)\n"
              "      = [[0, 0.5, 0.1, 0.1, 0.2, 0.2], [-1, -1, -1, -1, -1, -1], [-1, -1, -1, -1, -1, -1]]")
    .input("data", "The input")
    .param("overlap_thresh", ParamType::kFloat, "0.5", "Overlapping(IoU) threshold to suppress object with smaller score.")
    .param("valid_thresh", ParamType::kFloat, "0", "Filter input boxes to those whose scores greater than valid_thresh.")
    .param("topk", ParamType::kInt, "-1", "Apply nms to topk boxes with descending scores, -1 to no restriction.")
    .param("coord_start", ParamType::kInt, "2", "Start index of the consecutive 4 coordinates.")
    .param("score_index", ParamType::kInt, "1", "Index of the scores/confidence of boxes.")
    .param("id_index", ParamType::kInt, "-1", "Optional, index of the class categories, -1 to disable.")
    .param("background_id", ParamType::kInt, "-1", "Optional, id of the background class which will be ignored in nms.")
    .param("force_suppress", ParamType::kBool, "False", "Optional, if set false and id_index is provided, nms will only apply to boxes belongs to the same category")
    .enum_param("in_format", {"center", "corner"}, "corner", "The input box encoding type. \"corner\" means boxes are encoded as [xmin, ymin, xmax, ymax], \"center\" means boxes are encodes as [x, y, width, height].")
    .enum_param("out_format", {"center", "corner"}, "corner", "The output box encoding type. \"corner\" means boxes are encoded as [xmin, ymin, xmax, ymax], \"center\" means boxes are encodes as [x, y, width, height].")
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      MV_CHECK(s.size() >= 2, kValue) << "Operator " << attrs.op->name
                                      << ": data must be at least 2-D (..., num_boxes, width), got shape " << shape_str(s);
      NmsLayout check(attrs, s.back());
      (*out)[0] = s;
      (*out)[1] = Shape(s.begin(), s.end() - 1);  // the source row of each output row, for the gradient
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      std::vector<int> first{(*out)[0]};
      infer_same_type(attrs, in, &first);
      (*out)[0] = first[0];
      (*out)[1] = first[0];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Rows R(in[0].shape);
      const NmsLayout L(attrs, R.width);
      const std::string& in_format = attrs.get_str("in_format");
      const std::string& out_format = attrs.get_str("out_format");
      std::vector<double> x = to_doubles(in[0]), y(x.size(), -1.0), record(static_cast<size_t>(R.batch * R.n), -1.0);
      parallel_for(R.batch, [&](int64_t b) {
        const double* rows = x.data() + b * R.n * R.width;
        const std::vector<int64_t> src = nms_rows(attrs, L, rows, R.n, R.width);
        for (int64_t k = 0; k < R.n && src[k] >= 0; ++k) {
          double* dst = y.data() + (b * R.n + k) * R.width;
          std::copy(rows + src[k] * R.width, rows + (src[k] + 1) * R.width, dst);
          write_box(corner_of(rows + src[k] * R.width + L.coord, in_format), out_format, dst + L.coord);
          record[static_cast<size_t>(b * R.n + k)] = static_cast<double>(src[k]);
        }
      }, 1);
      store_doubles(y, out[0]);
      store_doubles(record, out[1]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_contrib_box_nms", {g.ograd(0), g.output(1)})};
    })
    .add_sample([] {
      OpSample s = op_sample({{2, 5, 6}}, {{"overlap_thresh", "0.3"}});
      s.lo = 0.0;
      s.grad_check = false;  // the kept rows and their order change under perturbation of the scores
      return s;
    }())
    .add_sample([] {
      OpSample s = op_sample({{4, 7}}, {{"id_index", "0"}, {"in_format", "center"}, {"topk", "3"}, {"coord_start", "3"}});
      s.lo = 0.0;
      s.grad_check = false;
      return s;
    }());

MV_REGISTER_OP(_backward_contrib_box_nms)
    .describe("Gradient of box_nms: row k of ograd goes back to the input row record[k] (rows with record -1 give "
              "nothing), so kept boxes receive their output row's gradient and suppressed ones zero.")
    .input("ograd", "Gradient of box_nms's output, shape (..., n, width)")
    .input("record", "The source row of each output row, shape (..., n)")
    .params_from("_contrib_box_nms")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &og = (*in)[0], &rec = (*in)[1];
      if (og.empty()) return;
      MV_CHECK(og.size() >= 2, kValue) << "Operator " << attrs.op->name << ": ograd must be at least 2-D, got shape "
                                       << shape_str(og);
      const Shape want(og.begin(), og.end() - 1);
      if (rec.empty()) (*in)[1] = want;
      else if (rec != want) shape_mismatch(attrs, "input 'record'", want, rec);
      (*out)[0] = og;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Rows R(in[0].shape);
      std::vector<double> og = to_doubles(in[0]), rec = to_doubles(in[1]), dx(og.size(), 0.0);
      for (int64_t b = 0; b < R.batch; ++b)
        for (int64_t k = 0; k < R.n; ++k) {
          const double src = rec[static_cast<size_t>(b * R.n + k)];
          if (src < 0) continue;
          MV_CHECK(src < static_cast<double>(R.n) && src == std::floor(src), kIndex)
              << "Operator " << attrs.op->name << ": record holds row " << src << ", outside [0, " << R.n << ")";
          const int64_t s = static_cast<int64_t>(src);
          for (int64_t c = 0; c < R.width; ++c) dx[(b * R.n + s) * R.width + c] += og[(b * R.n + k) * R.width + c];
        }
      store_doubles(dx, out[0]);
    })
    .set_non_differentiable()
    .add_sample([] {
      OpSample s = op_sample({{2, 3, 6}, {2, 3}});
      s.index_inputs = {1};
      s.index_high = 3;
      s.grad_check = false;
      return s;
    }());

MV_REGISTER_OP(_contrib_box_iou)
    .describe("Pairwise intersection over union of two box sets: for lhs of shape (..., 4) and rhs of shape (..., 4) "
              "the output has shape lhs.shape[:-1] + rhs.shape[:-1]. MXNet's gradient of box_iou is zero, and so is "
              "Minerva's.\n\nExample::\n\n  box_iou([[0, 0, 2, 2]], [[1, 0, 2, 3]]) = [[0.4]]")
    .input("lhs", "The first input")
    .input("rhs", "The second input")
    .enum_param("format", {"center", "corner"}, "corner", "The box encoding type. \"corner\" means boxes are encoded as [xmin, ymin, xmax, ymax], \"center\" means boxes are encodes as [x, y, width, height].")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &l = (*in)[0], &r = (*in)[1];
      if (l.empty() || r.empty()) return;
      for (const auto& [s, what] : {std::make_pair(l, "lhs"), std::make_pair(r, "rhs")})
        MV_CHECK(s.back() == 4, kValue) << "Operator " << attrs.op->name << ": the last dimension of '" << what
                                        << "' must be 4 (one box), got shape " << shape_str(s);
      Shape o(l.begin(), l.end() - 1);
      o.insert(o.end(), r.begin(), r.end() - 1);
      (*out)[0] = o;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const std::string& format = attrs.get_str("format");
      std::vector<double> l = to_doubles(in[0]), r = to_doubles(in[1]), res(static_cast<size_t>(out[0].size()));
      const int64_t nl = in[0].size() / 4, nr = in[1].size() / 4;
      std::vector<Corner> rb;
      for (int64_t j = 0; j < nr; ++j) rb.push_back(corner_of(r.data() + j * 4, format));
      parallel_for(nl, [&](int64_t i) {
        const Corner a = corner_of(l.data() + i * 4, format);
        for (int64_t j = 0; j < nr; ++j) res[static_cast<size_t>(i * nr + j)] = iou(a, rb[static_cast<size_t>(j)]);
      });
      store_doubles(res, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("zeros_like", {g.input(0)}), op("zeros_like", {g.input(1)})};
    })
    .add_sample([] {
      OpSample s = op_sample({{3, 4}, {2, 4}});
      s.lo = 0.0;
      s.grad_check = false;  // the declared gradient is MXNet's zero, not the derivative
      return s;
    }())
    .add_sample([] {
      OpSample s = op_sample({{2, 2, 4}, {3, 4}}, {{"format", "center"}});
      s.lo = 0.0;
      s.grad_check = false;
      return s;
    }());

// ---- box_encode / box_decode ----------------------------------------------------------------------

namespace {

struct Center {
  double x, y, w, h;
};
Center center_of(const Corner& c) { return {(c.x1 + c.x2) / 2, (c.y1 + c.y2) / 2, c.x2 - c.x1, c.y2 - c.y1}; }

}  // namespace

MV_REGISTER_OP(_contrib_box_encode)
    .describe("Encodes the matched reference boxes of anchors as regression targets (Faster R-CNN): for each anchor "
              "n of batch item b with samples[b, n] > 0.5 and reference r = refs[b, matches[b, n]] (both corner boxes, "
              "seen as centre x, y and size w, h):\n\n"
              "  targets = ((r.x - a.x) / a.w - means[0]) / stds[0], ((r.y - a.y) / a.h - means[1]) / stds[1],\n"
              "            (log(r.w / a.w) - means[2]) / stds[2], (log(r.h / a.h) - means[3]) / stds[3]\n\n"
              "and masks = 1; other anchors get zeros in both outputs.")
    .input("samples", "(B, N) value +1 (positive), -1 (negative), 0 (ignore)")
    .input("matches", "(B, N) value range [0, M)")
    .input("anchors", "(B, N, 4) encoded in corner")
    .input("refs", "(B, M, 4) encoded in corner")
    .input("means", "(4,) Mean value to be subtracted from encoded values")
    .input("stds", "(4,) Std value to be divided from encoded values")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &smp = (*in)[0], &anc = (*in)[2], &refs = (*in)[3];
      if (smp.empty() || anc.empty() || refs.empty()) return;
      MV_CHECK(smp.size() == 2, kValue) << "Operator " << attrs.op->name << ": samples must be (B, N), got " << shape_str(smp);
      const Shape boxes{smp[0], smp[1], 4};
      if (anc != boxes) shape_mismatch(attrs, "input 'anchors'", boxes, anc);
      MV_CHECK(refs.size() == 3 && refs[0] == smp[0] && refs[2] == 4, kValue)
          << "Operator " << attrs.op->name << ": refs must be (" << smp[0] << ", M, 4), got " << shape_str(refs);
      if ((*in)[1].empty()) (*in)[1] = smp;
      else if ((*in)[1] != smp) shape_mismatch(attrs, "input 'matches'", smp, (*in)[1]);
      for (size_t k : {size_t{4}, size_t{5}}) {
        if ((*in)[k].empty()) (*in)[k] = Shape{4};
        else if ((*in)[k] != Shape{4}) shape_mismatch(attrs, k == 4 ? "input 'means'" : "input 'stds'", Shape{4}, (*in)[k]);
      }
      (*out)[0] = (*out)[1] = boxes;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t B = in[0].shape[0], N = in[0].shape[1], M = in[3].shape[1];
      std::vector<double> smp = to_doubles(in[0]), match = to_doubles(in[1]), anc = to_doubles(in[2]);
      std::vector<double> refs = to_doubles(in[3]), means = to_doubles(in[4]), stds = to_doubles(in[5]);
      std::vector<double> t(static_cast<size_t>(B * N * 4), 0.0), mask(t.size(), 0.0);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t n = 0; n < N; ++n) {
          const int64_t i = b * N + n;
          if (!(smp[i] > 0.5)) continue;
          const double m = match[i];
          MV_CHECK(m >= 0 && m < static_cast<double>(M) && m == std::floor(m), kIndex)
              << "Operator " << attrs.op->name << ": matches[" << b << ", " << n << "] = " << m << " is outside [0, " << M << ")";
          const Center a = center_of(corner_of(anc.data() + i * 4, "corner"));
          const Center r = center_of(corner_of(refs.data() + (b * M + static_cast<int64_t>(m)) * 4, "corner"));
          const double v[4] = {(r.x - a.x) / a.w, (r.y - a.y) / a.h, std::log(r.w / a.w), std::log(r.h / a.h)};
          for (int k = 0; k < 4; ++k) {
            t[i * 4 + k] = (v[k] - means[k]) / stds[k];
            mask[i * 4 + k] = 1;
          }
        }
      store_doubles(t, out[0]);
      store_doubles(mask, out[1]);
    })
    .set_non_differentiable()
    .add_sample([] {
      OpSample s = op_sample({{1, 3}, {1, 3}, {1, 3, 4}, {1, 2, 4}, {4}, {4}});
      s.index_inputs = {0, 1};
      s.index_high = 2;
      s.lo = 0.5;  // forward only: a random box may be inverted (a NaN log), which is fine here
      s.hi = 1.0;
      s.grad_check = false;
      return s;
    }());

MV_REGISTER_OP(_contrib_box_decode)
    .describe("Decodes regression offsets data (B, N, 4) against anchors (1, N, 4) into corner boxes (the inverse of "
              "box_encode with zero means): with the anchor as centre x, y and size w, h (converted from `format`),\n\n"
              "  x = data[0] * std0 * w + a.x, y = data[1] * std1 * h + a.y\n"
              "  half_w = exp(data[2] * std2) * w / 2, half_h = exp(data[3] * std3) * h / 2\n"
              "  output = [x - half_w, y - half_h, x + half_w, y + half_h]\n\n"
              "where clip > 0 bounds data[2] * std2 and data[3] * std3 from above. MXNet's gradient is zero, as is "
              "Minerva's.")
    .input("data", "(B, N, 4) predicted bbox offset")
    .input("anchors", "(1, N, 4) encoded in corner or center")
    .param("std0", ParamType::kFloat, "1", "value to be divided from the 1st encoded values")
    .param("std1", ParamType::kFloat, "1", "value to be divided from the 2nd encoded values")
    .param("std2", ParamType::kFloat, "1", "value to be divided from the 3rd encoded values")
    .param("std3", ParamType::kFloat, "1", "value to be divided from the 4th encoded values")
    .param("clip", ParamType::kFloat, "-1", "If larger than 0, bounding box target will be clipped to this value.")
    .enum_param("format", {"center", "corner"}, "center", "The box encoding type. \"corner\" means boxes are encoded as [xmin, ymin, xmax, ymax], \"center\" means boxes are encodes as [x, y, width, height].")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &d = (*in)[0], &a = (*in)[1];
      if (d.empty() || a.empty()) return;
      MV_CHECK(d.size() == 3 && d[2] == 4, kValue) << "Operator " << attrs.op->name << ": data must be (B, N, 4), got " << shape_str(d);
      const Shape want{1, d[1], 4};
      if (a != want) shape_mismatch(attrs, "input 'anchors'", want, a);
      (*out)[0] = d;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const double std_[4] = {attrs.get_float("std0"), attrs.get_float("std1"), attrs.get_float("std2"), attrs.get_float("std3")};
      const double clip = attrs.get_float("clip");
      const std::string& format = attrs.get_str("format");
      const int64_t B = in[0].shape[0], N = in[0].shape[1];
      std::vector<double> d = to_doubles(in[0]), anc = to_doubles(in[1]), res(d.size());
      for (int64_t b = 0; b < B; ++b)
        for (int64_t n = 0; n < N; ++n) {
          const Center a = center_of(corner_of(anc.data() + n * 4, format));
          const double* p = d.data() + (b * N + n) * 4;
          double dw = p[2] * std_[2], dh = p[3] * std_[3];
          if (clip > 0) dw = std::min(dw, clip), dh = std::min(dh, clip);
          const double x = p[0] * std_[0] * a.w + a.x, y = p[1] * std_[1] * a.h + a.y;
          const double hw = std::exp(dw) * a.w / 2, hh = std::exp(dh) * a.h / 2;
          double* o = res.data() + (b * N + n) * 4;
          o[0] = x - hw, o[1] = y - hh, o[2] = x + hw, o[3] = y + hh;
        }
      store_doubles(res, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("zeros_like", {g.input(0)}), op("zeros_like", {g.input(1)})};
    })
    .add_sample([] {
      OpSample s = op_sample({{2, 3, 4}, {1, 3, 4}}, {{"clip", "0.5"}, {"format", "corner"}});
      s.grad_check = false;  // the declared gradient is MXNet's zero
      return s;
    }());

// ---- bipartite_matching --------------------------------------------------------------------------

MV_REGISTER_OP(_contrib_bipartite_matching)
    .describe("Greedy bipartite matching of a score matrix (..., N, M): visiting the scores from best to worst (by "
              "descending score, or ascending with is_ascend; ties in index order), row r and column c are matched when "
              "both are free and the score is > threshold (< threshold with is_ascend). Outputs row_marker (..., N), the "
              "column of each row, and col_marker (..., M), the row of each column, with -1 where unmatched. With "
              "topk > 0 matching stops after topk + 1 matches: MXNet 1.9.1 checks the count after each match, and "
              "Minerva keeps its rule. The gradient is zero, as in MXNet.\n\n"
              "Example::\n\n  x = [[0.5, 0.6], [0.1, 0.2], [0.3, 0.4]]\n"
              "  bipartite_matching(x, threshold=1e-12) = [[1, -1, 0], [2, 0]]")
    .input("data", "The input")
    .param("is_ascend", ParamType::kBool, "False", "Use ascend order for scores instead of descending. Please set threshold accordingly.")
    .required_param("threshold", ParamType::kFloat, "Ignore matching when score < thresh, if is_ascend=false, or ignore score > thresh, if is_ascend=true.")
    .param("topk", ParamType::kInt, "-1", "Limit the number of matches to topk, set -1 for no limit")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      MV_CHECK(s.size() >= 2, kValue) << "Operator " << attrs.op->name
                                      << ": the score matrix must be at least 2-D (..., N, M), got shape " << shape_str(s);
      (*out)[0] = Shape(s.begin(), s.end() - 1);
      Shape cols(s.begin(), s.end() - 2);
      cols.push_back(s.back());
      (*out)[1] = cols;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Rows R(in[0].shape);  // batch, N rows, M = width columns
      const bool ascend = attrs.get_bool("is_ascend");
      // The threshold is a float parameter in MXNet: compare against its float32 value.
      const double threshold = static_cast<double>(static_cast<float>(attrs.get_float("threshold")));
      const int64_t topk = attrs.get_int("topk");
      const std::vector<double> x = to_doubles(in[0]);
      std::vector<double> rows(static_cast<size_t>(R.batch * R.n), -1.0), cols(static_cast<size_t>(R.batch * R.width), -1.0);
      parallel_for(R.batch, [&](int64_t b) {
        const int64_t stride = R.n * R.width;
        const double* score = x.data() + b * stride;
        std::vector<int64_t> order(static_cast<size_t>(stride));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) {
          return ascend ? score[p] < score[q] : score[p] > score[q];
        });
        double* rmark = rows.data() + b * R.n;
        double* cmark = cols.data() + b * R.width;
        int64_t count = 0;
        for (int64_t idx : order) {
          const int64_t r = idx / R.width, c = idx % R.width;
          if (rmark[r] != -1 || cmark[c] != -1) continue;
          if (!(ascend ? score[idx] < threshold : score[idx] > threshold)) continue;
          rmark[r] = static_cast<double>(c);
          cmark[c] = static_cast<double>(r);
          if (topk > 0 && ++count > topk) break;
        }
      }, 1);
      store_doubles(rows, out[0]);
      store_doubles(cols, out[1]);
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("zeros_like", {g.input(0)})}; })
    .add_sample([] {
      OpSample s = op_sample({{2, 4, 3}}, {{"threshold", "0.1"}});
      s.lo = 0.0;
      s.grad_check = false;  // the declared gradient is MXNet's zero
      return s;
    }())
    .add_sample([] {
      OpSample s = op_sample({{5, 4}}, {{"threshold", "0.5"}, {"is_ascend", "True"}, {"topk", "2"}});
      s.lo = 0.0;
      s.grad_check = false;
      return s;
    }());

}  // namespace minerva
