// What the golden cases (tools/golden/op_cases/nn_extra.py) cannot show about the operators of
// nn_regression.cc, nn_normalize.cc, nn_upsample_crop.cc, nn_spatial.cc and softmin /
// SoftmaxActivation: shape inference of partially known inputs, the errors for bad input (each
// names the operator and what was wrong), and the `_backward_*` operators refusing inputs that
// do not fit, since symbol JSON can call them directly.
#include <gtest/gtest.h>

#include "core/op/invoke.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::error_of;
using testing::make_array;
using testing::run1;
using testing::to_vector;

// Shape inference with some inputs unknown (empty); returns (inputs, outputs) after inference.
std::pair<std::vector<Shape>, std::vector<Shape>> infer(const std::string& name, std::vector<Shape> in,
                                                        const KeyValues& params = {}) {
  const OpDef& op = OpRegistry::get().lookup(name);
  AttrsPtr attrs = op.parse(params);
  std::vector<Shape> out(static_cast<size_t>(op.outputs_for(*attrs)));
  std::vector<int> in_types(in.size(), static_cast<int>(DType::kFloat32)), out_types(out.size(), -1);
  infer_shapes_and_types(op, *attrs, &in, &out, &in_types, &out_types);
  return {in, out};
}

NDArray zeros(const Shape& s, DType t = DType::kFloat32) { return make_array(s, {}, t); }

void expect_error(const std::string& msg, const std::vector<std::string>& parts) {
  ASSERT_FALSE(msg.empty()) << "no error raised";
  for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
}

// ---- loss layers ---------------------------------------------------------------------------------

TEST(OpsNNExtra, RegressionLabelShapeRules) {
  // An unknown label is data's shape, or (batch,) for (batch, 1) data, as in MXNet.
  EXPECT_EQ(infer("LinearRegressionOutput", {{4, 1}, {}}).first[1], (Shape{4}));
  EXPECT_EQ(infer("LogisticRegressionOutput", {{4, 3}, {}}).first[1], (Shape{4, 3}));
  // Any label with data's batch size and element count is accepted.
  EXPECT_EQ(infer("MAERegressionOutput", {{2, 3, 2}, {2, 6}}).second[0], (Shape{2, 3, 2}));
  expect_error(error_of([] { run1("LinearRegressionOutput", {zeros({2, 3}), zeros({6})}); }),
               {"LinearRegressionOutput", "label", "(6,)", "(2, 3)"});
  expect_error(error_of([] { run1("MAERegressionOutput", {zeros({2, 3}), zeros({3, 2})}); }),
               {"MAERegressionOutput", "label"});
}

TEST(OpsNNExtra, LossLayersRefuseIntegerData) {
  for (const char* name : {"LinearRegressionOutput", "SVMOutput"}) {
    Shape label = std::string(name) == "SVMOutput" ? Shape{2} : Shape{2, 3};
    expect_error(error_of([&] { run1(name, {zeros({2, 3}, DType::kInt32), zeros(label, DType::kInt32)}); }),
                 {name, "float"});
  }
  expect_error(error_of([] { run1("MakeLoss", {zeros({2, 3}, DType::kInt32)}); }), {"MakeLoss", "int32"});
  // make_loss takes any dtype, as MXNet's does.
  EXPECT_EQ(run1("make_loss", {zeros({2}, DType::kInt32)}).dtype(), DType::kInt32);
}

TEST(OpsNNExtra, SVMOutputShapes) {
  EXPECT_EQ(infer("SVMOutput", {{2, 3, 4}, {}}).first[1], (Shape{2, 3}));
  expect_error(error_of([] { run1("SVMOutput", {zeros({2, 3}), zeros({3})}); }), {"SVMOutput", "label", "(2,)"});
  expect_error(error_of([] { run1("SVMOutput", {zeros({5}), zeros({5})}); }), {"SVMOutput", "2 dimensions"});
}

TEST(OpsNNExtra, LossBackwardOperatorsCheckTheirInputs) {
  // (label, out) of different sizes: an error, never a read past the label.
  expect_error(error_of([] { run1("_backward_linear_reg_out", {zeros({2}), zeros({2, 3})}); }),
               {"_backward_linear_reg_out", "label"});
  expect_error(error_of([] { run1("_backward_SVMOutput", {zeros({1}), zeros({4, 3})}); }),
               {"_backward_SVMOutput", "label"});
  expect_error(error_of([] { run1("_backward_MakeLoss", {zeros({2})}, {{"normalization", "sum"}}); }),
               {"normalization", "sum"});
}

