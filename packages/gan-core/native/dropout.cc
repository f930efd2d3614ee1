// Dropout masks from a seed (splitmix64, counter-based: replayable and vectorized).
#include "kernels.h"

namespace ganmod {
namespace {

// splitmix64's increment (2^64 / golden ratio) and output mix.
constexpr uint64_t kSplitMixGamma = 0x9E3779B97F4A7C15ull;

inline uint64_t SplitMix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}


}  // namespace

// dropoutMask(out, seed, keepProb): out[i] = 1 / keepProb with probability keepProb, else 0.
// splitmix64 seeded per call: the mask is a function of the seed alone (replayable), generated at
// memory speed instead of TF.js's per-element JS generator.
napi_value DropoutMask(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats out;
  int64_t seed = 0;
  double keep = 0;
  if (!GetFloats(env, argv[0], &out, "out")) return nullptr;
  if (napi_get_value_int64(env, argv[1], &seed) != napi_ok ||
      napi_get_value_double(env, argv[2], &keep) != napi_ok) {
    napi_throw_type_error(env, nullptr, "ganmod-kernels: seed and keepProb must be numbers");
    return nullptr;
  }
  if (!Check(env, keep > 0 && keep <= 1, "ganmod-kernels: keepProb must be in (0, 1]")) {
    return nullptr;
  }
  const float scale = 1.0f / static_cast<float>(keep);
  // Keep when a 24-bit draw, as a fraction of 2^24, falls below keepProb.
  const uint64_t threshold = static_cast<uint64_t>(keep * 16777216.0);
  const uint64_t base = static_cast<uint64_t>(seed) * kSplitMixGamma + 0x632BE59BD9B4E019ull;
  float* __restrict__ o = out.data;
  const size_t pairs = out.length / 2;
  // splitmix64 is counter-based: draw i is mix(base + (i + 1) * gamma), independent of the
  // others, so the loop vectorizes. Two 24-bit draws per 64-bit output.
  for (size_t i = 0; i < pairs; i++) {
    const uint64_t z = SplitMix(base + (i + 1) * kSplitMixGamma);
    o[2 * i] = (z & 0xFFFFFF) < threshold ? scale : 0.0f;
    o[2 * i + 1] = ((z >> 32) & 0xFFFFFF) < threshold ? scale : 0.0f;
  }
  if (out.length % 2 == 1) {
    const uint64_t z = SplitMix(base + (pairs + 1) * kSplitMixGamma);
    o[out.length - 1] = (z & 0xFFFFFF) < threshold ? scale : 0.0f;
  }
  return nullptr;
}

}  // namespace ganmod
