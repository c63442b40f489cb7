// The profiler's recorder under both engines: what the engine records per operation, what pause,
// scopes and the kind switches leave out, user objects, the trace file and the statistics.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/base/error.h"
#include "core/engine/engine.h"
#include "core/profiler/profiler.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;

class Profiler : public ::testing::Test {
 protected:
  // No trace file unless a test asks for one (continuous_dump would write profile.json here).
  void SetUp() override {
    profiler::reset();
    profiler::set_config({{"continuous_dump", "False"}});
  }
  void TearDown() override {
    Engine::get()->wait_all();
    profiler::reset();
  }
  static std::vector<profiler::Event> ops_named(const std::string& name) {
    std::vector<profiler::Event> out;
    for (auto& e : profiler::recorded_events())
      if (e.category == "operator" && e.name == name) out.push_back(e);
    return out;
  }
};

TEST_F(Profiler, RecordsOneEventPerOperationWithShapes) {
  profiler::set_config({{"aggregate_stats", "True"}});
  profiler::set_state(true);
  NDArray a = make_array({2, 3}, {1, 2, 3, 4, 5, 6});
  NDArray b = invoke("relu", {a})[0];
  NDArray c = invoke("relu", {b})[0];
  c.wait_to_read();
  profiler::set_state(false);
  auto relus = ops_named("relu");
  ASSERT_EQ(relus.size(), 2u);
  for (auto& e : relus) {
    EXPECT_EQ(e.phase, 'X');
    EXPECT_GE(e.dur_ns, 0);
    EXPECT_EQ(e.args, "(2, 3)");
  }
  EXPECT_LE(relus[0].ts_ns + relus[0].dur_ns, relus[1].ts_ns + relus[1].dur_ns);
  std::string table = profiler::dumps(false, profiler::StatsFormat::kTable, profiler::SortBy::kTotal, false);
  EXPECT_NE(table.find("operator\n"), std::string::npos);
  EXPECT_NE(table.find("relu" + std::string(36, ' ') + "2 "), std::string::npos) << table;
}

TEST_F(Profiler, OffOrPausedRecordsNothing) {
  NDArray a = make_array({4}, {1, -2, 3, -4});
  invoke("relu", {a})[0].wait_to_read();  // never started
  EXPECT_TRUE(profiler::recorded_events().empty());
  profiler::set_config({});
  profiler::set_state(true);
  profiler::set_paused(true);
  invoke("abs", {a})[0].wait_to_read();
  profiler::set_paused(false);
  invoke("sqrt", {invoke("abs", {a})[0]})[0].wait_to_read();
  profiler::set_state(false);
  invoke("relu", {a})[0].wait_to_read();  // stopped again
  EXPECT_EQ(ops_named("abs").size(), 1u);
  EXPECT_EQ(ops_named("sqrt").size(), 1u);
  EXPECT_TRUE(ops_named("relu").empty());
}

TEST_F(Profiler, ScopePrefixesNamesAndSymbolicSwitchApplies) {
  profiler::set_config({{"profile_imperative", "False"}});
  profiler::set_state(true);
  NDArray a = make_array({3}, {1, 2, 3});
  invoke("relu", {a})[0].wait_to_read();  // imperative: not profiled
  {
    profiler::SymbolicScope symbolic;
    profiler::set_scope("net:");
    invoke("relu", {a})[0].wait_to_read();
    profiler::set_scope("");
  }
  profiler::set_state(false);
  EXPECT_TRUE(ops_named("relu").empty());
  EXPECT_EQ(ops_named("net:relu").size(), 1u);
}

