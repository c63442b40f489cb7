// MXNet 1.x's SSD operators (mx.nd.contrib): MultiBoxPrior generates anchor boxes over a feature
// map, MultiBoxTarget matches anchors to ground-truth boxes for training, MultiBoxDetection
// decodes and NMS-filters predictions. MXNet gives them zero gradients, and so does Minerva.
// MXNet 1.9.1 takes float32 only (legacy operators with the default type inference); Minerva also
// takes float64. Kernels compute in the data's type, as MXNet does (threshold comparisons at
// boundaries depend on it); MultiBoxPrior computes in float for both.
#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/base/checked.h"
#include "core/ops/contrib_detection_util.h"
#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

// The product of `factors`, an error when it overflows int64 (output element counts).
int64_t checked_product(const Attrs& attrs, std::initializer_list<int64_t> factors) {
  int64_t p = 1;  // Note [Checked size arithmetic]
  for (int64_t f : factors) p = checked_mul(p, f, "Operator " + attrs.op->name + ": output size");
  return p;
}

// ---------------------------------------------------------------------------------------------
// MultiBoxPrior

void prior_check_params(const Attrs& attrs) {
  const std::string& who = attrs.op->name;
  image_float_tuple(attrs, "sizes");
  image_float_tuple(attrs, "ratios");
  const std::vector<double> steps = float_tuple_of(attrs, "steps", 2);
  const std::vector<double> offsets = float_tuple_of(attrs, "offsets", 2);
  for (double o : offsets)
    MV_CHECK(o >= 0 && o <= 1, kValue) << "Operator " << who << ": offsets must lie in [0, 1], got "
                                       << attrs.get_str("offsets");
  MV_CHECK(steps[0] * steps[1] >= 0, kValue) << "Operator " << who << ": steps must give both step_y and step_x "
                                             << "(or neither, with -1), got " << attrs.get_str("steps");
}

void prior_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  prior_check_params(attrs);
  MV_CHECK(d.size() >= 4 && d[2] > 0 && d[3] > 0, kValue)
      << "Operator " << attrs.op->name << ": data must be 4-D (batch, channel, height, width) with height and "
      << "width > 0, got shape " << shape_str(d);
  const int64_t per_pixel =
      static_cast<int64_t>(image_float_tuple(attrs, "sizes").size() + image_float_tuple(attrs, "ratios").size()) - 1;
  // The element count (boxes * 4) must fit, not only the box count.
  (*out)[0] = {1, checked_product(attrs, {d[2], d[3], per_pixel, 4}) / 4, 4};
}

// Per pixel (row-major), first one box per size at ratios[0], then one per further ratio at
// sizes[0]; widths are scaled by height / width so that boxes are square on the image.
void prior_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  std::vector<float> sizes, ratios, steps, offsets;
  for (double v : image_float_tuple(attrs, "sizes")) sizes.push_back(static_cast<float>(v));
  for (double v : image_float_tuple(attrs, "ratios")) ratios.push_back(static_cast<float>(v));
  for (double v : image_float_tuple(attrs, "steps")) steps.push_back(static_cast<float>(v));
  for (double v : image_float_tuple(attrs, "offsets")) offsets.push_back(static_cast<float>(v));
  const int64_t h = in[0].shape[2], w = in[0].shape[3];
  if (steps[0] <= 0 || steps[1] <= 0) steps = {1.f / static_cast<float>(h), 1.f / static_cast<float>(w)};
  const bool clip = attrs.get_bool("clip");
  std::vector<double> boxes;
  boxes.reserve(static_cast<size_t>(out[0].size()));
  auto emit = [&](float cx, float cy, float half_w, float half_h) {
    for (float v : {cx - half_w, cy - half_h, cx + half_w, cy + half_h})
      boxes.push_back(clip ? std::min(std::max(v, 0.f), 1.f) : v);
  };
  const float fh = static_cast<float>(h), fw = static_cast<float>(w);
  for (int64_t r = 0; r < h; ++r) {
    const float cy = (static_cast<float>(r) + offsets[0]) * steps[0];
    for (int64_t c = 0; c < w; ++c) {
      const float cx = (static_cast<float>(c) + offsets[1]) * steps[1];
      const float first = std::sqrt(ratios[0]);
      for (float size : sizes) emit(cx, cy, size * fh / fw * first / 2, size / first / 2);
      for (size_t j = 1; j < ratios.size(); ++j) {
        const float root = std::sqrt(ratios[j]);
        emit(cx, cy, sizes[0] * fh / fw * root / 2, sizes[0] / root / 2);
      }
    }
  }
  store_doubles(boxes, out[0]);
}

