#include "core/op/invoke.h"

#include "core/autograd/autograd.h"
#include "core/op/arity.h"
#include "core/op/kernel_util.h"
#include "core/op/random.h"
#include "core/profiler/profiler.h"

namespace minerva {

void infer_shapes_and_types(const OpDef& op, const Attrs& attrs, std::vector<Shape>* in_shapes,
                            std::vector<Shape>* out_shapes, std::vector<int>* in_types, std::vector<int>* out_types) {
  MV_CHECK(op.infer_shape, kInternal) << "Operator " << op.name << " declares no shape inference";
  op.infer_shape(attrs, in_shapes, out_shapes);
  if (op.infer_type)
    op.infer_type(attrs, in_types, out_types);
  else
    infer_same_type(attrs, in_types, out_types);
}

namespace {

std::string input_label(const std::vector<std::string>& names, size_t i) {
  return i < names.size() ? "'" + names[i] + "'" : std::to_string(i);
}

// Element counts below which an operator runs inline (Note [Inline small ops] in engine.cc).
bool is_small(const std::vector<NDArray>& inputs, const std::vector<NDArray>& outputs) {
  constexpr int64_t kSmallElements = 4096;
  int64_t total = 0;
  for (auto& a : inputs) total += a.size();
  for (auto& a : outputs) total += a.size();
  return total <= kSmallElements;
}

}  // namespace

std::vector<NDArray> invoke(const OpDef& op, const AttrsPtr& attrs, const std::vector<NDArray>& inputs,
                            const std::vector<NDArray>& outputs) {
  // A count parameter is checked against the inputs actually given before any vector is sized
  // by it (Note [Count parameters are bounded]).
  if (!op.variadic_param.empty()) {
    const int64_t expected = variadic_input_count(op, *attrs);
    MV_CHECK(expected == static_cast<int64_t>(inputs.size()), kValue)
        << "Operator " << op.name << ": " << op.variadic_param << "=" << attrs->get_int(op.variadic_param)
        << " asks for " << expected << " input(s), but " << inputs.size() << " were given";
  }
  const std::vector<std::string> names = op.inputs_for(*attrs);
  MV_CHECK(inputs.size() == names.size(), kValue)
      << "Operator " << op.name << " expects " << names.size() << " input(s) (" << join_names(names) << "), got " << inputs.size();
  Context ctx = Context::cpu(0);
  for (size_t i = 0; i < inputs.size(); ++i) {
    MV_CHECK(!inputs[i].is_none(), kValue) << "Operator " << op.name << ": input " << input_label(names, i)
                                           << " is an empty (freed or uninitialised) array";
    if (i == 0) ctx = inputs[0].ctx();
    MV_CHECK(inputs[i].ctx() == ctx, kValue)
        << "Operator " << op.name << ": all inputs must be on one device; input " << input_label(names, i)
        << " is on " << inputs[i].ctx().str() << ", input " << input_label(names, 0) << " on " << ctx.str();
  }
  if (inputs.empty() && !outputs.empty() && !outputs[0].is_none()) ctx = outputs[0].ctx();
  if (inputs.empty() && attrs->op) {
    // Creation operators carry their device as a parameter.
    for (size_t i = 0; i < op.params.size(); ++i)
      if (op.params[i].name == "ctx" && !attrs->values[i].none && !attrs->values[i].s.empty()) {
        const std::string& c = attrs->values[i].s;
        int id = 0;
        size_t lp = c.find('('), rp = c.find(')');
        if (lp != std::string::npos && rp != std::string::npos) id = std::atoi(c.substr(lp + 1, rp - lp - 1).c_str());
        ctx = Context::make(c.rfind("gpu", 0) == 0 ? 2 : 1, id);
      }
  }

  const int num_out = bounded_output_count(op, *attrs);
  std::vector<Shape> in_shapes, out_shapes(num_out);
  std::vector<int> in_types, out_types(num_out, -1);
  for (auto& a : inputs) {
    in_shapes.push_back(a.shape());
    in_types.push_back(static_cast<int>(a.dtype()));
  }
  const int num_visible = op.visible_outputs_for(*attrs);
  MV_CHECK(outputs.empty() || static_cast<int>(outputs.size()) == num_out ||
               static_cast<int>(outputs.size()) == num_visible,
           kValue)
      << "Operator " << op.name << " produces " << num_visible << " output(s), but " << outputs.size()
      << " output arrays were given";
  for (size_t i = 0; i < outputs.size(); ++i) {
    MV_CHECK(!outputs[i].is_none(), kValue) << "Operator " << op.name << ": output " << i << " is an empty array";
    out_types[i] = static_cast<int>(outputs[i].dtype());
  }
  infer_shapes_and_types(op, *attrs, &in_shapes, &out_shapes, &in_types, &out_types);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (in_shapes[i] != inputs[i].shape()) shape_mismatch(*attrs, "input " + input_label(names, i), in_shapes[i], inputs[i].shape());

  std::vector<NDArray> outs(num_out);
  for (int i = 0; i < num_out; ++i) {
    MV_CHECK(!out_shapes[i].empty() && shape_size(out_shapes[i]) >= 0 && out_types[i] >= 0, kValue)
        << "Operator " << op.name << ": could not infer the shape and dtype of output " << i
        << " from the inputs and parameters (is a shape parameter missing or zero?)";
    if (i < static_cast<int>(outputs.size())) {
      const NDArray& o = outputs[i];
      if (o.shape() != out_shapes[i]) shape_mismatch(*attrs, "output " + std::to_string(i), out_shapes[i], o.shape());
      MV_CHECK(static_cast<int>(o.dtype()) == out_types[i], kType)
          << "Operator " << op.name << ": output " << i << " has dtype " << dtype_name(o.dtype()) << ", expected "
          << dtype_name(static_cast<DType>(out_types[i]));
      MV_CHECK(!o.chunk()->read_only, kValue) << "Operator " << op.name << ": output " << i << " is read-only";
      outs[i] = o;
    } else {
      outs[i] = NDArray(out_shapes[i], static_cast<DType>(out_types[i]), ctx, false);
    }
  }

  std::vector<int> mutated = op.mutated_for(*attrs);
  std::vector<EngineVarPtr> reads, writes;
  std::vector<std::shared_ptr<Chunk>> keep;
  std::vector<TBlob> in_blobs, out_blobs;
  for (auto& a : inputs) {
    reads.push_back(a.var());
    keep.push_back(a.chunk());
    in_blobs.push_back(a.blob());
  }
  for (int m : mutated) {
    MV_CHECK(!inputs[m].chunk()->read_only, kValue)
        << "Operator " << op.name << " updates input " << input_label(names, m) << " in place, but it is read-only";
    writes.push_back(inputs[m].var());
    inputs[m].bump_version();
  }
  // An output that shares memory with an input is computed into a temporary and copied back,
  // unless the operator declares that pair in-place safe.
  std::vector<std::pair<TBlob, TBlob>> copy_back;
  for (int i = 0; i < num_out; ++i) {
    writes.push_back(outs[i].var());
    keep.push_back(outs[i].chunk());
    outs[i].bump_version();
    TBlob blob = outs[i].blob();
    for (size_t j = 0; j < inputs.size(); ++j) {
      if (!inputs[j].same_chunk(outs[i])) continue;
      bool declared = false;
      for (auto& pr : op.inplace)
        declared = declared || (pr.first == static_cast<int>(j) && pr.second == i &&
                                inputs[j].byte_offset() == outs[i].byte_offset());
      if (!declared) {
        NDArray tmp(out_shapes[i], static_cast<DType>(out_types[i]), ctx, false);
        keep.push_back(tmp.chunk());
        copy_back.emplace_back(tmp.blob(), blob);
        blob = tmp.blob();
        break;
      }
    }
    out_blobs.push_back(blob);
  }
  OpContext octx;
  octx.ctx = ctx;
  octx.is_train = autograd::is_training();
  if (op.rng_for(*attrs)) {
    RandomGenerator& gen = random_generator(ctx);
    octx.rng = &gen;
    writes.push_back(gen.var);
  }
  // Loops are driven by real element counts: when no output and no updated input holds an
  // element (a zero-size array, whatever its other dims), there is nothing to compute, and a
  // kernel must not walk the product of the non-zero dims (~2^62 steps for (2^31, 2^31, 0)).
  // The push still happens, so ordering and a pending error of an input carry over as usual.
  bool has_work = false;
  for (auto& o : outs) has_work = has_work || o.size() != 0;
  for (int m : mutated) has_work = has_work || inputs[m].size() != 0;
  const OpDef* opp = &op;
  AttrsPtr at = attrs;
  if (profiler::recording()) profiler::note_input_shapes(in_shapes);
  Engine::get()->push(
      [opp, at, octx, in_blobs, out_blobs, copy_back, keep, has_work] {
        if (!has_work) return;
        opp->forward(octx, *at, in_blobs, out_blobs);
        for (auto& [tmp, dst] : copy_back) cast_copy(tmp, dst);
      },
      std::move(reads), std::move(writes), op.name, is_small(inputs, outs));

  if (autograd::is_recording() && !op.non_differentiable) autograd::record(op, attrs, inputs, outs);
  outs.resize(num_visible);
  return outs;
}

std::vector<NDArray> invoke(const std::string& op, const std::vector<NDArray>& inputs, const KeyValues& params,
                            const std::vector<NDArray>& outputs) {
  const OpDef& def = OpRegistry::get().lookup(op);
  return invoke(def, def.parse(params), inputs, outputs);
}

}  // namespace minerva
