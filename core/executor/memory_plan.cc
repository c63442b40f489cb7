#include "core/executor/memory_plan.h"

#include <algorithm>
#include <cstdint>

#include "core/base/error.h"

namespace minerva {

// Note [Executor memory plan]
// The executor runs a fixed schedule of steps (forward nodes, then backward nodes when any
// gradient is wanted) and every step's arrays are views of engine-tracked chunks, so all views
// of one buffer share one engine variable: the engine then orders each step that writes a
// buffer after every earlier step that read it, in push (= schedule) order. The plan only has
// to make that order mean the right thing. Rules, over the internal entries only (arguments,
// aux states, head gradients and the final outputs keep their own arrays, so outputs survive
// forward and gradients can be copied out):
//  1. An entry lives from its producing step to its last reader in schedule order; an entry
//     nobody reads dies right after its producer. Forward entries that the backward reads stay
//     alive to the end (plan_memory's keep_from), so backward may run twice per forward.
//  2. In place: an output takes the buffer of input i when the operator declares (i, output)
//     in OpDef::inplace, the input is internal, has the same bytes and dtype, this step is its
//     last reader and every other reader is an ancestor of this step.
//  3. Reuse: otherwise the output takes the best-fitting dead buffer (the smallest that is big
//     enough; failing that the largest, grown), new only when none qualifies.
//  4. No sharing between branches that may run concurrently: a dead buffer may be reused by a
//     step only if the producer and every reader of its last entry are ancestors of that step
//     (ancestor bitsets over the schedule). Without this rule the plan would still be correct,
//     because the engine serialises the shared variable, but two independent branches would
//     no longer overlap. The last entry suffices: its producer already depended on all the
//     readers of the entries before it, by this same rule.

namespace {

class Bitset {
 public:
  explicit Bitset(size_t n = 0) : words_((n + 63) / 64, 0) {}
  void set(size_t i) { words_[i / 64] |= uint64_t{1} << (i % 64); }
  bool test(size_t i) const { return (words_[i / 64] >> (i % 64)) & 1u; }
  void merge(const Bitset& o) {
    for (size_t w = 0; w < words_.size(); ++w) words_[w] |= o.words_[w];
  }