// ---------------------------------------------------------------------------------------------
// Shared by MultiBoxTarget and MultiBoxDetection: corner boxes [xmin, ymin, xmax, ymax].

// Intersection over union; 0 when the union is not positive.
template <typename R>
R box_iou(const R* a, const R* b) {
  const R iw = std::max(R(0), std::min(a[2], b[2]) - std::max(a[0], b[0]));
  const R ih = std::max(R(0), std::min(a[3], b[3]) - std::max(a[1], b[1]));
  const R inter = iw * ih;
  const R uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return uni <= 0 ? R(0) : inter / uni;
}

template <typename R>
std::vector<R> blob_as(const TBlob& b) {
  const std::vector<double> d = blob_doubles(b);
  return std::vector<R>(d.begin(), d.end());
}

template <typename R>
void store_as(const std::vector<R>& v, const TBlob& dst) {
  store_doubles(std::vector<double>(v.begin(), v.end()), dst);
}

// Anchors (1, num_anchors, 4), the layout MultiBoxPrior produces.
void check_anchor_shape(const Attrs& attrs, const Shape& a) {
  MV_CHECK(a.size() == 3 && a[0] == 1 && a[1] > 0 && a[2] == 4, kValue)
      << "Operator " << attrs.op->name << ": anchor must be (1, num_anchors, 4) boxes [xmin, ymin, xmax, ymax] "
      << "shared across the batch, got shape " << shape_str(a);
}

// ---------------------------------------------------------------------------------------------
// MultiBoxTarget

void target_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &a = (*in)[0], &l = (*in)[1], &p = (*in)[2];
  if (a.empty() || l.empty() || p.empty()) return;
  const std::string& who = attrs.op->name;
  float_tuple_of(attrs, "variances", 4);
  check_anchor_shape(attrs, a);
  MV_CHECK(l.size() == 3 && l[1] > 0 && l[2] >= 5, kValue)
      << "Operator " << who << ": label must be (batch, num_labels, label_width) with num_labels > 0 and "
      << "label_width >= 5 ([class, xmin, ymin, xmax, ymax, ...]), got shape " << shape_str(l);
  MV_CHECK(p.size() == 3 && p[0] == l[0] && p[1] > 0 && p[2] == a[1], kValue)
      << "Operator " << who << ": cls_pred must be (batch, num_classes, num_anchors) = (" << l[0] << ", num_classes, "
      << a[1] << ") for label " << shape_str(l) << " and anchor " << shape_str(a) << ", got shape " << shape_str(p);
  (*out)[0] = {l[0], checked_product(attrs, {a[1], 4})};
  (*out)[1] = (*out)[0];
  (*out)[2] = {l[0], a[1]};
}

// Regression target of ground-truth box g against anchor a, in float as MXNet computes it.
template <typename R>
void encode_box(const R* a, const R* g, const std::vector<float>& var, R* dst) {
  const float aw = static_cast<float>(a[2]) - static_cast<float>(a[0]);
  const float ah = static_cast<float>(a[3]) - static_cast<float>(a[1]);
  const float ax = (static_cast<float>(a[0]) + static_cast<float>(a[2])) * 0.5f;
  const float ay = (static_cast<float>(a[1]) + static_cast<float>(a[3])) * 0.5f;
  const float gw = static_cast<float>(g[2]) - static_cast<float>(g[0]);
  const float gh = static_cast<float>(g[3]) - static_cast<float>(g[1]);
  const float gx = (static_cast<float>(g[0]) + static_cast<float>(g[2])) * 0.5f;
  const float gy = (static_cast<float>(g[1]) + static_cast<float>(g[3])) * 0.5f;
  dst[0] = static_cast<R>((gx - ax) / aw / var[0]);
  dst[1] = static_cast<R>((gy - ay) / ah / var[1]);
  dst[2] = static_cast<R>(std::log(gw / aw) / var[2]);
  dst[3] = static_cast<R>(std::log(gh / ah) / var[3]);
}

