// Native kernels for the wasm backend, computed in place on the wasm heap (the arguments are
// Float32Array views of WebAssembly memory, so nothing is copied in or out): convolutions and
// matrix products as im2col + OpenBLAS sgemm, and the elementwise passes a GAN step repeats
// (Adam, LeakyReLU, Tanh, batch norm in inference and training, leading-axis sums, dropout masks,
// fused-op epilogues).
//
// Why: single-threaded wasm SIMD (128-bit, no FMA) tops out near 17-25 GFLOP/s on these machines,
// while OpenBLAS's AVX2/AVX-512 sgemm runs several times faster per core and uses every core.
//
// Layouts are TF.js's: NHWC activations, HWIO filters ([kh, kw, Ci, Co]).
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if defined(GANMOD_LIBMVEC) && defined(__AVX2__)
#include <immintrin.h>
extern "C" __m256 _ZGVdN8v_tanhf(__m256);  // libmvec's AVX2 tanhf
#endif

extern "C" {
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace {

// Keeps a function's __restrict__ parameters meaningful: see AdamRange.
#define NOINLINE __attribute__((noinline))

// ---- N-API plumbing -------------------------------------------------------------------------

#define NAPI_CALL(env, call)                                             \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      napi_throw_error((env), nullptr, "ganmod-kernels: N-API failure"); \
      return nullptr;                                                    \
    }                                                                    \
  } while (0)

struct Floats {
  float* data = nullptr;
  size_t length = 0;
};

bool GetFloats(napi_env env, napi_value value, Floats* out, const char* name) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed ||
      napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_float32_array) {
    std::string message = std::string("ganmod-kernels: ") + name + " must be a Float32Array";
    napi_throw_type_error(env, nullptr, message.c_str());
    return false;
  }
  out->data = static_cast<float*>(data);
  out->length = length;
  return true;
}

bool GetInts(napi_env env, napi_value value, int64_t* out, size_t count, const char* name) {
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  uint32_t length = 0;
  if (!is_array || napi_get_array_length(env, value, &length) != napi_ok || length != count) {
    std::string message = std::string("ganmod-kernels: ") + name + " must be an array of " +
                          std::to_string(count) + " integers";
    napi_throw_type_error(env, nullptr, message.c_str());
    return false;
  }
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    napi_get_element(env, value, i, &item);
    if (napi_get_value_int64(env, item, &out[i]) != napi_ok) {
      std::string message = std::string("ganmod-kernels: ") + name + " must hold integers";
      napi_throw_type_error(env, nullptr, message.c_str());
      return false;
    }
  }
  return true;
}

bool Check(napi_env env, bool ok, const char* message) {
  if (!ok) napi_throw_range_error(env, nullptr, message);
  return ok;
}

// ---- convolution geometry ---------------------------------------------------------------------

// [n, h, w, ci, kh, kw, co, ho, wo, sh, sw, pad_top, pad_left, dh, dw]
struct Conv {
  int64_t n, h, w, ci, kh, kw, co, ho, wo, sh, sw, pt, pl, dh, dw;
  int64_t K() const { return kh * kw * ci; }
  int64_t Pixels() const { return ho * wo; }
  bool Valid() const {
    return n > 0 && h > 0 && w > 0 && ci > 0 && kh > 0 && kw > 0 && co > 0 && ho > 0 && wo > 0 &&
           sh > 0 && sw > 0 && dh > 0 && dw > 0;
  }
};