TEST(OpsNNExtra, MakeLossNamesItsOutputLoss) {
  const OpDef& op = OpRegistry::get().lookup("make_loss");
  EXPECT_EQ(op.output_names_for(*op.parse({})), (std::vector<std::string>{"loss"}));
}

// ---- softmin and SoftmaxActivation --------------------------------------------------------------

TEST(OpsNNExtra, SoftminIsSoftmaxOfTheNegation) {
  NDArray x = make_array({2, 3}, {1, 2, 3, 3, 2, 1});
  // MXNet's documented example.
  testing::expect_values(run1("softmin", {x}, {{"axis", "1"}}),
                         {0.66524094, 0.24472848, 0.09003057, 0.09003057, 0.24472848, 0.66524094});
  expect_error(error_of([&] { run1("softmin", {x}, {{"use_length", "True"}}); }), {"softmin", "use_length"});
  // Its dtype-changing backward refuses inputs of other shapes than data.
  expect_error(error_of([&] { run1("_backward_softmin", {zeros({2, 2}), zeros({2, 3}), x}); }),
               {"_backward_softmin", "ograd", "(2, 3)", "(2, 2)"});
}

TEST(OpsNNExtra, SoftmaxActivationModes) {
  expect_error(error_of([] { run1("SoftmaxActivation", {zeros({2, 3})}, {{"mode", "channel"}}); }),
               {"SoftmaxActivation", "channel", "3 dimensions"});
  // instance mode: over the last axis, as MXNet's forward.
  auto v = to_vector(run1("SoftmaxActivation", {make_array({2, 2, 2}, {0, 0, 1, 1, 0, 2, 0, 2})}));
  EXPECT_NEAR(v[0], 0.5, 1e-6);
  EXPECT_NEAR(v[4], 0.11920292, 1e-6);
}

// ---- L2Normalization and LRN ---------------------------------------------------------------------

TEST(OpsNNExtra, NormalizationsHideTheirNormaliser) {
  // MXNet's hidden outputs and their shapes: one visible output each.
  EXPECT_EQ(infer("L2Normalization", {{2, 3, 4}}).second, (std::vector<Shape>{{2, 3, 4}, {2}}));
  EXPECT_EQ(infer("L2Normalization", {{2, 3, 4}}, {{"mode", "channel"}}).second[1], (Shape{2, 1, 4}));
  EXPECT_EQ(infer("L2Normalization", {{2, 3, 4}}, {{"mode", "spatial"}}).second[1], (Shape{2, 3}));
  EXPECT_EQ(infer("LRN", {{1, 3, 2, 2}}, {{"nsize", "3"}}).second[1], (Shape{1, 3, 2, 2}));
  EXPECT_EQ(invoke("LRN", {zeros({1, 3, 2, 2})}, {{"nsize", "3"}}).size(), 1u);
  const OpDef& l2 = OpRegistry::get().lookup("L2Normalization");
  EXPECT_EQ(l2.output_names_for(*l2.parse({})), (std::vector<std::string>{"output", "norm"}));
}

TEST(OpsNNExtra, NormalizationErrors) {
  expect_error(error_of([] { run1("L2Normalization", {zeros({2, 3})}, {{"mode", "spatial"}}); }),
               {"L2Normalization", "spatial", "3 dimensions", "(2, 3)"});
  expect_error(error_of([] { run1("LRN", {zeros({2, 3, 4})}, {{"nsize", "3"}}); }), {"LRN", "4-D", "(2, 3, 4)"});
  expect_error(error_of([] { run1("LRN", {zeros({1, 3, 2, 2})}, {{"nsize", "2"}}); }), {"LRN", "nsize", "odd"});
  expect_error(error_of([] { run1("LRN", {zeros({1, 3, 2, 2})}); }), {"LRN", "nsize"});
  expect_error(error_of([] { run1("LRN", {zeros({1, 3, 2, 2}, DType::kInt32)}, {{"nsize", "1"}}); }),
               {"LRN", "int32"});
  // Backward operators refuse a normaliser that does not fit the data.
  expect_error(error_of([] {
                 run1("_backward_L2Normalization", {zeros({2, 3}), zeros({2, 3}), zeros({3})});
               }),
               {"_backward_L2Normalization", "norm", "(2,)", "(3,)"});
  expect_error(error_of([] {
                 run1("_backward_LRN", {zeros({1, 3, 2, 2}), zeros({1, 3, 2, 2}), zeros({1, 3, 2})}, {{"nsize", "3"}});
               }),
               {"_backward_LRN", "tmp_norm"});
}