 private:
  std::vector<uint64_t> words_;
};

struct Buffer {
  size_t bytes = 0;
  bool free = false;
  int producer = -1;         // of the buffer's latest entry
  std::vector<int> readers;  // of the buffer's latest entry
};

}  // namespace

MemoryPlan plan_memory(const std::vector<PlanEntry>& entries, const std::vector<PlanStep>& steps,
                       size_t keep_from) {
  const size_t num_entries = entries.size(), num_steps = steps.size();
  std::vector<int> producer(num_entries, -1), last_use(num_entries, -1);
  std::vector<std::vector<int>> readers(num_entries);
  for (size_t s = 0; s < num_steps; ++s) {
    for (int e : steps[s].inputs) {
      MV_CHECK(e >= 0 && static_cast<size_t>(e) < num_entries, kInternal) << "memory plan: bad entry " << e;
      auto& r = readers[static_cast<size_t>(e)];
      if (r.empty() || r.back() != static_cast<int>(s)) r.push_back(static_cast<int>(s));
    }
    for (int e : steps[s].outputs) {
      MV_CHECK(e >= 0 && static_cast<size_t>(e) < num_entries, kInternal) << "memory plan: bad entry " << e;
      if (producer[static_cast<size_t>(e)] < 0) producer[static_cast<size_t>(e)] = static_cast<int>(s);
    }
  }
  for (size_t e = 0; e < num_entries; ++e) {
    last_use[e] = readers[e].empty() ? producer[e] : readers[e].back();
    if (producer[e] >= 0 && static_cast<size_t>(producer[e]) < keep_from && !readers[e].empty() &&
        static_cast<size_t>(readers[e].back()) >= keep_from)
      last_use[e] = static_cast<int>(num_steps);  // rule 1: kept for the backward
  }

  // ancestors[s]: every step s depends on, transitively, through the entries it reads.
  std::vector<Bitset> ancestors(num_steps, Bitset(num_steps));
  for (size_t s = 0; s < num_steps; ++s)
    for (int e : steps[s].inputs) {
      int p = producer[static_cast<size_t>(e)];
      if (p < 0 || static_cast<size_t>(p) >= s) continue;
      ancestors[s].merge(ancestors[static_cast<size_t>(p)]);
      ancestors[s].set(static_cast<size_t>(p));
    }

  MemoryPlan plan;
  plan.buffer_of.assign(num_entries, -1);
  plan.inplace.assign(num_entries, false);
  std::vector<Buffer> buffers;
  auto precedes_all = [&](int s, int prod, const std::vector<int>& rs) {
    const Bitset& a = ancestors[static_cast<size_t>(s)];
    if (prod >= 0 && prod != s && !a.test(static_cast<size_t>(prod))) return false;
    for (int r : rs)
      if (r != s && !a.test(static_cast<size_t>(r))) return false;
    return true;
  };

  for (size_t si = 0; si < num_steps; ++si) {
    const int s = static_cast<int>(si);
    const PlanStep& step = steps[si];
    std::vector<int> taken;  // buffers passed on in place at this step
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      const size_t e = static_cast<size_t>(step.outputs[o]);
      if (!entries[e].internal || producer[e] != s || plan.buffer_of[e] >= 0) continue;
      int chosen = -1;
      for (auto [in_slot, out_slot] : step.inplace) {  // rule 2
        if (out_slot != static_cast<int>(o) || in_slot < 0 || static_cast<size_t>(in_slot) >= step.inputs.size())
          continue;
        const size_t ei = static_cast<size_t>(step.inputs[static_cast<size_t>(in_slot)]);
        const int b = plan.buffer_of[ei];
        if (!entries[ei].internal || b < 0 || last_use[ei] != s) continue;
        if (entries[ei].bytes != entries[e].bytes || entries[ei].dtype != entries[e].dtype) continue;
        if (std::find(taken.begin(), taken.end(), b) != taken.end()) continue;
        if (!precedes_all(s, -1, readers[ei])) continue;
        chosen = b;
        taken.push_back(b);
        plan.inplace[e] = true;
        ++plan.stats.num_inplace;
        break;
      }
      if (chosen < 0) {  // rules 3 and 4
        int fit = -1, largest = -1;
        for (size_t b = 0; b < buffers.size(); ++b) {
          const Buffer& buf = buffers[b];
          if (!buf.free || !precedes_all(s, buf.producer, buf.readers)) continue;
          if (buf.bytes >= entries[e].bytes) {
            if (fit < 0 || buf.bytes < buffers[static_cast<size_t>(fit)].bytes) fit = static_cast<int>(b);
          } else if (largest < 0 || buf.bytes > buffers[static_cast<size_t>(largest)].bytes) {
            largest = static_cast<int>(b);
          }
        }
        chosen = fit >= 0 ? fit : largest;
        if (chosen < 0) {
          chosen = static_cast<int>(buffers.size());
          buffers.emplace_back();
        }
      }
      Buffer& buf = buffers[static_cast<size_t>(chosen)];
      buf.bytes = std::max(buf.bytes, entries[e].bytes);
      buf.free = false;
      buf.producer = s;
      buf.readers = readers[e];
      plan.buffer_of[e] = chosen;
      plan.stats.unplanned_bytes += entries[e].bytes;
      ++plan.stats.num_entries;
    }
    // Entries whose last use is this step die now, unless their buffer moved on in place.
    auto release = [&](int entry) {
      const size_t e = static_cast<size_t>(entry);
      const int b = plan.buffer_of[e];
      if (b < 0 || last_use[e] != s) return;
      Buffer& buf = buffers[static_cast<size_t>(b)];
      if (buf.producer != producer[e]) return;  // taken over in place (or already released)
      buf.free = true;
    };
    for (int e : step.inputs) release(e);
    for (int e : step.outputs) release(e);
  }

  for (const Buffer& b : buffers) {
    plan.buffer_bytes.push_back(b.bytes);
    plan.stats.planned_bytes += b.bytes;
  }
  plan.stats.num_buffers = buffers.size();
  return plan;
}

}  // namespace minerva
