#include "core/executor/subgraph_run.h"

#include <cstring>
#include <set>
#include <unordered_map>

#include "core/op/invoke.h"

namespace minerva {

SubgraphProgram::SubgraphProgram(std::vector<NodeEntry> outputs, std::string owner)
    : outputs_(std::move(outputs)), owner_(std::move(owner)) {
  Symbol live;
  for (const NodeEntry& e : outputs_)
    if (e.node) live.outputs.push_back(e);
  order_ = live.topo_order();
}

std::vector<NDArray> SubgraphProgram::run(const OpContext& ctx, const Bindings& bindings) const {
  std::unordered_map<const Node*, TBlob> bound(bindings.begin(), bindings.end());
  std::unordered_map<const Node*, std::vector<NDArray>> values;
  auto blob_of = [&](const NodeEntry& e) -> TBlob {
    if (e.node->is_variable()) {
      auto it = bound.find(e.node.get());
      MV_CHECK(it != bound.end(), kInternal) << owner_ << ": subgraph input '" << e.node->name << "' has no value";
      return it->second;
    }
    return values.at(e.node.get()).at(static_cast<size_t>(e.index)).blob();
  };
  for (const NodePtr& n : order_) {
    if (n->is_variable()) continue;
    const OpDef& op = *n->op;
    std::vector<TBlob> in;
    std::vector<Shape> in_shapes;
    std::vector<int> in_types;
    for (const NodeEntry& e : n->inputs) {
      in.push_back(blob_of(e));
      in_shapes.push_back(in.back().shape);
      in_types.push_back(static_cast<int>(in.back().dtype));
    }
    const size_t num_out = static_cast<size_t>(n->num_outputs());
    std::vector<Shape> out_shapes(num_out);
    std::vector<int> out_types(num_out, -1);
    std::vector<NDArray> outs;
    std::vector<TBlob> out_blobs;
    try {
      infer_shapes_and_types(op, *n->attrs, &in_shapes, &out_shapes, &in_types, &out_types);
      for (size_t i = 0; i < in.size(); ++i)
        if (in_shapes[i] != in[i].shape) shape_mismatch(*n->attrs, "input " + std::to_string(i), in_shapes[i], in[i].shape);
      // The same output rules as invoke(): known shapes and dtypes, and no kernel when there is
      // nothing to write (a kernel must not walk the non-zero dims of a shape like (2^31, 2^31, 0)).
      bool has_work = false;
      for (size_t k = 0; k < num_out; ++k) {
        MV_CHECK(!out_shapes[k].empty(), kValue) << "could not infer the shape of output " << k;
        MV_CHECK(out_types[k] >= 0, kValue) << "could not infer the dtype of output " << k;
        outs.emplace_back(out_shapes[k], static_cast<DType>(out_types[k]), ctx.ctx, false);
        out_blobs.push_back(outs.back().blob());
        has_work = has_work || shape_size(out_shapes[k]) > 0;
      }
      OpContext inner = ctx;
      if (!op.rng_for(*n->attrs)) inner.rng = nullptr;
      if (has_work) op.forward(inner, *n->attrs, in, out_blobs);
    } catch (const Error& e) {
      throw Error(e.kind(), owner_ + ": in its subgraph, node '" + n->name + "' (" + op.name + "): " + e.what());
    }
    values[n.get()] = std::move(outs);
  }
  std::vector<NDArray> result;
  for (const NodeEntry& e : outputs_) {
    if (!e.node) {
      result.emplace_back();
    } else if (e.node->is_variable()) {
      const TBlob src = blob_of(e);
      NDArray copy(src.shape, src.dtype, ctx.ctx, false);
      copy_blob(src, copy.blob());
      result.push_back(copy);
    } else {
      result.push_back(values.at(e.node.get()).at(static_cast<size_t>(e.index)));
    }
  }
  return result;
}

void check_subgraph(const Symbol& g, const std::string& owner, const std::string& what) {
  MV_CHECK(!g.outputs.empty(), kValue) << owner << ": the " << what << " graph has no outputs";
  std::set<std::string> names;
  for (const NodePtr& n : g.topo_order()) {
    if (n->is_variable()) {
      MV_CHECK(names.insert(n->name).second, kValue)
          << owner << ": the " << what << " graph has two inputs named '" << n->name << "'";
      continue;
    }
    MV_CHECK(n->mutated_inputs().empty(), kValue)
        << owner << ": the " << what << " graph uses operator " << n->op->name << " ('" << n->name
        << "'), which updates its inputs in place (auxiliary states); that is not supported inside a subgraph";
  }
}

bool subgraph_uses_rng(const Symbol& g) {
  for (const NodePtr& n : g.topo_order())
    if (!n->is_variable() && n->op->rng_for(*n->attrs)) return true;
  return false;
}

TBlob row_of(const TBlob& b, int64_t row) {
  TBlob r;
  r.dtype = b.dtype;
  if (b.shape.size() > 1) {
    r.shape.assign(b.shape.begin() + 1, b.shape.end());
  } else {
    r.shape = Shape{1};  // MXNet slices a 1-D array into rows of shape (1,)
  }
  const int64_t row_bytes = shape_size(r.shape) * static_cast<int64_t>(dtype_size(b.dtype));
  r.data = static_cast<char*>(b.data) + row * row_bytes;
  return r;
}

void copy_blob(const TBlob& src, const TBlob& dst) {
  MV_CHECK(src.shape == dst.shape && src.dtype == dst.dtype, kInternal)
      << "copy between arrays of shape " << shape_str(src.shape) << " and " << shape_str(dst.shape);
  const size_t bytes = static_cast<size_t>(src.size()) * dtype_size(src.dtype);
  if (bytes > 0 && src.data != dst.data) std::memmove(dst.data, src.data, bytes);
}

NDArray zeros_like_blob(const TBlob& b, Context ctx) { return NDArray(b.shape, b.dtype, ctx, true); }

void add_into(const OpContext& ctx, NDArray* dst, const TBlob& src) {
  static const OpDef& add = OpRegistry::get().lookup("elemwise_add");
  static const AttrsPtr attrs = add.parse({});
  NDArray sum(dst->shape(), dst->dtype(), ctx.ctx, false);
  add.forward(ctx, *attrs, {dst->blob(), src}, {sum.blob()});
  *dst = sum;
}

}  // namespace minerva