bool GetConv(napi_env env, napi_value value, Conv* conv) {
  int64_t v[15];
  if (!GetInts(env, value, v, 15, "geometry")) return false;
  *conv = Conv{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
               v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  return Check(env, conv->Valid(), "ganmod-kernels: invalid convolution geometry");
}

// Images per im2col chunk: big enough for an efficient sgemm, small enough to stay in cache-ish
// memory (the column matrix of a whole batch can reach hundreds of MB).
int64_t ChunkImages(const Conv& c) {
  const int64_t per_image = c.Pixels() * c.K();
  const int64_t budget = int64_t{1} << 22;  // 4M floats = 16 MB
  return std::max<int64_t>(1, std::min<int64_t>(c.n, budget / std::max<int64_t>(1, per_image)));
}

// cols[p, (a * kw + b) * ci + c] = x[img, oh * sh - pt + a * dh, ow * sw - pl + b * dw, c]
void Im2Col(const Conv& c, const float* x, float* cols) {
  const int64_t K = c.K();
  for (int64_t oh = 0; oh < c.ho; oh++) {
    for (int64_t ow = 0; ow < c.wo; ow++) {
      float* row = cols + (oh * c.wo + ow) * K;
      for (int64_t a = 0; a < c.kh; a++) {
        const int64_t ih = oh * c.sh - c.pt + a * c.dh;
        float* dst = row + a * c.kw * c.ci;
        if (ih < 0 || ih >= c.h) {
          std::memset(dst, 0, sizeof(float) * c.kw * c.ci);
          continue;
        }
        for (int64_t b = 0; b < c.kw; b++) {
          const int64_t iw = ow * c.sw - c.pl + b * c.dw;
          float* d = dst + b * c.ci;
          if (iw < 0 || iw >= c.w) {
            std::memset(d, 0, sizeof(float) * c.ci);
          } else {
            std::memcpy(d, x + (ih * c.w + iw) * c.ci, sizeof(float) * c.ci);
          }
        }
      }
    }
  }
}

// The adjoint of Im2Col: dx[img, ih, iw, c] += dcols[p, (a * kw + b) * ci + c].
void Col2Im(const Conv& c, const float* cols, float* dx) {
  const int64_t K = c.K();
  for (int64_t oh = 0; oh < c.ho; oh++) {
    for (int64_t ow = 0; ow < c.wo; ow++) {
      const float* row = cols + (oh * c.wo + ow) * K;
      for (int64_t a = 0; a < c.kh; a++) {
        const int64_t ih = oh * c.sh - c.pt + a * c.dh;
        if (ih < 0 || ih >= c.h) continue;
        for (int64_t b = 0; b < c.kw; b++) {
          const int64_t iw = ow * c.sw - c.pl + b * c.dw;
          if (iw < 0 || iw >= c.w) continue;
          const float* s = row + (a * c.kw + b) * c.ci;
          float* d = dx + (ih * c.w + iw) * c.ci;
          for (int64_t k = 0; k < c.ci; k++) d[k] += s[k];
        }
      }
    }
  }
}

// Runs body(begin, end) over [0, n) in contiguous ranges, one per thread of OpenBLAS's thread
// count when `worth_threads` (for small work a thread costs more to start than it saves). Range
// lengths are multiples of `align`; each index falls in exactly one range, so the ranges never
// write the same memory.
template <typename Body>
void SplitRange(size_t n, size_t align, bool worth_threads, Body body) {
  const size_t threads =
      worth_threads ? static_cast<size_t>(std::max(1, openblas_get_num_threads())) : 1;
  if (threads <= 1 || n <= align) {
    body(size_t{0}, n);
    return;
  }
  const size_t per = ((n + threads - 1) / threads + align - 1) / align * align;
  std::vector<std::thread> workers;
  for (size_t begin = per; begin < n; begin += per) {
    workers.emplace_back([=] { body(begin, std::min(n, begin + per)); });
  }
  body(size_t{0}, std::min(n, per));
  for (auto& w : workers) w.join();
}

// im2col / col2im over the images of a chunk: memory-bound passes that would otherwise run on one
// core between multi-threaded sgemms. Split from ~1M floats.
template <typename Body>
void ForEachImage(int64_t count, int64_t floats_per_image, Body body) {
  SplitRange(static_cast<size_t>(count), 1, count * floats_per_image >= (int64_t{1} << 20),
             [&](size_t begin, size_t end) {
               for (size_t i = begin; i < end; i++) body(static_cast<int64_t>(i));
             });
}

// Elementwise passes over large arrays: split from 256k floats, in ranges of whole cache lines.
template <typename Body>
void ParallelRanges(size_t n, Body body) {
  SplitRange(n, 16, n >= (size_t{1} << 18), body);
}

// Scratch column buffer reused across calls (one per thread: workers load the addon too).
thread_local std::vector<float> scratch;

float* Scratch(size_t floats) {
  if (scratch.size() < floats) scratch.resize(floats);
  return scratch.data();
}

// True when the convolution reads x directly as the column matrix (1x1, stride 1, no pad).
bool IsPointwise(const Conv& c) {
  return c.kh == 1 && c.kw == 1 && c.sh == 1 && c.sw == 1 && c.pt == 0 && c.pl == 0 &&
         c.ho == c.h && c.wo == c.w;
}

// The column matrix of images [n0, n0 + g) of x: x itself for a pointwise convolution, else
// im2col into the scratch buffer.
const float* Columns(const Conv& c, const float* x, int64_t n0, int64_t g) {
  const int64_t K = c.K(), P = c.Pixels(), in_image = c.h * c.w * c.ci;
  if (IsPointwise(c)) return x + n0 * in_image;
  float* buffer = Scratch(static_cast<size_t>(g * P * K));
  ForEachImage(g, P * K,
               [&](int64_t i) { Im2Col(c, x + (n0 + i) * in_image, buffer + i * P * K); });
  return buffer;
}

// y[n, ho, wo, co] = sum x * w
void ConvForward(const Conv& c, const float* x, const float* w, float* y) {
  const int64_t K = c.K(), P = c.Pixels(), chunk = ChunkImages(c);
  for (int64_t n0 = 0; n0 < c.n; n0 += chunk) {
    const int64_t g = std::min(chunk, c.n - n0);
    const float* cols = Columns(c, x, n0, g);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g * P, c.co, K, 1.0f, cols, K, w,
                c.co, 0.0f, y + n0 * P * c.co, c.co);
  }
}

