// Proposal and MultiProposal from mx.nd.contrib: the region proposal layer of Faster R-CNN (MXNet's
// example/rcnn), for one image or a batch.
// It follows MXNet 1.9.1's CPU kernel step by step: anchors from scales and ratios at every
// feature-map cell, decoded by the box deltas and clipped to the image, too-small boxes given
// score -1, the best rpn_pre_nms_top_n kept, non-maximum suppression, and rpn_post_nms_top_n
// rois (repeating the kept ones when there are fewer). Box widths count pixels (+1), as in MXNet.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/float_tuple.h"
#include "core/ops/layout_util.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

struct ProposalParams {
  int64_t pre_top, post_top, min_size, stride;
  double threshold;
  bool iou_loss;
  std::vector<double> scales, ratios;
  explicit ProposalParams(const Attrs& a)
      : pre_top(a.get_int("rpn_pre_nms_top_n")), post_top(a.get_int("rpn_post_nms_top_n")),
        min_size(a.get_int("rpn_min_size")), stride(a.get_int("feature_stride")), threshold(a.get_float("threshold")),
        iou_loss(a.get_bool("iou_loss")), scales(float_tuple(a, "scales")), ratios(float_tuple(a, "ratios")) {
    MV_CHECK(!scales.empty() && !ratios.empty(), kValue)
        << "Operator " << a.op->name << ": scales and ratios need at least one value each";
    for (double r : ratios) MV_CHECK(r > 0, kValue) << "Operator " << a.op->name << ": ratios must be positive, got " << r;
  }
  int64_t anchors() const { return static_cast<int64_t>(scales.size() * ratios.size()); }
};

// The base anchors (x1, y1, x2, y2) of one cell at the origin, ratio-major, rounded as MXNet does.
std::vector<double> base_anchors(const ProposalParams& p) {
  const double side = static_cast<double>(p.stride), ctr = 0.5 * (side - 1);
  std::vector<double> out;
  for (double ratio : p.ratios)
    for (double scale : p.scales) {
      const double size_ratios = std::floor(side * side / ratio);
      const double w = std::floor(std::sqrt(size_ratios) + 0.5) * scale;
      const double h = std::floor(w / scale * ratio + 0.5) * scale;
      for (double v : {ctr - 0.5 * (w - 1), ctr - 0.5 * (h - 1), ctr + 0.5 * (w - 1), ctr + 0.5 * (h - 1)}) out.push_back(v);
    }
  return out;
}

// Boxes [x1, y1, x2, y2, score] of every anchor, index (y * W + x) * A + a, decoded and clipped.
std::vector<double> decoded_boxes(const ProposalParams& p, const double* cls,
                                  const double* deltas, const double* im_info, int64_t H, int64_t W) {
  const int64_t A = p.anchors();
  const std::vector<double> base = base_anchors(p);
  const double im_h = im_info[0], im_w = im_info[1];
  const int64_t real_h = static_cast<int64_t>(im_h / static_cast<double>(p.stride));
  const int64_t real_w = static_cast<int64_t>(im_w / static_cast<double>(p.stride));
  auto clip = [](double v, double hi) { return std::max(std::min(v, hi - 1), 0.0); };
  std::vector<double> boxes(static_cast<size_t>(H * W * A * 5));
  for (int64_t a = 0; a < A; ++a)
    for (int64_t y = 0; y < H; ++y)
      for (int64_t x = 0; x < W; ++x) {
        double* b = boxes.data() + ((y * W + x) * A + a) * 5;
        const double sx = static_cast<double>(x * p.stride), sy = static_cast<double>(y * p.stride);
        const double x1 = base[a * 4] + sx, y1 = base[a * 4 + 1] + sy, x2 = base[a * 4 + 2] + sx;
        const double y2 = base[a * 4 + 3] + sy;
        auto delta = [&](int k) { return deltas[((a * 4 + k) * H + y) * W + x]; };
        double px1, py1, px2, py2;
        if (p.iou_loss) {
          px1 = x1 + delta(0), py1 = y1 + delta(1), px2 = x2 + delta(2), py2 = y2 + delta(3);
        } else {
          const double w = x2 - x1 + 1, h = y2 - y1 + 1, cx = x1 + 0.5 * (w - 1), cy = y1 + 0.5 * (h - 1);
          const double pcx = delta(0) * w + cx, pcy = delta(1) * h + cy;
          const double pw = std::exp(delta(2)) * w, ph = std::exp(delta(3)) * h;
          px1 = pcx - 0.5 * (pw - 1), py1 = pcy - 0.5 * (ph - 1), px2 = pcx + 0.5 * (pw - 1), py2 = pcy + 0.5 * (ph - 1);
        }
        b[0] = clip(px1, im_w), b[1] = clip(py1, im_h), b[2] = clip(px2, im_w), b[3] = clip(py2, im_h);
        b[4] = (y >= real_h || x >= real_w) ? -1.0 : cls[(A + a) * H * W + y * W + x];  // foreground scores
      }
  // Too-small boxes: score -1 and grown by min_size / 2 on each side (MXNet's FilterBox).
  const double min_size = static_cast<double>(p.min_size) * im_info[2];
  for (size_t i = 0; i < boxes.size(); i += 5) {
    double* b = boxes.data() + i;
    if (b[2] - b[0] + 1 < min_size || b[3] - b[1] + 1 < min_size) {
      b[0] -= min_size / 2, b[1] -= min_size / 2, b[2] += min_size / 2, b[3] += min_size / 2;
      b[4] = -1;
    }
  }
  return boxes;
}

