// Custom operators from C++ (core/ops/custom.h): the handler protocol, errors at the next wait,
// and the engine's Note [Waiting inside an operation] that custom-operator callbacks rely on.
#include <gtest/gtest.h>

#include "core/autograd/autograd.h"
#include "core/base/json_reader.h"
#include "core/ops/custom.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::expect_values;
using testing::make_array;
using testing::to_vector;

// "cpp_negate": y = -x, computed by calling operators on the request's arrays; "cpp_throws"
// fails in forward.
std::string negate_handler(const custom::Request& req, bool fail) {
  const JsonValue doc = json_parse(req.json);
  const std::string kind = doc.find("request")->str();
  if (kind == "create_prop")
    return R"({"prop": 5, "arguments": ["data"], "outputs": ["output"], "auxiliary_states": []})";
  if (kind == "infer_shape") {
    const JsonValue& s = (*doc.find("in_shapes"))[0];
    std::string dims;
    for (size_t i = 0; i < s.size(); ++i) dims += (i ? "," : "") + s[i].number_text();
    return "{\"in_shapes\": [[" + dims + "]], \"out_shapes\": [[" + dims + "]], \"aux_shapes\": []}";
  }
  if (kind == "infer_type") {
    std::string t = (*doc.find("in_types"))[0].number_text();
    return "{\"in_types\": [" + t + "], \"out_types\": [" + t + "], \"aux_types\": []}";
  }
  if (kind == "create_operator") return R"({"operator": 9})";
  if (kind == "forward") {
    if (fail) throw Error(ErrorKind::kValue, "negate refused");
    invoke("negative", {req.arrays[0]}, {}, {req.arrays[1]});
    to_vector(req.arrays[1]);  // waits inside the operation, as a binding's asnumpy() does
    return "{}";
  }
  if (kind == "backward") {
    invoke("negative", {req.arrays[0]}, {}, {req.arrays[3]});
    return "{}";
  }
  return "{}";
}

const bool kRegistered = [] {
  custom::register_type("cpp_negate", [](const custom::Request& r) { return negate_handler(r, false); });
  custom::register_type("cpp_throws", [](const custom::Request& r) { return negate_handler(r, true); });
  return true;
}();

TEST(CustomOp, ForwardAndGradientThroughAHandler) {
  ASSERT_TRUE(kRegistered);
  NDArray x = make_array({3}, {1, -2, 3});
  NDArray g(Shape{3}, DType::kFloat32, Context::cpu(0));
  autograd::mark_variables({&x}, {g}, {GradReq::kWrite});
  bool prev = autograd::set_recording(true);
  auto y = invoke("Custom", {x}, {{"op_type", "cpp_negate"}});
  autograd::set_recording(prev);
  expect_values(y[0], {-1, 2, -3});
  autograd::backward(y, {}, {}, false, false, true);
  expect_values(g, {-1, -1, -1});
}

TEST(CustomOp, HandlerErrorNamesTheOpTypeAtTheWait) {
  NDArray x = make_array({2}, {1, 2});
  auto y = invoke("Custom", {x}, {{"op_type", "cpp_throws"}});  // queued
  try {
    y[0].wait_to_read();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Custom operator 'cpp_throws' forward: negate refused"), std::string::npos)
        << e.what();
  }
  try {
    Engine::get()->wait_all();
  } catch (const Error&) {
  }
}

TEST(CustomOp, UnknownOpTypeListsRegisteredTypes) {
  NDArray x = make_array({2}, {1, 2});
  try {
    invoke("Custom", {x}, {{"op_type", "nope"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_NE(std::string(e.what()).find("cpp_negate"), std::string::npos) << e.what();
  }
}

TEST(CustomOp, BackwardValidatesWhatAGraphFeedsIt) {
  // _backward_Custom(out_grad, data, output): a hand-written graph may feed it anything.
  NDArray x = make_array({2}, {1, 2}), y = make_array({2}, {-1, -2}), bad = make_array({3}, {1, 1, 1});
  try {
    invoke("_backward_Custom", {bad, x, y}, {{"op_type", "cpp_negate"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("output_grad"), std::string::npos) << e.what();
  }
  try {
    invoke("_backward_Custom", {x, x}, {{"op_type", "cpp_negate"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expects 3 input(s)"), std::string::npos) << e.what();
  }
  auto g = invoke("_backward_Custom", {make_array({2}, {1, 3}), x, y}, {{"op_type", "cpp_negate"}});
  expect_values(g[0], {-1, -3});
}

TEST(CustomOp, OperationsWaitingOnNestedWorkNeverStarveTheEngine) {
  // Many operations that each push an operation and wait for it: with one worker this hangs
  // unless a waiting worker runs ready operations (Note [Waiting inside an operation]).
  std::vector<NDArray> outs;
  for (int i = 0; i < 16; ++i) {
    NDArray x = make_array({64, 64}, std::vector<double>(64 * 64, i));
    outs.push_back(invoke("Custom", {x}, {{"op_type", "cpp_negate"}})[0]);
  }
  for (int i = 0; i < 16; ++i) EXPECT_EQ(to_vector(outs[static_cast<size_t>(i)])[0], -i);
}

TEST(CustomOp, WaitAllInsideAnOperationIsAnError) {
  NDArray v = make_array({1}, {0});
  std::string message;
  Engine::get()->push([&message] {
    try {
      Engine::get()->wait_all();
    } catch (const Error& e) {
      message = e.what();
    }
  }, {}, {v.var()}, "waitall_inside");
  v.wait_to_read();
  EXPECT_NE(message.find("waitall was called from inside a running operation"), std::string::npos) << message;
}

}  // namespace
}  // namespace minerva
