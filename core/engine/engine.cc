#include "core/engine/engine.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/profiler/profiler.h"

namespace minerva {

struct OprBlock {
  Engine::Fn fn;
  std::vector<EngineVarPtr> reads, writes;
  std::string name;
  int wait = 0;  // variables not yet granted
  std::unique_ptr<profiler::OpTag> prof;  // set when pushed while profiling: Note [Profiler cost when off]
};

namespace {

// Set on ThreadedEngine's worker threads, and the depth of operations running on this thread;
// see Note [Waiting inside an operation].
thread_local bool t_engine_worker = false;
thread_local int t_running_ops = 0;

// Removes from reads what also appears in writes (the write grant covers the read).
void dedupe(std::vector<EngineVarPtr>* reads, const std::vector<EngineVarPtr>& writes) {
  std::vector<EngineVarPtr> kept;
  kept.reserve(reads->size());
  for (auto& r : *reads) {
    bool dup = false;
    for (auto& w : writes) dup = dup || (w == r);
    for (auto& k : kept) dup = dup || (k == r);
    if (!dup) kept.push_back(r);
  }
  reads->swap(kept);
}

std::exception_ptr with_op_name(std::exception_ptr e, const std::string& name) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    std::string msg = err.what();
    if (msg.find(name) != std::string::npos) return e;
    return std::make_exception_ptr(Error(err.kind(), "Operator " + name + ": " + msg));
  } catch (const std::bad_alloc&) {
    return std::make_exception_ptr(Error(ErrorKind::kMemory, "Operator " + name + ": out of memory"));
  } catch (const std::exception& err) {
    return std::make_exception_ptr(Error(ErrorKind::kInternal, "Operator " + name + ": " + err.what()));
  } catch (...) {
    return std::make_exception_ptr(Error(ErrorKind::kInternal, "Operator " + name + ": unknown failure"));
  }
}

// Runs one operation under Note [Engine error propagation]; returns the error it leaves on its
// written variables (null on success). Called without the engine lock: it reads var->error,
// which no one else writes while this operation holds its grants.
std::exception_ptr execute(OprBlock* op) {
  for (auto& r : op->reads)
    if (r->error) return r->error;
  // Writes are checked too: after dedupe an in-place update lists its input only as a write.
  for (auto& w : op->writes)
    if (w->error) return w->error;
  ++t_running_ops;
  const int64_t start_ns = op->prof ? profiler::now_ns() : 0;
  try {
    op->fn();
  } catch (...) {
    --t_running_ops;
    if (op->prof) profiler::record_op(*op->prof, start_ns, profiler::now_ns());
    return with_op_name(std::current_exception(), op->name);
  }
  --t_running_ops;
  if (op->prof) profiler::record_op(*op->prof, start_ns, profiler::now_ns());
  return nullptr;
}

// Both engines refuse it alike, though only ThreadedEngine would hang: see Note [Waiting inside an operation].
[[noreturn]] void throw_waitall_inside_op() {
  throw Error(ErrorKind::kValue,
              "waitall was called from inside a running operation (a custom operator's callback); it would wait "
              "for that operation itself. Wait on the arrays you need (wait_to_read, asnumpy) instead");
}

// Rethrows a variable's error after taking it off the unseen list: an error raised at a wait on
// one of its arrays has been seen, and a later wait_all must not raise it again (MXNet clears it
// the same way). Called with the engine's lock held.
void rethrow_seen(const std::exception_ptr& err, std::vector<std::exception_ptr>* unseen) {
  if (!err) return;
  unseen->erase(std::remove(unseen->begin(), unseen->end(), err), unseen->end());
  std::rethrow_exception(err);
}

class NaiveEngine final : public Engine {
 public:
  void push(Fn fn, std::vector<EngineVarPtr> reads, std::vector<EngineVarPtr> writes,
            const std::string& name, bool /*small*/) override {
    dedupe(&reads, writes);
    OprBlock op{std::move(fn), std::move(reads), std::move(writes), name, 0, nullptr};
    if (profiler::recording()) op.prof = profiler::tag_push(name);
    std::exception_ptr err = execute(&op);
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& w : op.writes) w->error = w->keeps_errors ? err : nullptr;
    if (err) unseen_.push_back(err);
  }
  void wait_for_var(const EngineVarPtr& var) override {
    std::lock_guard<std::mutex> lock(mu_);
    rethrow_seen(var->error, &unseen_);
  }
  void wait_all() override {
    if (t_running_ops > 0) throw_waitall_inside_op();
    std::lock_guard<std::mutex> lock(mu_);
    if (unseen_.empty()) return;
    auto e = unseen_.front();
    unseen_.clear();
    std::rethrow_exception(e);
  }
  const char* type_name() const override { return "NaiveEngine"; }

 private:
  std::mutex mu_;
  std::vector<std::exception_ptr> unseen_;
};

