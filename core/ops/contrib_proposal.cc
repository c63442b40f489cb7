// MXNet 1.x's region proposal operators of Faster R-CNN (mx.nd.contrib): Proposal (one image) and
// MultiProposal (a batch). Anchors of len(ratios) * len(scales) shapes are laid over the
// feature map every feature_stride pixels, moved by the predicted deltas, clipped to the image,
// ranked by foreground score and thinned by NMS. MXNet gives them zero gradients and takes
// float32 only; Minerva also takes float64. Both compute in float, as MXNet does.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/base/checked.h"
#include "core/ops/contrib_detection_util.h"
#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

struct ProposalParams {
  int64_t pre_nms_top_n = 0, post_nms_top_n = 0, min_size = 0, stride = 0;
  float threshold = 0;
  std::vector<float> scales, ratios;
  bool iou_loss = false;
};

ProposalParams proposal_params(const Attrs& attrs) {
  ProposalParams p;
  p.pre_nms_top_n = attrs.get_int("rpn_pre_nms_top_n");
  p.post_nms_top_n = attrs.get_int("rpn_post_nms_top_n");
  p.min_size = attrs.get_int("rpn_min_size");
  p.stride = attrs.get_int("feature_stride");
  p.threshold = static_cast<float>(attrs.get_float("threshold"));
  for (double v : image_float_tuple(attrs, "scales")) p.scales.push_back(static_cast<float>(v));
  for (double v : image_float_tuple(attrs, "ratios")) p.ratios.push_back(static_cast<float>(v));
  p.iou_loss = attrs.get_bool("iou_loss");
  return p;
}

// Checks the inputs (cls_prob (N, 2A, H, W), bbox_pred (N, 4A, H, W), im_info (N, 3)) and
// returns N; `single` is Proposal's one-image rule.
int64_t proposal_check(const Attrs& attrs, const std::vector<Shape>& in, bool single) {
  const std::string& who = attrs.op->name;
  const Shape& c = in[0];
  const ProposalParams p = proposal_params(attrs);
  MV_CHECK(p.stride > 0, kValue) << "Operator " << who << ": feature_stride must be > 0, got " << p.stride;
  MV_CHECK(p.post_nms_top_n > 0, kValue) << "Operator " << who << ": rpn_post_nms_top_n must be > 0, got "
                                         << p.post_nms_top_n;
  const int64_t anchors = static_cast<int64_t>(p.scales.size() * p.ratios.size());
  MV_CHECK(c.size() == 4 && c[1] == 2 * anchors && c[2] > 0 && c[3] > 0, kValue)
      << "Operator " << who << ": cls_prob must be (batch, 2 * num_anchors, height, width) with num_anchors = "
      << "len(ratios) * len(scales) = " << anchors << " and height, width > 0, got shape " << shape_str(c);
  MV_CHECK(!single || c[0] == 1, kValue) << "Operator " << who << ": takes one image (batch 1; MultiProposal takes "
                                         << "several), got cls_prob of shape " << shape_str(c);
  const Shape bbox{c[0], 4 * anchors, c[2], c[3]}, info{c[0], 3};
  if (!in[1].empty() && in[1] != bbox) shape_mismatch(attrs, "input 1 (bbox_pred)", bbox, in[1]);
  if (!in[2].empty() && in[2] != info) shape_mismatch(attrs, "input 2 (im_info)", info, in[2]);
  return c[0];
}

void proposal_shape_impl(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out, bool single) {
  if ((*in)[0].empty()) return;
  const int64_t batch = proposal_check(attrs, *in, single);
  const int64_t anchors = (*in)[0][1] / 2;
  (*in)[1] = {batch, 4 * anchors, (*in)[0][2], (*in)[0][3]};
  (*in)[2] = {batch, 3};
  const int64_t rows = checked_mul(batch, attrs.get_int("rpn_post_nms_top_n"),
                                   "Operator " + attrs.op->name + ": output rows (batch * rpn_post_nms_top_n)");
  (*out)[0] = {rows, 5};
  (*out)[1] = {rows, 1};
}

// The anchor shapes around a (stride x stride) cell at the origin, per ratio then per scale:
// the area kept at each ratio with MXNet's roundings, then scaled.
std::vector<float> base_anchors(const ProposalParams& p) {
  const float side = static_cast<float>(p.stride);
  const float ctr = static_cast<float>(0.5 * (side - 1.0f));
  std::vector<float> out;
  for (float ratio : p.ratios)
    for (float scale : p.scales) {
      const float ratio_area = std::floor(side * side / ratio);
      const float w = std::floor(std::sqrt(ratio_area) + 0.5f) * scale;
      const float h = std::floor(w / scale * ratio + 0.5f) * scale;
      for (float v : {ctr - 0.5f * (w - 1.0f), ctr - 0.5f * (h - 1.0f), ctr + 0.5f * (w - 1.0f),
                      ctr + 0.5f * (h - 1.0f)})
        out.push_back(v);
    }
  return out;
}

