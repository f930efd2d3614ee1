// Adam's update for one variable in one pass (TF.js's AdamOptimizer is ~12 kernels per variable).
#include "kernels.h"

namespace ganmod {
namespace {

// One Adam range. The buffers are distinct (the outputs are fresh): restrict parameters let the
// compiler vectorize the loop. Not inlined: inlined into its caller the restrict qualifiers are
// lost and GCC emits a scalar loop (measured 8 ns an element against 1.5).
NOINLINE void AdamRange(const float* __restrict__ x, const float* __restrict__ g,
               const float* __restrict__ m, const float* __restrict__ v, float* __restrict__ ox,
               float* __restrict__ om, float* __restrict__ ov, size_t n, float b1, float b2,
               float eps, float one_minus_b1, float one_minus_b2, float c1, float c2,
               float neg_lr) {
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * one_minus_b1;
    const float vi = v[i] * b2 + (gi * gi) * one_minus_b2;
    om[i] = mi;
    ov[i] = vi;
    const float mhat = mi / c1;
    const float vhat = vi / c2;
    ox[i] = (mhat / (std::sqrt(vhat) + eps)) * neg_lr + x[i];
  }
}


}  // namespace

// adam(value, grad, m, v, outValue, outM, outV, [lr, beta1, beta2, epsilon, 1 - beta1,
// 1 - beta2, 1 - accBeta1, 1 - accBeta2]): TF.js's AdamOptimizer update for one variable in one
// pass, in the same float32 operation order as its chain of kernels (so results match it bit for
// bit).
napi_value Adam(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats x, g, m, v, ox, om, ov, k;
  if (!GetFloats(env, argv[0], &x, "value") || !GetFloats(env, argv[1], &g, "grad") ||
      !GetFloats(env, argv[2], &m, "m") || !GetFloats(env, argv[3], &v, "v") ||
      !GetFloats(env, argv[4], &ox, "outValue") || !GetFloats(env, argv[5], &om, "outM") ||
      !GetFloats(env, argv[6], &ov, "outV") || !GetFloats(env, argv[7], &k, "constants")) {
    return nullptr;
  }
  const size_t n = x.length;
  if (!Check(env,
             g.length == n && m.length == n && v.length == n && ox.length == n &&
                 om.length == n && ov.length == n && k.length == 8,
             "ganmod-kernels: adam sizes do not match")) {
    return nullptr;
  }
  const float lr = k.data[0], b1 = k.data[1], b2 = k.data[2], eps = k.data[3];
  // 1 - beta comes from the caller: TF.js rounds (1 - beta) computed in double, not 1.0f - b.
  const float one_minus_b1 = k.data[4], one_minus_b2 = k.data[5];
  const float c1 = k.data[6], c2 = k.data[7], neg_lr = -lr;
  const float* xs = x.data;
  const float* gs = g.data;
  const float* ms = m.data;
  const float* vs = v.data;
  float* oxs = ox.data;
  float* oms = om.data;
  float* ovs = ov.data;
  ParallelRanges(n, [=](size_t begin, size_t end) {
    AdamRange(xs + begin, gs + begin, ms + begin, vs + begin, oxs + begin, oms + begin,
              ovs + begin, end - begin, b1, b2, eps, one_minus_b1, one_minus_b2, c1, c2, neg_lr);
  });
  return nullptr;
}

}  // namespace ganmod
