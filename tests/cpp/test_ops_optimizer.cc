// Optimizer updates added for Gluon's optimizers, against MXNet 1.9.1: the new weight and every
// updated state after one step, for nag_mom_update, signsgd_update, signum_update, ftrl_update,
// ftml_update, rmspropalex_update and the multi-precision mp_sgd_update, mp_sgd_mom_update and
// mp_nag_mom_update (float16 weights, float32 states).
#include <gtest/gtest.h>

#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::expect_close;
using testing::make_array;
using testing::to_vector;

struct UpdateCase {
  const char* op;
  int num_states;
  KeyValues params;
  std::vector<double> weight;               // after the step
  std::vector<std::vector<double>> states;  // after the step
};

const std::vector<double> kWeight{0.5, -1.0, 2.0, 0.0, -0.25, 1.5};
const std::vector<double> kGrad{0.3, -2.0, 0.7, 1.2, -0.1, 0.0};
const std::vector<double> kS1{0.1, 0.2, -0.3, 0.0, 0.05, -0.1};
const std::vector<double> kS2{0.5, 0.1, 0.9, 0.2, 0.3, 0.05};
const std::vector<double> kS3{-0.2, 0.3, 0.1, 0.0, 0.4, -0.5};

std::vector<double> scaled(const std::vector<double>& v, double s) {
  std::vector<double> r(v);
  for (auto& x : r) x *= s;
  return r;
}

// The states case k of kUpdateCases starts from.
std::vector<std::vector<double>> initial_states(size_t k) {
  const std::vector<double> zero(6, 0.0);
  switch (k) {
    case 5: case 6: return {kS1, kS2};                     // ftrl: z, n
    case 7: return {kS2, scaled(kS2, 0.5), kS1};           // ftml: d, v, z
    case 8: return {zero, zero, zero};                     // ftml's first step
    case 9: case 10: return {kS2, scaled(kS1, 0.1), kS3};  // rmspropalex: n, g, delta
    default: return {kS1, kS2, kS3};
  }
}