// dx[n, h, w, ci] = conv^T(dy, w)
void ConvBackpropInput(const Conv& c, const float* dy, const float* w, float* dx) {
  const int64_t K = c.K(), P = c.Pixels(), chunk = ChunkImages(c);
  const int64_t in_image = c.h * c.w * c.ci;
  if (IsPointwise(c)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, c.n * P, K, c.co, 1.0f, dy, c.co, w,
                c.co, 0.0f, dx, K);
    return;
  }
  std::memset(dx, 0, sizeof(float) * static_cast<size_t>(c.n * in_image));
  for (int64_t n0 = 0; n0 < c.n; n0 += chunk) {
    const int64_t g = std::min(chunk, c.n - n0);
    float* dcols = Scratch(static_cast<size_t>(g * P * K));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g * P, K, c.co, 1.0f, dy + n0 * P * c.co,
                c.co, w, c.co, 0.0f, dcols, K);
    ForEachImage(g, P * K,
                 [&](int64_t i) { Col2Im(c, dcols + i * P * K, dx + (n0 + i) * in_image); });
  }
}

// dw[kh, kw, ci, co] = sum over images and pixels of cols^T * dy
void ConvBackpropFilter(const Conv& c, const float* x, const float* dy, float* dw) {
  const int64_t K = c.K(), P = c.Pixels(), chunk = ChunkImages(c);
  for (int64_t n0 = 0; n0 < c.n; n0 += chunk) {
    const int64_t g = std::min(chunk, c.n - n0);
    const float* cols = Columns(c, x, n0, g);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, c.co, g * P, 1.0f, cols, K,
                dy + n0 * P * c.co, c.co, n0 == 0 ? 0.0f : 1.0f, dw, c.co);
  }
}

bool CheckConvSizes(napi_env env, const Conv& c, const Floats& x, const Floats& w,
                    const Floats& y) {
  return Check(env,
               x.length == static_cast<size_t>(c.n * c.h * c.w * c.ci) &&
                   w.length == static_cast<size_t>(c.K() * c.co) &&
                   y.length == static_cast<size_t>(c.n * c.Pixels() * c.co),
               "ganmod-kernels: tensor sizes do not match the convolution geometry");
}

// The three convolution entry points take (a, b, out, geometry); `Role` names which of the
// forward convolution's tensors (x: input, w: filter, y: output) each argument is, for the size
// check and the error messages.
enum class Role { kX, kW, kY };

