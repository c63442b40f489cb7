#include "core/profiler/profiler.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "core/base/error.h"
#include "core/io/atomic_file.h"
#include "core/profiler/report.h"

namespace minerva {
namespace profiler {

std::atomic<bool> g_recording{false};

namespace {

const char* const kMemoryCategory = "Device Storage";

// MXNet's ProfileConfigParam, with its defaults.
struct Config {
  std::string filename = "profile.json";
  bool profile_all = false, profile_symbolic = true, profile_imperative = true, profile_memory = true,
       profile_api = true, continuous_dump = true, aggregate_stats = false;
  double dump_period = 1.0;
  std::string profile_process = "worker";
};

const char* const kConfigHelp =
    "profile_all (boolean, default False), profile_symbolic (boolean, default True), profile_imperative "
    "(boolean, default True), profile_memory (boolean, default True), profile_api (boolean, default True), "
    "filename (string, default 'profile.json'), continuous_dump (boolean, default True), dump_period (float, "
    "default 1), aggregate_stats (boolean, default False), profile_process ({'server', 'worker'}, default "
    "'worker')";

// All profiler state; `mu` guards everything but the atomics.
struct State {
  std::mutex mu;
  Config config;
  bool configured = false;  // MXNet: dump() needs a set_config first
  bool running = false, paused = false;
  std::vector<Event> events;
  Stats stats;
  std::map<int, std::string> thread_names;
  std::atomic<int> next_tid{0};
  // continuous_dump: rewrites the trace file every dump_period seconds while running.
  std::thread dumper;
  std::condition_variable dumper_cv;
  uint64_t dumper_generation = 0;  // a dumper runs while this is the value it started with
};

State& state() {
  static State* s = new State();  // never destroyed: engine workers may record during exit
  return *s;
}

void update_recording(State& s) { g_recording.store(s.running && !s.paused, std::memory_order_relaxed); }

thread_local std::string t_scope;
thread_local std::string t_thread_name;
thread_local std::string t_pending_inputs;
thread_local bool t_symbolic = false;
thread_local int t_tid = -1;

// This thread's trace id; registers its name on first use. Called with s.mu held.
int this_tid(State& s) {
  if (t_tid < 0) {
    t_tid = s.next_tid++;
    s.thread_names[t_tid] = t_thread_name.empty() ? "thread " + std::to_string(t_tid) : t_thread_name;
  }
  return t_tid;
}

bool parse_bool(const std::string& key, const std::string& v) {
  if (v == "1" || v == "True" || v == "true") return true;
  if (v == "0" || v == "False" || v == "false") return false;
  MV_THROW(kValue) << "profiler.set_config: Invalid Parameter format for " << key << " expect boolean but value='"
                   << v << "'";
}

double parse_float(const std::string& key, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  MV_CHECK(!v.empty() && end && *end == '\0', kValue)
      << "profiler.set_config: Invalid Parameter format for " << key << " expect float but value='" << v << "'";
  MV_CHECK(d > 0, kValue) << "profiler.set_config: dump_period must be positive, got " << v;
  return d;
}

void apply(Config* c, const std::string& key, const std::string& v) {
  if (key == "filename") {
    MV_CHECK(!v.empty(), kValue) << "profiler.set_config: filename is empty";
    c->filename = v;
  } else if (key == "profile_all") {
    c->profile_all = parse_bool(key, v);
  } else if (key == "profile_symbolic") {
    c->profile_symbolic = parse_bool(key, v);
  } else if (key == "profile_imperative") {
    c->profile_imperative = parse_bool(key, v);
  } else if (key == "profile_memory") {
    c->profile_memory = parse_bool(key, v);
  } else if (key == "profile_api") {
    c->profile_api = parse_bool(key, v);
  } else if (key == "continuous_dump") {
    c->continuous_dump = parse_bool(key, v);
  } else if (key == "aggregate_stats") {
    c->aggregate_stats = parse_bool(key, v);
  } else if (key == "dump_period") {
    c->dump_period = parse_float(key, v);
  } else if (key == "profile_process") {
    MV_CHECK(v == "worker" || v == "server", kValue)
        << "profiler.set_config: Invalid Input: '" << v << "' for profile_process, valid values are: {'server', 'worker'}";
    MV_CHECK(v == "worker", kUnsupported)
        << "profiler.set_config: profile_process='server' profiles a distributed kvstore's server; Minerva's kvstore "
           "has no server process";
    c->profile_process = v;
  } else {
    MV_THROW(kValue) << "profiler.set_config: Cannot find argument '" << key << "', Possible Arguments: "
                     << kConfigHelp;
  }
}

// Called and returns with s.mu held (released during the file I/O, so workers keep recording).
// A failed write keeps the events, so the dump can be retried with another filename.
void write_trace(State& s, bool finished, std::unique_lock<std::mutex>* lock) {
  std::string text = trace_json(s.events, s.thread_names);
  const std::string path = s.config.filename;
  const size_t written = s.events.size();
  lock->unlock();
  try {
    atomic_write_file(path, text);
  } catch (...) {
    lock->lock();
    throw;
  }
  lock->lock();
  if (finished)
    s.events.erase(s.events.begin(),
                   s.events.begin() + static_cast<std::ptrdiff_t>(std::min(written, s.events.size())));
}

// Each dumper has its generation, so one stopped while a new one starts (stop_dumper drops the
// lock to join) still sees that it must quit.
void dumper_loop(State* s, uint64_t generation) {
  std::unique_lock<std::mutex> lock(s->mu);
  auto quit = [s, generation] { return s->dumper_generation != generation; };
  while (!quit()) {
    const auto period = std::chrono::duration<double>(s->config.dump_period);
    if (s->dumper_cv.wait_for(lock, period, quit)) break;
    try {
      write_trace(*s, false, &lock);
    } catch (...) {  // reported by the write at stop or dump(), which the user sees
    }
  }
}

// Stops the dumper thread; called and returns with s.mu held.
void stop_dumper(State& s, std::unique_lock<std::mutex>* lock) {
  if (!s.dumper.joinable()) return;
  ++s.dumper_generation;
  s.dumper_cv.notify_all();
  std::thread t = std::move(s.dumper);
  lock->unlock();
  t.join();
  lock->lock();
}

void record(Event e) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  e.tid = this_tid(s);
  if (s.config.aggregate_stats && e.category == kMemoryCategory) {
    s.stats.memory[e.category][e.name].add(static_cast<double>(e.value) / 1000.0);
  } else if (s.config.aggregate_stats) {
    Stat& st = s.stats.time[e.category][e.name];
    if (e.phase == 'X') st.add(static_cast<double>(e.dur_ns) / 1e6);
    if (e.phase == 'C') st.set_last(static_cast<double>(e.value));
    if (e.phase == 'i') st.add(0.0);
  }
  s.events.push_back(std::move(e));
}

}  // namespace

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void set_config(const std::vector<std::pair<std::string, std::string>>& kv) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  Config c = s.config;  // MXNet starts from the current configuration too
  for (auto& [k, v] : kv) apply(&c, k, v);
  s.config = c;
  s.configured = true;
}

