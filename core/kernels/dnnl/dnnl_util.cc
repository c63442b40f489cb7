#include "core/kernels/dnnl/primitive_cache.h"

#include <atomic>

#include "core/base/env.h"

namespace minerva {
namespace onednn {

namespace {
#ifdef MINERVA_WITH_DNNL
constexpr bool kBuiltWithDnnl = true;
#else
constexpr bool kBuiltWithDnnl = false;
#endif

std::atomic<bool>& switch_flag() {
  static std::atomic<bool> on{kBuiltWithDnnl && env::use_dnnl()};
  return on;
}
}  // namespace

bool available() { return kBuiltWithDnnl; }

bool enabled() { return switch_flag().load(std::memory_order_relaxed); }

bool set_enabled(bool on) { return switch_flag().exchange(kBuiltWithDnnl && on); }

#ifdef MINERVA_WITH_DNNL

using dnnl::memory;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::primitive_attr user_scratchpad_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

memory::desc plain_desc(const memory::dims& dims) {
  using tag = memory::format_tag;
  static const tag by_rank[] = {tag::undef, tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde};
  return memory::desc(dims, memory::data_type::f32, by_rank[dims.size()]);
}

ArgLayout input_layout(const memory::desc& user, const memory::desc& prim) {
  ArgLayout a{user, prim, user == prim, {}};
  if (!a.same) a.convert = dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), user, cpu_engine(), prim));
  return a;
}

ArgLayout output_layout(const memory::desc& user, const memory::desc& prim) {
  ArgLayout a{user, prim, user == prim, {}};
  if (!a.same) a.convert = dnnl::reorder(dnnl::reorder::primitive_desc(cpu_engine(), prim, cpu_engine(), user));
  return a;
}

Call::Call() : stream_(cpu_engine()) {}

memory Call::scratch(const memory::desc& d) {
  blocks_.push_back(storage_alloc(d.get_size(), false));
  return memory(d, cpu_engine(), blocks_.back()->data());
}

memory Call::wrap(const memory::desc& d, const void* data) {
  return memory(d, cpu_engine(), const_cast<void*>(data));  // oneDNN takes a non-const handle
}

memory Call::input(const ArgLayout& arg, const void* data) {
  memory user = wrap(arg.user, data);
  if (arg.same) return user;
  memory prim = scratch(arg.prim);
  arg.convert.execute(stream_, {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, prim}});
  return prim;
}

memory Call::output(const ArgLayout& arg, void* data) {
  memory user(arg.user, cpu_engine(), data);
  if (arg.same) return user;
  memory prim = scratch(arg.prim);
  pending_.push_back({&arg, {prim, user}});
  return prim;
}

memory Call::scratchpad(const dnnl::primitive_desc_base& pd) { return scratch(pd.scratchpad_desc()); }

void Call::run(const dnnl::primitive& p, const std::unordered_map<int, memory>& args) { p.execute(stream_, args); }

void Call::finish() {
  for (auto& [arg, mems] : pending_)
    arg->convert.execute(stream_, {{DNNL_ARG_FROM, mems.first}, {DNNL_ARG_TO, mems.second}});
  pending_.clear();
  stream_.wait();
}

#endif  // MINERVA_WITH_DNNL

}  // namespace onednn
}  // namespace minerva
