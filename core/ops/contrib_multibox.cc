// The SSD operators of mx.nd.contrib used by MXNet's example/ssd and GluonCV: MultiBoxPrior (for
// every cell of a feature map, anchors of each size at the first ratio, then of the first size at
// each further ratio, as corner boxes in [0, 1] image coordinates), MultiBoxTarget (the training
// targets: anchors matched to ground-truth boxes, with optional hard negative mining) and
// MultiBoxDetection (decodes the class scores and box offsets of every anchor into detections and
// suppresses overlaps). They follow MXNet 1.9.1's CPU kernels step by step.
#include <algorithm>
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/float_tuple.h"
#include "core/ops/layout_util.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

struct PriorParams {
  std::vector<double> sizes, ratios, steps, offsets;
  explicit PriorParams(const Attrs& a)
      : sizes(float_tuple(a, "sizes")), ratios(float_tuple(a, "ratios")), steps(float_tuple(a, "steps", 2)),
        offsets(float_tuple(a, "offsets", 2)) {
    MV_CHECK(!sizes.empty() && !ratios.empty(), kValue)
        << "Operator " << a.op->name << ": sizes and ratios need at least one value each";
    for (double s : sizes) MV_CHECK(s > 0, kValue) << "Operator " << a.op->name << ": sizes must be positive, got " << s;
    for (double r : ratios) MV_CHECK(r > 0, kValue) << "Operator " << a.op->name << ": ratios must be positive, got " << r;
  }
  int64_t per_cell() const { return static_cast<int64_t>(sizes.size() + ratios.size() - 1); }
};

}  // namespace

MV_REGISTER_OP(_contrib_MultiBoxPrior)
    .describe("Generates prior (anchor) boxes from data of shape (batch, channel, height, width): for each cell (r, c), "
              "centred at ((c + offsets[1]) * step_x, (r + offsets[0]) * step_y) with steps (step_y, step_x) "
              "(1 / height and 1 / width when a step is <= 0), one box per size at ratio ratios[0], then one per further "
              "ratio at size sizes[0]; a box of size s and ratio q is s * height / width * sqrt(q) wide and "
              "s / sqrt(q) high. The output (1, height * width * (len(sizes) + len(ratios) - 1), 4) holds corner boxes "
              "[xmin, ymin, xmax, ymax], clipped to [0, 1] with clip. The gradient is zero, as in MXNet.\n\n"
              "Example::\n\n  MultiBoxPrior(x of shape (1, 3, 2, 2), sizes=(0.5, 0.25), ratios=(1, 2))  # (1, 12, 4)")
    .input("data", "Input data.")
    .param("sizes", ParamType::kString, "[1]", "List of sizes of generated MultiBoxPriores (a tuple of floats).")
    .param("ratios", ParamType::kString, "[1]", "List of aspect ratios of generated MultiBoxPriores (a tuple of floats).")
    .param("clip", ParamType::kBool, "False", "Whether to clip out-of-boundary boxes.")
    .param("steps", ParamType::kString, "[-1,-1]", "Priorbox step across y and x, -1 for auto calculation.")
    .param("offsets", ParamType::kString, "[0.5,0.5]", "Priorbox center offsets, y and x respectively")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      MV_CHECK(s.size() == 4, kValue) << "Operator " << attrs.op->name
                                      << ": data must be 4-D (batch, channel, height, width), got " << shape_str(s);
      (*out)[0] = Shape{1, s[2] * s[3] * PriorParams(attrs).per_cell(), 4};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const PriorParams p(attrs);
      const int64_t H = in[0].shape[2], W = in[0].shape[3];
      const double step_y = p.steps[0] > 0 ? p.steps[0] : 1.0 / static_cast<double>(H);
      const double step_x = p.steps[1] > 0 ? p.steps[1] : 1.0 / static_cast<double>(W);
      const double aspect = static_cast<double>(H) / static_cast<double>(W);
      const bool clip = attrs.get_bool("clip");
      std::vector<double> boxes;
      boxes.reserve(static_cast<size_t>(out[0].size()));
      auto add = [&](double cx, double cy, double size, double ratio) {
        const double q = std::sqrt(ratio), w = size * aspect * q / 2, h = size / q / 2;
        for (double v : {cx - w, cy - h, cx + w, cy + h}) boxes.push_back(clip ? std::min(std::max(v, 0.0), 1.0) : v);
      };
      for (int64_t r = 0; r < H; ++r) {
        const double cy = (static_cast<double>(r) + p.offsets[0]) * step_y;
        for (int64_t c = 0; c < W; ++c) {
          const double cx = (static_cast<double>(c) + p.offsets[1]) * step_x;
          for (double size : p.sizes) add(cx, cy, size, p.ratios[0]);
          for (size_t j = 1; j < p.ratios.size(); ++j) add(cx, cy, p.sizes[0], p.ratios[j]);
        }
      }
      store_doubles(boxes, out[0]);
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("zeros_like", {g.input(0)})}; })
    .add_sample([] {
      OpSample s = op_sample({{1, 2, 3, 4}}, {{"sizes", "(0.5, 0.25)"}, {"ratios", "(1, 2, 0.5)"}, {"clip", "True"}});
      s.grad_check = false;  // the declared gradient is MXNet's zero
      return s;
    }());