// Anchor states while matching one image.
enum AnchorFlag : int8_t { kUndecided = -1, kNegative = 0, kPositive = 1 };

template <typename R>
void target_forward_impl(const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const std::string& who = attrs.op->name;
  const std::vector<R> anchors = blob_as<R>(in[0]), labels = blob_as<R>(in[1]), preds = blob_as<R>(in[2]);
  const int64_t num_anchors = in[0].shape[1], batch = in[1].shape[0], num_labels = in[1].shape[1];
  const int64_t width = in[1].shape[2], num_classes = in[2].shape[1];
  const float overlap_threshold = static_cast<float>(attrs.get_float("overlap_threshold"));
  const float mining_ratio = static_cast<float>(attrs.get_float("negative_mining_ratio"));
  const float mining_thresh = static_cast<float>(attrs.get_float("negative_mining_thresh"));
  std::vector<float> var;
  for (double v : float_tuple_of(attrs, "variances", 4)) var.push_back(static_cast<float>(v));
  std::vector<R> loc(static_cast<size_t>(out[0].size()), R(0)), mask(loc.size(), R(0));
  const R ignore_label = static_cast<R>(static_cast<float>(attrs.get_float("ignore_label")));
  std::vector<R> cls(static_cast<size_t>(out[2].size()), ignore_label);
  for (int64_t b = 0; b < batch; ++b) {
    const R* label = labels.data() + b * num_labels * width;
    // Ground truths run up to the first row of class -1 (padding, which must be all -1).
    int64_t num_gt = 0;
    for (; num_gt < num_labels; ++num_gt) {
      const R* row = label + num_gt * width;
      if (static_cast<float>(row[0]) != -1.0f) continue;
      for (int k = 1; k < 5; ++k)
        MV_CHECK(static_cast<float>(row[k]) == -1.0f, kValue)
            << "Operator " << who << ": label row " << num_gt << " of batch " << b << " has class -1 (padding) but "
            << "box value " << static_cast<double>(row[k]) << " at column " << k << "; padding rows must be all -1";
      break;
    }
    if (num_gt == 0) continue;
    std::vector<R> iou(static_cast<size_t>(num_anchors * num_gt));
    for (int64_t j = 0; j < num_anchors; ++j)
      for (int64_t k = 0; k < num_gt; ++k) iou[j * num_gt + k] = box_iou(anchors.data() + j * 4, label + k * width + 1);
    std::vector<bool> gt_matched(static_cast<size_t>(num_gt), false);
    std::vector<std::pair<float, int64_t>> best(static_cast<size_t>(num_anchors), {-1.0f, -1});
    std::vector<int8_t> flag(static_cast<size_t>(num_anchors), kUndecided);
    int64_t num_positive = 0;
    // Bipartite stage: repeatedly pair the free anchor and free ground truth of highest overlap.
    while (std::find(gt_matched.begin(), gt_matched.end(), false) != gt_matched.end()) {
      int64_t best_anchor = -1, best_gt = -1;
      float max_overlap = 1e-6f;
      for (int64_t j = 0; j < num_anchors; ++j) {
        if (flag[j] == kPositive) continue;
        for (int64_t k = 0; k < num_gt; ++k) {
          const float o = static_cast<float>(iou[j * num_gt + k]);
          if (!gt_matched[k] && o > max_overlap) best_anchor = j, best_gt = k, max_overlap = o;
        }
      }
      if (best_anchor < 0) break;
      best[best_anchor] = {max_overlap, best_gt};
      gt_matched[best_gt] = true;
      flag[best_anchor] = kPositive;
      ++num_positive;
    }
    // Every other anchor's best ground truth; positive above overlap_threshold.
    auto best_gt_of = [&](int64_t j) {
      std::pair<float, int64_t> m{-1.0f, -1};
      for (int64_t k = 0; k < num_gt; ++k) {
        const float o = static_cast<float>(iou[j * num_gt + k]);
        if (o > m.first) m = {o, k};
      }
      return m;
    };
    if (overlap_threshold > 0) {
      for (int64_t j = 0; j < num_anchors; ++j) {
        if (flag[j] == kPositive) continue;
        best[j] = best_gt_of(j);
        if (best[j].first > overlap_threshold) {
          gt_matched[best[j].second] = true;
          flag[j] = kPositive;
          ++num_positive;
        }
      }
    }
    if (mining_ratio > 0) {
      // Hard negative mining: the anchors whose background probability (softmax of cls_pred) is
      // lowest, among those overlapping every ground truth less than negative_mining_thresh.
      MV_CHECK(mining_thresh > 0, kValue) << "Operator " << who << ": negative_mining_thresh must be > 0 when "
                                          << "negative_mining_ratio > 0, got " << mining_thresh;
      // positives * ratio truncated to MXNet's int, at most the other anchors. MXNet converts without
      // a range check: on x86 a product beyond int's range becomes INT_MIN, i.e. no negatives at
      // all, which the oracle shows (ratio 1e30); that outcome is reproduced without the undefined
      // conversion.
      const double wanted = static_cast<double>(static_cast<float>(num_positive) * mining_ratio);
      const int64_t others = num_anchors - num_positive;
      const int64_t num_negative =
          !(wanted < 2147483648.0) ? 0 : std::min(static_cast<int64_t>(wanted), others);
      if (num_negative > 0) {
        const R* pred = preds.data() + b * num_classes * num_anchors;
        std::vector<std::pair<float, int64_t>> candidates;  // (background probability, anchor)
        for (int64_t j = 0; j < num_anchors; ++j) {
          if (flag[j] == kPositive) continue;
          if (best[j].first < 0) best[j] = best_gt_of(j);
          if (!(best[j].first < mining_thresh)) continue;
          R top = pred[j];
          for (int64_t k = 1; k < num_classes; ++k) top = std::max(top, pred[j + num_anchors * k]);
          R sum = 0;
          for (int64_t k = 0; k < num_classes; ++k) sum += std::exp(pred[j + num_anchors * k] - top);
          candidates.push_back({static_cast<float>(std::exp(pred[j] - top) / sum), j});
        }
        MV_CHECK(static_cast<int64_t>(candidates.size()) >= num_negative, kValue)
            << "Operator " << who << ": negative mining needs " << num_negative << " negative anchors in batch " << b
            << " but only " << candidates.size() << " overlap less than negative_mining_thresh";
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const auto& x, const auto& y) { return x.first < y.first; });
        for (int64_t i = 0; i < num_negative; ++i) flag[candidates[i].second] = kNegative;
      }
    } else {
      for (int8_t& f : flag)
        if (f != kPositive) f = kNegative;
    }
    for (int64_t j = 0; j < num_anchors; ++j) {
      const size_t at = static_cast<size_t>(b * num_anchors + j);
      if (flag[j] == kPositive) {
        const R* gt = label + best[j].second * width;
        cls[at] = gt[0] + R(1);  // class 0 is the background
        for (int k = 0; k < 4; ++k) mask[at * 4 + k] = R(1);
        encode_box(anchors.data() + j * 4, gt + 1, var, loc.data() + at * 4);
      } else if (flag[j] == kNegative) {
        cls[at] = R(0);
      }
    }
  }
  store_as(loc, out[0]);
  store_as(mask, out[1]);
  store_as(cls, out[2]);
}