template <Role A, Role B, Role Out, void (*Kernel)(const Conv&, const float*, const float*, float*)>
napi_value ConvEntry(napi_env env, napi_callback_info info, const char* const names[3]) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats args[3];
  Conv c;
  if (!GetFloats(env, argv[0], &args[0], names[0]) ||
      !GetFloats(env, argv[1], &args[1], names[1]) ||
      !GetFloats(env, argv[2], &args[2], names[2]) || !GetConv(env, argv[3], &c)) {
    return nullptr;
  }
  const Role roles[3] = {A, B, Out};
  Floats by_role[3];
  for (int i = 0; i < 3; i++) by_role[static_cast<int>(roles[i])] = args[i];
  if (!CheckConvSizes(env, c, by_role[0], by_role[1], by_role[2])) return nullptr;
  Kernel(c, args[0].data, args[1].data, args[2].data);
  return nullptr;
}

// conv2d(x, filter, y, geometry)
napi_value Conv2D(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"x", "filter", "y"};
  return ConvEntry<Role::kX, Role::kW, Role::kY, ConvForward>(env, info, names);
}

// conv2dBackpropInput(dy, filter, dx, geometry): geometry describes the forward convolution.
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"dy", "filter", "dx"};
  return ConvEntry<Role::kY, Role::kW, Role::kX, ConvBackpropInput>(env, info, names);
}

// conv2dBackpropFilter(x, dy, dw, geometry)
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  static const char* const names[3] = {"x", "dy", "dw"};
  return ConvEntry<Role::kX, Role::kY, Role::kW, ConvBackpropFilter>(env, info, names);
}

// matMul(a, b, c, [batch, m, n, k, transposeA, transposeB, batchA, batchB]):
// c[i] = op(a[i]) * op(b[i]); a batch of 1 broadcasts.
napi_value MatMul(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats a, b, c;
  int64_t v[8];
  if (!GetFloats(env, argv[0], &a, "a") || !GetFloats(env, argv[1], &b, "b") ||
      !GetFloats(env, argv[2], &c, "c") || !GetInts(env, argv[3], v, 8, "geometry")) {
    return nullptr;
  }
  const int64_t batch = v[0], m = v[1], n = v[2], k = v[3], batch_a = v[6], batch_b = v[7];
  const bool ta = v[4] != 0, tb = v[5] != 0;
  if (!Check(env,
             batch > 0 && m > 0 && n > 0 && k > 0 && (batch_a == batch || batch_a == 1) &&
                 (batch_b == batch || batch_b == 1) &&
                 a.length == static_cast<size_t>(batch_a * m * k) &&
                 b.length == static_cast<size_t>(batch_b * k * n) &&
                 c.length == static_cast<size_t>(batch * m * n),
             "ganmod-kernels: matMul sizes do not match")) {
    return nullptr;
  }
  for (int64_t i = 0; i < batch; i++) {
    const float* ai = a.data + (batch_a == 1 ? 0 : i * m * k);
    const float* bi = b.data + (batch_b == 1 ? 0 : i * k * n);
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m,
                n, k, 1.0f, ai, ta ? m : k, bi, tb ? k : n, 0.0f, c.data + i * m * n, n);
  }
  return nullptr;
}

// ---- elementwise kernels ----------------------------------------------------------------------

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

// splitmix64's increment (2^64 / golden ratio) and output mix.
constexpr uint64_t kSplitMixGamma = 0x9E3779B97F4A7C15ull;

inline uint64_t SplitMix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

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

