// Convolutions and matrix products for the wasm backend's native kernels, computed in place on
// the wasm heap (the arguments are Float32Array views of WebAssembly memory, so nothing is copied
// in or out): oneDNN where it is built in (onednn.cc), else im2col + OpenBLAS sgemm, and the
// fused ops' bias + activation epilogue.
//
// Why: single-threaded wasm SIMD (128-bit, no FMA) tops out near 17-25 GFLOP/s on these machines,
// while OpenBLAS's AVX2/AVX-512 sgemm runs several times faster per core and uses every core.
#include "kernels.h"

namespace ganmod {
namespace {

// ---- convolution geometry ---------------------------------------------------------------------

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

// im2col / col2im over the images of a chunk: memory-bound passes that would otherwise run on one
// core between multi-threaded sgemms. Split from ~1M floats.
template <typename Body>
void ForEachImage(int64_t count, int64_t floats_per_image, Body body) {
  SplitRange(static_cast<size_t>(count), 1, count * floats_per_image >= (int64_t{1} << 20),
             [&](size_t begin, size_t end) {
               for (size_t i = begin; i < end; i++) body(static_cast<int64_t>(i));
             });
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

// A fused op's epilogue: bias over the last axis (`channels` values, or none), then activation
// code 0..5 (linear, relu, relu6, elu, leakyrelu, sigmoid), in place over o[0, n).
void Epilogue(float* o, size_t n, const float* bias, size_t channels, int activation, float a) {
  if (bias != nullptr) {
    for (size_t i = 0; i < n; i += channels) {
      for (size_t k = 0; k < channels; k++) o[i + k] += bias[k];
    }
  }
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
}

// A fused convolution's bias and activation (none: bias null, activation 0).
struct ConvEpilogue {
  const float* bias = nullptr;
  int activation = 0;
  float alpha = 0;
  bool Any() const { return bias != nullptr || activation != 0; }
};

// y[n, ho, wo, co] = act(sum x * w + bias). The product runs in blocks of output rows (~256 KB of
// output each); with an epilogue each block gets its bias and activation while still in cache,
// instead of a second pass over the whole output. The blocks are the same with or without one:
// OpenBLAS's sums depend on the product's shape, so Conv2D followed by a bias add then gives
// exactly what FusedConv2D gives (a model trained with FastConv2D reloads bit-identically as the
// stock layer).
void ConvForward(const Conv& c, const float* x, const float* w, float* y,
                 const ConvEpilogue& e = ConvEpilogue{}) {
  if (OnednnConv(ConvPass::kForward, c, x, w, y)) {
    // The epilogue as its own pass, so Conv2D then a bias add equals FusedConv2D here too.
    if (e.Any())
      Epilogue(y, static_cast<size_t>(c.n * c.Pixels() * c.co), e.bias,
               static_cast<size_t>(c.co), e.activation, e.alpha);
    return;
  }
  const int64_t K = c.K(), P = c.Pixels(), chunk = ChunkImages(c);
  const int64_t block_rows = std::max<int64_t>(64, (int64_t{1} << 16) / c.co);
  for (int64_t n0 = 0; n0 < c.n; n0 += chunk) {
    const int64_t g = std::min(chunk, c.n - n0);
    const float* cols = Columns(c, x, n0, g);
    float* out = y + n0 * P * c.co;
    const int64_t rows = g * P;
    for (int64_t r0 = 0; r0 < rows; r0 += block_rows) {
      const int64_t m = std::min(block_rows, rows - r0);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, c.co, K, 1.0f, cols + r0 * K, K,
                  w, c.co, 0.0f, out + r0 * c.co, c.co);
      if (e.Any()) {
        Epilogue(out + r0 * c.co, static_cast<size_t>(m * c.co), e.bias,
                 static_cast<size_t>(c.co), e.activation, e.alpha);
      }
    }
  }
}

// dx[n, h, w, ci] = conv^T(dy, w)
void ConvBackpropInput(const Conv& c, const float* dy, const float* w, float* dx) {
  if (OnednnConv(ConvPass::kBackwardData, c, dy, w, dx)) return;
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
  if (OnednnConv(ConvPass::kBackwardWeights, c, x, dy, dw)) return;
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


}  // namespace

// conv2d(x, filter, y, geometry[, bias | null, activation, alpha]): with the last three, a fused
// convolution's epilogue (bias over the output channels, activation codes as biasActivation's).
napi_value Conv2D(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Floats x, w, y, bias;
  Conv c;
  if (!GetFloats(env, argv[0], &x, "x") || !GetFloats(env, argv[1], &w, "filter") ||
      !GetFloats(env, argv[2], &y, "y") || !GetConv(env, argv[3], &c) ||
      !CheckConvSizes(env, c, x, w, y)) {
    return nullptr;
  }
  ConvEpilogue e;
  if (argc >= 7) {
    napi_valuetype bias_type;
    napi_typeof(env, argv[4], &bias_type);
    if (bias_type != napi_null && !GetFloats(env, argv[4], &bias, "bias")) return nullptr;
    int32_t activation = 0;
    double alpha = 0;
    if (napi_get_value_int32(env, argv[5], &activation) != napi_ok ||
        napi_get_value_double(env, argv[6], &alpha) != napi_ok || activation < 0 ||
        activation > 5) {
      napi_throw_type_error(env, nullptr,
                            "ganmod-kernels: activation must be 0..5, alpha a number");
      return nullptr;
    }
    if (!Check(env, bias.data == nullptr || bias.length == static_cast<size_t>(c.co),
               "ganmod-kernels: bias size does not match the output channels")) {
      return nullptr;
    }
    e = ConvEpilogue{bias.data, activation, static_cast<float>(alpha)};
  }
  ConvForward(c, x.data, w.data, y.data, e);
  return nullptr;
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
    if (OnednnMatMul(m, n, k, ta, tb, ai, bi, c.data + i * m * n)) continue;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m,
                n, k, 1.0f, ai, ta ? m : k, bi, tb ? k : n, 0.0f, c.data + i * m * n, n);
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
  Epilogue(out.data, n, bias.data, channels, activation, static_cast<float>(alpha));
  return nullptr;
}

}  // namespace ganmod
