// SequenceMask, SequenceLast, SequenceReverse and Pad against MXNet 1.9.1: forward values and data
// gradients through autograd (axis 0 and 1, with and without sequence_length; constant, edge and
// reflect padding), plus the error cases.
#include <gtest/gtest.h>

#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::data_of;
using testing::expect_close;
using testing::make_array;
using testing::ograd_of;
using testing::run1;
using testing::to_vector;

struct SeqCase {
  const char* name;
  const char* op;
  Shape data;
  std::vector<double> lengths;  // empty: no sequence_length input
  KeyValues params;
  Shape out_shape;
  std::vector<double> out, dx;  // dx empty: see SequenceLastFullLengthGradient
};

/* The tables were generated with MXNet 1.9.1 (MXNET_SUBGRAPH_BACKEND=NONE) by:
  def pat(shape, a, b, m, sc): i = np.arange(prod(shape)); return ((((i*a + b) % m) - m//2) / sc).reshape(shape)
  x = pat(data, 7, 3, 11, 4.)    # float32 (the oracle crashes on float64 here)
  with autograd.record(): y = getattr(nd, op)(x, [nd.array(lengths)], **params)
  y.backward(pat(y.shape, 3, 2, 5, 2.)); print(y, x.grad)
*/
const SeqCase kSeqCases[] = {
    {"mask0", "SequenceMask", {4, 3, 2}, {1, 4, 2}, {{"use_sequence_length", "True"}, {"value", "-1.5"}},
     {4, 3, 2}, {-0.5, 1.25, 0.25, -0.75, 1, 0, -1.5, -1.5, -0.25, -1.25, 0.5, -0.5, -1.5, -1.5, -0.75, 1, -1.5, -1.5, -1.5, -1.5, -1.25, 0.5, -1.5, -1.5},
     {0, -1, 0.5, -0.5, 1, 0, 0, 0, -0.5, 1, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 0, -1, 0, 0}},
    {"mask1", "SequenceMask", {3, 4, 2}, {3, 0, 2}, {{"use_sequence_length", "True"}, {"axis", "1"}},
     {3, 4, 2}, {-0.5, 1.25, 0.25, -0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0.75, -0.25, 0, 0, 0, 0},
     {0, -1, 0.5, -0.5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0.5, -0.5, 1, 0, 0, 0, 0}},
    {"last0", "SequenceLast", {4, 3, 2}, {1, 4, 2}, {{"use_sequence_length", "True"}},
     {3, 2}, {-0.5, 1.25, -1.25, 0.5, 0.5, -0.5},
     {0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, -0.5, 0, 0}},
    {"last1", "SequenceLast", {3, 4, 2}, {3, 1, 2}, {{"use_sequence_length", "True"}, {"axis", "1"}},
     {3, 2}, {1, 0, -0.25, -1.25, 0.75, -0.25},
     {0, 0, 0, 0, 0, -1, 0, 0, 0.5, -0.5, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0}},
    {"last_full", "SequenceLast", {4, 2, 2}, {}, {},
     {2, 2}, {1.25, 0.25, -0.75, 1},
     {}},
    {"reverse0", "SequenceReverse", {4, 3, 2}, {1, 4, 2}, {{"use_sequence_length", "True"}},
     {4, 3, 2}, {-0.5, 1.25, -1.25, 0.5, 0.5, -0.5, -1, 0.75, -0.75, 1, 1, 0, 1.25, 0.25, -0.25, -1.25, 0, -1, 0.75, -0.25, 0.25, -0.75, -0.5, 1.25},
     {0, -1, 0, -1, 0, -1, -1, 0.5, 1, 0, 1, 0, 0.5, -0.5, -0.5, 1, -1, 0.5, -0.5, 1, 0.5, -0.5, 0.5, -0.5}},
    {"reverse_full", "SequenceReverse", {4, 2, 2}, {}, {},
     {4, 2, 2}, {1.25, 0.25, -0.75, 1, -0.25, -1.25, 0.5, -0.5, 1, 0, -1, 0.75, -0.5, 1.25, 0.25, -0.75},
     {0.5, -0.5, 1, 0, -0.5, 1, 0, -1, 1, 0, -1, 0.5, 0, -1, 0.5, -0.5}},
};

