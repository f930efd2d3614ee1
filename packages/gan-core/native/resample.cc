// Image resampling for inference inputs: 8-bit interleaved pixels to float, with a triangle
// (linear) filter whose support widens with the shrink factor, so a downscale averages every
// source pixel instead of skipping most of them (antialiased, like libvips' `linear` kernel).
//
// Why: the moderation detectors each shrank the decoded upload with a sharp pipeline (224x224 for
// the NSFW network, 128 px for the skin count): ~2 ms of CPU each, mostly pipeline set-up, where
// this separable loop takes a fraction of that and writes the network's float input directly.
#include "kernels.h"

namespace ganmod {
namespace {

struct Taps {
  std::vector<int32_t> first;   // first source index per output sample
  std::vector<int32_t> count;   // taps per output sample
  std::vector<float> weights;   // `max_taps` weights per output sample, normalised to sum 1
  int32_t max_taps = 0;
};

// Triangle-filter taps mapping `in` samples onto `out`: the datasets package's `axisFilter`
// (packages/datasets/src/pixels.ts) operation for operation, so the JS fallback matches bit for bit.
Taps TriangleTaps(int64_t in, int64_t out) {
  Taps taps;
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  const double support = std::max(1.0, scale);
  taps.max_taps = static_cast<int32_t>(std::ceil(support)) * 2 + 1;
  taps.first.resize(out);
  taps.count.resize(out);
  taps.weights.assign(static_cast<size_t>(out * taps.max_taps), 0.f);
  for (int64_t o = 0; o < out; o++) {
    const double centre = (static_cast<double>(o) + 0.5) * scale;
    const int64_t lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(centre - support)));
    const int64_t hi = std::min<int64_t>(in, static_cast<int64_t>(std::ceil(centre + support)));
    float* w = &taps.weights[static_cast<size_t>(o * taps.max_taps)];
    double total = 0;
    int32_t n = 0;
    for (int64_t i = lo; i < hi && n < taps.max_taps; i++, n++) {
      const double v =
          std::max(0.0, 1.0 - std::abs((static_cast<double>(i) + 0.5 - centre) / support));
      w[n] = static_cast<float>(v);
      total += v;
    }
    const double denominator = total != 0 ? total : 1;
    for (int32_t k = 0; k < n; k++) w[k] = static_cast<float>(static_cast<double>(w[k]) / denominator);
    taps.first[o] = static_cast<int32_t>(lo);
    taps.count[o] = n;
  }
  return taps;
}

// out[i] += weight * line[i]. Restrict: a uint8_t pointer may alias anything, which would keep the
// compiler from vectorising the loop.
NOINLINE void AddScaledRow(float* __restrict__ out, const uint8_t* __restrict__ line, float weight,
                           int64_t length) {
  for (int64_t i = 0; i < length; i++) out[i] += weight * static_cast<float>(line[i]);
}

}  // namespace

// resampleImage(src: Uint8Array, [width, height, channels, outWidth, outHeight],
//               dst: Float32Array, scale, offset): dst = resampled * scale + offset.
napi_value ResampleImage(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (!Check(env, argc == 5, "ganmod-kernels: resampleImage(src, geometry, dst, scale, offset)")) {
    return nullptr;
  }
  uint8_t* src = nullptr;
  size_t src_length = 0;
  int64_t g[5];
  Floats dst;
  double scale = 1, offset = 0;
  if (!GetBytes(env, argv[0], &src, &src_length, "pixels") || !GetInts(env, argv[1], g, 5, "geometry") ||
      !GetFloats(env, argv[2], &dst, "dst")) {
    return nullptr;
  }
  NAPI_CALL(env, napi_get_value_double(env, argv[3], &scale));
  NAPI_CALL(env, napi_get_value_double(env, argv[4], &offset));
  const int64_t w = g[0], h = g[1], c = g[2], ow = g[3], oh = g[4];
  if (!Check(env, w > 0 && h > 0 && c > 0 && ow > 0 && oh > 0 &&
                      src_length == static_cast<size_t>(w * h * c) &&
                      dst.length == static_cast<size_t>(ow * oh * c),
             "ganmod-kernels: resampleImage's arrays do not match its geometry")) {
    return nullptr;
  }
  const Taps across = TriangleTaps(w, ow);
  const Taps down = TriangleTaps(h, oh);
  // Columns first: each output row is a weighted sum of a few whole source rows (contiguous, so
  // the loop vectorises); then each output pixel a weighted sum of a few samples of that row.
  const int64_t row_length = w * c;
  // Reused across calls (one per thread): a fresh 1-2 MB buffer each call costs page faults.
  thread_local std::vector<float> tall;
  if (tall.size() < static_cast<size_t>(oh * row_length)) tall.resize(oh * row_length);
  for (int64_t y = 0; y < oh; y++) {
    const float* wt = &down.weights[static_cast<size_t>(y * down.max_taps)];
    float* out = &tall[static_cast<size_t>(y * row_length)];
    for (int64_t i = 0; i < row_length; i++) out[i] = 0;
    for (int32_t k = 0; k < down.count[y]; k++) {
      AddScaledRow(out, src + (down.first[y] + k) * row_length, wt[k], row_length);
    }
  }
  const float fscale = static_cast<float>(scale), foffset = static_cast<float>(offset);
  for (int64_t y = 0; y < oh; y++) {
    const float* row = &tall[static_cast<size_t>(y * row_length)];
    float* out = dst.data + y * ow * c;
    for (int64_t x = 0; x < ow; x++) {
      const float* wt = &across.weights[static_cast<size_t>(x * across.max_taps)];
      const float* s = row + across.first[x] * c;
      for (int64_t ch = 0; ch < c; ch++) {
        float v = 0;
        for (int32_t k = 0; k < across.count[x]; k++) v += wt[k] * s[k * c + ch];
        out[x * c + ch] = v * fscale + foffset;
      }
    }
  }
  return nullptr;
}

}  // namespace ganmod