TEST_F(Profiler, UserObjectsAndMarkers) {
  profiler::set_config({{"aggregate_stats", "1"}});
  auto dom = std::make_shared<profiler::Domain>(profiler::Domain{"dom"});
  profiler::Object task(profiler::ObjectKind::kTask, dom, "tsk");
  profiler::Object frame(profiler::ObjectKind::kFrame, dom, "frm");
  profiler::Object counter(profiler::ObjectKind::kCounter, dom, "cnt");
  task.stop();  // without a start: nothing
  profiler::set_state(true);
  task.start();
  frame.start();
  frame.stop();
  task.stop();
  counter.set_counter(5);
  counter.adjust_counter(3);
  counter.adjust_counter(-1);
  profiler::mark(*dom, "mrk", "global");
  EXPECT_THROW(profiler::mark(*dom, "mrk", "bogus"), Error);
  EXPECT_THROW(counter.start(), Error);
  profiler::set_state(false);
  EXPECT_EQ(counter.counter(), 7);
  int tasks = 0, frames = 0, counters = 0, markers = 0;
  for (auto& e : profiler::recorded_events()) {
    tasks += e.category == "dom" && e.phase == 'X' && e.name == "tsk";
    frames += e.category == "dom,frame" && e.phase == 'X';
    counters += e.phase == 'C';
    markers += e.phase == 'i' && e.scope == 'g';
  }
  EXPECT_EQ(tasks, 1);
  EXPECT_EQ(frames, 1);
  EXPECT_EQ(counters, 3);
  EXPECT_EQ(markers, 1);
  std::string json = profiler::dumps(true, profiler::StatsFormat::kJson, profiler::SortBy::kCount, true);
  EXPECT_NE(json.find("\"dom,frame\""), std::string::npos) << json;
  EXPECT_EQ(profiler::dumps(false, profiler::StatsFormat::kJson, profiler::SortBy::kTotal, false).find("tsk"),
            std::string::npos);  // reset
}

TEST_F(Profiler, DumpWritesChromeTraceAndFinishedForgets) {
  profiler::reset();
  EXPECT_THROW(profiler::dump(true), Error);  // no set_config yet
  const std::string path = ::testing::TempDir() + "minerva_profile_test.json";
  profiler::set_config({{"filename", path}, {"continuous_dump", "False"}});
  profiler::set_state(true);
  invoke("relu", {make_array({2}, {1, -1})})[0].wait_to_read();
  profiler::set_state(false);
  profiler::dump(true);
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string text = ss.str();
  EXPECT_EQ(text.rfind("{\"traceEvents\": [", 0), 0u);
  EXPECT_NE(text.find("\"name\":\"relu\",\"cat\":\"operator\",\"ph\":\"X\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"dur\":"), std::string::npos);
  EXPECT_TRUE(profiler::recorded_events().empty());
  std::remove(path.c_str());
}

TEST_F(Profiler, BadConfigChangesNothing) {
  profiler::set_config({{"filename", "a.json"}});
  try {
    profiler::set_config({{"aggregate_stats", "True"}, {"bogus", "1"}});
    FAIL() << "unknown key accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Cannot find argument 'bogus'"), std::string::npos);
  }
  EXPECT_EQ(profiler::dumps(false, profiler::StatsFormat::kTable, profiler::SortBy::kTotal, false), "");
  EXPECT_THROW(profiler::set_config({{"profile_all", "maybe"}}), Error);
  EXPECT_THROW(profiler::set_config({{"dump_period", "x"}}), Error);
  EXPECT_THROW(profiler::set_config({{"profile_process", "server"}}), Error);
}

TEST_F(Profiler, FourThreadsRecordEveryOperation) {
  profiler::set_config({{"aggregate_stats", "True"}});
  profiler::set_state(true);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([] {
      NDArray a = make_array({8}, {});
      for (int i = 0; i < 25; ++i) a = invoke("sqrt", {invoke("abs", {a})[0]})[0];
      a.wait_to_read();
    });
  for (auto& t : threads) t.join();
  Engine::get()->wait_all();
  profiler::set_state(false);
  EXPECT_EQ(ops_named("abs").size(), 100u);
  EXPECT_EQ(ops_named("sqrt").size(), 100u);
}

}  // namespace
}  // namespace minerva