// ---- UpSampling and Crop -------------------------------------------------------------------------

const KeyValues kNearest2{{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "2"}};

TEST(OpsNNExtra, UpSamplingShapesAndInputs) {
  // Bilinear: the weight's shape follows from data and scale, whatever num_args says.
  const KeyValues bilinear{{"scale", "3"}, {"sample_type", "bilinear"}, {"num_filter", "2"}, {"num_args", "1"}};
  auto r = infer("UpSampling", {{1, 2, 3, 4}, {}}, bilinear);
  EXPECT_EQ(r.first[1], (Shape{2, 1, 5, 5}));
  EXPECT_EQ(r.second[0], (Shape{1, 2, 9, 12}));
  const OpDef& up = OpRegistry::get().lookup("UpSampling");
  EXPECT_EQ(up.inputs_for(*up.parse(bilinear)), (std::vector<std::string>{"data", "weight"}));
  EXPECT_EQ(up.inputs_for(*up.parse(kNearest2)), (std::vector<std::string>{"arg0", "arg1"}));
  EXPECT_EQ(infer("UpSampling", {{1, 2, 2, 2}, {1, 3, 4, 4}}, kNearest2).second[0], (Shape{1, 5, 4, 4}));
}

TEST(OpsNNExtra, UpSamplingErrors) {
  expect_error(error_of([] { run1("UpSampling", {zeros({1, 2, 2, 2}), zeros({1, 2, 3, 3})}, kNearest2); }),
               {"UpSampling", "height 3", "input 1", "does not divide"});
  expect_error(error_of([] { run1("UpSampling", {zeros({1, 2, 2, 2}), zeros({1, 2, 2, 4})}, kNearest2); }),
               {"UpSampling", "input 1", "factors must be equal"});
  KeyValues sum = kNearest2;
  sum.emplace_back("multi_input_mode", "sum");
  expect_error(error_of([&] { run1("UpSampling", {zeros({1, 2, 2, 2}), zeros({1, 3, 4, 4})}, sum); }),
               {"UpSampling", "sum", "channels"});
  expect_error(error_of([] {
                 run1("UpSampling", {zeros({2, 3, 4})},
                      {{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "1"}});
               }),
               {"UpSampling", "4-D", "(2, 3, 4)"});
  expect_error(error_of([] {
                 run1("UpSampling", {zeros({1, 2, 2, 2}), zeros({2, 1, 3, 3})},
                      {{"scale", "2"}, {"sample_type", "bilinear"}, {"num_filter", "2"}, {"num_args", "2"}});
               }),
               {"UpSampling", "weight", "(2, 1, 4, 4)", "(2, 1, 3, 3)"});
  expect_error(error_of([] {
                 run1("UpSampling", {zeros({1, 2, 2, 2}), zeros({2, 1, 4, 4})},
                      {{"scale", "2"}, {"sample_type", "bilinear"}, {"num_args", "2"}});
               }),
               {"UpSampling", "num_filter"});
  expect_error(error_of([] {
                 run1("UpSampling", {zeros({1, 1, 1, 1})},
                      {{"scale", "0"}, {"sample_type", "nearest"}, {"num_args", "1"}});
               }),
               {"scale"});
  // The backward operator refuses an ograd that the forward inputs cannot produce.
  expect_error(error_of([] {
                 invoke("_backward_UpSampling", {zeros({1, 5, 4, 4}), zeros({1, 2, 2, 2}), zeros({1, 2, 4, 4})},
                        kNearest2);
               }),
               {"_backward_UpSampling", "ograd", "(1, 4, 4, 4)", "(1, 5, 4, 4)"});
}