void target_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  if (in[0].dtype == DType::kFloat64) target_forward_impl<double>(attrs, in, out);
  else target_forward_impl<float>(attrs, in, out);
}

// ---------------------------------------------------------------------------------------------
// MultiBoxDetection

void detection_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &c = (*in)[0], &l = (*in)[1], &a = (*in)[2];
  if (c.empty() || l.empty() || a.empty()) return;
  const std::string& who = attrs.op->name;
  float_tuple_of(attrs, "variances", 4);
  MV_CHECK(c.size() == 3 && c[1] > 0, kValue) << "Operator " << who
                                              << ": cls_prob must be (batch, num_classes, num_anchors), got shape "
                                              << shape_str(c);
  check_anchor_shape(attrs, a);
  MV_CHECK(c[2] == a[1], kValue) << "Operator " << who << ": cls_prob has " << c[2] << " anchors but anchor has "
                                 << a[1] << " (shapes " << shape_str(c) << " and " << shape_str(a) << ")";
  const Shape want{c[0], checked_product(attrs, {a[1], 4})};
  if (l != want) shape_mismatch(attrs, "input 1 (loc_pred, (batch, num_anchors * 4))", want, l);
  (*out)[0] = {c[0], a[1], 6};
}

// Decodes a regression prediction p against anchor a into a corner box (clipped to [0, 1]).
template <typename R>
void decode_box(const R* a, const R* p, const std::vector<float>& var, bool clip, R* dst) {
  const R aw = a[2] - a[0], ah = a[3] - a[1], ax = (a[0] + a[2]) / R(2), ay = (a[1] + a[3]) / R(2);
  const R ox = p[0] * var[0] * aw + ax, oy = p[1] * var[1] * ah + ay;
  const R ow = std::exp(p[2] * var[2]) * aw / R(2), oh = std::exp(p[3] * var[3]) * ah / R(2);
  const R box[4] = {ox - ow, oy - oh, ox + ow, oy + oh};
  for (int k = 0; k < 4; ++k) dst[k] = clip ? std::max(R(0), std::min(R(1), box[k])) : box[k];
}

