// Note [Checked size arithmetic] (core/base/checked.h) and the integer kernels' defined wrap
// (issue 12 rows F2, F4, F18): every size product either fits or is a kValue error naming what
// was computed; signed integer kernels wrap modulo 2^bits as MXNet's and NumPy's do.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>

#include "core/base/checked.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::error_of;
using testing::make_array;
using testing::run1;
using testing::to_vector;

TEST(CheckedArithmetic, ProductsThatFitAreExact) {
  EXPECT_EQ(checked_mul(int64_t{1} << 31, int64_t{1} << 31, "x"), int64_t{1} << 62);
  EXPECT_EQ(checked_add(INT64_MAX - 1, 1, "x"), INT64_MAX);
  EXPECT_EQ(checked_byte_count(int64_t{1} << 40, 8, "x"), size_t{1} << 43);
}

TEST(CheckedArithmetic, OverflowIsAnErrorNamingWhat) {
  EXPECT_NE(error_of([] { checked_mul(int64_t{1} << 62, 4, "tile output"); }).find("tile output overflows"),
            std::string::npos);
  EXPECT_NE(error_of([] { checked_add(INT64_MAX, 1, "count"); }).find("count overflows"), std::string::npos);
  EXPECT_NE(error_of([] { checked_byte_count(int64_t{1} << 62, 4, "zeros"); }).find("zeros needs more bytes"),
            std::string::npos);
  EXPECT_NE(error_of([] { checked_byte_count(-1, 4, "zeros"); }), "");
}

TEST(CheckedArithmetic, ShapeSizeOfZeroSizeShapesIsZero) {
  // A zero dim empties the array whatever the other dims, even past int64 when multiplied.
  EXPECT_EQ(shape_size(Shape{int64_t{1} << 40, int64_t{1} << 40, 0}), 0);
  EXPECT_EQ(shape_size(Shape{}), 1);
  EXPECT_NE(error_of([] { shape_size(Shape{int64_t{1} << 40, int64_t{1} << 40}); }).find("element count"),
            std::string::npos);
}

TEST(CheckedArithmetic, AllocationAndExternalArraysCheckTheirBytes) {  // F2
  const Shape huge{int64_t{1} << 31, int64_t{1} << 31};
  EXPECT_NE(error_of([&] { NDArray a(huge, DType::kFloat32, Context::cpu(0)); }).find("needs more bytes"),
            std::string::npos);
  int dummy = 0;
  EXPECT_NE(error_of([&] { NDArray::from_external(&dummy, huge, DType::kFloat32, Context::cpu(0), nullptr, true); })
                .find("needs more bytes"),
            std::string::npos);
  EXPECT_NE(error_of([&] { NDArray::from_external(&dummy, Shape{-1}, DType::kFloat32, Context::cpu(0), nullptr, true); })
                .find("non-negative"),
            std::string::npos);
  EXPECT_NE(error_of([] { invoke("_eye", {}, {{"N", "2147483648"}}); }).find("needs more bytes"), std::string::npos);
}

TEST(CheckedArithmetic, ShapeProductsOfOperatorsAreChecked) {  // F4
  NDArray four = make_array({4}, {1, 2, 3, 4}, DType::kInt32);
  EXPECT_NE(error_of([&] { run1("repeat", {four}, {{"repeats", "4611686018427387904"}}); })
                .find("Operator repeat: output length"),
            std::string::npos);
  EXPECT_NE(error_of([&] { run1("repeat", {four}, {{"repeats", "4611686018427387904"}, {"axis", "0"}}); })
                .find("Operator repeat: output axis 0"),
            std::string::npos);
  EXPECT_NE(error_of([&] { run1("tile", {four}, {{"reps", "(4611686018427387904,)"}}); })
                .find("Operator tile: output dimension 0"),
            std::string::npos);
  EXPECT_NE(error_of([] { invoke("_arange", {}, {{"start", "0"}, {"stop", "1e19"}, {"repeat", "2"}}); })
                .find("Operator _arange"),
            std::string::npos);
  EXPECT_NE(error_of([] { invoke("_arange", {}, {{"start", "0"}, {"stop", "4e18"}, {"repeat", "4"}}); })
                .find("output length (values * repeat) overflows"),
            std::string::npos);
  NDArray x = make_array({2, 3}, {});
  EXPECT_NE(error_of([&] { run1("Reshape", {x}, {{"shape", "(4611686018427387904, 4, -1)"}}); })
                .find("Operator Reshape: product of the known dimensions overflows"),
            std::string::npos);
}

TEST(CheckedArithmetic, SignedIntegerKernelsWrap) {  // F18: defined, MXNet's/NumPy's values
  NDArray a = make_array({3}, {INT32_MIN, -7, 5}, DType::kInt32);
  NDArray m1 = make_array({3}, {-1, 0, -1}, DType::kInt32);
  EXPECT_EQ(to_vector(run1("negative", {a})), (std::vector<double>{INT32_MIN, 7, -5}));
  EXPECT_EQ(to_vector(run1("abs", {a})), (std::vector<double>{INT32_MIN, 7, 5}));
  EXPECT_EQ(to_vector(run1("square", {a})), (std::vector<double>{0, 49, 25}));
  EXPECT_EQ(to_vector(run1("elemwise_add", {a, a})), (std::vector<double>{0, -14, 10}));
  EXPECT_EQ(to_vector(run1("elemwise_sub", {a, make_array({3}, {1, 1, 1}, DType::kInt32)})),
            (std::vector<double>{INT32_MAX, -8, 4}));
  EXPECT_EQ(to_vector(run1("elemwise_mul", {a, m1})), (std::vector<double>{INT32_MIN, 0, -5}));
  // Division by -1 wraps, by zero gives 0 (MXNet dies of SIGFPE on both); mod by 0 is 0 as in MXNet.
  EXPECT_EQ(to_vector(run1("elemwise_div", {a, m1})), (std::vector<double>{INT32_MIN, 0, -5}));
  EXPECT_EQ(to_vector(run1("broadcast_mod", {a, m1})), (std::vector<double>{0, 0, 0}));
  // Integer sums and products wrap modulo 2^64 (MXNet 1.9.1: sum = -4611686018427387903, prod = 0).
  const double two62 = static_cast<double>(int64_t{1} << 62);
  NDArray big = make_array({4}, {two62, two62, two62, 1}, DType::kInt64);
  EXPECT_EQ(to_vector(run1("sum", {big}))[0], static_cast<double>(INT64_C(-4611686018427387903)));
  EXPECT_EQ(to_vector(run1("prod", {big}))[0], 0.0);
  NDArray b = make_array({2}, {static_cast<double>(INT64_MIN), 3}, DType::kInt64);
  EXPECT_EQ(to_vector(run1("_mul_scalar", {b}, {{"scalar", "-1"}}))[0], static_cast<double>(INT64_MIN));
}

}  // namespace
}  // namespace minerva