TEST(OpsNNExtra, CropErrors) {
  NDArray x = zeros({1, 2, 5, 5});
  expect_error(error_of([&] { run1("Crop", {x}, {{"num_args", "1"}, {"h_w", "(6, 2)"}}); }),
               {"Crop", "height 6", "exceeds"});
  expect_error(error_of([&] { run1("Crop", {x}, {{"num_args", "1"}, {"h_w", "(0, 2)"}}); }), {"Crop", "h_w"});
  expect_error(error_of([&] { run1("Crop", {x}, {{"num_args", "1"}, {"h_w", "(2, 2)"}, {"offset", "(4, 0)"}}); }),
               {"Crop", "offset[0] = 4", "[0, 3]"});
  expect_error(error_of([&] { run1("Crop", {x}, {{"num_args", "1"}, {"h_w", "(2, 2)"}, {"offset", "(1,)"}}); }),
               {"Crop", "offset", "(y, x)"});
  expect_error(error_of([&] { run1("Crop", {x, zeros({1, 1, 6, 2})}, {{"num_args", "2"}}); }), {"Crop", "exceeds"});
  expect_error(error_of([] { run1("Crop", {zeros({2, 5, 5})}, {{"num_args", "1"}, {"h_w", "(2, 2)"}}); }),
               {"Crop", "4-D"});
  expect_error(error_of([&] { run1("Crop", {x, x, x}, {{"num_args", "3"}}); }), {"num_args"});
  expect_error(error_of([] {
                 run1("_backward_Crop", {zeros({1, 2, 3, 3}), zeros({1, 3, 5, 5})}, {{"num_args", "1"}});
               }),
               {"_backward_Crop", "does not fit"});
  // Any dtype crops (the window is copied as bytes).
  NDArray ints = make_array({1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8}, DType::kInt32);
  testing::expect_values(run1("Crop", {ints}, {{"num_args", "1"}, {"h_w", "(2, 2)"}, {"offset", "(1, 0)"}}),
                         {3, 4, 6, 7});
}

// ---- GridGenerator, BilinearSampler, SpatialTransformer ------------------------------------------

const KeyValues kAffine23{{"transform_type", "affine"}, {"target_shape", "(2, 3)"}};
const KeyValues kTransformer{{"target_shape", "(2, 2)"}, {"transform_type", "affine"}, {"sampler_type", "bilinear"}};

TEST(OpsNNExtra, SpatialHiddenOutputs) {
  EXPECT_EQ(infer("GridGenerator", {{2, 6}}, kAffine23).second, (std::vector<Shape>{{2, 2, 2, 3}, {3, 6}}));
  EXPECT_EQ(infer("GridGenerator", {{2, 2, 4, 5}}, {{"transform_type", "warp"}}).second[1], (Shape{2, 4, 5}));
  EXPECT_EQ(infer("BilinearSampler", {{2, 3, 4, 5}, {2, 2, 6, 7}}).second,
            (std::vector<Shape>{{2, 3, 6, 7}, {2, 6, 7, 2}}));
  auto r = infer("SpatialTransformer", {{2, 3, 4, 5}, {}}, kTransformer);
  EXPECT_EQ(r.first[1], (Shape{2, 6}));
  EXPECT_EQ(r.second, (std::vector<Shape>{{2, 3, 2, 2}, {3, 4}, {2, 2, 4}}));
}

TEST(OpsNNExtra, SpatialValues) {
  // The identity transform reproduces the input; the centre of a 2x2 image is its mean.
  NDArray img = make_array({1, 1, 2, 2}, {1, 2, 3, 4});
  testing::expect_values(run1("SpatialTransformer", {img, make_array({1, 6}, {1, 0, 0, 0, 1, 0})}, kTransformer),
                         {1, 2, 3, 4});
  testing::expect_values(run1("BilinearSampler", {img, make_array({1, 2, 1, 1}, {0, 0})}), {2.5});
  testing::expect_values(run1("GridGenerator", {make_array({1, 6}, {1, 0, 0, 0, 1, 0})}, kAffine23),
                         {-1, 0, 1, -1, 0, 1, -1, -1, -1, 1, 1, 1});
  // Far-away and infinite grid points read zeros instead of indexing outside the image; NaN stays NaN.
  testing::expect_values(
      run1("BilinearSampler", {img, make_array({1, 2, 1, 4}, {1e30, -1e30, INFINITY, NAN, 0, 0, 0, 0})}),
      {0, 0, 0, NAN});
}