// biasActivation(out, bias | null, activation, alpha): a fused op's epilogue in place: bias over
// the last axis (bias.length channels, or 1 for a scalar), then the activation
// (0 linear, 1 relu, 2 relu6, 3 elu, 4 leakyrelu, 5 sigmoid).
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats out, bias;
  napi_valuetype bias_type;
  int32_t activation = 0;
  double alpha = 0;
  if (!GetFloats(env, argv[0], &out, "out")) return nullptr;
  napi_typeof(env, argv[1], &bias_type);
  if (bias_type != napi_null && !GetFloats(env, argv[1], &bias, "bias")) return nullptr;
  if (napi_get_value_int32(env, argv[2], &activation) != napi_ok ||
      napi_get_value_double(env, argv[3], &alpha) != napi_ok || activation < 0 ||
      activation > 5) {
    napi_throw_type_error(env, nullptr, "ganmod-kernels: activation must be 0..5, alpha a number");
    return nullptr;
  }
  const size_t n = out.length, channels = bias.length;
  if (!Check(env, bias.data == nullptr || (channels > 0 && n % channels == 0),
             "ganmod-kernels: bias size does not divide the output")) {
    return nullptr;
  }
  float* o = out.data;
  if (bias.data != nullptr) {
    for (size_t i = 0; i < n; i += channels) {
      for (size_t c = 0; c < channels; c++) o[i + c] += bias.data[c];
    }
  }
  const float a = static_cast<float>(alpha);
  switch (activation) {
    case 1:
      for (size_t i = 0; i < n; i++) o[i] = o[i] > 0 ? o[i] : 0.0f;
      break;
    case 2:
      for (size_t i = 0; i < n; i++) o[i] = std::min(std::max(o[i], 0.0f), 6.0f);
      break;
    case 3:
      for (size_t i = 0; i < n; i++) o[i] = o[i] >= 0 ? o[i] : std::expm1(o[i]);
      break;
    case 4:
      for (size_t i = 0; i < n; i++) o[i] = o[i] > 0 ? o[i] : a * o[i];
      break;
    case 5:
      for (size_t i = 0; i < n; i++) o[i] = 1.0f / (1.0f + std::exp(-o[i]));
      break;
    default:
      break;
  }
  return nullptr;
}

// batchNorm(x, mean, variance, offset | null, scale | null, out, epsilon): per channel (the last
// axis; each of mean/variance/offset/scale holds `channels` values or 1),
// out = offset + (x - mean) * scale / sqrt(variance + epsilon).
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats x, mean, var, offset, scale, out;
  double epsilon = 0;
  napi_valuetype offset_type, scale_type;
  napi_typeof(env, argv[3], &offset_type);
  napi_typeof(env, argv[4], &scale_type);
  if (!GetFloats(env, argv[0], &x, "x") || !GetFloats(env, argv[1], &mean, "mean") ||
      !GetFloats(env, argv[2], &var, "variance") ||
      (offset_type != napi_null && !GetFloats(env, argv[3], &offset, "offset")) ||
      (scale_type != napi_null && !GetFloats(env, argv[4], &scale, "scale")) ||
      !GetFloats(env, argv[5], &out, "out")) {
    return nullptr;
  }
  if (napi_get_value_double(env, argv[6], &epsilon) != napi_ok) {
    napi_throw_type_error(env, nullptr, "ganmod-kernels: epsilon must be a number");
    return nullptr;
  }
  const size_t channels = std::max({mean.length, var.length, offset.length, scale.length});
  auto fits = [channels](const Floats& f) {
    return f.data == nullptr || f.length == channels || f.length == 1;
  };
  if (!Check(env,
             channels > 0 && out.length == x.length && x.length % channels == 0 && fits(mean) &&
                 fits(var) && fits(offset) && fits(scale),
             "ganmod-kernels: batchNorm sizes do not match")) {
    return nullptr;
  }
  auto at = [](const Floats& f, size_t c, float missing) {
    return f.data == nullptr ? missing : f.data[f.length == 1 ? 0 : c];
  };
  thread_local std::vector<float> shift, mult;
  shift.resize(channels);
  mult.resize(channels);
  for (size_t c = 0; c < channels; c++) {
    mult[c] = at(scale, c, 1.0f) / std::sqrt(at(var, c, 0.0f) + static_cast<float>(epsilon));
    shift[c] = at(mean, c, 0.0f);
  }
  const float* __restrict__ xs = x.data;
  float* __restrict__ o = out.data;
  const float* __restrict__ m = mult.data();
  const float* __restrict__ sh = shift.data();
  if (offset.data == nullptr) {
    for (size_t i = 0; i < x.length; i += channels) {
      for (size_t c = 0; c < channels; c++) o[i + c] = (xs[i + c] - sh[c]) * m[c];
    }
  } else {
    thread_local std::vector<float> off;
    off.resize(channels);
    for (size_t c = 0; c < channels; c++) off[c] = at(offset, c, 0.0f);
    const float* __restrict__ of = off.data();
    for (size_t i = 0; i < x.length; i += channels) {
      for (size_t c = 0; c < channels; c++) o[i + c] = of[c] + (xs[i + c] - sh[c]) * m[c];
    }
  }
  return nullptr;
}

// ---- batch norm in training (batch statistics) ---------------------------------------------