// Rows [class_id, score, xmin, ymin, xmax, ymax] per anchor whose best non-background class
// (classes 1.. of cls_prob; MXNet 1.9.1's CPU kernel does not read background_id) scores at least
// `threshold`, sorted by score (stably); the first nms_topk are kept and greedy NMS marks
// suppressed rows with class -1 (no sorting nor NMS when nms_threshold is outside (0, 1]).
// Unused rows are all -1.
template <typename R>
void detection_forward_impl(const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const std::vector<R> prob = blob_as<R>(in[0]), loc = blob_as<R>(in[1]), anchors = blob_as<R>(in[2]);
  const int64_t batch = in[0].shape[0], num_classes = in[0].shape[1], num_anchors = in[0].shape[2];
  const float threshold = static_cast<float>(attrs.get_float("threshold"));
  const float nms_threshold = static_cast<float>(attrs.get_float("nms_threshold"));
  const bool clip = attrs.get_bool("clip"), force_suppress = attrs.get_bool("force_suppress");
  const int64_t nms_topk = attrs.get_int("nms_topk");
  std::vector<float> var;
  for (double v : float_tuple_of(attrs, "variances", 4)) var.push_back(static_cast<float>(v));
  std::vector<R> result(static_cast<size_t>(out[0].size()), R(-1));
  for (int64_t b = 0; b < batch; ++b) {
    const R* p = prob.data() + b * num_classes * num_anchors;
    std::vector<std::array<R, 6>> rows;
    for (int64_t i = 0; i < num_anchors; ++i) {
      R score = -1;
      int64_t id = 0;
      for (int64_t j = 1; j < num_classes; ++j)
        if (p[j * num_anchors + i] > score) score = p[j * num_anchors + i], id = j;
      if (id == 0 || score < threshold) continue;
      std::array<R, 6> row{static_cast<R>(id - 1), score};
      decode_box(anchors.data() + i * 4, loc.data() + (b * num_anchors + i) * 4, var, clip, row.data() + 2);
      rows.push_back(row);
    }
    const bool nms = !rows.empty() && nms_threshold > 0 && nms_threshold <= 1;
    size_t keep = rows.size();
    if (nms) {
      const std::vector<std::array<R, 6>> unsorted = rows;
      std::stable_sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x[1] > y[1]; });
      if (nms_topk > 0 && static_cast<size_t>(nms_topk) < keep) keep = static_cast<size_t>(nms_topk);
      for (size_t i = 0; i < keep; ++i) {
        if (rows[i][0] < 0) continue;
        for (size_t j = i + 1; j < keep; ++j) {
          if (rows[j][0] < 0) continue;
          if ((force_suppress || rows[i][0] == rows[j][0]) &&
              box_iou(rows[i].data() + 2, rows[j].data() + 2) >= nms_threshold)
            rows[j][0] = R(-1);
        }
      }
      // MXNet reorders only the first nms_topk rows: the rows after them keep their place in anchor
      // order, with class -1.
      for (size_t j = keep; j < rows.size(); ++j) {
        rows[j] = unsorted[j];
        rows[j][0] = R(-1);
      }
    }
    R* dst = result.data() + b * num_anchors * 6;
    for (size_t i = 0; i < rows.size(); ++i) std::copy(rows[i].begin(), rows[i].end(), dst + i * 6);
  }
  store_as(result, out[0]);
}