TEST(OpsNNExtra, SpatialErrors) {
  expect_error(error_of([] { run1("GridGenerator", {zeros({2, 5})}, kAffine23); }), {"GridGenerator", "6"});
  expect_error(error_of([] { run1("GridGenerator", {zeros({2, 6})}, {{"transform_type", "affine"}}); }),
               {"GridGenerator", "target_shape"});
  expect_error(error_of([] { run1("GridGenerator", {zeros({2, 3, 4, 4})}, {{"transform_type", "warp"}}); }),
               {"GridGenerator", "2 channels"});
  expect_error(error_of([] { run1("BilinearSampler", {zeros({2, 3, 4, 5}), zeros({1, 2, 3, 3})}); }),
               {"BilinearSampler", "grid", "(1, 2, 3, 3)"});
  expect_error(error_of([] { run1("BilinearSampler", {zeros({2, 3, 4}), zeros({2, 2, 3, 3})}); }),
               {"BilinearSampler", "data", "4-D"});
  expect_error(error_of([] { run1("SpatialTransformer", {zeros({2, 3, 4, 5}), zeros({2, 4})}, kTransformer); }),
               {"SpatialTransformer", "loc", "6"});
  expect_error(error_of([] {
                 run1("SpatialTransformer", {zeros({2, 3, 4, 5}), zeros({2, 6})},
                      {{"transform_type", "affine"}, {"sampler_type", "bilinear"}});
               }),
               {"SpatialTransformer", "target_shape"});
  // Backward operators check the hidden grids they are given.
  expect_error(error_of([] {
                 invoke("_backward_SpatialTransformer",
                        {zeros({2, 3, 2, 2}), zeros({2, 3, 4, 5}), zeros({3, 4}), zeros({2, 2, 3})}, kTransformer);
               }),
               {"_backward_SpatialTransformer", "grid_src", "(2, 2, 4)"});
  expect_error(error_of([] { run1("_backward_GridGenerator", {zeros({2, 2, 2, 3}), zeros({3, 5})}, kAffine23); }),
               {"_backward_GridGenerator", "grid_dst", "(3, 6)"});
  expect_error(error_of([] {
                 invoke("_backward_BilinearSampler", {zeros({2, 3, 3, 4}), zeros({2, 3, 4, 5}), zeros({2, 2, 3, 3})});
               }),
               {"_backward_BilinearSampler", "ograd"});
}

// ---- ROIPooling ----------------------------------------------------------------------------------

const KeyValues kRoi22{{"pooled_size", "(2, 2)"}, {"spatial_scale", "1"}};

TEST(OpsNNExtra, ROIPoolingValuesAndHiddenArgmax) {
  std::vector<double> v(48);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  NDArray x = make_array({1, 1, 8, 6}, v);
  // MXNet's documented example, and the hidden arg-max positions h * W + w.
  auto outs = invoke("ROIPooling", {x, make_array({1, 5}, {0, 0, 0, 4, 4})}, kRoi22);
  ASSERT_EQ(outs.size(), 1u);
  testing::expect_values(outs[0], {14, 16, 26, 28});
  EXPECT_EQ(infer("ROIPooling", {{2, 3, 8, 6}, {5, 5}}, kRoi22).second,
            (std::vector<Shape>{{5, 3, 2, 2}, {5, 3, 2, 2}}));
}