// ---- MultiBoxDetection -----------------------------------------------------------------------------

namespace {

double clip01(double v, bool clip) { return clip ? std::min(std::max(v, 0.0), 1.0) : v; }

// IoU of corner boxes a and b, as MXNet's detection computes it (no clamping of inverted boxes).
double detection_iou(const double* a, const double* b) {
  const double w = std::max(0.0, std::min(a[2], b[2]) - std::max(a[0], b[0]));
  const double h = std::max(0.0, std::min(a[3], b[3]) - std::max(a[1], b[1]));
  const double i = w * h, u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i;
  return u <= 0 ? 0.0 : i / u;
}

// One batch item: rows [class_id, score, xmin, ymin, xmax, ymax] into out (num_anchors rows,
// already -1). See the operator's doc for the steps; they follow MXNet 1.9.1's CPU kernel.
void detect(const Attrs& attrs, const std::vector<double>& var, const double* cls, const double* loc,
            const double* anchors, int64_t classes, int64_t A, double* out) {
  const double threshold = attrs.get_float("threshold"), nms = attrs.get_float("nms_threshold");
  const bool clip = attrs.get_bool("clip"), force = attrs.get_bool("force_suppress");
  const int64_t topk = attrs.get_int("nms_topk");
  std::vector<double> rows(static_cast<size_t>(A * 6));
  for (int64_t i = 0; i < A; ++i) {
    double score = -1;
    int64_t id = 0;
    for (int64_t j = 1; j < classes; ++j)
      if (cls[j * A + i] > score) score = cls[j * A + i], id = j;
    if (id > 0 && score < threshold) id = 0;
    double* r = rows.data() + i * 6;
    const double* a = anchors + i * 4;
    const double* p = loc + i * 4;
    const double aw = a[2] - a[0], ah = a[3] - a[1], ax = (a[0] + a[2]) / 2, ay = (a[1] + a[3]) / 2;
    const double ox = p[0] * var[0] * aw + ax, oy = p[1] * var[1] * ah + ay;
    const double ow = std::exp(p[2] * var[2]) * aw / 2, oh = std::exp(p[3] * var[3]) * ah / 2;
    r[0] = static_cast<double>(id - 1);
    r[1] = score;
    r[2] = clip01(ox - ow, clip), r[3] = clip01(oy - oh, clip), r[4] = clip01(ox + ow, clip), r[5] = clip01(oy + oh, clip);
  }
  int64_t valid = 0;
  for (int64_t i = 0; i < A; ++i)
    if (rows[i * 6] >= 0) std::copy(rows.begin() + i * 6, rows.begin() + i * 6 + 6, out + 6 * valid++);
  if (valid < 1 || nms <= 0 || nms > 1) return;
  const std::vector<double> unsorted(out, out + valid * 6);
  std::vector<int64_t> order(static_cast<size_t>(valid));
  for (int64_t i = 0; i < valid; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return unsorted[x * 6 + 1] > unsorted[y * 6 + 1]; });
  int64_t keep = valid;
  if (topk > 0 && topk < keep) {
    keep = topk;
    // MXNet marks the rows past topk invalid in place, before re-ordering the kept ones: they keep
    // the unsorted detections' coordinates.
    for (int64_t i = keep; i < valid; ++i) out[i * 6] = -1;
  }
  for (int64_t i = 0; i < keep; ++i) std::copy(unsorted.begin() + order[i] * 6, unsorted.begin() + order[i] * 6 + 6, out + i * 6);
  for (int64_t i = 0; i < keep; ++i) {
    if (out[i * 6] < 0) continue;
    for (int64_t j = i + 1; j < keep; ++j) {
      if (out[j * 6] < 0) continue;
      if ((force || out[i * 6] == out[j * 6]) && detection_iou(out + i * 6 + 2, out + j * 6 + 2) >= nms) out[j * 6] = -1;
    }
  }
}

}  // namespace