/* Generated with MXNet 1.9.1 (MXNET_SUBGRAPH_BACKEND=NONE), all float64:
  w, g = nd.array(kWeight), nd.array(kGrad); states = [nd.array(s) for s in initial_states(k)]
  getattr(nd, op)(w, g, *states, out=w, **params); print(w, *states)
*/
const UpdateCase kUpdateCases[] = {
    {"nag_mom_update", 1, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}},
     {0.5230499955933542, -0.4561000077269971, 1.620200012637675, -0.22800000053644176, -0.1900250021105632, 1.4161500043485313},
     {{0.05947694717708306, 0.3804560982161894, -0.34162019389109016, -0.11977200178930163, 0.055190023957613486, -0.09141614760961161}}},
    {"nag_mom_update", 1, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}, {"clip_gradient", "0.5"}, {"rescale_grad", "2.0"}},
     {0.48504999550394723, -0.7411000083975493, 1.6582000127270817, -0.0950000002235174, -0.17102500206585972, 1.4161500043485313},
     {{0.039514946878866114, 0.2307410959795624, -0.32165819359287323, -0.04990500074554235, 0.06517102410672196, -0.09141614760961161}}},
    {"signsgd_update", 0, {{"lr", "0.1"}, {"wd", "0.01"}},
     {0.3994999985136092, -0.8989999985173345, 1.897999998524785, -0.10000000149011612, -0.14974999851174653, 1.498500000011176},
     {}},
    {"signum_update", 1, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}, {"wd_lh", "0.1"}},
     {0.5950000013411045, -0.8899999982118607, 1.8799999979138375, -0.10000000149011612, -0.1474999984353781, 1.3849999980628491},
     {{0.05949999035522343, 0.3810000431314111, -0.3420000099688768, -0.12000002861022949, 0.05525000124610961, -0.09149999793991447}}},
    {"signum_update", 1, {{"lr", "0.1"}, {"momentum", "0.9"}, {"clip_gradient", "0.5"}, {"rescale_grad", "0.5"}},
     {0.6000000014901161, -0.8999999985098839, 1.8999999985098839, -0.10000000149011612, -0.14999999850988388, 1.3999999985098839},
     {{0.07499999403953553, 0.2300000071525574, -0.3050000011920929, -0.050000011920928955, 0.05, -0.08999999761581422}}},
    {"ftrl_update", 2, {{"lr", "0.1"}, {"lamda1", "0.3"}, {"wd", "0.01"}},
     {0, -0.4952724179241269, 0.17917511083787221, -0.03944557329328228, 0, 0},
     {{0.09496103654386837, 15.2861788165443, -4.205986215458374, 1.2, -0.0273653033926929, -0.1}, {0.59, 4.1, 1.39, 1.64, 0.31, 0.05}}},
    {"ftrl_update", 2, {{"lr", "0.5"}, {"lamda1", "0.01"}, {"beta", "2.0"}, {"clip_gradient", "1.0"}, {"rescale_grad", "1.5"}},
     {-0.07204581456676218, -0.10744559550254568, 0.14931400263195674, -0.1599123814896348, 0.015560603396747757, 0.020237390961969203},
     {{0.41895405047453704, 0.6651621643066272, -1.0188863086340334, 1, -0.0899158614625694, -0.1}, {0.7024999999999999, 1.1, 1.9, 1.2, 0.3225, 0.05}}},
    {"ftml_update", 3, {{"lr", "0.01"}, {"t", "3"}, {"wd", "0.01"}},
     {0.4995362017977124, -0.9977641604267495, 1.9987634781938395, -0.0010528715499995526, -0.2498989889223422, 1.5000397660492295},
     {{715.8285637819212, 332.76088253622686, 960.7594564843815, 455.89604106025513, 554.3946211484474, 226.323742543423}, {0.24984302702092268, 0.053990048628146964, 0.4500683991187334, 0.10133998274803162, 0.14986050804591525, 0.02497522531895824}, {-357.5822818899324, 332.0168825866226, -1920.3309129503452, 0.47999997138977046, 138.54265528898196, -339.4946138162223}}},
    {"ftml_update", 3, {{"lr", "0.05"}, {"t", "1"}, {"beta1", "0.5"}, {"clip_grad", "0.5"}, {"rescale_grad", "2.0"}},
     {0.4500000002549419, -0.9500000002549419, 1.950000000254942, -0.049999999745058074, -0.20000000175494184, 1.5},
     {{5.0000000254941925, 5.0000000254941925, 5.0000000254941925, 5.0000000254941925, 2.000000070197676, 9.99999979021368e-08}, {0.00024999678134918213, 0.00024999678134918213, 0.00024999678134918213, 0.00024999678134918213, 3.999948501586915e-05, 0}, {-2.2500000127470963, 4.7500000254941925, -9.750000050988385, 0.25, 0.40000001754941905, -1.499999968532052e-07}}},
    {"rmspropalex_update", 3, {{"lr", "0.01"}, {"wd", "0.01"}},
     {0.3155932941416295, -0.6926985706078046, 2.0823285360035158, -0.023606682679696976, 0.11191822475130836, 1.0493112911599591},
     {{0.4796512451450713, 0.2970050469247252, 0.880919995418787, 0.2620000147819519, 0.2855253090483928, 0.04751124940613285}, {0.024750003511086104, -0.0815000241883099, 0.0075000089183449685, 0.06000001430511474, -0.0003750012787058941, -0.008749999718740588}, {-0.18440670585837046, 0.3073014293921954, 0.08232853600351558, -0.023606682679696976, 0.36191822475130836, -0.45068870884004075}}},
    {"rmspropalex_update", 3, {{"lr", "0.05"}, {"gamma1", "0.9"}, {"gamma2", "0.8"}, {"clip_weights", "1.0"}, {"clip_gradient", "1.0"}},
     {0.31782285015954437, -0.6432068981889805, 1, -0.09622504196776442, 0.07960527533971107, 1},
     {{0.4589999902248383, 0.19000002145767214, 0.8589999902248382, 0.2800000190734864, 0.2709999930858612, 0.04499999880790711}, {0.039000006914138796, -0.08200002431869506, 0.043000017404556265, 0.10000002384185791, -0.00550000250339508, -0.008999999761581423}, {-0.18217714984045563, 0.3567931018110195, 0.04219585942924948, -0.09622504196776442, 0.32960527533971107, -0.4000000059604645}}},
};