void set_state(bool run) {
  State& s = state();
  std::unique_lock<std::mutex> lock(s.mu);
  const bool was_running = s.running;
  s.running = run;
  if (run) s.paused = false;
  update_recording(s);
  if (run && !was_running && s.configured && s.config.continuous_dump && !s.dumper.joinable()) {
    s.dumper = std::thread(dumper_loop, &s, ++s.dumper_generation);
  }
  if (!run && was_running) {
    stop_dumper(s, &lock);
    if (s.configured && s.config.continuous_dump) write_trace(s, false, &lock);
  }
}

bool running() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.running;
}

void set_paused(bool p) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  s.paused = p;
  update_recording(s);
}

bool paused() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.paused;
}

void dump(bool finished) {
  State& s = state();
  std::unique_lock<std::mutex> lock(s.mu);
  MV_CHECK(s.configured, kValue)
      << "profiler.dump: Profiler hasn't been run. Config (set_config) and start (set_state('run')) the profiler first";
  write_trace(s, finished, &lock);
}

std::string dumps(bool reset, StatsFormat format, SortBy sort_by, bool ascending) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  if (!s.config.aggregate_stats) return "";
  std::string out;
  switch (format) {
    case StatsFormat::kTable: out = stats_table(s.stats, sort_by, ascending); break;
    case StatsFormat::kJson: out = stats_json(s.stats, sort_by, ascending); break;
  }
  if (reset) s.stats.clear();
  return out;
}

std::unique_ptr<OpTag> tag_push(const std::string& op_name) {
  std::string inputs;
  inputs.swap(t_pending_inputs);
  State& s = state();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    const Config& c = s.config;
    const bool wanted = c.profile_all || (t_symbolic ? c.profile_symbolic : c.profile_imperative);
    if (!wanted) return nullptr;
  }
  auto tag = std::make_unique<OpTag>();
  tag->name = t_scope + op_name;
  tag->inputs = std::move(inputs);
  return tag;
}