TEST(SequenceOps, MatchMXNet) {
  for (const auto& c : kSeqCases) {
    std::vector<NDArray> in{data_of(c.data)};
    if (!c.lengths.empty()) in.push_back(make_array({static_cast<int64_t>(c.lengths.size())}, c.lengths, DType::kInt32));
    NDArray y = run1(c.op, in, c.params);
    EXPECT_EQ(y.shape(), c.out_shape) << c.name;
    expect_close(to_vector(y), c.out, 1e-12, std::string(c.name) + " forward");
    if (c.dx.empty()) continue;
    NDArray og = ograd_of(c.out_shape);
    auto g = testing::grads_of({in[0]}, og, [&](const std::vector<NDArray>& x) {
      std::vector<NDArray> args{x[0]};
      if (in.size() > 1) args.push_back(in[1]);
      return run1(c.op, args, c.params);
    });
    expect_close(to_vector(g[0]), c.dx, 1e-12, std::string(c.name) + " data gradient");
  }
}

// MXNet 1.9.1's own backward corrupts memory for SequenceLast without sequence_length; the
// gradient is ograd written at the final step.
TEST(SequenceOps, SequenceLastFullLengthGradient) {
  NDArray x = make_array({3, 2}, {1, 2, 3, 4, 5, 6}, DType::kFloat64);
  auto g = testing::grads_of({x}, make_array({2}, {7, 8}, DType::kFloat64),
                             [](const std::vector<NDArray>& a) { return run1("SequenceLast", a); });
  expect_close(to_vector(g[0]), {0, 0, 0, 0, 7, 8}, 0, "gradient");
}

TEST(SequenceOps, Errors) {
  NDArray x = make_array({3, 2}, {}, DType::kFloat32);
  auto err = [&](const char* op, std::vector<double> len, KeyValues p) {
    return testing::error_of([&] { to_vector(run1(op, {x, make_array({static_cast<int64_t>(len.size())}, len)}, p)); });
  };
  EXPECT_NE(err("SequenceLast", {0, 1}, {{"use_sequence_length", "True"}}).find("sequence_length[0]"), std::string::npos);
  EXPECT_NE(err("SequenceMask", {1, 1, 1}, {{"use_sequence_length", "True"}}).find("sequence_length"), std::string::npos);
  EXPECT_NE(err("SequenceReverse", {1, 1}, {{"use_sequence_length", "True"}, {"axis", "1"}}).find("axis"), std::string::npos);
}

struct PadCase {
  const char* name;
  Shape data;
  KeyValues params;
  Shape out_shape;
  std::vector<double> out, dx;
};