// One box [x1, y1, x2, y2, score].
using Box = std::array<float, 5>;

// The proposals of image b: every anchor at every position (index (h * W + w) * A + a), moved by
// its deltas and clipped to the image; positions beyond the real image (im_info) and boxes
// smaller than rpn_min_size * scale get score -1 (the small ones also grow by min_size).
std::vector<Box> image_proposals(const ProposalParams& p, const float* scores, const float* deltas,
                                 const float* info, int64_t anchors, int64_t height, int64_t width,
                                 const std::vector<float>& base, const std::string& who) {
  const float im_h = info[0], im_w = info[1];
  const float stride = static_cast<float>(p.stride);
  // Compared as floats before converting, so that NaN or huge sizes are errors, not undefined casts.
  MV_CHECK(im_h / stride < static_cast<float>(height + 1) && im_w / stride < static_cast<float>(width + 1), kValue)
      << "Operator " << who << ": im_info (height " << im_h << ", width " << im_w << ") must be finite and not larger "
      << "than the feature map (" << height << " x " << width << ") times feature_stride " << p.stride;
  MV_CHECK(im_h / stride > -1e15f && im_w / stride > -1e15f, kValue)
      << "Operator " << who << ": im_info has an invalid height or width (" << im_h << ", " << im_w << ")";
  const int64_t real_h = static_cast<int64_t>(im_h / stride), real_w = static_cast<int64_t>(im_w / stride);
  const float min_size = static_cast<float>(p.min_size) * info[2];
  const int64_t plane = height * width;
  std::vector<Box> boxes(static_cast<size_t>(anchors * plane));
  for (int64_t h = 0; h < height; ++h)
    for (int64_t w = 0; w < width; ++w)
      for (int64_t a = 0; a < anchors; ++a) {
        Box& box = boxes[static_cast<size_t>((h * width + w) * anchors + a)];
        const float x0 = base[a * 4] + static_cast<float>(w) * stride;
        const float y0 = base[a * 4 + 1] + static_cast<float>(h) * stride;
        const float x1 = base[a * 4 + 2] + static_cast<float>(w) * stride;
        const float y1 = base[a * 4 + 3] + static_cast<float>(h) * stride;
        const int64_t at = h * width + w;
        const float d[4] = {deltas[(a * 4) * plane + at], deltas[(a * 4 + 1) * plane + at],
                            deltas[(a * 4 + 2) * plane + at], deltas[(a * 4 + 3) * plane + at]};
        float px0, py0, px1, py1;
        if (p.iou_loss) {  // deltas move the corners
          px0 = x0 + d[0], py0 = y0 + d[1], px1 = x1 + d[2], py1 = y1 + d[3];
        } else {  // deltas move the centre and scale the size
          const float bw = static_cast<float>((x1 - x0) + 1.0), bh = static_cast<float>((y1 - y0) + 1.0);
          const float cx = static_cast<float>(x0 + 0.5 * (bw - 1.0)), cy = static_cast<float>(y0 + 0.5 * (bh - 1.0));
          const float pcx = d[0] * bw + cx, pcy = d[1] * bh + cy;
          const float pw = std::exp(d[2]) * bw, ph = std::exp(d[3]) * bh;
          px0 = static_cast<float>(pcx - 0.5 * (pw - 1.0)), py0 = static_cast<float>(pcy - 0.5 * (ph - 1.0));
          px1 = static_cast<float>(pcx + 0.5 * (pw - 1.0)), py1 = static_cast<float>(pcy + 0.5 * (ph - 1.0));
        }
        auto clamp = [](float v, float hi) { return std::max(std::min(v, hi - 1.0f), 0.0f); };
        box = {clamp(px0, im_w), clamp(py0, im_h), clamp(px1, im_w), clamp(py1, im_h),
               scores[(anchors + a) * plane + at]};  // the foreground half of cls_prob
        if (h >= real_h || w >= real_w) box[4] = -1.0f;
        if (box[2] - box[0] + 1.0f < min_size || box[3] - box[1] + 1.0f < min_size) {
          box[0] -= min_size / 2, box[1] -= min_size / 2, box[2] += min_size / 2, box[3] += min_size / 2;
          box[4] = -1.0f;
        }
      }
  return boxes;
}