// Readers of a variable run together; a writer runs alone; grants follow push order.
class ThreadedEngine final : public Engine {
 public:
  ThreadedEngine(int num_workers, int max_pending) : max_pending_(max_pending) {
    for (int i = 0; i < num_workers; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  }
  // The engine lives for the whole process; workers are detached at exit rather than joined,
  // because joining from a static destructor can deadlock with a host runtime's teardown.
  ~ThreadedEngine() override {
    for (auto& t : workers_) t.detach();
  }

  // Note [Inline small ops]
  // Handing an operation to a worker costs a few microseconds (queue, wake-up, and memory
  // freed on another thread than allocated it): more than an add of 16 floats. A push marked
  // small whose variables are all granted at once runs on the calling thread instead. It holds its grants as a worker would, so ordering and
  // Note [Engine error propagation] are unchanged; large operations still overlap with Python.
  void push(Fn fn, std::vector<EngineVarPtr> reads, std::vector<EngineVarPtr> writes,
            const std::string& name, bool small) override {
    dedupe(&reads, writes);
    auto* op = new OprBlock{std::move(fn), std::move(reads), std::move(writes), name, 0, nullptr};
    if (profiler::recording()) op->prof = profiler::tag_push(name);
    std::unique_lock<std::mutex> lock(mu_);
    // Bound how far callers run ahead, so a loop that drops its results keeps memory flat.
    // Nor does any thread inside a running operation (a worker, or a caller running a small
    // custom operator inline): the room it waits for may be its own operation's.
    if (pending_ops_ >= max_pending_ && !t_engine_worker && t_running_ops == 0) {
      ++waiting_for_room_;
      room_cv_.wait(lock, [this] { return pending_ops_ < max_pending_; });
      --waiting_for_room_;
    }
    ++pending_ops_;
    op->wait = static_cast<int>(op->reads.size() + op->writes.size()) + 1;
    for (auto& v : op->reads) request(v.get(), op, false);
    for (auto& v : op->writes) request(v.get(), op, true);
    if (small && op->wait == 1) {  // every variable granted: run it here, holding the grants
      lock.unlock();
      std::exception_ptr err = execute(op);
      op->fn = nullptr;
      lock.lock();
      finish(op, err);
      lock.unlock();
      delete op;
      return;
    }
    grant_one(op);  // the +1 above keeps the op from starting before all requests are queued
  }

  // Note [Waiting inside an operation]
  // An operation may itself push operations and wait for them: a custom operator's callback
  // (core/ops/custom.cc) runs the binding's code, which calls operators on arrays of its own and
  // reads their results. Blocking a worker there could starve the engine (every worker waiting
  // for work only a worker can do), so a worker that waits runs ready operations meanwhile.
  // Nothing holds mu_ while an operation runs. waitall from inside an operation would wait for
  // that operation itself, so it is an error rather than a hang.
  void wait_for_var(const EngineVarPtr& var) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiters_;
    if (t_engine_worker) {
      while (var->pending != 0) {
        if (!ready_.empty()) {
          // The newest ready operation is most likely the one this wait needs (the callback's
          // own last push); taking the oldest would start other waiting callbacks first and
          // nest them on this thread's stack.
          run_one(&lock, /*newest=*/true);
          continue;
        }
        ++helping_waiters_;
        done_cv_.wait(lock);
        --helping_waiters_;
      }
    } else {
      done_cv_.wait(lock, [&] { return var->pending == 0; });
    }
    --waiters_;
    rethrow_seen(var->error, &unseen_);
  }

  void wait_all() override {
    if (t_running_ops > 0) throw_waitall_inside_op();
    std::unique_lock<std::mutex> lock(mu_);
    ++waiters_;
    done_cv_.wait(lock, [this] { return pending_ops_ == 0; });
    --waiters_;
    if (unseen_.empty()) return;
    auto e = unseen_.front();
    unseen_.clear();
    std::rethrow_exception(e);
  }
  const char* type_name() const override { return "ThreadedEngine"; }

