// Bad shapes and counts reach every operator's inference as errors (issue 12 rows F5, F6, F12,
// F14). The registry walk gives each operator's samples inputs of too low a rank: inference must
// answer with a minerva::Error or a shape, never another exception. Reading a dimension before
// checking the rank (F12's InstanceNorm read d[1] of a 1-d shape) is silent in a release build;
// under the sanitizer build the same walk turns it into a failure.
#include <gtest/gtest.h>

#include <chrono>

#include "core/op/op.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::error_of;
using testing::make_array;
using testing::run1;

TEST(BadShapes, LowRankInputsNeverEscapeAsOtherExceptions) {
  const std::vector<Shape> low_rank{{5}, {2, 3}};
  for (const std::string& name : OpRegistry::get().names()) {
    const OpDef& op = OpRegistry::get().lookup(name);
    if (!op.infer_shape) continue;
    for (const OpSample& s : op.samples) {
      AttrsPtr attrs = op.parse(s.params);
      for (size_t i = 0; i < s.shapes.size(); ++i) {
        for (const Shape& bad : low_rank) {
          if (bad.size() >= s.shapes[i].size()) continue;
          std::vector<Shape> in = s.shapes, out(static_cast<size_t>(op.outputs_for(*attrs)));
          in[i] = bad;
          std::vector<int> in_types(in.size(), 0), out_types(out.size(), -1);
          try {
            infer_shapes_and_types(op, *attrs, &in, &out, &in_types, &out_types);
          } catch (const Error&) {
          } catch (const std::exception& e) {
            ADD_FAILURE() << name << ": input " << i << " of shape " << shape_str(bad) << " escaped as "
                          << e.what();
          }
        }
      }
    }
  }
}

TEST(BadShapes, InstanceNormChecksTheRankFirst) {  // F12
  NDArray v = make_array({5}, {});
  EXPECT_NE(error_of([&] { invoke("InstanceNorm", {v, v, v}, {}); }).find("at least 3 dimensions"), std::string::npos);
}

TEST(BadShapes, CountParametersAreBoundedBeforeAllocation) {  // F5
  NDArray x = make_array({4}, {1, 2, 3, 4});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_NE(error_of([&] { invoke("split", {x}, {{"num_outputs", "1000000000"}}); })
                .find("outputs; expected between 0 and 1048576"),
            std::string::npos);
  for (const char* op : {"add_n", "Concat", "stack"})
    EXPECT_NE(error_of([&] { invoke(op, {x}, {{"num_args", "1000000000"}}); }).find("num_args=1000000000 asks for"),
              std::string::npos)
        << op;
  EXPECT_NE(error_of([&] { invoke("add_n", {x}, {{"num_args", "-3"}}); }).find("out of range"), std::string::npos);
  EXPECT_NE(error_of([&] { invoke("add_n", {x, x}, {{"num_args", "3"}}); }).find("asks for 3 input(s), but 2"),
            std::string::npos);
  // Refused before a billion names or shapes were built.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(BadShapes, ZeroSizeArraysWithHugeDimsReturnAtOnce) {  // F6
  const int64_t big = int64_t{1} << 31;
  NDArray a(Shape{big, big, 0}, DType::kFloat32, Context::cpu(0));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(run1("max", {a}, {{"axis", "0"}}).shape(), (Shape{big, 0}));
  EXPECT_EQ(run1("norm", {a}, {{"axis", "0"}}).shape(), (Shape{big, 0}));
  NDArray r = run1("SequenceReverse", {a});
  r.wait_to_read();
  EXPECT_EQ(r.shape(), (Shape{big, big, 0}));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  // A reduction over an empty axis with a non-empty result gives the identity, computed from the
  // real counts (sum of nothing is 0).
  testing::expect_values(run1("sum", {NDArray(Shape{3, 0}, DType::kFloat32, Context::cpu(0))}, {{"axis", "1"}}),
                         {0, 0, 0});
}

TEST(BadShapes, ArgmaxOfAnEmptySequenceRaises) {  // F14
  NDArray e30(Shape{3, 0}, DType::kFloat32, Context::cpu(0));
  NDArray e03(Shape{0, 3}, DType::kFloat32, Context::cpu(0));
  EXPECT_NE(error_of([&] { run1("argmax_channel", {e30}); }).find("Operator argmax_channel: attempt to get argmax of an empty sequence"),
            std::string::npos);
  EXPECT_NE(error_of([&] { run1("argmax", {e30}, {{"axis", "1"}}); }).find("argmax of an empty sequence (axis 1"),
            std::string::npos);
  EXPECT_NE(error_of([&] { run1("argmin", {e03}, {{"axis", "0"}}); }).find("Operator argmin: attempt to get argmin"),
            std::string::npos);
  EXPECT_NE(error_of([&] { run1("argmax", {e03}); }).find("the flattened input"), std::string::npos);
  EXPECT_EQ(run1("argmax", {e03}, {{"axis", "1"}}).shape(), (Shape{0}));  // NumPy: shape (0,)
}

}  // namespace
}  // namespace minerva