TEST(OptimizerUpdateOps, UpdatesMatchMXNet) {
  for (size_t k = 0; k < sizeof(kUpdateCases) / sizeof(kUpdateCases[0]); ++k) {
    const UpdateCase& c = kUpdateCases[k];
    const std::string what = std::string(c.op) + " case " + std::to_string(k);
    std::vector<NDArray> in{make_array({6}, kWeight, DType::kFloat64), make_array({6}, kGrad, DType::kFloat64)};
    auto init = initial_states(k);
    for (int s = 0; s < c.num_states; ++s) in.push_back(make_array({6}, init[static_cast<size_t>(s)], DType::kFloat64));
    NDArray out = invoke(c.op, in, c.params).at(0);
    expect_close(to_vector(out), c.weight, 1e-7, what + " weight");
    for (int s = 0; s < c.num_states; ++s)
      expect_close(to_vector(in[2 + static_cast<size_t>(s)]), c.states[static_cast<size_t>(s)], 1e-7,
                   what + " state " + std::to_string(s));
  }
}

// Multi-precision: float16 weight and grad, float32 states (momentum = kS1, weight32 = kWeight + 0.001).
const UpdateCase kMpCases[] = {
    {"mp_sgd_update", 1, {{"lr", "0.1"}, {"wd", "0.01"}, {"clip_gradient", "1.0"}},
     {0.470458984375, -0.89794921875, 1.9287109375, -0.0989990234375, -0.23876953125, 1.4990234375},
     {{0.4704941213130951, -0.8980010151863098, 1.928979516029358, -0.09900099784135818, -0.23875343799591064, 1.4994990825653076}}},
    {"mp_sgd_mom_update", 2, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}},
     {0.560546875, -0.6181640625, 1.6591796875, -0.1190185546875, -0.1937255859375, 1.4091796875},
     {{0.05949411541223526, 0.38099899888038635, -0.34202054142951965, -0.12002053111791611, 0.05524655431509018, -0.09150099754333496}, {0.5604941248893738, -0.6180009841918945, 1.6589794158935547, -0.11902052909135818, -0.1937534511089325, 1.4094990491867065}}},
    {"mp_nag_mom_update", 2, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}},
     {0.52392578125, -0.455078125, 1.62109375, -0.22705078125, -0.1890869140625, 1.4169921875},
     {{0.05947107449173927, 0.3804550766944885, -0.3416407108306885, -0.11979249864816666, 0.05518658831715584, -0.09141714125871658}, {0.5240387916564941, -0.4551019072532654, 1.621160864830017, -0.22703900933265686, -0.18903154134750366, 1.417148232460022}}},
};

TEST(OptimizerUpdateOps, MultiPrecisionMatchesMXNet) {
  for (const auto& c : kMpCases) {
    std::vector<NDArray> in{make_array({6}, kWeight, DType::kFloat16), make_array({6}, kGrad, DType::kFloat16)};
    if (c.num_states == 2) in.push_back(make_array({6}, kS1, DType::kFloat32));
    std::vector<double> w32(kWeight);
    for (auto& x : w32) x += 0.001;
    in.push_back(make_array({6}, w32, DType::kFloat32));
    NDArray out = invoke(c.op, in, c.params).at(0);
    EXPECT_EQ(out.dtype(), DType::kFloat16) << c.op;
    expect_close(to_vector(out), c.weight, 1e-3, std::string(c.op) + " weight");
    for (int s = 0; s < c.num_states; ++s)
      expect_close(to_vector(in[2 + static_cast<size_t>(s)]), c.states[static_cast<size_t>(s)], 1e-6,
                   std::string(c.op) + " state " + std::to_string(s));
  }
}

TEST(OptimizerUpdateOps, MultiPrecisionRejectsFloat16Master) {
  std::vector<NDArray> in{make_array({2}, {1, 2}, DType::kFloat16), make_array({2}, {1, 2}, DType::kFloat16),
                          make_array({2}, {1, 2}, DType::kFloat16)};
  EXPECT_NE(testing::error_of([&] { invoke("mp_sgd_update", in, {{"lr", "0.1"}}); }).find("float32"), std::string::npos);
}

}  // namespace
}  // namespace minerva