MV_REGISTER_OP(_contrib_MultiBoxDetection)
    .describe("Converts SSD predictions into detections: for cls_prob (batch, num_classes, num_anchors), loc_pred "
              "(batch, num_anchors * 4) and anchor (1, num_anchors, 4), each anchor takes its best class other than "
              "class 0 (the background) unless that score is below threshold, and its box decoded from the anchor "
              "with the variances (as box_decode; clipped to [0, 1] with clip). Rows [class_id - 1, score, xmin, ymin, "
              "xmax, ymax] of the anchors with a class come first, the rest are -1. With 0 < nms_threshold <= 1 the "
              "detections are sorted by score, cut to nms_topk (the class of the rest set to -1) and suppressed: a "
              "detection whose IoU with a better one of its class (any class with force_suppress) is >= nms_threshold "
              "gets class -1. background_id is accepted, but class 0 is the background, as in MXNet 1.9.1's kernel. "
              "The gradient is zero, as in MXNet.")
    .input("cls_prob", "Class probabilities.")
    .input("loc_pred", "Location regression predictions.")
    .input("anchor", "Multibox prior anchor boxes")
    .param("clip", ParamType::kBool, "True", "Clip out-of-boundary boxes.")
    .param("threshold", ParamType::kFloat, "0.00999999978", "Threshold to be a positive prediction.")
    .param("background_id", ParamType::kInt, "0", "Background id.")
    .param("nms_threshold", ParamType::kFloat, "0.5", "Non-maximum suppression threshold.")
    .param("force_suppress", ParamType::kBool, "False", "Suppress all detections regardless of class_id.")
    .param("variances", ParamType::kString, "[0.1,0.1,0.2,0.2]", "Variances to be decoded from box regression output.")
    .param("nms_topk", ParamType::kInt, "-1", "Keep maximum top k detections before nms, -1 for no limit.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &cls = (*in)[0], &loc = (*in)[1], &anc = (*in)[2];
      if (cls.empty()) return;
      float_tuple(attrs, "variances", 4);
      MV_CHECK(cls.size() == 3, kValue) << "Operator " << attrs.op->name
                                        << ": cls_prob must be (batch, num_classes, num_anchors), got " << shape_str(cls);
      const Shape want_loc{cls[0], cls[2] * 4}, want_anc{1, cls[2], 4};
      if (loc.empty()) (*in)[1] = want_loc;
      else if (loc != want_loc) shape_mismatch(attrs, "input 'loc_pred'", want_loc, loc);
      if (anc.empty()) (*in)[2] = want_anc;
      else if (anc != want_anc) shape_mismatch(attrs, "input 'anchor'", want_anc, anc);
      (*out)[0] = Shape{cls[0], cls[2], 6};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const std::vector<double> var = float_tuple(attrs, "variances", 4);
      const int64_t B = in[0].shape[0], C = in[0].shape[1], A = in[0].shape[2];
      const std::vector<double> cls = to_doubles(in[0]), loc = to_doubles(in[1]), anc = to_doubles(in[2]);
      std::vector<double> res(static_cast<size_t>(B * A * 6), -1.0);
      parallel_for(B, [&](int64_t b) {
        detect(attrs, var, cls.data() + b * C * A, loc.data() + b * A * 4, anc.data(), C, A, res.data() + b * A * 6);
      }, 1);
      store_doubles(res, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("zeros_like", {g.input(0)}), op("zeros_like", {g.input(1)}),
                                 op("zeros_like", {g.input(2)})};
    })
    .add_sample([] {
      OpSample s = op_sample({{2, 3, 5}, {2, 20}, {1, 5, 4}}, {{"threshold", "0.2"}, {"nms_topk", "3"}});
      s.lo = 0.0;
      s.grad_check = false;  // the declared gradient is MXNet's zero
      return s;
    }());

