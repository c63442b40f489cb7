// The profiler (MXNet's mx.profiler): while it runs, the engine records one event per executed
// operation (name, start and end on the steady clock, thread, input shapes), and user code adds
// its own intervals, counters and markers through Domain/Task/Frame/Event/Counter/Marker objects.
// dump() writes everything as Chrome trace JSON (chrome://tracing, Perfetto); dumps() prints the
// aggregate statistics as MXNet's table or JSON.
//
// Note [Profiler cost when off]
// Engine::push reads one relaxed atomic (recording()) and does nothing else while the profiler is
// stopped or paused; so do every C API call (ApiSpan in MV_API_BEGIN) and every allocation. Only a push made while recording gets an OpTag (its display name, kind and
// input shapes, fixed at push time, so pause/resume and scopes apply to what the caller did, not
// to when a worker happened to run it); the run of a tagged operation is timed and recorded.
// Recording takes one mutex per event: simple, and cheap next to any operator worth profiling.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/base/types.h"

namespace minerva {
namespace profiler {

extern std::atomic<bool> g_recording;  // running and not paused; see Note [Profiler cost when off]
inline bool recording() { return g_recording.load(std::memory_order_relaxed); }

int64_t now_ns();  // steady clock, nanoseconds

// ---- configuration and state (MXNet's set_config / set_state / pause / resume) ----

// Keys and values as MXNet's set_config takes them (values as strings: "True", "0", "1.5").
// Throws kValue naming the key on an unknown key or a malformed value; nothing changes then.
void set_config(const std::vector<std::pair<std::string, std::string>>& kv);
void set_state(bool run);  // stop with continuous_dump writes the trace file
bool running();
void set_paused(bool paused);
bool paused();

// Writes the trace file (Chrome trace JSON) with every event recorded since the last finished
// dump; finished forgets them afterwards. Throws kValue before any set_config, kIO on write errors.
void dump(bool finished);

enum class StatsFormat { kTable = 0, kJson = 1 };
enum class SortBy { kTotal = 0, kAvg = 1, kMin = 2, kMax = 3, kCount = 4 };
// The aggregate statistics ("" unless aggregate_stats is set); reset clears them afterwards.
std::string dumps(bool reset, StatsFormat format, SortBy sort_by, bool ascending);

// ---- operations (called by the engine, invoke and the executor) ----

struct OpTag {
  std::string name;    // this thread's scope prefix + the operator's name
  std::string inputs;  // input shapes, "(2, 3);(3,)", or "" when unknown
};
// The tag of a push made while recording, or null when its kind (imperative or symbolic) is not
// profiled. Takes the input shapes that note_input_shapes left on this thread.
std::unique_ptr<OpTag> tag_push(const std::string& op_name);
void record_op(const OpTag& tag, int64_t start_ns, int64_t end_ns) noexcept;
// Times one C API call (capi's MV_API_BEGIN) while recording with profile_api: an interval
// named after the function, category "MINERVA_C_API", on the calling thread's track.
class ApiSpan {
 public:
  explicit ApiSpan(const char* function) : function_(recording() ? function : nullptr) {
    if (function_) start_ns_ = now_ns();
  }
  ~ApiSpan() {
    if (function_) finish();
  }
  ApiSpan(const ApiSpan&) = delete;
  ApiSpan& operator=(const ApiSpan&) = delete;

 private:
  void finish() noexcept;
  const char* function_;
  int64_t start_ns_ = 0;
};

// The allocator reports the bytes in use after each allocation and release (profile_memory):
// a counter track "Memory: cpu/0" in the trace, not part of the aggregate statistics.
void record_memory(int64_t bytes_in_use) noexcept;
// invoke() describes the inputs of the push it is about to make (only while recording).
void note_input_shapes(const std::vector<Shape>& shapes);

// Marks the pushes made on this thread during its lifetime as symbolic (an executor's steps).
class SymbolicScope {
 public:
  SymbolicScope();
  ~SymbolicScope();
  SymbolicScope(const SymbolicScope&) = delete;
  SymbolicScope& operator=(const SymbolicScope&) = delete;

 private:
  bool previous_;
};

// This thread's scope prefix for operator names ("" for none).
void set_scope(const std::string& scope);
const std::string& scope();
// Names this thread in the trace ("engine worker" threads are numbered by their id).
void set_thread_name(const std::string& name);

// ---- user objects ----

struct Domain {
  std::string name;
};
using DomainPtr = std::shared_ptr<const Domain>;

enum class ObjectKind { kTask, kFrame, kEvent, kCounter };

// A Task, Frame or Event (an interval started and stopped by the user) or a Counter.
class Object {
 public:
  Object(ObjectKind kind, DomainPtr domain, std::string name);
  ObjectKind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  // Interval objects. An interval is recorded at stop when the profiler was recording at its
  // start; stop without start, or a second start, restarts cleanly rather than recording garbage.
  void start();
  void stop();
  // Counters: the value always changes; an event is recorded while recording.
  void set_counter(int64_t value);
  void adjust_counter(int64_t delta);
  int64_t counter() const { return value_.load(); }

 private:
  std::string category() const;  // the trace/aggregate category: "dom", "dom,frame", "event"
  ObjectKind kind_;
  DomainPtr domain_;
  std::string name_;
  std::atomic<int64_t> start_ns_{-1};  // -1: not started, or started while not recording
  std::atomic<int64_t> value_{0};
};

// An instant marker; scope is one of global, process, thread, task, marker (else kValue).
void mark(const Domain& domain, const std::string& name, const std::string& scope);

// ---- what was recorded (tests, and the writers in report.cc) ----

struct Event {
  std::string name, category;
  char phase;       // 'X' interval, 'C' counter, 'i' instant marker
  int pid;          // 0 operators, 1 user objects
  int tid;          // small per-thread number
  int64_t ts_ns, dur_ns;
  int64_t value;    // counters
  char scope;       // markers: 'g', 'p' or 't'
  std::string args; // operators: input shapes
};
std::vector<Event> recorded_events();
// Forgets events, statistics and configuration (tests).
void reset();

}  // namespace profiler
}  // namespace minerva