void detection_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  if (in[0].dtype == DType::kFloat64) detection_forward_impl<double>(attrs, in, out);
  else detection_forward_impl<float>(attrs, in, out);
}

}  // namespace

MV_REGISTER_OP(_contrib_MultiBoxPrior)
    .describe(
        "Generate prior(anchor) boxes from data, sizes and ratios.\n\n"
        "For each pixel (y, x) of the (batch, C, H, W) feature map, centred at ((x + offsets[1]) * steps[1],\n"
        "(y + offsets[0]) * steps[0]) (steps of -1 mean 1/W and 1/H), the output holds one box per entry of\n"
        "``sizes`` at aspect ratio ratios[0], then one box of size sizes[0] per further entry of ``ratios``: the\n"
        "(1, H * W * (len(sizes) + len(ratios) - 1), 4) corners [xmin, ymin, xmax, ymax] in [0, 1] image\n"
        "coordinates (clipped to [0, 1] when ``clip``). Only the shape of ``data`` is read.\n\n"
        "Example::\n\n"
        "  MultiBoxPrior(zeros((1, 1, 1, 2)), sizes=(0.5,)) = [[[0, 0.25, 0.5, 0.75], [0.5, 0.25, 1, 0.75]]]")
    .input("data", "Input data.")
    .param("sizes", ParamType::kString, "(1,)", "List of sizes of generated MultiBoxPriores.")
    .param("ratios", ParamType::kString, "(1,)", "List of aspect ratios of generated MultiBoxPriores.")
    .param("clip", ParamType::kBool, "False", "Whether to clip out-of-boundary boxes.")
    .param("steps", ParamType::kString, "(-1, -1)", "Priorbox step across y and x, -1 for auto calculation.")
    .param("offsets", ParamType::kString, "(0.5, 0.5)", "Priorbox center offsets, y and x respectively")
    .set_infer_shape(prior_shape)
    .set_infer_type(detection_type)
    .set_forward(prior_forward)
    .set_gradient(zero_gradients)
    .add_sample([] {
      OpSample s;
      s.shapes = {{1, 2, 3, 4}};
      s.params = {{"sizes", "(0.5, 0.25)"}, {"ratios", "(1, 2, 0.5)"}};
      return s;
    }())
    .add_sample([] {
      OpSample s;
      s.shapes = {{2, 1, 2, 2}};
      s.params = {{"sizes", "(0.8,)"}, {"clip", "True"}, {"steps", "(0.4, 0.3)"}, {"offsets", "(0.2, 0.7)"}};
      return s;
    }());

MV_REGISTER_OP(_contrib_MultiBoxTarget)
    .describe(
        "Compute Multibox training targets.\n\n"
        "Each image's ground truths (``label`` rows [class, xmin, ymin, xmax, ymax], up to the first row of\n"
        "class -1) are matched to ``anchor`` boxes: first one-to-one by highest IoU, then every anchor whose\n"
        "best IoU exceeds ``overlap_threshold``. Matched anchors get class + 1 in cls_target, a mask of 1 and\n"
        "the regression target ((gx - ax) / aw / v0, (gy - ay) / ah / v1, log(gw / aw) / v2, log(gh / ah) / v3)\n"
        "with v = ``variances``. The other anchors are negatives (class 0) — all of them, or with\n"
        "``negative_mining_ratio`` > 0 the ratio * positives whose background probability (softmax over\n"
        "``cls_pred``) is lowest among those with IoU below ``negative_mining_thresh`` — or get\n"
        "``ignore_label``. Outputs: loc_target and loc_mask (batch, num_anchors * 4), cls_target\n"
        "(batch, num_anchors).\n\n"
        "Example::\n\n"
        "  anchor = [[[0, 0, 0.5, 0.5], [0.5, 0.5, 1, 1]]]\n"
        "  label = [[[2, 0.1, 0.1, 0.5, 0.5]]]\n"
        "  MultiBoxTarget(anchor, label, zeros((1, 3, 2)))[2] = [[3, 0]]")
    .input("anchor", "Generated anchor boxes.")
    .input("label", "Object detection labels.")
    .input("cls_pred", "Class predictions.")
    .param("overlap_threshold", ParamType::kFloat, "0.5", "Anchor-GT overlap threshold to be regarded as a "
                                                          "positive match.")
    .param("ignore_label", ParamType::kFloat, "-1", "Label for ignored anchors.")
    .param("negative_mining_ratio", ParamType::kFloat, "-1",
           "Max negative to positive samples ratio, use -1 to disable mining")
    .param("negative_mining_thresh", ParamType::kFloat, "0.5", "Threshold used for negative mining.")
    .param("minimum_negative_samples", ParamType::kInt, "0",
           "Minimum number of negative samples (not read by MXNet 1.9.1's CPU kernel, nor here).")
    .param("variances", ParamType::kString, "(0.1, 0.1, 0.2, 0.2)",
           "Variances to be encoded in box regression target.")
    .set_num_outputs(3)
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"loc_target", "loc_mask", "cls_target"}; })
    .set_infer_shape(target_shape)
    .set_infer_type(detection_type)
    .set_forward(target_forward)
    .set_gradient(zero_gradients)
    .add_sample([] {
      OpSample s;
      s.shapes = {{1, 6, 4}, {2, 3, 5}, {2, 3, 6}};
      s.lo = 0.0;
      s.hi = 1.0;
      s.grad_check = false;  // matching is piecewise constant, and MXNet's gradient is zero
      return s;
    }());