// Runs body(part, row_begin, row_end) over the rows [0, rows) in `parts` contiguous ranges, in
// parallel when there is more than one. The split depends only on (rows, parts), so per-part
// partial sums added in part order give the same result for a given thread count.
template <typename Body>
void ForEachRowPart(size_t rows, size_t parts, Body body) {
  if (parts <= 1) {
    body(size_t{0}, size_t{0}, rows);
    return;
  }
  std::vector<std::thread> workers;
  for (size_t p = 1; p < parts; p++) {
    workers.emplace_back([=] { body(p, rows * p / parts, rows * (p + 1) / parts); });
  }
  body(size_t{0}, size_t{0}, rows / parts);
  for (auto& w : workers) w.join();
}

// Row ranges for a pass over [rows, channels]: one per OpenBLAS thread from 256k floats (as
// ParallelRanges), else one.
size_t RowParts(size_t rows, size_t channels) {
  if (rows * channels < (size_t{1} << 18)) return 1;
  return std::min(rows, static_cast<size_t>(std::max(1, openblas_get_num_threads())));
}

// One pass of per-channel moments: with d = x[r, c] - pivot[c], sum[c] += d and
// sum_sq[c] += d * d (float64). Shifting by a value of the data (the first row) keeps
// sum_sq - sum^2 / N free of cancellation: the variance is computed in one pass over x instead
// of two.
NOINLINE void ChannelShiftedMoments(const float* __restrict__ x, const double* __restrict__ pivot,
                                    double* __restrict__ sum, double* __restrict__ sum_sq,
                                    size_t rows, size_t channels) {
  for (size_t r = 0; r < rows; r++) {
    const float* row = x + r * channels;
    for (size_t c = 0; c < channels; c++) {
      const double d = static_cast<double>(row[c]) - pivot[c];
      sum[c] += d;
      sum_sq[c] += d * d;
    }
  }
}

// sum_dy[c] += sum dy[r, c]; sum_dy_xc[c] += sum dy[r, c] * (x[r, c] - mean[c]) (float64).
NOINLINE void ChannelGradSums(const float* __restrict__ dy, const float* __restrict__ x,
                              const float* __restrict__ mean, double* __restrict__ sum_dy,
                              double* __restrict__ sum_dy_xc, size_t rows, size_t channels) {
  for (size_t r = 0; r < rows; r++) {
    const float* dy_row = dy + r * channels;
    const float* x_row = x + r * channels;
    for (size_t c = 0; c < channels; c++) {
      const double g = static_cast<double>(dy_row[c]);
      sum_dy[c] += g;
      sum_dy_xc[c] += g * (static_cast<double>(x_row[c]) - static_cast<double>(mean[c]));
    }
  }
}

// y[r, c] = (x[r, c] - mean[c]) * mult[c] + shift[c]
NOINLINE void NormalizeRows(const float* __restrict__ x, const float* __restrict__ mean,
                            const float* __restrict__ mult, const float* __restrict__ shift,
                            float* __restrict__ y, size_t rows, size_t channels) {
  for (size_t r = 0; r < rows; r++) {
    const float* xr = x + r * channels;
    float* yr = y + r * channels;
    for (size_t c = 0; c < channels; c++) yr[c] = (xr[c] - mean[c]) * mult[c] + shift[c];
  }
}

// dx[r, c] = a[c] * dy[r, c] + b[c] * (x[r, c] - mean[c]) + d[c]
NOINLINE void BatchNormGradRows(const float* __restrict__ dy, const float* __restrict__ x,
                                const float* __restrict__ mean, const float* __restrict__ a,
                                const float* __restrict__ b, const float* __restrict__ d,
                                float* __restrict__ dx, size_t rows, size_t channels) {
  for (size_t r = 0; r < rows; r++) {
    const float* dyr = dy + r * channels;
    const float* xr = x + r * channels;
    float* dxr = dx + r * channels;
    for (size_t c = 0; c < channels; c++) {
      dxr[c] = a[c] * dyr[c] + b[c] * (xr[c] - mean[c]) + d[c];
    }
  }
}

// Reads an optional Float32Array argument (null: absent).
bool GetOptionalFloats(napi_env env, napi_value value, Floats* out, const char* name) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return false;
  if (type == napi_null || type == napi_undefined) return true;
  return GetFloats(env, value, out, name);
}