 private:
  // All private helpers run with mu_ held.
  void request(EngineVar* v, OprBlock* op, bool is_write) {
    ++v->pending;
    bool idle_queue = v->queue_head == v->queue.size();
    if (idle_queue && !v->writing && (!is_write || v->running_reads == 0)) {
      if (is_write)
        v->writing = true;
      else
        ++v->running_reads;
      grant_one(op);
    } else {
      v->queue.emplace_back(op, is_write);
    }
  }
  void grant_one(OprBlock* op) {
    if (--op->wait == 0) {
      ready_.push_back(op);
      // A worker that is awake takes the op from the queue; waking one is a futex call that
      // costs more than a small operator, so only sleeping workers are signalled.
      if (idle_workers_ > 0) work_cv_.notify_one();
      if (helping_waiters_ > 0) done_cv_.notify_all();  // Note [Waiting inside an operation]
    }
  }
  // Grants queued requests in order while the variable allows it.
  void advance(EngineVar* v) {
    while (v->queue_head < v->queue.size()) {
      auto [op, is_write] = v->queue[v->queue_head];
      if (v->writing || (is_write && v->running_reads > 0)) break;
      ++v->queue_head;
      if (is_write)
        v->writing = true;
      else
        ++v->running_reads;
      grant_one(op);
    }
    if (v->queue_head == v->queue.size()) {
      v->queue.clear();
      v->queue_head = 0;
    }
  }
  void finish(OprBlock* op, std::exception_ptr err) {
    for (auto& v : op->reads) {
      --v->running_reads;
      --v->pending;
      advance(v.get());
    }
    for (auto& v : op->writes) {
      v->writing = false;
      v->error = v->keeps_errors ? err : nullptr;
      --v->pending;
      advance(v.get());
    }
    if (err) unseen_.push_back(err);
    --pending_ops_;
    if (waiting_for_room_) room_cv_.notify_one();
    if (waiters_ > 0) done_cv_.notify_all();
  }
  // Runs the first ready operation (the last with newest); called and returns with mu_ held.
  void run_one(std::unique_lock<std::mutex>* lock, bool newest = false) {
    OprBlock* op = newest ? ready_.back() : ready_.front();
    if (newest) ready_.pop_back();
    else ready_.pop_front();
    lock->unlock();
    std::exception_ptr err = execute(op);
    op->fn = nullptr;  // release captured arrays before taking the lock
    lock->lock();
    finish(op, err);
    // The vars may be the last references to their arrays' bookkeeping; drop them unlocked.
    lock->unlock();
    delete op;
    lock->lock();
  }
  void worker_loop(int index) {
    t_engine_worker = true;
    profiler::set_thread_name("engine worker " + std::to_string(index));
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      ++idle_workers_;
      work_cv_.wait(lock, [this] { return !ready_.empty(); });
      --idle_workers_;
      run_one(&lock);
    }
  }

  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_, room_cv_;
  std::deque<OprBlock*> ready_;
  std::vector<std::thread> workers_;
  std::vector<std::exception_ptr> unseen_;
  int pending_ops_ = 0;
  int idle_workers_ = 0;      // workers blocked in work_cv_
  int waiting_for_room_ = 0;  // pushers blocked in room_cv_
  int waiters_ = 0;           // callers blocked in done_cv_
  int helping_waiters_ = 0;   // workers blocked in done_cv_ who also want ready operations
  int max_pending_;
};

}  // namespace

Engine* Engine::get() {
  static Engine* engine = [] {
    std::string kind = env::engine_type();
    if (kind == "NaiveEngine") return static_cast<Engine*>(new NaiveEngine());
    if (kind != "ThreadedEngine" && kind != "ThreadedEnginePerDevice" && kind != "ThreadedEnginePooled")
      throw Error(ErrorKind::kValue, "MINERVA_ENGINE_TYPE='" + kind +
                                         "' is unknown; expected NaiveEngine or ThreadedEngine");
    return static_cast<Engine*>(new ThreadedEngine(env::cpu_worker_threads(), env::max_pending_ops()));
  }();
  return engine;
}

}  // namespace minerva