// Greedy NMS over boxes sorted by score, pixel-counting areas; returns the kept indices.
std::vector<int64_t> pixel_nms(const std::vector<double>& d, int64_t n, double thresh, int64_t max_keep) {
  std::vector<double> area(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) area[i] = (d[i * 5 + 2] - d[i * 5] + 1) * (d[i * 5 + 3] - d[i * 5 + 1] + 1);
  std::vector<bool> suppressed(static_cast<size_t>(n), false);
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < n && static_cast<int64_t>(keep.size()) < max_keep; ++i) {
    if (suppressed[i]) continue;
    keep.push_back(i);
    for (int64_t j = i + 1; j < n; ++j) {
      if (suppressed[j]) continue;
      const double w = std::max(0.0, std::min(d[i * 5 + 2], d[j * 5 + 2]) - std::max(d[i * 5], d[j * 5]) + 1);
      const double h = std::max(0.0, std::min(d[i * 5 + 3], d[j * 5 + 3]) - std::max(d[i * 5 + 1], d[j * 5 + 1]) + 1);
      const double inter = w * h;
      if (inter / (area[i] + area[j] - inter) > thresh) suppressed[j] = true;
    }
  }
  return keep;
}


// One image's proposals into `rows` rois [batch, x1, y1, x2, y2] and scores. cls and deltas point
// at the image's (2A, H, W) and (4A, H, W) blocks.
void propose_image(const Attrs& attrs, const ProposalParams& p, const double* cls, const double* deltas,
                   const double* info, int64_t H, int64_t W, int64_t batch, int64_t rows, double* rois, double* scores) {
  const int64_t count = p.anchors() * H * W;
  MV_CHECK(std::isfinite(info[0]) && std::isfinite(info[1]) && info[0] <= static_cast<double>(H * p.stride) &&
               info[1] <= static_cast<double>(W * p.stride) && info[0] >= 0 && info[1] >= 0,
           kValue)
      << "Operator " << attrs.op->name << ": im_info (" << info[0] << ", " << info[1]
      << ") must lie within the feature map's image size (" << H * p.stride << ", " << W * p.stride << ")";
  const std::vector<double> boxes = decoded_boxes(p, cls, deltas, info, H, W);
  const int64_t pre = std::min(p.pre_top > 0 ? p.pre_top : count, count);
  const int64_t post = std::min(p.post_top, pre);
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  // MXNet sorts with std::sort (ties in no defined order); a stable sort gives ties index order.
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return boxes[x * 5 + 4] > boxes[y * 5 + 4]; });
  std::vector<double> sorted(static_cast<size_t>(pre * 5));
  for (int64_t i = 0; i < pre; ++i)
    std::copy(boxes.begin() + order[i] * 5, boxes.begin() + order[i] * 5 + 5, sorted.begin() + i * 5);
  const std::vector<int64_t> keep = pixel_nms(sorted, pre, p.threshold, post);
  for (int64_t i = 0; i < rows; ++i) {
    rois[i * 5] = static_cast<double>(batch);
    if (keep.empty()) continue;
    const int64_t k = keep[static_cast<size_t>(i) % keep.size()];  // repeat the kept rois when fewer survive
    for (int j = 0; j < 4; ++j) rois[i * 5 + 1 + j] = sorted[k * 5 + j];
    scores[i] = sorted[k * 5 + 4];
  }
}