// Generated like kSeqCases, with nd.pad(x, **params).
const PadCase kPadCases[] = {
    {"constant", {1, 2, 3, 3}, {{"mode", "constant"}, {"pad_width", "(0, 0, 0, 0, 1, 2, 2, 1)"}, {"constant_value", "0.5"}},
     {1, 2, 6, 6}, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -0.5, 1.25, 0.25, 0.5, 0.5, 0.5, -0.75, 1, 0, 0.5, 0.5, 0.5, -1, 0.75, -0.25, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, -1.25, 0.5, -0.5, 0.5, 0.5, 0.5, 1.25, 0.25, -0.75, 0.5, 0.5, 0.5, 1, 0, -1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5},
     {-0.5, 1, 0, 1, 0, -1, 0, -1, 0.5, 1, 0, -1, 0, -1, 0.5, -1, 0.5, -0.5}},
    {"edge", {1, 1, 3, 4}, {{"mode", "edge"}, {"pad_width", "(0, 0, 0, 0, 2, 1, 1, 3)"}},
     {1, 1, 6, 8}, {-0.5, -0.5, 1.25, 0.25, -0.75, -0.75, -0.75, -0.75, -0.5, -0.5, 1.25, 0.25, -0.75, -0.75, -0.75, -0.75, -0.5, -0.5, 1.25, 0.25, -0.75, -0.75, -0.75, -0.75, 1, 1, 0, -1, 0.75, 0.75, 0.75, 0.75, -0.25, -0.25, -1.25, 0.5, -0.5, -0.5, -0.5, -0.5, -0.25, -0.25, -1.25, 0.5, -0.5, -0.5, -0.5, -0.5},
     {-1, 0, -0.5, 0.5, 1, -1, 0.5, -0.5, -1, 1.5, -0.5, 0.5}},
    {"reflect", {2, 1, 3, 4}, {{"mode", "reflect"}, {"pad_width", "(0, 0, 0, 0, 2, 1, 1, 3)"}},
     {2, 1, 6, 8}, {-1.25, -0.25, -1.25, 0.5, -0.5, 0.5, -1.25, -0.25, 0, 1, 0, -1, 0.75, -1, 0, 1, 1.25, -0.5, 1.25, 0.25, -0.75, 0.25, 1.25, -0.5, 0, 1, 0, -1, 0.75, -1, 0, 1, -1.25, -0.25, -1.25, 0.5, -0.5, 0.5, -1.25, -0.25, 0, 1, 0, -1, 0.75, -1, 0, 1, 0.5, -1.25, 0.5, -0.5, 1.25, -0.5, 0.5, -1.25, -1, 0, -1, 0.75, -0.25, 0.75, -1, 0, 0.25, 1.25, 0.25, -0.75, 1, -0.75, 0.25, 1.25, -1, 0, -1, 0.75, -0.25, 0.75, -1, 0, 0.5, -1.25, 0.5, -0.5, 1.25, -0.5, 0.5, -1.25, -1, 0, -1, 0.75, -0.25, 0.75, -1, 0},
     {0, -1, 0, 0, -0.5, 0, -0.5, 1, 0, 0.5, 0, 0, -1, 0, 1.5, -0.5, 1.5, 0.5, -1, -0.5, 0.5, 0, -2, 1.5}},
    {"reflect5d", {1, 1, 2, 3, 3}, {{"mode", "reflect"}, {"pad_width", "(0, 0, 0, 0, 1, 1, 1, 0, 0, 2)"}},
     {1, 1, 4, 4, 5}, {1.25, 0.25, -0.75, 0.25, 1.25, -1.25, 0.5, -0.5, 0.5, -1.25, 1.25, 0.25, -0.75, 0.25, 1.25, 1, 0, -1, 0, 1, -0.75, 1, 0, 1, -0.75, -0.5, 1.25, 0.25, 1.25, -0.5, -0.75, 1, 0, 1, -0.75, -1, 0.75, -0.25, 0.75, -1, 1.25, 0.25, -0.75, 0.25, 1.25, -1.25, 0.5, -0.5, 0.5, -1.25, 1.25, 0.25, -0.75, 0.25, 1.25, 1, 0, -1, 0, 1, -0.75, 1, 0, 1, -0.75, -0.5, 1.25, 0.25, 1.25, -0.5, -0.75, 1, 0, 1, -0.75, -1, 0.75, -0.25, 0.75, -1},
     {2, -3, 1, 4, -6, 2, 2, -3, 1, 2, -3, 1, 4, -6, 2, 2, -3, 1}},
};

TEST(PadOps, MatchMXNet) {
  for (const auto& c : kPadCases) {
    NDArray x = data_of(c.data);
    NDArray y = run1("pad", {x}, c.params);
    EXPECT_EQ(y.shape(), c.out_shape) << c.name;
    expect_close(to_vector(y), c.out, 1e-12, std::string(c.name) + " forward");
    NDArray og = ograd_of(c.out_shape);
    auto g = testing::grads_of({x}, og, [&](const std::vector<NDArray>& a) { return run1("Pad", a, c.params); });
    expect_close(to_vector(g[0]), c.dx, 1e-12, std::string(c.name) + " data gradient");
  }
}

TEST(PadOps, Errors) {
  NDArray x = make_array({1, 1, 2, 2}, {}, DType::kFloat32);
  auto err = [&](KeyValues p) { return testing::error_of([&] { run1("Pad", {x}, p); }); };
  EXPECT_NE(err({{"mode", "constant"}, {"pad_width", "(0, 0, 1, 1)"}}).find("pad_width"), std::string::npos);
  EXPECT_NE(err({{"mode", "reflect"}, {"pad_width", "(0, 0, 0, 0, 2, 0, 0, 0)"}}).find("reflect"), std::string::npos);
}

}  // namespace
}  // namespace minerva
