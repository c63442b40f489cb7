// InstanceNorm and GroupNorm against MXNet 1.9.1: forward values and the gradients of data, gamma
// and beta (through autograd, which runs the _backward_ operators), and GroupNorm's mean and std.
#include <gtest/gtest.h>

#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::data_of;
using testing::expect_close;
using testing::make_array;
using testing::run1;
using testing::to_vector;

struct NormCase {
  const char* name;
  const char* op;
  Shape data, gamma;
  KeyValues params;
  std::vector<double> out, dx, dgamma, dbeta;
};

/* The tables were generated with MXNet 1.9.1 (MXNET_SUBGRAPH_BACKEND=NONE) by:
  def pat(shape, a, b, m, sc): i = np.arange(prod(shape)); return ((((i*a + b) % m) - m//2) / sc).reshape(shape)
  x = pat(data, 7, 3, 11, 4.); gamma = pat(gamma, 5, 1, 7, 2.) + 0.25; beta = pat(gamma, 1, 0, 3, 1.)
  with autograd.record(): y = getattr(nd, op)(x, gamma, beta, **params)  # InstanceNorm: float32 only
  y.backward(pat(y.shape, 3, 2, 5, 2.)); print(y, x.grad, gamma.grad, beta.grad)
*/
const NormCase kNormCases[] = {
    {"instance", "InstanceNorm", {2, 3, 4}, {3}, {{"eps", "0.01"}},
     {-0.4622495770454407, -2.135251045227051, -1.1792501211166382, -0.2232493758201599, 1.8124181032180786, -0.41825035214424133, -2.648918867111206, 1.2547510862350464, 1.148116111755371, -0.036812663078308105, 2.0368127822875977, 0.8518838882446289, -1.7767505645751953, -0.8207498788833618, 0.13525092601776123, -1.537750482559204, 0.3456042408943176, -2.419229745864868, 2.419229745864868, -0.3456042408943176, 0.020590543746948242, 1.3917638063430786, 0.6082361936569214, 1.9794094562530518},
     {-0.08882871270179749, 0.3999719023704529, -0.7670577764511108, 0.45591455698013306, 0.27239173650741577, 0.1087302565574646, -0.05493134260177612, -0.3261907696723938, -0.36925047636032104, 0.8073599338531494, 0.6738011837005615, -1.1119107007980347, -0.45591455698013306, 0.7670577764511108, -0.3999719023704529, 0.08882871270179749, -2.522210121154785, -0.31595027446746826, 0.31595027446746826, 2.522210121154785, -0.17156371474266052, -0.44066736102104187, 0.44066739082336426, 0.17156371474266052},
     {-1.7526681423187256, 1.1304426193237305, -2.720139980316162},
     {0, 0.5, -1.5}},
    {"instance4d", "InstanceNorm", {1, 2, 2, 3}, {2}, {},
     {-0.2706255316734314, -2.0726094245910645, -1.0429043769836426, -0.013199269771575928, -1.815183162689209, -0.7854781150817871, -1.7018736600875854, 2.502755641937256, 0.10011027008295059, -2.302534818649292, 1.9020942449569702, -0.5005510449409485},
     {-0.05728521943092346, 1.113948106765747, -0.5114828944206238, 0.4373490512371063, -0.9656804800033569, -0.016848590224981308, -1.7571508884429932, 1.2413909435272217, -0.8152966499328613, 3.134629011154175, 0.12655767798423767, -1.9301300048828125},
     {0.3432350158691406, 0.6292641758918762},
     {0, -1}},
    {"group2", "GroupNorm", {2, 4, 3}, {2}, {{"num_groups", "2"}},
     {-0.26994401736047424, -2.0736117391757736, -1.042944469567031, -0.012277199958288687, -1.8159449217735875, -0.7852776521648454, -1.7034639594922265, 2.5050940580768044, 0.10020376232307221, -2.3046865334306594, 1.9038714841383713, -0.5010188116153607, -2.021469890865007, -1.1134966545405562, -0.20552341821610565, -1.7944765817838944, -0.8865033454594436, 0.021469890865006835, 1.3930421357322282, -0.6965210678661141, -2.7860842714644565, 0.8706513348326428, -1.2189118687657, 2.4378237375314},
     {-0.05744594326138939, 1.115146597934315, -0.5119544616713482, 0.4376126527448443, -0.966462980081307, -0.016895865665114525, -1.7583342669543882, 1.2418764037764267, -0.8160854503202863, 3.1381784349673296, 0.12616336631381547, -1.9317984877828975, -0.581053692626276, 0.5071253310976604, -0.6746287359895295, -0.08201562761417926, 1.0061633961097571, -0.17559067097743278, -0.22241324654956185, 1.939574426423331, -1.1223459095996333, -1.5102841314548885, 0.6517035415180039, 0.2637653196627492},
     {-0.6400819161485745, -1.708468507519787},
     {0.5, -1.5}},
    {"group1", "GroupNorm", {1, 3, 2, 2}, {1}, {{"eps", "0.01"}},
     {-0.5569635571133436, -2.248557248135123, -1.2819322818369634, -0.31530731553880353, -2.0069010065605832, -1.0402760402624234, -0.07365107396426362, -1.765244764986043, -0.7986197986878834, 0.16800516761027606, -1.5235885234115032, -0.5569635571133436},
     {-0.13932378539378432, 1.051702235858501, -0.5264643878482389, 0.3119314041904204, -0.9136049903026935, -0.07520919826403412, 0.7631865937746252, -0.4623498007184887, 0.3760459913201706, -1.2021206323865694, -0.01109461113428395, 0.8273011809043753},
     {1.2351319013809818},
     {-1}},
};

