// depth_to_space and space_to_depth: moving blocks of block_size x block_size between the channel
// axis and the spatial axes of an NCHW array. Each is the other's inverse, hence its gradient.
#include "core/ops/layout_util.h"
#include "core/ops/tensor_util.h"

namespace minerva {
namespace {

// (N, C, H, W) of the channel-heavy side and the block size, checked for either direction.
struct BlockDims {
  int64_t n, c, h, w, b;  // c, h, w of the space side: depth has c*b*b channels, h/b x w/b pixels
};

int64_t block_of(const Attrs& attrs) {
  const int64_t b = attrs.get_int("block_size");
  MV_CHECK(b >= 1, kValue) << "Operator " << attrs.op->name << ": block_size must be a positive integer, got " << b;
  return b;
}

void check_4d(const Attrs& attrs, const Shape& d) {
  MV_CHECK(d.size() == 4, kValue) << "Operator " << attrs.op->name << " requires a 4-D (N, C, H, W) input, got "
                                  << shape_str(d);
}

Shape depth_to_space_shape(const Attrs& attrs, const Shape& d) {
  check_4d(attrs, d);
  const int64_t b = block_of(attrs), bb = checked_mul(attrs, b, b, "block_size^2");
  MV_CHECK(d[1] % bb == 0, kValue) << "Operator depth_to_space: the channel axis (" << d[1]
                                   << ") must be a multiple of block_size^2 = " << bb;
  return Shape{d[0], d[1] / bb, checked_mul(attrs, d[2], b, "the output height"),
               checked_mul(attrs, d[3], b, "the output width")};
}

Shape space_to_depth_shape(const Attrs& attrs, const Shape& d) {
  check_4d(attrs, d);
  const int64_t b = block_of(attrs);
  MV_CHECK(d[2] % b == 0 && d[3] % b == 0, kValue)
      << "Operator space_to_depth: height " << d[2] << " and width " << d[3] << " must be multiples of block_size "
      << b;
  return Shape{d[0], checked_mul(attrs, d[1], checked_mul(attrs, b, b, "block_size^2"), "the output channels"),
               d[2] / b, d[3] / b};
}

// space[n, c, y*b + i, x*b + j] <-> depth[n, (i*b + j)*C + c, y, x], C the space side's channels.
void move_blocks(const TBlob& depth, const TBlob& space, int64_t b, bool to_space) {
  const int64_t n = space.shape[0], c = space.shape[1], hs = space.shape[2], ws = space.shape[3];
  const int64_t hd = hs / b, wd = ws / b;
  MV_ELEM_SWITCH(dtype_size(depth.dtype), T, {
    T* dp = depth.ptr<T>();
    T* sp = space.ptr<T>();
    parallel_for(n * c * hs, [&](int64_t row) {
      const int64_t yy = row % hs, ch = (row / hs) % c, img = row / (hs * c);
      const int64_t y = yy / b, i = yy % b;
      for (int64_t xx = 0; xx < ws; ++xx) {
        const int64_t x = xx / b, j = xx % b;
        const int64_t s_at = ((img * c + ch) * hs + yy) * ws + xx;
        const int64_t d_at = ((img * c * b * b + (i * b + j) * c + ch) * hd + y) * wd + x;
        if (to_space) sp[s_at] = dp[d_at];
        else dp[d_at] = sp[s_at];
      }
    }, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, ws)));
  });
}

}  // namespace

MV_REGISTER_OP(depth_to_space)
    .describe(
        "Rearranges blocks of depth into space for an (N, C, H, W) array: the output is (N, C / b^2, H * b, "
        "W * b) with out[n, c, y*b + i, x*b + j] = data[n, (i*b + j) * C/b^2 + c, y, x], b = block_size. The "
        "inverse of space_to_depth.\n\n"
        "Example::\n\n  x of shape (1, 4, 1, 1) = [1, 2, 3, 4]\n  depth_to_space(x, 2) = [[[[1, 2], [3, 4]]]]")
    .input("data", "Input ndarray")
    .required_param("block_size", ParamType::kInt, "Blocks of [block_size. block_size] are moved")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = depth_to_space_shape(attrs, (*in)[0]);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      move_blocks(in[0], out[0], block_of(attrs), true);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("space_to_depth", {g.ograd()}, g.forward_params())};
    })
    .set_method("depth_to_space")
    .add_sample(op_sample({{2, 8, 2, 3}}, {{"block_size", "2"}}))
    .add_sample(op_sample({{1, 9, 1, 2}}, {{"block_size", "3"}}));

MV_REGISTER_OP(space_to_depth)
    .describe(
        "Rearranges blocks of space into depth for an (N, C, H, W) array: the output is (N, C * b^2, H / b, "
        "W / b) with out[n, (i*b + j) * C + c, y, x] = data[n, c, y*b + i, x*b + j], b = block_size. The "
        "inverse of depth_to_space.\n\n"
        "Example::\n\n  x = [[[[1, 2], [3, 4]]]]\n  space_to_depth(x, 2) = [[[[1]], [[2]], [[3]], [[4]]]]")
    .input("data", "Input ndarray")
    .required_param("block_size", ParamType::kInt, "Blocks of [block_size. block_size] are moved")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = space_to_depth_shape(attrs, (*in)[0]);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      move_blocks(out[0], in[0], block_of(attrs), false);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("depth_to_space", {g.ograd()}, g.forward_params())};
    })
    .set_method("space_to_depth")
    .add_sample(op_sample({{2, 2, 4, 6}}, {{"block_size", "2"}}))
    .add_sample(op_sample({{1, 1, 3, 6}}, {{"block_size", "3"}}));

}  // namespace minerva
