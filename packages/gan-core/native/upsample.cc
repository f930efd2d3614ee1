// Nearest-neighbour upsampling by whole factors, and its gradient, NHWC: what UpSampling2D (the
// avatar ResNet's generator blocks) and the average pooling's gradient (models/pooling.ts) run.
//
// Why: stock wasm computes each output's source index in floating point per element, and its
// gradient loops over every output pixel for every input pixel's window: 44 ms in 8 calls of an
// avatar step (batch 16), more than any kernel but the convolutions. By a whole factor each input
// pixel's channels are copied to (or summed from) an fh x fw block of output pixels.
#include "kernels.h"

namespace ganmod {
namespace {

struct Upsample {
  int64_t n, h, w, c, fh, fw;
  int64_t InputSize() const { return n * h * w * c; }
  int64_t OutputSize() const { return n * h * fh * w * fw * c; }
};

bool GetUpsample(napi_env env, napi_value value, Upsample* u) {
  int64_t v[6];
  if (!GetInts(env, value, v, 6, "geometry")) return false;
  *u = Upsample{v[0], v[1], v[2], v[3], v[4], v[5]};
  return Check(env, u->n > 0 && u->h > 0 && u->w > 0 && u->c > 0 && u->fh > 0 && u->fw > 0,
               "ganmod-kernels: invalid upsampling geometry");
}

// Rows [begin, end) of the input (n * h rows): each input pixel to its fh x fw output block.
void UpsampleRows(const Upsample& u, const float* x, float* y, size_t begin, size_t end) {
  const int64_t out_w = u.w * u.fw;
  for (size_t row = begin; row < end; row++) {
    const float* in = x + row * u.w * u.c;
    float* out = y + row * u.fh * out_w * u.c;
    float* first = out;
    for (int64_t i = 0; i < u.w; i++)
      for (int64_t b = 0; b < u.fw; b++) std::memcpy(first + (i * u.fw + b) * u.c, in + i * u.c,
                                                      sizeof(float) * u.c);
    for (int64_t a = 1; a < u.fh; a++)
      std::memcpy(out + a * out_w * u.c, first, sizeof(float) * out_w * u.c);
  }
}

// Rows [begin, end) of dx: each input pixel's gradient, the sum of its block of dy, added in a
// fixed order (block rows, then columns) so the result is the same on every thread count.
void UpsampleGradRows(const Upsample& u, const float* dy, float* dx, size_t begin, size_t end) {
  const int64_t out_w = u.w * u.fw;
  for (size_t row = begin; row < end; row++) {
    float* out = dx + row * u.w * u.c;
    const float* block_rows = dy + row * u.fh * out_w * u.c;
    for (int64_t i = 0; i < u.w; i++) {
      float* d = out + i * u.c;
      for (int64_t k = 0; k < u.c; k++) d[k] = 0.0f;
      for (int64_t a = 0; a < u.fh; a++)
        for (int64_t b = 0; b < u.fw; b++) {
          const float* s = block_rows + (a * out_w + i * u.fw + b) * u.c;
          for (int64_t k = 0; k < u.c; k++) d[k] += s[k];
        }
    }
  }
}

// Threads for passes over at least ~1M floats; split by input rows.
template <typename Rows>
napi_value UpsampleEntry(napi_env env, napi_callback_info info, const char* in_name,
                         const char* out_name, bool grad, Rows rows) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats in, out;
  Upsample u;
  if (!GetFloats(env, argv[0], &in, in_name) || !GetFloats(env, argv[1], &out, out_name) ||
      !GetUpsample(env, argv[2], &u)) {
    return nullptr;
  }
  const size_t small = static_cast<size_t>(u.InputSize()), large = u.OutputSize();
  if (!Check(env, in.length == (grad ? large : small) && out.length == (grad ? small : large),
             "ganmod-kernels: upsampling sizes do not match the geometry")) {
    return nullptr;
  }
  const float* src = in.data;
  float* dst = out.data;
  SplitRange(static_cast<size_t>(u.n * u.h), 1, large >= (size_t{1} << 20),
             [&](size_t begin, size_t end) { rows(u, src, dst, begin, end); });
  return nullptr;
}

}  // namespace

// upsampleNearest(x, y, [n, h, w, c, fh, fw]): y[n, i * fh + a, j * fw + b, :] = x[n, i, j, :].
napi_value UpsampleNearest(napi_env env, napi_callback_info info) {
  return UpsampleEntry(env, info, "x", "y", false, UpsampleRows);
}

// upsampleNearestGrad(dy, dx, [n, h, w, c, fh, fw]): dx[n, i, j, :] = the sum of dy over the
// pixel's fh x fw block (h, w: dx's height and width).
napi_value UpsampleNearestGrad(napi_env env, napi_callback_info info) {
  return UpsampleEntry(env, info, "dy", "dx", true, UpsampleGradRows);
}

}  // namespace ganmod