TEST(OpsNNExtra, ROIPoolingErrors) {
  NDArray x = zeros({2, 1, 4, 4});
  expect_error(error_of([&] { run1("ROIPooling", {x, zeros({3, 4})}, kRoi22); }), {"ROIPooling", "rois", "(3, 4)"});
  expect_error(error_of([&] { run1("ROIPooling", {zeros({1, 4, 4}), zeros({3, 5})}, kRoi22); }),
               {"ROIPooling", "4-D"});
  expect_error(error_of([&] {
                 run1("ROIPooling", {x, zeros({1, 5})}, {{"pooled_size", "(0, 2)"}, {"spatial_scale", "1"}});
               }),
               {"ROIPooling", "pooled_size"});
  expect_error(error_of([&] {
                 run1("ROIPooling", {x, zeros({1, 5})}, {{"pooled_size", "(2, 2)"}, {"spatial_scale", "1.5"}});
               }),
               {"spatial_scale"});
  // A batch index outside the data is an error when the kernel runs, never a read past the data.
  expect_error(error_of([&] { to_vector(run1("ROIPooling", {x, make_array({1, 5}, {2, 0, 0, 1, 1})}, kRoi22)); }),
               {"ROIPooling", "batch index 2", "[0, 2)"});
  expect_error(error_of([&] {
                 run1("_backward_ROIPooling", {zeros({1, 1, 2, 2}), x, zeros({1, 5}), zeros({1, 1, 3, 2})}, kRoi22);
               }),
               {"_backward_ROIPooling", "maxidx"});
}

// ---- Correlation ---------------------------------------------------------------------------------

TEST(OpsNNExtra, CorrelationShapes) {
  EXPECT_EQ(infer("Correlation", {{1, 2, 5, 5}, {}}).second,
            (std::vector<Shape>{{1, 9, 3, 3}, {1, 5, 5, 2}, {1, 5, 5, 2}}));
  EXPECT_EQ(infer("Correlation", {{1, 2, 5, 5}, {1, 2, 5, 5}},
                  {{"max_displacement", "2"}, {"stride2", "2"}, {"pad_size", "2"}})
                .second[0],
            (Shape{1, 9, 5, 5}));
}

TEST(OpsNNExtra, CorrelationErrors) {
  NDArray a = zeros({1, 2, 5, 5});
  expect_error(error_of([&] { run1("Correlation", {a, zeros({1, 2, 4, 4})}); }),
               {"Correlation", "data2", "(1, 2, 5, 5)", "(1, 2, 4, 4)"});
  expect_error(error_of([&] { run1("Correlation", {a, a}, {{"kernel_size", "3"}, {"max_displacement", "3"}}); }),
               {"Correlation", "do not fit"});
  expect_error(error_of([&] { run1("Correlation", {a, a}, {{"kernel_size", "2"}}); }), {"Correlation", "odd"});
  expect_error(error_of([&] { run1("Correlation", {a, a}, {{"stride1", "0"}}); }), {"Correlation", "stride1"});
  expect_error(error_of([&] { run1("Correlation", {zeros({2, 5, 5}), zeros({2, 5, 5})}); }), {"Correlation", "4-D"});
  expect_error(error_of([&] {
                 invoke("_backward_Correlation", {zeros({1, 9, 3, 3}), zeros({1, 5, 5, 2}), zeros({1, 5, 4, 2})});
               }),
               {"_backward_Correlation", "tmp2"});
}

// ---- IdentityAttachKLSparseReg -------------------------------------------------------------------

TEST(OpsNNExtra, KLSparseRegShapesAndErrors) {
  EXPECT_EQ(infer("IdentityAttachKLSparseReg", {{3, 4}, {}}).first[1], (Shape{4}));
  const OpDef& op = OpRegistry::get().lookup("IdentityAttachKLSparseReg");
  EXPECT_EQ(op.mutated_for(*op.parse({})), (std::vector<int>{1}));  // moving_avg is an auxiliary state
  expect_error(error_of([] { run1("IdentityAttachKLSparseReg", {zeros({2, 3, 4}), zeros({3})}); }),
               {"IdentityAttachKLSparseReg", "2-D", "(2, 3, 4)"});
  expect_error(error_of([] { run1("IdentityAttachKLSparseReg", {zeros({2, 3}), zeros({2})}); }),
               {"IdentityAttachKLSparseReg", "moving_avg", "(3,)", "(2,)"});
  expect_error(error_of([] {
                 run1("IdentityAttachKLSparseReg", {zeros({2, 3}), zeros({3})}, {{"sparseness_target", "2"}});
               }),
               {"sparseness_target"});
  expect_error(error_of([] {
                 run1("_backward_IdentityAttachKLSparseReg", {zeros({2, 3}), zeros({2, 3}), zeros({4})});
               }),
               {"_backward_IdentityAttachKLSparseReg", "moving_avg"});
}

}  // namespace
}  // namespace minerva