// The best rpn_pre_nms_top_n boxes by score (stably: MXNet's unstable sort agrees when scores
// differ), then greedy NMS (IoU in pixels, > threshold suppresses) keeping up to
// rpn_post_nms_top_n; the output repeats the kept boxes cyclically when fewer survive.
void write_image_output(const ProposalParams& p, std::vector<Box> boxes, int64_t b, float* rois, float* score) {
  const int64_t count = static_cast<int64_t>(boxes.size());
  const int64_t pre = p.pre_nms_top_n > 0 ? std::min(p.pre_nms_top_n, count) : count;
  const int64_t post = std::min(p.post_nms_top_n, pre);
  std::vector<size_t> order(boxes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return boxes[x][4] > boxes[y][4]; });
  std::vector<Box> ranked;
  for (int64_t i = 0; i < pre; ++i) ranked.push_back(boxes[order[i]]);
  auto area = [](const Box& x) { return (x[2] - x[0] + 1) * (x[3] - x[1] + 1); };
  std::vector<bool> suppressed(ranked.size(), false);
  std::vector<size_t> keep;
  for (size_t i = 0; i < ranked.size() && static_cast<int64_t>(keep.size()) < post; ++i) {
    if (suppressed[i]) continue;
    keep.push_back(i);
    const Box& k = ranked[i];
    for (size_t j = i + 1; j < ranked.size(); ++j) {
      if (suppressed[j]) continue;
      const float iw = std::max(0.0f, std::min(k[2], ranked[j][2]) - std::max(k[0], ranked[j][0]) + 1.0f);
      const float ih = std::max(0.0f, std::min(k[3], ranked[j][3]) - std::max(k[1], ranked[j][1]) + 1.0f);
      const float inter = iw * ih;
      if (inter / (area(k) + area(ranked[j]) - inter) > p.threshold) suppressed[j] = true;
    }
  }
  for (int64_t i = 0; i < p.post_nms_top_n; ++i) {
    const Box& k = ranked[keep[static_cast<size_t>(i) % keep.size()]];
    float* row = rois + (b * p.post_nms_top_n + i) * 5;
    row[0] = static_cast<float>(b);
    std::copy(k.begin(), k.begin() + 4, row + 1);
    score[b * p.post_nms_top_n + i] = k[4];
  }
}

void proposal_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
  const ProposalParams p = proposal_params(attrs);
  const Shape& c = in[0].shape;
  const int64_t batch = c[0], anchors = c[1] / 2, height = c[2], width = c[3];
  auto floats = [](const TBlob& x) {
    const std::vector<double> d = blob_doubles(x);
    return std::vector<float>(d.begin(), d.end());
  };
  const std::vector<float> scores = floats(in[0]), deltas = floats(in[1]), info = floats(in[2]);
  std::vector<float> rois(static_cast<size_t>(out[0].size())), score(static_cast<size_t>(out[1].size()));
  const std::vector<float> base = base_anchors(p);
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Box> boxes = image_proposals(p, scores.data() + b * c[1] * height * width,
                                             deltas.data() + b * 4 * anchors * height * width, info.data() + b * 3,
                                             anchors, height, width, base, attrs.op->name);
    write_image_output(p, std::move(boxes), b, rois.data(), score.data());
  }
  store_doubles(std::vector<double>(rois.begin(), rois.end()), out[0]);
  store_doubles(std::vector<double>(score.begin(), score.end()), out[1]);
}

int64_t visible_outputs(const Attrs& attrs) { return attrs.get_bool("output_score") ? 2 : 1; }

#define MV_PROPOSAL_PARAMS                                                                                         \
  param("rpn_pre_nms_top_n", ParamType::kInt, "6000",                                                              \
        "Number of top scoring boxes to keep before applying NMS to RPN proposals")                                \
      .param("rpn_post_nms_top_n", ParamType::kInt, "300",                                                         \
             "Number of top scoring boxes to keep after applying NMS to RPN proposals")                            \
      .param("threshold", ParamType::kFloat, "0.7", "NMS value, below which to suppress.")                         \
      .param("rpn_min_size", ParamType::kInt, "16", "Minimum height or width in proposal")                         \
      .param("scales", ParamType::kString, "(4, 8, 16, 32)",                                                       \
             "Used to generate anchor windows by enumerating scales")                                              \
      .param("ratios", ParamType::kString, "(0.5, 1, 2)", "Used to generate anchor windows by enumerating ratios") \
      .param("feature_stride", ParamType::kInt, "16",                                                              \
             "The size of the receptive field each unit in the convolution layer of the rpn,for example the "      \
             "product of all stride's prior to this layer.")                                                       \
      .param("output_score", ParamType::kBool, "False", "Add score to outputs")                                    \
      .param("iou_loss", ParamType::kBool, "False", "Usage of IoU Loss")

