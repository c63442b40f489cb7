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
};
struct MVCachedOp_ {
  uint64_t tag = minerva::capi::kTagCachedOp;
  std::unique_ptr<minerva::CachedOp> op;
};

namespace minerva {
namespace capi {

inline MVExecutor_& executor(MVExecutorHandle h, const char* fn) {
  return *checked(h, kTagExecutor, "Executor", fn, "exe");
}
inline CachedOp& cached_op(MVCachedOpHandle h, const char* fn) {
  return *checked(h, kTagCachedOp, "CachedOp", fn, "op")->op;
}

}  // namespace capi
}  // namespace minerva
