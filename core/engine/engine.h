// The dependency engine. Every operation is pushed with the variables it reads and the ones it
// writes; it runs once every earlier operation on those variables allows it. Two engines sit
// behind this interface: NaiveEngine (runs each push at once, for debugging) and ThreadedEngine
// (worker threads, so callers return before the math is done). MINERVA_ENGINE_TYPE picks one.
//
// Note [Engine error propagation]
// A failing operation never throws out of push(). Its error is stored on every variable it
// writes, and on the engine's list of unseen errors. An operation that reads a failed variable
// does not run; it passes the error on to what it writes. wait_for_var() rethrows a variable's
// error and marks it seen; wait_all() rethrows (and forgets) the first error no wait has raised
// yet. The error then stays with the
// variable: an in-place update of a failed array fails too (after de-duplication it lists the
// array only as written, so written variables are checked as well as read ones).
#pragma once
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace minerva {

struct EngineVar {
  // False for state that must outlive a failed operation, such as a device's random generator:
  // its writers' errors go to their outputs only, so one bad draw does not fail every later one.
  // Set once at creation.
  bool keeps_errors = true;
  // All fields below are guarded by the engine's lock.
  int pending = 0;                 // pushed operations touching this variable, not yet finished
  int running_reads = 0;           // granted readers
  bool writing = false;            // a writer holds the variable
  std::exception_ptr error;        // see Note [Engine error propagation]
  std::vector<std::pair<struct OprBlock*, bool>> queue;  // (operation, is_write) in push order
  size_t queue_head = 0;
};
using EngineVarPtr = std::shared_ptr<EngineVar>;

class Engine {
 public:
  using Fn = std::function<void()>;
  virtual ~Engine() = default;

  // The process-wide engine, created on first use from MINERVA_ENGINE_TYPE.
  static Engine* get();
  static EngineVarPtr new_var() { return std::make_shared<EngineVar>(); }

  // Runs fn after all earlier pushes that touch `reads` or `writes` allow it. A variable may
  // appear in both lists; it is then treated as written. `name` appears in error messages.
  // `small` hints that fn is cheaper than a hand-off to a worker; see Note [Inline small ops].
  virtual void push(Fn fn, std::vector<EngineVarPtr> reads, std::vector<EngineVarPtr> writes,
                    const std::string& name, bool small = false) = 0;
  // Blocks until every pushed operation touching var has finished; rethrows its error.
  virtual void wait_for_var(const EngineVarPtr& var) = 0;
  // Blocks until every pushed operation has finished; rethrows the first unseen error.
  virtual void wait_all() = 0;
  virtual const char* type_name() const = 0;
};

}  // namespace minerva