// Called by engine workers after an operation and from the storage's noexcept release: a
// failure to record (out of memory) loses the event, never the operation or the thread.
void record_op(const OpTag& tag, int64_t start_ns, int64_t end_ns) noexcept {
  try {
    record(Event{tag.name, "operator", 'X', 0, 0, start_ns, end_ns - start_ns, 0, 'p', tag.inputs});
  } catch (...) {
  }
}

void ApiSpan::finish() noexcept {
  try {
    const int64_t end_ns = now_ns();
    State& s = state();
    {
      std::lock_guard<std::mutex> lock(s.mu);
      if (!s.config.profile_api && !s.config.profile_all) return;
    }
    record(Event{function_, "MINERVA_C_API", 'X', 0, 0, start_ns_, end_ns - start_ns_, 0, 'p', ""});
  } catch (...) {  // a profiler failure (out of memory) must not fail the call it timed
  }
}

void record_memory(int64_t bytes_in_use) noexcept {
  try {
    State& s = state();
    {
      std::lock_guard<std::mutex> lock(s.mu);
      if (!s.config.profile_memory && !s.config.profile_all) return;
    }
    record(Event{"Memory: cpu/0", kMemoryCategory, 'C', 0, 0, now_ns(), 0, bytes_in_use, 'p', ""});
  } catch (...) {
  }
}

void note_input_shapes(const std::vector<Shape>& shapes) {
  std::string text;
  for (size_t i = 0; i < shapes.size(); ++i) text += (i ? ";" : "") + shape_str(shapes[i]);
  t_pending_inputs = std::move(text);
}

SymbolicScope::SymbolicScope() : previous_(t_symbolic) { t_symbolic = true; }
SymbolicScope::~SymbolicScope() { t_symbolic = previous_; }

void set_scope(const std::string& scope) { t_scope = scope; }
const std::string& scope() { return t_scope; }
void set_thread_name(const std::string& name) { t_thread_name = name; }

Object::Object(ObjectKind kind, DomainPtr domain, std::string name)
    : kind_(kind), domain_(std::move(domain)), name_(std::move(name)) {}

std::string Object::category() const {
  switch (kind_) {
    case ObjectKind::kTask: return domain_->name;
    case ObjectKind::kFrame: return domain_->name + ",frame";
    case ObjectKind::kEvent: return "event";
    case ObjectKind::kCounter: return domain_->name;
  }
  MV_THROW(kInternal) << "profiler: unknown object kind " << static_cast<int>(kind_);
}

void Object::start() {
  MV_CHECK(kind_ != ObjectKind::kCounter, kValue) << "profiler: Counter '" << name_ << "' has no start";
  start_ns_.store(recording() ? now_ns() : -1);
}

void Object::stop() {
  MV_CHECK(kind_ != ObjectKind::kCounter, kValue) << "profiler: Counter '" << name_ << "' has no stop";
  const int64_t t0 = start_ns_.exchange(-1);
  if (t0 < 0) return;
  const int64_t t1 = now_ns();
  record(Event{name_, category(), 'X', 1, 0, t0, t1 - t0, 0, 'p', ""});
}

void Object::set_counter(int64_t value) {
  MV_CHECK(kind_ == ObjectKind::kCounter, kValue) << "profiler: '" << name_ << "' is not a Counter";
  value_.store(value);
  if (recording()) record(Event{name_, category(), 'C', 1, 0, now_ns(), 0, value, 'p', ""});
}

void Object::adjust_counter(int64_t delta) {
  MV_CHECK(kind_ == ObjectKind::kCounter, kValue) << "profiler: '" << name_ << "' is not a Counter";
  const int64_t value = value_.fetch_add(delta) + delta;
  if (recording()) record(Event{name_, category(), 'C', 1, 0, now_ns(), 0, value, 'p', ""});
}

void mark(const Domain& domain, const std::string& name, const std::string& scope) {
  char s = 0;
  if (scope == "global") s = 'g';
  if (scope == "process") s = 'p';
  if (scope == "thread" || scope == "task" || scope == "marker") s = 't';
  MV_CHECK(s != 0, kValue) << "profiler.Marker.mark: Invalid Input: '" << scope
                           << "', valid values are: {'global', 'marker', 'process', 'task', 'thread'}";
  if (recording()) record(Event{name, domain.name + ",instant_marker", 'i', 1, 0, now_ns(), 0, 0, s, ""});
}

std::vector<Event> recorded_events() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.events;
}

void reset() {
  State& s = state();
  std::unique_lock<std::mutex> lock(s.mu);
  stop_dumper(s, &lock);
  s.config = Config();
  s.configured = false;
  s.running = s.paused = false;
  update_recording(s);
  s.events.clear();
  s.stats.clear();
}

}  // namespace profiler
}  // namespace minerva