TEST(NormOps, InstanceAndGroupNormMatchMXNet) {
  for (const auto& c : kNormCases) {
    // InstanceNorm's oracle ran in float32; eps is a float32 parameter in MXNet (0.01 -> 0.0099999998).
    const double tol = std::string(c.op) == "InstanceNorm" ? 2e-5 : 1e-8;
    std::vector<NDArray> in{data_of(c.data), testing::weight_of(c.gamma), testing::bias_of(c.gamma)};
    in[1] = run1("_plus_scalar", {in[1]}, {{"scalar", "0.25"}});
    NDArray og = testing::ograd_of(c.data);
    expect_close(to_vector(run1(c.op, in, c.params)), c.out, tol, std::string(c.name) + " forward");
    auto g = testing::grads_of(in, og, [&](const std::vector<NDArray>& x) { return run1(c.op, x, c.params); });
    expect_close(to_vector(g[0]), c.dx, tol, std::string(c.name) + " data gradient");
    expect_close(to_vector(g[1]), c.dgamma, tol, std::string(c.name) + " gamma gradient");
    expect_close(to_vector(g[2]), c.dbeta, tol, std::string(c.name) + " beta gradient");
  }
}

// From MXNet 1.9.1 (float32): GroupNorm(x, ones, zeros, num_groups=2, output_mean_var=True).
TEST(NormOps, GroupNormMeanAndStd) {
  NDArray x = data_of({2, 4, 3}, DType::kFloat32);
  auto outs = invoke("GroupNorm", {x, make_array({2}, {1, 1}), make_array({2}, {0, 0})},
                     {{"num_groups", "2"}, {"output_mean_var", "True"}});
  ASSERT_EQ(outs.size(), 3u);
  EXPECT_EQ(outs[1].shape(), (Shape{2, 2}));
  expect_close(to_vector(outs[1]), {0.2083333283662796, -0.2916666567325592, 0.125, 0.0833333358168602}, 1e-6, "mean");
  expect_close(to_vector(outs[2]), {0.727683961391449, 0.727683961391449, 0.8260155320167542, 0.8374956250190735}, 1e-6, "std");
}

TEST(NormOps, ShapeErrors) {
  NDArray x = make_array({2, 4, 3}, {}, DType::kFloat32);
  EXPECT_NE(testing::error_of([&] { run1("GroupNorm", {x, make_array({3}, {}), make_array({3}, {})}, {{"num_groups", "3"}}); })
                .find("num_groups"),
            std::string::npos);
  EXPECT_NE(testing::error_of([&] { run1("InstanceNorm", {make_array({2, 4}, {}), make_array({4}, {}), make_array({4}, {})}); })
                .find("at least 3"),
            std::string::npos);
}

}  // namespace
}  // namespace minerva