MV_REGISTER_OP(_contrib_MultiBoxDetection)
    .describe(
        "Convert multibox detection predictions.\n\n"
        "For each anchor, the best class among cls_prob's classes 1.. (class 0 is the background) with its\n"
        "probability, if at least ``threshold``, and the box decoded from ``loc_pred`` against the anchor\n"
        "(centre + p * variance * anchor size, size * exp(p * variance); clipped to [0, 1] when ``clip``).\n"
        "Rows [class_id, score, xmin, ymin, xmax, ymax] (class_id counted without the background) are sorted\n"
        "by score; the first ``nms_topk`` (all when -1) go through greedy non-maximum suppression at\n"
        "``nms_threshold`` (per class, or across classes with ``force_suppress``), and removed rows get\n"
        "class_id -1. Unused rows are all -1. Output (batch, num_anchors, 6). As in MXNet 1.9.1's CPU\n"
        "kernel, ``background_id`` is accepted but class 0 is always the background.\n\n"
        "Example::\n\n"
        "  cls_prob = [[[0.1, 0.9], [0.9, 0.1]]]\n"
        "  MultiBoxDetection(cls_prob, zeros((1, 8)), [[[0, 0, 0.5, 0.5], [0.5, 0.5, 1, 1]]])\n"
        "    = [[[0, 0.9, 0, 0, 0.5, 0.5], [-1, -1, -1, -1, -1, -1]]]")
    .input("cls_prob", "Class probabilities.")
    .input("loc_pred", "Location regression predictions.")
    .input("anchor", "Multibox prior anchor boxes")
    .param("clip", ParamType::kBool, "True", "Clip out-of-boundary boxes.")
    .param("threshold", ParamType::kFloat, "0.01", "Threshold to be a positive prediction.")
    .param("background_id", ParamType::kInt, "0", "Background id.")
    .param("nms_threshold", ParamType::kFloat, "0.5", "Non-maximum suppression threshold.")
    .param("force_suppress", ParamType::kBool, "False", "Suppress all detections regardless of class_id.")
    .param("variances", ParamType::kString, "(0.1, 0.1, 0.2, 0.2)",
           "Variances to be decoded from box regression output.")
    .param("nms_topk", ParamType::kInt, "-1", "Keep maximum top k detections before nms, -1 for no limit.")
    .set_infer_shape(detection_shape)
    .set_infer_type(detection_type)
    .set_forward(detection_forward)
    .set_gradient(zero_gradients)
    .add_sample([] {
      OpSample s;
      s.shapes = {{2, 3, 5}, {2, 20}, {1, 5, 4}};
      s.lo = 0.0;
      s.hi = 1.0;
      s.grad_check = false;  // sorting and suppression are discontinuous, and MXNet's gradient is zero
      return s;
    }());

}  // namespace minerva