bool GetEpsilon(napi_env env, napi_value value, double* epsilon) {
  if (napi_get_value_double(env, value, epsilon) != napi_ok) {
    napi_throw_type_error(env, nullptr, "ganmod-kernels: epsilon must be a number");
    return false;
  }
  return true;
}

// batchNormTrain(x, gamma | null, beta | null, y, mean, variance, epsilon): batch norm in
// training over the last axis of x ([rows, C] flattened): mean and biased variance per channel
// over the rows (what tf.moments gives; float64 sums in one pass, shifted by the first row), then
// y = (x - mean) * gamma / sqrt(variance + epsilon) + beta. One kernel instead of TF.js's
// moments + batchNorm (~6 kernels forward).
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats x, gamma, beta, y, mean, var;
  double epsilon = 0;
  if (!GetFloats(env, argv[0], &x, "x") || !GetOptionalFloats(env, argv[1], &gamma, "gamma") ||
      !GetOptionalFloats(env, argv[2], &beta, "beta") || !GetFloats(env, argv[3], &y, "y") ||
      !GetFloats(env, argv[4], &mean, "mean") || !GetFloats(env, argv[5], &var, "variance") ||
      !GetEpsilon(env, argv[6], &epsilon)) {
    return nullptr;
  }
  const size_t channels = mean.length;
  auto fits = [channels](const Floats& f) { return f.data == nullptr || f.length == channels; };
  if (!Check(env,
             channels > 0 && var.length == channels && fits(gamma) && fits(beta) &&
                 x.length > 0 && x.length % channels == 0 && y.length == x.length,
             "ganmod-kernels: batchNormTrain sizes do not match")) {
    return nullptr;
  }
  const size_t rows = x.length / channels;
  const size_t parts = RowParts(rows, channels);
  std::vector<double> partial(2 * parts * channels, 0.0);
  std::vector<double> pivot(x.data, x.data + channels);
  const float* xs = x.data;
  const double* pv = pivot.data();
  double* pa = partial.data();
  ForEachRowPart(rows, parts, [=](size_t p, size_t begin, size_t end) {
    ChannelShiftedMoments(xs + begin * channels, pv, pa + 2 * p * channels,
                          pa + (2 * p + 1) * channels, end - begin, channels);
  });
  const double n = static_cast<double>(rows);
  std::vector<float> mult(channels), shift(channels);
  for (size_t c = 0; c < channels; c++) {
    double sum = 0, sum_sq = 0;
    for (size_t p = 0; p < parts; p++) {
      sum += pa[2 * p * channels + c];
      sum_sq += pa[(2 * p + 1) * channels + c];
    }
    const double shifted_mean = sum / n;
    mean.data[c] = static_cast<float>(pv[c] + shifted_mean);
    var.data[c] = static_cast<float>(std::max(0.0, sum_sq / n - shifted_mean * shifted_mean));
    const float g = gamma.data == nullptr ? 1.0f : gamma.data[c];
    mult[c] = g / std::sqrt(var.data[c] + static_cast<float>(epsilon));
    shift[c] = beta.data == nullptr ? 0.0f : beta.data[c];
  }
  const float* mf = mean.data;
  const float* mu = mult.data();
  const float* sh = shift.data();
  float* ys = y.data;
  ForEachRowPart(rows, parts, [=](size_t, size_t begin, size_t end) {
    NormalizeRows(xs + begin * channels, mf, mu, sh, ys + begin * channels, end - begin,
                  channels);
  });
  return nullptr;
}

