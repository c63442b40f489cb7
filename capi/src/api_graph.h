// The handle objects of the Executor and CachedOp sections (tags in api_util.h).
#pragma once
#include <memory>

#include "capi/src/api_util.h"
#include "core/executor/executor.h"

struct MVExecutor_ {
  uint64_t tag = minerva::capi::kTagExecutor;
  std::unique_ptr<minerva::Executor> exe;
  // The ABI function now running the executor, so a failing monitor callback names it.
  const char* calling = "";
  size_t num_outputs = 0;  // how many out_grads MVExecutorBackward may read
};
struct MVCachedOp_ {
  uint64_t tag = minerva::capi::kTagCachedOp;
  std::unique_ptr<minerva::CachedOp> op;
  size_t num_inputs = 0;  // how many inputs MVCachedOpInvoke may read
};

namespace minerva {
namespace capi {

inline MVExecutor_& executor(MVExecutorHandle h, const char* fn) {
  return *checked(h, kTagExecutor, "Executor", fn, "exe");
}
inline CachedOp& cached_op(MVCachedOpHandle h, const char* fn) {
  return *checked(h, kTagCachedOp, "CachedOp", fn, "op")->op;
}
// Note [Counts before arrays]
// A count that the callee can know (a symbol's arguments, an executor's outputs, an operator's
// inputs) is checked before the caller's array is read, so a wrong count is an error naming both
// numbers instead of a read past the end of the caller's array.
inline void check_count(const char* fn, const char* what, long long given, size_t expected) {
  MV_CHECK(given >= 0 && static_cast<unsigned long long>(given) == expected, kValue)
      << fn << ": expected " << expected << " " << what << ", got " << given;
}

}  // namespace capi
}  // namespace minerva