#define MV_PROPOSAL_DOC                                                                                         \
  "cls_prob (N, 2A, H, W) holds background then foreground scores of A = len(ratios) * len(scales)\n"          \
  "anchors per feature-map cell; bbox_pred (N, 4A, H, W) their deltas (dx, dy, dw, dh: centre shift in\n"      \
  "box sizes and log size; with ``iou_loss``, corner shifts in pixels); im_info (N, 3) each image's\n"         \
  "(height, width, scale). Anchors of area feature_stride^2 at each ratio, times each scale, sit every\n"      \
  "feature_stride pixels; moved boxes are clipped to the image, those narrower than\n"                         \
  "rpn_min_size * scale (and cells beyond the image) score -1, the best ``rpn_pre_nms_top_n`` go through\n"   \
  "NMS at ``threshold``, and ``rpn_post_nms_top_n`` rows [batch_index, x1, y1, x2, y2] come out per image\n" \
  "(the kept boxes repeated when fewer survive), with their scores as a second output when\n"                  \
  "``output_score``.\n\n"

}  // namespace

MV_REGISTER_OP(_contrib_Proposal)
    .describe("Generate region proposals via RPN\n\n" MV_PROPOSAL_DOC
              "Example::\n\n"
              "  rois = Proposal(cls_prob, bbox_pred, im_info, rpn_post_nms_top_n=300)  # (300, 5)")
    .input("cls_prob", "Score of how likely proposal is object.")
    .input("bbox_pred", "BBox Predicted deltas from anchors for proposals")
    .input("im_info", "Image size and scale.")
    .MV_PROPOSAL_PARAMS
    .set_num_outputs(2)
    .set_num_visible_outputs(visible_outputs)
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "score"}; })
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      proposal_shape_impl(a, in, out, true);
    })
    .set_infer_type(detection_type)
    .set_forward(proposal_forward)
    .set_gradient(zero_gradients)
    .add_sample([] {
      OpSample s;
      s.shapes = {{1, 4, 2, 3}, {1, 8, 2, 3}, {1, 3}};
      s.params = {{"scales", "(2,)"}, {"ratios", "(0.5, 2)"}, {"feature_stride", "4"}, {"rpn_min_size", "1"},
                  {"rpn_post_nms_top_n", "5"}, {"output_score", "True"}};
      s.lo = 0.0;
      // im_info (0..1, 0..1, 0..1): a tiny image, every cell beyond it, so every score is -1; with
      // 12 boxes MXNet's std::sort is an insertion sort, stable like this one.
      s.hi = 1.0;
      s.grad_check = false;  // ranking and NMS are discontinuous, and MXNet's gradient is zero
      return s;
    }());

MV_REGISTER_OP(_contrib_MultiProposal)
    .describe("Generate region proposals via RPN\n\n" MV_PROPOSAL_DOC
              "Proposal for a batch of images: the outputs stack each image's rpn_post_nms_top_n rows.\n\n"
              "Example::\n\n"
              "  rois = MultiProposal(cls_prob, bbox_pred, im_info, rpn_post_nms_top_n=300)  # (N * 300, 5)")
    .input("cls_prob", "Score of how likely proposal is object.")
    .input("bbox_pred", "BBox Predicted deltas from anchors for proposals")
    .input("im_info", "Image size and scale.")
    .MV_PROPOSAL_PARAMS
    .set_num_outputs(2)
    .set_num_visible_outputs(visible_outputs)
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "score"}; })
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      proposal_shape_impl(a, in, out, false);
    })
    .set_infer_type(detection_type)
    .set_forward(proposal_forward)
    .set_gradient(zero_gradients)
    .add_sample([] {
      OpSample s;
      s.shapes = {{2, 2, 3, 3}, {2, 4, 3, 3}, {2, 3}};
      s.params = {{"scales", "(1.5,)"}, {"ratios", "(1,)"}, {"feature_stride", "2"}, {"rpn_min_size", "0"},
                  {"rpn_post_nms_top_n", "4"}, {"threshold", "0.5"}};
      s.lo = 0.0;
      s.hi = 1.0;
      s.grad_check = false;  // ranking and NMS are discontinuous, and MXNet's gradient is zero
      return s;
    }());

}  // namespace minerva