// ---- MultiBoxTarget --------------------------------------------------------------------------------

namespace {

struct TargetParams {
  double overlap, ignore, ratio, mining_thresh;
  std::vector<double> var;
  explicit TargetParams(const Attrs& a)
      : overlap(a.get_float("overlap_threshold")), ignore(a.get_float("ignore_label")),
        ratio(a.get_float("negative_mining_ratio")), mining_thresh(a.get_float("negative_mining_thresh")),
        var(float_tuple(a, "variances", 4)) {}
};

// The targets of one batch item. anchors (A, 4) and labels (L, width) rows [class, xmin, ymin,
// xmax, ymax, ...], padded with rows of -1; cls_pred (C, A). Outputs start as loc 0, mask 0, class
// ignore_label. Anchor flags: 1 positive, 0 negative, -1 ignored.
void assign_targets(const Attrs& attrs, const TargetParams& p, const double* anchors, int64_t A, const double* labels,
                    int64_t L, int64_t width, const double* cls_pred, int64_t C, double* loc, double* mask,
                    double* cls) {
  int64_t gts = 0;
  while (gts < L && labels[gts * width] != -1.0) ++gts;
  // The first padding row ends the ground truths; MXNet insists that all of it is -1.
  for (int k = 1; gts < L && k < 5; ++k)
    MV_CHECK(labels[gts * width + k] == -1.0, kValue)
        << "Operator " << attrs.op->name << ": label row " << gts << " has class -1 (padding) but column " << k
        << " is " << labels[gts * width + k] << ", not -1";
  if (gts == 0) return;
  std::vector<double> iou(static_cast<size_t>(A * gts));
  for (int64_t j = 0; j < A; ++j)
    for (int64_t k = 0; k < gts; ++k) iou[j * gts + k] = detection_iou(anchors + j * 4, labels + k * width + 1);
  std::vector<bool> gt_done(static_cast<size_t>(gts), false);
  std::vector<double> best_iou(static_cast<size_t>(A), -1.0);
  std::vector<int64_t> best_gt(static_cast<size_t>(A), -1);
  std::vector<int> flag(static_cast<size_t>(A), -1);
  int64_t positives = 0;
  // Each ground truth first takes its best free anchor, best pairs first.
  while (std::find(gt_done.begin(), gt_done.end(), false) != gt_done.end()) {
    int64_t ba = -1, bg = -1;
    double top = 1e-6;
    for (int64_t j = 0; j < A; ++j) {
      if (flag[j] == 1) continue;
      for (int64_t k = 0; k < gts; ++k)
        if (!gt_done[k] && iou[j * gts + k] > top) ba = j, bg = k, top = iou[j * gts + k];
    }
    if (ba < 0) break;
    best_iou[ba] = top, best_gt[ba] = bg, flag[ba] = 1, gt_done[bg] = true;
    ++positives;
  }
  auto best_of = [&](int64_t j) {
    for (int64_t k = 0; k < gts; ++k)
      if (iou[j * gts + k] > best_iou[j]) best_iou[j] = iou[j * gts + k], best_gt[j] = k;
  };
  if (p.overlap > 0) {
    // Then every other anchor whose best overlap exceeds overlap_threshold.
    for (int64_t j = 0; j < A; ++j) {
      if (flag[j] == 1) continue;
      best_of(j);
      if (best_iou[j] > p.overlap) flag[j] = 1, gt_done[best_gt[j]] = true, ++positives;
    }
  }
  if (p.ratio > 0) {
    // Hard negative mining: the free anchors with overlap below negative_mining_thresh whose
    // background probability (softmax of cls_pred) is lowest, ratio per positive.
    MV_CHECK(p.mining_thresh > 0, kValue) << "Operator " << attrs.op->name
                                          << ": negative_mining_thresh must be > 0 with negative mining, got "
                                          << p.mining_thresh;
    int64_t negatives = std::min(static_cast<int64_t>(static_cast<double>(positives) * p.ratio), A - positives);
    if (negatives > 0) {
      std::vector<std::pair<double, int64_t>> candidates;
      for (int64_t j = 0; j < A; ++j) {
        if (flag[j] == 1) continue;
        if (best_iou[j] < 0) best_of(j);
        if (!(best_iou[j] < p.mining_thresh && flag[j] == -1)) continue;
        double top = cls_pred[j];
        for (int64_t k = 1; k < C; ++k) top = std::max(top, cls_pred[j + A * k]);
        double sum = 0;
        for (int64_t k = 0; k < C; ++k) sum += std::exp(cls_pred[j + A * k] - top);
        candidates.emplace_back(std::exp(cls_pred[j] - top) / sum, j);
      }
      MV_CHECK(static_cast<int64_t>(candidates.size()) >= negatives, kValue)
          << "Operator " << attrs.op->name << ": negative mining wants " << negatives << " negatives but only "
          << candidates.size() << " anchors overlap less than negative_mining_thresh";
      std::stable_sort(candidates.begin(), candidates.end(),
                       [](const auto& x, const auto& y) { return x.first < y.first; });
      for (int64_t i = 0; i < negatives; ++i) flag[candidates[i].second] = 0;
    }
  } else {
    for (int64_t j = 0; j < A; ++j)
      if (flag[j] != 1) flag[j] = 0;
  }
  for (int64_t j = 0; j < A; ++j) {
    if (flag[j] == 1) {
      const double* g = labels + best_gt[j] * width;
      const double* a = anchors + j * 4;
      cls[j] = g[0] + 1;  // class 0 is the background
      const double aw = a[2] - a[0], ah = a[3] - a[1], ax = (a[0] + a[2]) / 2, ay = (a[1] + a[3]) / 2;
      const double gw = g[3] - g[1], gh = g[4] - g[2], gx = (g[1] + g[3]) / 2, gy = (g[2] + g[4]) / 2;
      const double t[4] = {(gx - ax) / aw / p.var[0], (gy - ay) / ah / p.var[1], std::log(gw / aw) / p.var[2],
                           std::log(gh / ah) / p.var[3]};
      for (int k = 0; k < 4; ++k) loc[j * 4 + k] = t[k], mask[j * 4 + k] = 1;
    } else if (flag[j] == 0) {
      cls[j] = 0;
    }
  }
}

}  // namespace

