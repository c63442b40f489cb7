// Seeded random numbers. Each logical device has one generator with its own engine variable;
// random operators write that variable, so draws happen in push order and a seed reproduces
// a whole run under either engine.
#pragma once
#include <cstdint>
#include <random>

#include "core/base/types.h"
#include "core/engine/engine.h"

namespace minerva {

struct RandomGenerator {
  RandomGenerator() { var->keeps_errors = false; }  // a rejected draw must not break later ones
  std::mt19937_64 engine{0};
  EngineVarPtr var = Engine::new_var();
};

RandomGenerator& random_generator(Context ctx);
// Reseeds every device's generator (through the engine, after pending random ops).
void random_seed(uint64_t seed);
void random_seed(uint64_t seed, Context ctx);

}  // namespace minerva