// Both operators: rpn_post_nms_top_n rois per image, image b's rows from b * rpn_post_nms_top_n.
void proposal_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const ProposalParams p(attrs);
  const int64_t B = in[0].shape[0], H = in[0].shape[2], W = in[0].shape[3], rows = p.post_top;
  const std::vector<double> cls = to_doubles(in[0]), deltas = to_doubles(in[1]), info = to_doubles(in[2]);
  std::vector<double> rois(static_cast<size_t>(B * rows * 5), 0.0), scores(static_cast<size_t>(B * rows), 0.0);
  const int64_t cls_block = 2 * p.anchors() * H * W, delta_block = 4 * p.anchors() * H * W;
  for (int64_t b = 0; b < B; ++b)
    propose_image(attrs, p, cls.data() + b * cls_block, deltas.data() + b * delta_block, info.data() + b * 3, H, W,
                  b, rows, rois.data() + b * rows * 5, scores.data() + b * rows);
  store_doubles(rois, out[0]);
  store_doubles(scores, out[1]);
}

// cls_prob (batch, 2A, H, W), bbox_pred (batch, 4A, H, W), im_info (batch, 3); `single` (Proposal)
// takes one image only, as MXNet's does.
InferShapeFn proposal_shape(bool single) {
  return [single](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    const Shape& cls = (*in)[0];
    if (cls.empty()) return;
    const ProposalParams p(attrs);
    MV_CHECK(cls.size() == 4 && cls[0] >= 1 && (!single || cls[0] == 1) && cls[1] == 2 * p.anchors(), kValue)
        << "Operator " << attrs.op->name << ": cls_prob must be (" << (single ? "1" : "batch") << ", 2 * "
        << p.anchors() << " anchors, height, width), got " << shape_str(cls);
    const Shape want_bbox{cls[0], 4 * p.anchors(), cls[2], cls[3]}, want_info{cls[0], 3};
    if ((*in)[1].empty()) (*in)[1] = want_bbox;
    else if ((*in)[1] != want_bbox) shape_mismatch(attrs, "input 'bbox_pred'", want_bbox, (*in)[1]);
    if ((*in)[2].empty()) (*in)[2] = want_info;
    else if ((*in)[2] != want_info) shape_mismatch(attrs, "input 'im_info'", want_info, (*in)[2]);
    (*out)[0] = Shape{cls[0] * p.post_top, 5};
    (*out)[1] = Shape{cls[0] * p.post_top, 1};
  };
}

#define MV_PROPOSAL_PARAMS \
  param("rpn_pre_nms_top_n", ParamType::kInt, "6000", "Number of top scoring boxes to keep before applying NMS to RPN proposals") \
      .param("rpn_post_nms_top_n", ParamType::kInt, "300", "Number of top scoring boxes to keep after applying NMS to RPN proposals") \
      .bounds(1, 1e9) \
      .param("threshold", ParamType::kFloat, "0.699999988", "NMS value, below which to suppress.") \
      .param("rpn_min_size", ParamType::kInt, "16", "Minimum height or width in proposal") \
      .param("scales", ParamType::kString, "[4,8,16,32]", "Used to generate anchor windows by enumerating scales") \
      .param("ratios", ParamType::kString, "[0.5,1,2]", "Used to generate anchor windows by enumerating ratios") \
      .param("feature_stride", ParamType::kInt, "16", "The size of the receptive field each unit in the convolution layer of the rpn,for example the product of all stride's prior to this layer.") \
      .bounds(1, 1e6) \
      .param("output_score", ParamType::kBool, "False", "Add score to outputs") \
      .param("iou_loss", ParamType::kBool, "False", "Usage of IoU Loss")