MV_REGISTER_OP(_contrib_MultiBoxTarget)
    .describe("Computes SSD training targets from anchor (1, num_anchors, 4), label (batch, num_labels, width >= 5) "
              "rows [class, xmin, ymin, xmax, ymax, ...] padded with rows of -1, and cls_pred (batch, num_classes, "
              "num_anchors). Each ground truth is first matched to its best free anchor (best pairs first); with "
              "overlap_threshold > 0 every other anchor whose best IoU exceeds it is matched too. With "
              "negative_mining_ratio > 0, up to ratio * positives unmatched anchors with IoU below "
              "negative_mining_thresh and the lowest background probability become negatives; otherwise every "
              "unmatched anchor is negative. Outputs: loc_target (batch, num_anchors * 4), the box offsets of positives "
              "encoded with the variances; loc_mask, 1 for positives; cls_target (batch, num_anchors), class + 1 for "
              "positives, 0 for negatives and ignore_label for the rest. minimum_negative_samples is accepted and, as "
              "in MXNet 1.9.1's kernel, unused. The gradient is zero, as in MXNet.")
    .input("anchor", "Generated anchor boxes.")
    .input("label", "Object detection labels.")
    .input("cls_pred", "Class predictions.")
    .param("overlap_threshold", ParamType::kFloat, "0.5", "Anchor-GT overlap threshold to be regarded as a positive match.")
    .param("ignore_label", ParamType::kFloat, "-1", "Label for ignored anchors.")
    .param("negative_mining_ratio", ParamType::kFloat, "-1", "Max negative to positive samples ratio, use -1 to disable mining")
    .param("negative_mining_thresh", ParamType::kFloat, "0.5", "Threshold used for negative mining.")
    .param("minimum_negative_samples", ParamType::kInt, "0", "Minimum number of negative samples.")
    .param("variances", ParamType::kString, "[0.1,0.1,0.2,0.2]", "Variances to be encoded in box regression target.")
    .set_num_outputs(3)
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"loc_target", "loc_mask", "cls_target"}; })
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &anc = (*in)[0], &lab = (*in)[1], &pred = (*in)[2];
      if (anc.empty() || lab.empty() || pred.empty()) return;
      float_tuple(attrs, "variances", 4);
      MV_CHECK(anc.size() == 3 && anc[0] == 1 && anc[1] > 0 && anc[2] == 4, kValue)
          << "Operator " << attrs.op->name << ": anchor must be (1, num_anchors, 4), got " << shape_str(anc);
      MV_CHECK(lab.size() == 3 && lab[1] > 0 && lab[2] >= 5, kValue)
          << "Operator " << attrs.op->name << ": label must be (batch, num_labels, width >= 5), got " << shape_str(lab);
      MV_CHECK(pred.size() == 3 && pred[0] == lab[0] && pred[2] == anc[1], kValue)
          << "Operator " << attrs.op->name << ": cls_pred must be (" << lab[0] << ", num_classes, " << anc[1]
          << "), got " << shape_str(pred);
      (*out)[0] = (*out)[1] = Shape{lab[0], anc[1] * 4};
      (*out)[2] = Shape{lab[0], anc[1]};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const TargetParams p(attrs);
      const int64_t A = in[0].shape[1], B = in[1].shape[0], L = in[1].shape[1], W = in[1].shape[2];
      const int64_t C = in[2].shape[1];
      const std::vector<double> anc = to_doubles(in[0]), lab = to_doubles(in[1]), pred = to_doubles(in[2]);
      std::vector<double> loc(static_cast<size_t>(B * A * 4), 0.0), mask(loc.size(), 0.0);
      std::vector<double> cls(static_cast<size_t>(B * A), p.ignore);
      for (int64_t b = 0; b < B; ++b)
        assign_targets(attrs, p, anc.data(), A, lab.data() + b * L * W, L, W, pred.data() + b * C * A, C,
                       loc.data() + b * A * 4, mask.data() + b * A * 4, cls.data() + b * A);
      store_doubles(loc, out[0]);
      store_doubles(mask, out[1]);
      store_doubles(cls, out[2]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("zeros_like", {g.input(0)}), op("zeros_like", {g.input(1)}),
                                 op("zeros_like", {g.input(2)})};
    })
    .add_sample([] {
      OpSample s = op_sample({{1, 6, 4}, {2, 3, 5}, {2, 3, 6}}, {{"negative_mining_ratio", "1"}});
      s.lo = 0.0;
      s.grad_check = false;  // the declared gradient is MXNet's zero
      return s;
    }());

}  // namespace minerva
