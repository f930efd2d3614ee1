// Shared by the native kernels' source files (conv-matmul.cc, onednn.cc, upsample.cc, depthwise.cc, elementwise.cc, adam.cc,
// dropout.cc, batch-norm.cc, cnn.cc, resample.cc, hamming.cc, addon.cc), compiled together into dist/native/ganmod_kernels.node by
// scripts/build-native.mjs: the includes, the N-API argument helpers, the thread splitting of
// elementwise passes and the entry points addon.cc exports.
//
// Layouts are TF.js's: NHWC activations, HWIO filters ([kh, kw, Ci, Co]).
#ifndef GANMOD_KERNELS_H_
#define GANMOD_KERNELS_H_

#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

// Keeps a function's __restrict__ parameters meaningful: see AdamRange (adam.cc).
#define NOINLINE __attribute__((noinline))

#define NAPI_CALL(env, call)                                             \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      napi_throw_error((env), nullptr, "ganmod-kernels: N-API failure"); \
      return nullptr;                                                    \
    }                                                                    \
  } while (0)

namespace ganmod {

// ---- N-API plumbing (defined in addon.cc) ------------------------------------------------------

struct Floats {
  float* data = nullptr;
  size_t length = 0;
};

// Reads a typed array of type `want`; throws a TypeError naming `name` and `what` it must be.
bool GetTyped(napi_env env, napi_value value, napi_typedarray_type want, void** data,
              size_t* length, const char* name, const char* what);
// Reads a Float32Array argument; throws a TypeError naming `name` and returns false otherwise.
bool GetFloats(napi_env env, napi_value value, Floats* out, const char* name);
// Reads a Uint8Array argument the same way.
bool GetBytes(napi_env env, napi_value value, uint8_t** data, size_t* length, const char* name);
// Reads an array of exactly `count` integers into `out`; throws a TypeError otherwise.
bool GetInts(napi_env env, napi_value value, int64_t* out, size_t count, const char* name);
// Throws a RangeError with `message` when !ok; returns ok.
bool Check(napi_env env, bool ok, const char* message);

// ---- convolution geometry (conv-matmul.cc, onednn.cc) ------------------------------------

// A forward convolution, NHWC input [n, h, w, ci], HWIO filter [kh, kw, ci, co], output
// [n, ho, wo, co]; the addon's 15-integer geometry in this order.
struct Conv {
  int64_t n, h, w, ci, kh, kw, co, ho, wo, sh, sw, pt, pl, dh, dw;
  int64_t K() const { return kh * kw * ci; }
  int64_t Pixels() const { return ho * wo; }
  bool Valid() const {
    return n > 0 && h > 0 && w > 0 && ci > 0 && kh > 0 && kw > 0 && co > 0 && ho > 0 && wo > 0 &&
           sh > 0 && sw > 0 && dh > 0 && dw > 0;
  }
};

// Which pass of a convolution: y = conv(x, w), dx = conv^T(dy, w), dw = x (*) dy.
enum class ConvPass { kForward, kBackwardData, kBackwardWeights };

// Runs one pass on oneDNN (onednn.cc): forward (a = x, b = w, out = y), backward data
// (a = dy, b = w, out = dx) or backward weights (a = x, b = dy, out = dw). False when oneDNN is
// not built in, is switched off, or has no implementation for this geometry: the caller then
// runs its im2col + sgemm path.
bool OnednnConv(ConvPass pass, const Conv& c, const float* a, const float* b, float* out);
// c[m, n] = op(a) * op(b), row-major, on oneDNN; false as OnednnConv, and for products of fewer
// than ~1M multiply-adds (the caller runs sgemm).
bool OnednnMatMul(int64_t m, int64_t n, int64_t k, bool ta, bool tb, const float* a,
                  const float* b, float* c);

// ---- threads ---------------------------------------------------------------------------------

// Runs body(begin, end) over [0, n) in contiguous ranges, one per thread of OpenBLAS's thread
// count when `worth_threads` (for small work a thread costs more to start than it saves). Range
// lengths are multiples of `align`; each index falls in exactly one range, so the ranges never
// write the same memory.
template <typename Body>
inline void SplitRange(size_t n, size_t align, bool worth_threads, Body body) {
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

// Elementwise passes over large arrays: split from 256k floats, in ranges of whole cache lines.
template <typename Body>
inline void ParallelRanges(size_t n, Body body) {
  SplitRange(n, 16, n >= (size_t{1} << 18), body);
}

// ---- entry points (each file defines its family's; addon.cc exports them) ----------------------

// conv-matmul.cc
napi_value Conv2D(napi_env env, napi_callback_info info);
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info);
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info);
napi_value Onednn(napi_env env, napi_callback_info info);
napi_value UpsampleNearest(napi_env env, napi_callback_info info);
napi_value UpsampleNearestGrad(napi_env env, napi_callback_info info);
napi_value OnednnCalls(napi_env env, napi_callback_info info);
napi_value MatMul(napi_env env, napi_callback_info info);
napi_value BiasActivation(napi_env env, napi_callback_info info);
// depthwise.cc
napi_value DepthwiseConv2D(napi_env env, napi_callback_info info);
// elementwise.cc
napi_value Tanh(napi_env env, napi_callback_info info);
napi_value LeakyRelu(napi_env env, napi_callback_info info);
napi_value SumRows(napi_env env, napi_callback_info info);
// adam.cc
napi_value Adam(napi_env env, napi_callback_info info);
// dropout.cc
napi_value DropoutMask(napi_env env, napi_callback_info info);
// batch-norm.cc
napi_value BatchNorm(napi_env env, napi_callback_info info);
napi_value BatchNormTrain(napi_env env, napi_callback_info info);
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info);

// resample.cc: 8-bit pixels to float with an antialiasing triangle filter.
napi_value ResampleImage(napi_env env, napi_callback_info info);
// ... and one channel of 8-bit or float pixels through separable weight tables, in doubles.
napi_value ResampleWeighted(napi_env env, napi_callback_info info);

// hamming.cc
napi_value HammingSearch(napi_env env, napi_callback_info info);

// linalg.cc: LAPACK dsyevd on a row-major symmetric matrix; dgemm of square matrices.
napi_value SymmetricEigen(napi_env env, napi_callback_info info);
napi_value MatMulF64(napi_env env, napi_callback_info info);

// ---- oneDNN network inference (cnn.cc; no-ops without GANMOD_HAVE_DNNL) --------------------

// Adds cnnCreate / cnnRun to the exports where oneDNN was built in.
void DefineCnn(napi_env env, napi_value exports);

}  // namespace ganmod

#endif  // GANMOD_KERNELS_H_