// The parameters and the body both proposal operators share; `SINGLE` restricts the batch to one
// image (Proposal). The gradient is zero, as in MXNet.
#define MV_PROPOSAL_BODY(SINGLE)                                                                       \
  set_num_outputs(2)                                                                                   \
      .set_num_visible_outputs([](const Attrs& a) { return a.get_bool("output_score") ? 2 : 1; })     \
      .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "score"}; })     \
      .set_infer_shape(proposal_shape(SINGLE))                                                         \
      .set_forward(proposal_forward)                                                                   \
      .set_gradient([](const GradContext& g) {                                                         \
        return std::vector<Tensor>{op("zeros_like", {g.input(0)}), op("zeros_like", {g.input(1)}),    \
                                   op("zeros_like", {g.input(2)})};                                   \
      })

}  // namespace

MV_REGISTER_OP(_contrib_Proposal)
    .describe("Generates region proposals (Faster R-CNN) from cls_prob (1, 2 * A, H, W) (background scores, then "
              "foreground), bbox_pred (1, 4 * A, H, W) and im_info (1, 3) = [height, width, scale], with A = "
              "len(scales) * len(ratios) anchors per cell of stride feature_stride. Boxes are decoded from the anchors "
              "(or offset directly with iou_loss), clipped to the image; boxes smaller than rpn_min_size * scale and "
              "cells beyond the image get score -1. The best rpn_pre_nms_top_n boxes go through non-maximum "
              "suppression at IoU threshold, and the output holds rpn_post_nms_top_n rois [0, x1, y1, x2, y2] "
              "(repeating the kept ones when fewer survive), plus their scores (rpn_post_nms_top_n, 1) with "
              "output_score. Only a batch of one image is supported, as in MXNet. The gradient is zero, as in MXNet.")
    .input("cls_prob", "Score of how likely proposal is object.")
    .input("bbox_pred", "BBox Predicted deltas from anchors for proposals")
    .input("im_info", "Image size and scale.")
    .MV_PROPOSAL_PARAMS
    .MV_PROPOSAL_BODY(true)
    .add_sample([] {
      OpSample s = op_sample({{1, 12, 3, 4}, {1, 24, 3, 4}, {1, 3}},
                             {{"scales", "(2, 4)"}, {"ratios", "(0.5, 1, 2)"}, {"feature_stride", "4"},
                              {"rpn_post_nms_top_n", "5"}, {"rpn_min_size", "1"}});
      s.lo = 0.0;
      s.grad_check = false;  // the declared gradient is MXNet's zero
      return s;
    }());

MV_REGISTER_OP(_contrib_MultiProposal)
    .describe("Proposal for a batch of images: cls_prob (batch, 2 * A, H, W), bbox_pred (batch, 4 * A, H, W) and "
              "im_info (batch, 3); each image gets rpn_post_nms_top_n rois [b, x1, y1, x2, y2] as Proposal computes "
              "them, image b's from row b * rpn_post_nms_top_n. The gradient is zero, as in MXNet.")
    .input("cls_prob", "Score of how likely proposal is object.")
    .input("bbox_pred", "BBox Predicted deltas from anchors for proposals")
    .input("im_info", "Image size and scale.")
    .MV_PROPOSAL_PARAMS
    .MV_PROPOSAL_BODY(false)
    .add_sample([] {
      OpSample s = op_sample({{2, 4, 3, 4}, {2, 8, 3, 4}, {2, 3}},
                             {{"scales", "(2,)"}, {"ratios", "(0.5, 2)"}, {"feature_stride", "4"},
                              {"rpn_post_nms_top_n", "4"}, {"rpn_min_size", "1"}});
      s.lo = 0.0;
      s.grad_check = false;  // the declared gradient is MXNet's zero
      return s;
    }());

#undef MV_PROPOSAL_BODY
#undef MV_PROPOSAL_PARAMS

}  // namespace minerva
