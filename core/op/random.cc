#include "core/op/random.h"

#include <map>
#include <memory>
#include <mutex>

namespace minerva {

namespace {
struct Generators {
  std::mutex mu;
  std::map<int, std::unique_ptr<RandomGenerator>> by_device;
  uint64_t base_seed = 0;
};
Generators& generators() {
  static Generators* g = new Generators();
  return *g;
}
uint64_t device_seed(uint64_t seed, int dev_id) { return seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(dev_id); }
}  // namespace

RandomGenerator& random_generator(Context ctx) {
  Generators& g = generators();
  std::lock_guard<std::mutex> lock(g.mu);
  auto& slot = g.by_device[ctx.dev_id];
  if (!slot) {
    slot = std::make_unique<RandomGenerator>();
    slot->engine.seed(device_seed(g.base_seed, ctx.dev_id));
  }
  return *slot;
}

void random_seed(uint64_t seed, Context ctx) {
  RandomGenerator& gen = random_generator(ctx);
  RandomGenerator* p = &gen;
  Engine::get()->push([p, seed, ctx] { p->engine.seed(device_seed(seed, ctx.dev_id)); }, {}, {gen.var}, "random_seed");
}

void random_seed(uint64_t seed) {
  std::vector<int> ids;
  {
    Generators& g = generators();
    std::lock_guard<std::mutex> lock(g.mu);
    g.base_seed = seed;
    for (auto& kv : g.by_device) ids.push_back(kv.first);
  }
  for (int id : ids) random_seed(seed, Context::cpu(id));
}

}  // namespace minerva
