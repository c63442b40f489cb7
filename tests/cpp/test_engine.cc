// The dependency engine under both implementations (the binary runs once per engine).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/engine/engine.h"
#include "core/base/error.h"

namespace minerva {
namespace {

TEST(Engine, WritesToOneVariableRunInPushOrder) {
  Engine* e = Engine::get();
  auto v = Engine::new_var();
  std::vector<int> order;
  for (int i = 0; i < 50; ++i)
    e->push([&order, i] {
      if (i % 7 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      order.push_back(i);
    }, {}, {v}, "append");
  e->wait_for_var(v);
  ASSERT_EQ(order.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(order[i], i);
}

TEST(Engine, SmallPushesKeepOrderWithQueuedOnes) {  // Note [Inline small ops]
  Engine* e = Engine::get();
  auto v = Engine::new_var();
  std::vector<int> order;
  for (int i = 0; i < 60; ++i) {
    bool small = i % 3 != 0;  // mix inline candidates with ordinary pushes
    e->push([&order, i] {
      if (i % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
      order.push_back(i);
    }, {}, {v}, "append", small);
  }
  e->wait_for_var(v);
  ASSERT_EQ(order.size(), 60u);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(order[i], i);
}

TEST(Engine, SmallPushErrorsPropagateLikeQueuedOnes) {
  Engine* e = Engine::get();
  auto a = Engine::new_var(), b = Engine::new_var();
  e->push([] { throw Error(ErrorKind::kValue, "bad value"); }, {}, {a}, "small_failing_op", true);
  bool ran = false;
  e->push([&] { ran = true; }, {a}, {b}, "small_dependent", true);
  EXPECT_THROW(e->wait_for_var(b), Error);
  EXPECT_FALSE(ran);
  EXPECT_NO_THROW(e->wait_all());  // the wait on b has seen the error
}

TEST(Engine, ReadAfterWriteSeesTheWrite) {
  Engine* e = Engine::get();
  auto a = Engine::new_var(), b = Engine::new_var();
  int x = 0, y = 0;
  e->push([&] { std::this_thread::sleep_for(std::chrono::milliseconds(2)); x = 5; }, {}, {a}, "write_a");
  e->push([&] { y = x * 2; }, {a}, {b}, "read_a_write_b");
  e->wait_for_var(b);
  EXPECT_EQ(y, 10);
}

TEST(Engine, ErrorPropagatesToDependentsAndWaitRethrowsIt) {
  Engine* e = Engine::get();
  auto a = Engine::new_var(), b = Engine::new_var();
  bool ran = false;
  e->push([] { throw Error(ErrorKind::kIndex, "index 9 out of range"); }, {}, {a}, "failing_op");
  e->push([&] { ran = true; }, {a}, {b}, "dependent_op");
  try {
    e->wait_for_var(b);
    FAIL() << "expected an error";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::kIndex);
    EXPECT_NE(std::string(err.what()).find("failing_op"), std::string::npos) << err.what();
  }
  EXPECT_FALSE(ran);
  EXPECT_NO_THROW(e->wait_all());  // seen at the wait on b: not raised again (as MXNet)
}

TEST(Engine, WaitAllRaisesAnErrorNoWaitHasSeenOnce) {
  Engine* e = Engine::get();
  auto a = Engine::new_var();
  e->push([] { throw Error(ErrorKind::kValue, "nobody waited"); }, {}, {a}, "unwaited_op");
  EXPECT_THROW(e->wait_all(), Error);
  EXPECT_NO_THROW(e->wait_all());
  EXPECT_THROW(e->wait_for_var(a), Error);  // the array keeps its error
}

TEST(Engine, WaitAllWaitsForEverything) {
  Engine* e = Engine::get();
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) e->push([&] { done++; }, {}, {Engine::new_var()}, "count");
  e->wait_all();
  EXPECT_EQ(done.load(), 100);
}

TEST(Engine, SameVariableReadAndWrittenIsAWrite) {
  Engine* e = Engine::get();
  auto a = Engine::new_var();
  int x = 1;
  for (int i = 0; i < 10; ++i) e->push([&] { x *= 2; }, {a}, {a}, "double");
  e->wait_for_var(a);
  EXPECT_EQ(x, 1024);
}

}  // namespace
}  // namespace minerva
