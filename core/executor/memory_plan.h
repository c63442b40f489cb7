// Memory planning for the executor: which intermediate entries of a schedule may share one
// buffer. Pure bookkeeping over entry ids and step indices (no arrays), so tests can plan a
// hand-made graph and read the assignment. See Note [Executor memory plan] in memory_plan.cc.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

#include "core/executor/executor.h"

namespace minerva {

struct PlanEntry {
  size_t bytes = 0;
  int dtype = -1;         // in-place sharing needs equal dtypes (same element layout)
  bool internal = false;  // planned; false for arguments, aux states, head gradients, outputs
};

struct PlanStep {
  std::vector<int> inputs;   // entry ids the step reads, by input slot
  std::vector<int> outputs;  // entry ids the step writes, by output slot
  std::vector<std::pair<int, int>> inplace;  // (input slot, output slot) pairs the op allows to share
};

struct MemoryPlan {
  std::vector<int> buffer_of;        // per entry: its buffer, or -1 where the plan leaves it alone
  std::vector<size_t> buffer_bytes;  // per buffer
  std::vector<bool> inplace;         // per entry: shares the buffer of an input of its producer
  MemoryPlanStats stats;
};

// Plans the internal entries of `steps` (run in order). Entries produced before step
// `keep_from` and read at or after it stay alive to the end of the schedule: the forward
// activations the backward reads, so backward can run again without a new forward.
MemoryPlan plan_memory(const std::vector<PlanEntry>& entries, const std::vector<PlanStep>& steps,
                       size_t keep_from);

}  // namespace minerva