// batchNormTrainGrad(dy, x, gamma | null, mean, variance, dx, dgamma, dbeta, epsilon): the
// gradient of batchNormTrain where mean and variance are x's batch statistics (their own
// dependence on x included): with invstd = 1 / sqrt(variance + epsilon), xhat = (x - mean) *
// invstd, dbeta = sum dy, dgamma = sum dy * xhat and
// dx = gamma * invstd / N * (N * dy - dbeta - xhat * dgamma). One kernel instead of ~25.
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats dy, x, gamma, mean, var, dx, dgamma, dbeta;
  double epsilon = 0;
  if (!GetFloats(env, argv[0], &dy, "dy") || !GetFloats(env, argv[1], &x, "x") ||
      !GetOptionalFloats(env, argv[2], &gamma, "gamma") ||
      !GetFloats(env, argv[3], &mean, "mean") || !GetFloats(env, argv[4], &var, "variance") ||
      !GetFloats(env, argv[5], &dx, "dx") || !GetFloats(env, argv[6], &dgamma, "dgamma") ||
      !GetFloats(env, argv[7], &dbeta, "dbeta") || !GetEpsilon(env, argv[8], &epsilon)) {
    return nullptr;
  }
  const size_t channels = mean.length;
  if (!Check(env,
             channels > 0 && var.length == channels &&
                 (gamma.data == nullptr || gamma.length == channels) &&
                 dgamma.length == channels && dbeta.length == channels && x.length > 0 &&
                 x.length % channels == 0 && dy.length == x.length && dx.length == x.length,
             "ganmod-kernels: batchNormTrainGrad sizes do not match")) {
    return nullptr;
  }
  const size_t rows = x.length / channels;
  const size_t parts = RowParts(rows, channels);
  std::vector<double> partial(2 * parts * channels, 0.0);
  const float* dys = dy.data;
  const float* xs = x.data;
  const float* mf = mean.data;
  double* pa = partial.data();
  ForEachRowPart(rows, parts, [=](size_t p, size_t begin, size_t end) {
    ChannelGradSums(dys + begin * channels, xs + begin * channels, mf, pa + 2 * p * channels,
                    pa + (2 * p + 1) * channels, end - begin, channels);
  });
  std::vector<float> a(channels), b(channels), d(channels);
  const double n = static_cast<double>(rows);
  for (size_t c = 0; c < channels; c++) {
    double sum_dy = 0, sum_dy_xc = 0;
    for (size_t p = 0; p < parts; p++) {
      sum_dy += pa[2 * p * channels + c];
      sum_dy_xc += pa[(2 * p + 1) * channels + c];
    }
    const double invstd =
        1.0 / std::sqrt(static_cast<double>(var.data[c]) + static_cast<double>(
                                                                static_cast<float>(epsilon)));
    const double g = gamma.data == nullptr ? 1.0 : static_cast<double>(gamma.data[c]);
    const double dg = sum_dy_xc * invstd;  // sum dy * xhat
    dbeta.data[c] = static_cast<float>(sum_dy);
    dgamma.data[c] = static_cast<float>(dg);
    // dx = g * invstd * dy - g * invstd^2 * dgamma / N * (x - mean) - g * invstd * dbeta / N
    a[c] = static_cast<float>(g * invstd);
    b[c] = static_cast<float>(-g * invstd * invstd * dg / n);
    d[c] = static_cast<float>(-g * invstd * sum_dy / n);
  }
  const float* ap = a.data();
  const float* bp = b.data();
  const float* dp = d.data();
  float* dxs = dx.data;
  ForEachRowPart(rows, parts, [=](size_t, size_t begin, size_t end) {
    BatchNormGradRows(dys + begin * channels, xs + begin * channels, mf, ap, bp, dp,
                      dxs + begin * channels, end - begin, channels);
  });
  return nullptr;
}

// setThreads(n): OpenBLAS threads for every later call (process-wide). Returns the count in use.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int32_t threads = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &threads) != napi_ok || threads < 1) {
    napi_throw_range_error(env, nullptr, "ganmod-kernels: threads must be a positive integer");
    return nullptr;
  }
  openblas_set_num_threads(threads);
  napi_value result;
  NAPI_CALL(env, napi_create_int32(env, openblas_get_num_threads(), &result));
  return result;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value result;
  NAPI_CALL(env, napi_create_int32(env, openblas_get_num_threads(), &result));
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"conv2d", nullptr, Conv2D, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2DBackpropInput, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2DBackpropFilter, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"matMul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tanh", nullptr, Tanh, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"leakyRelu", nullptr, LeakyRelu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"leakyReluGrad", nullptr, LeakyRelu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dropoutMask", nullptr, DropoutMask, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasActivation", nullptr, BiasActivation, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrain", nullptr, BatchNormTrain, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"batchNormTrainGrad", nullptr, BatchNormTrainGrad, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"sumRows", nullptr, SumRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return Init(env, exports); }
