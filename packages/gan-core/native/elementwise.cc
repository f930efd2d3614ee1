// Elementwise and reduction passes a GAN step repeats: Tanh, LeakyReLU and its gradient, and
// sums over leading axes, each one pass over the wasm heap (split across OpenBLAS's threads for
// large arrays).
#include "kernels.h"

#if defined(GANMOD_LIBMVEC) && defined(__AVX2__)
#include <immintrin.h>
extern "C" __m256 _ZGVdN8v_tanhf(__m256);  // libmvec's AVX2 tanhf
#endif

namespace ganmod {
namespace {

// y = tanh(x). With glibc's vector math library (libmvec, glibc >= 2.35; the build defines
// GANMOD_LIBMVEC where it links) 8 at a time, ~1 ns an element against ~15 for scalar tanhf.
NOINLINE void TanhRange(const float* __restrict__ x, float* __restrict__ y, size_t n) {
  size_t i = 0;
#if defined(GANMOD_LIBMVEC) && defined(__AVX2__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _ZGVdN8v_tanhf(_mm256_loadu_ps(x + i)));
#endif
  for (; i < n; i++) y[i] = std::tanh(x[i]);
}

// Both sides computed, then selected: so the loops vectorize (blends) instead of branching per
// element, which with the sign of x random mispredicts half the time (the scalar loops were 5%
// of an MLP step).
NOINLINE void LeakyReluRange(const float* __restrict__ x, float* __restrict__ y, size_t n,
                             float alpha) {
  for (size_t i = 0; i < n; i++) {
    const float v = x[i], scaled = v * alpha;
    y[i] = v > 0 ? v : scaled;
  }
}

NOINLINE void LeakyReluGradRange(const float* __restrict__ dy, const float* __restrict__ x,
                                 float* __restrict__ dx, size_t n, float alpha) {
  for (size_t i = 0; i < n; i++) {
    const float g = dy[i], scaled = g * alpha;
    dx[i] = x[i] > 0 ? g : scaled;
  }
}


}  // namespace

// tanh(x, y): y = tanh(x) (stock wasm runs a scalar tanh at ~20 ns an element).
napi_value Tanh(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats x, y;
  if (!GetFloats(env, argv[0], &x, "x") || !GetFloats(env, argv[1], &y, "y")) return nullptr;
  if (!Check(env, x.length == y.length, "ganmod-kernels: tanh sizes do not match")) return nullptr;
  const float* xs = x.data;
  float* ys = y.data;
  ParallelRanges(x.length,
                 [=](size_t begin, size_t end) { TanhRange(xs + begin, ys + begin, end - begin); });
  return nullptr;
}

// leakyRelu(x, y, alpha): y = x > 0 ? x : alpha * x
// leakyReluGrad(dy, x, dx, alpha): dx = x > 0 ? dy : alpha * dy
napi_value LeakyRelu(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats a, b, c;
  double alpha = 0;
  const bool grad = argc == 4;
  if (!GetFloats(env, argv[0], &a, grad ? "dy" : "x") ||
      !GetFloats(env, argv[1], &b, grad ? "x" : "y")) {
    return nullptr;
  }
  if (grad && !GetFloats(env, argv[2], &c, "dx")) return nullptr;
  if (napi_get_value_double(env, argv[grad ? 3 : 2], &alpha) != napi_ok) {
    napi_throw_type_error(env, nullptr, "ganmod-kernels: alpha must be a number");
    return nullptr;
  }
  const float al = static_cast<float>(alpha);
  if (grad) {
    if (!Check(env, a.length == b.length && c.length == a.length,
               "ganmod-kernels: leakyReluGrad sizes do not match")) {
      return nullptr;
    }
    LeakyReluGradRange(a.data, b.data, c.data, a.length, al);
  } else {
    if (!Check(env, a.length == b.length, "ganmod-kernels: leakyRelu sizes do not match")) {
      return nullptr;
    }
    LeakyReluRange(a.data, b.data, a.length, al);
  }
  return nullptr;
}

// sumRows(x, out, rows, scale): out[c] = scale * sum_r x[r, c] with double accumulators (the
// reductions over leading axes of batch norm: [N, H, W, C] -> [C]).
napi_value SumRows(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats x, out;
  int64_t rows = 0;
  double scale = 1;
  if (!GetFloats(env, argv[0], &x, "x") || !GetFloats(env, argv[1], &out, "out")) return nullptr;
  if (napi_get_value_int64(env, argv[2], &rows) != napi_ok ||
      napi_get_value_double(env, argv[3], &scale) != napi_ok) {
    napi_throw_type_error(env, nullptr, "ganmod-kernels: rows and scale must be numbers");
    return nullptr;
  }
  const size_t width = out.length;
  if (!Check(env, rows > 0 && x.length == static_cast<size_t>(rows) * width,
             "ganmod-kernels: sumRows sizes do not match")) {
    return nullptr;
  }
  thread_local std::vector<double> acc;
  acc.assign(width, 0.0);
  double* a = acc.data();
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x.data + r * width;
    for (size_t c = 0; c < width; c++) a[c] += row[c];
  }
  for (size_t c = 0; c < width; c++) out.data[c] = static_cast<float>(a[c] * scale);
  return nullptr;
}

}  // namespace ganmod
