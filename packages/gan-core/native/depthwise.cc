// Depthwise convolution (inference) for the wasm backend's native kernels: NHWC, channel
// multiplier 1, any kernel size, stride, dilation and padding, with a fused op's bias and
// activation applied while each output pixel is still in registers (no second pass).
//
// Why: MobileNetV2's depthwise layers ran on the wasm backend's XNNPACK (128-bit SIMD, one
// thread); here the channels are contiguous in NHWC, so 8 of them at a time accumulate every tap
// of the window in a vector register and are written once, activated.
#include "kernels.h"

namespace ganmod {
namespace {

// [n, h, w, c, kh, kw, ho, wo, sh, sw, pad_top, pad_left, dh, dw]
struct Depthwise {
  int64_t n, h, w, c, kh, kw, ho, wo, sh, sw, pt, pl, dh, dw;
  bool Valid() const {
    return n > 0 && h > 0 && w > 0 && c > 0 && kh > 0 && kw > 0 && ho > 0 && wo > 0 && sh > 0 &&
           sw > 0 && dh > 0 && dw > 0 && pt >= 0 && pl >= 0;
  }
};

// Eight channels in a vector (GCC/Clang vector extensions: AVX2 on x86-64, NEON pairs on arm64).
typedef float Vec __attribute__((vector_size(32)));
constexpr int64_t kLanes = 8;

inline Vec Load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline void Store(float* p, Vec v) { std::memcpy(p, &v, sizeof(v)); }

template <int kActivation>
inline float Activate(float v, float alpha) {
  switch (kActivation) {
    case 1:
      return v > 0 ? v : 0.0f;
    case 2:
      return std::min(std::max(v, 0.0f), 6.0f);
    case 3:
      return v >= 0 ? v : std::expm1(v);
    case 4:
      return v > 0 ? v : alpha * v;
    case 5:
      return 1.0f / (1.0f + std::exp(-v));
    default:
      return v;
  }
}

// The activation of 8 lanes: relu and relu6 as vector min/max, the others lane by lane.
template <int kActivation>
inline Vec ActivateVec(Vec v, float alpha) {
  if (kActivation == 0) return v;
  if (kActivation == 1 || kActivation == 2) {
    const Vec zero = {0, 0, 0, 0, 0, 0, 0, 0};
    v = v > zero ? v : zero;
    if (kActivation == 2) {
      const Vec six = {6, 6, 6, 6, 6, 6, 6, 6};
      v = v < six ? v : six;
    }
    return v;
  }
  for (int k = 0; k < kLanes; k++) v[k] = Activate<kActivation>(v[k], alpha);
  return v;
}

// Output rows [row_begin, row_end) of the whole batch (row r = image r / ho, output row r % ho).
// Each output pixel accumulates its window's taps, 8 channels at a time, in vector registers and
// is written once, activated; a 3x3 window wholly inside the image (every pixel but the border)
// takes an unrolled path.
template <int kActivation>
void DepthwiseRows(const Depthwise& d, const float* __restrict__ x,
                   const float* __restrict__ filter, const float* __restrict__ bias,
                   float* __restrict__ y, float alpha, int64_t row_begin, int64_t row_end) {
  const int64_t C = d.c, vecC = C / kLanes * kLanes;
  const bool is3x3 = d.kh == 3 && d.kw == 3 && d.dh == 1 && d.dw == 1;
  const Vec zero = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t r = row_begin; r < row_end; r++) {
    const int64_t img = r / d.ho, oh = r % d.ho;
    const float* xi = x + img * d.h * d.w * C;
    // The window's rows inside the image: a in [a0, a1).
    int64_t a0 = 0, a1 = d.kh;
    while (a0 < a1 && oh * d.sh - d.pt + a0 * d.dh < 0) a0++;
    while (a1 > a0 && oh * d.sh - d.pt + (a1 - 1) * d.dh >= d.h) a1--;
    for (int64_t ow = 0; ow < d.wo; ow++) {
      int64_t b0 = 0, b1 = d.kw;
      while (b0 < b1 && ow * d.sw - d.pl + b0 * d.dw < 0) b0++;
      while (b1 > b0 && ow * d.sw - d.pl + (b1 - 1) * d.dw >= d.w) b1--;
      float* out = y + (r * d.wo + ow) * C;
      if (is3x3 && a1 - a0 == 3 && b1 - b0 == 3) {
        const float* p0 = xi + ((oh * d.sh - d.pt) * d.w + ow * d.sw - d.pl) * C;
        const float* p1 = p0 + d.w * C;
        const float* p2 = p1 + d.w * C;
        const float* f = filter;
        for (int64_t c = 0; c < vecC; c += kLanes) {
          Vec acc = bias != nullptr ? Load(bias + c) : zero;
          acc += Load(p0 + c) * Load(f + c);
          acc += Load(p0 + C + c) * Load(f + C + c);
          acc += Load(p0 + 2 * C + c) * Load(f + 2 * C + c);
          acc += Load(p1 + c) * Load(f + 3 * C + c);
          acc += Load(p1 + C + c) * Load(f + 4 * C + c);
          acc += Load(p1 + 2 * C + c) * Load(f + 5 * C + c);
          acc += Load(p2 + c) * Load(f + 6 * C + c);
          acc += Load(p2 + C + c) * Load(f + 7 * C + c);
          acc += Load(p2 + 2 * C + c) * Load(f + 8 * C + c);
          Store(out + c, ActivateVec<kActivation>(acc, alpha));
        }
        for (int64_t c = vecC; c < C; c++) {
          float acc = bias != nullptr ? bias[c] : 0.0f;
          const float* rows[3] = {p0, p1, p2};
          for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) acc += rows[a][b * C + c] * f[(a * 3 + b) * C + c];
          }
          out[c] = Activate<kActivation>(acc, alpha);
        }
        continue;
      }
      for (int64_t c = 0; c < vecC; c += kLanes) {
        Vec acc = bias != nullptr ? Load(bias + c) : zero;
        for (int64_t a = a0; a < a1; a++) {
          const int64_t ih = oh * d.sh - d.pt + a * d.dh;
          for (int64_t b = b0; b < b1; b++) {
            const int64_t iw = ow * d.sw - d.pl + b * d.dw;
            acc += Load(xi + (ih * d.w + iw) * C + c) * Load(filter + (a * d.kw + b) * C + c);
          }
        }
        Store(out + c, ActivateVec<kActivation>(acc, alpha));
      }
      for (int64_t c = vecC; c < C; c++) {  // the channels past the last whole vector
        float acc = bias != nullptr ? bias[c] : 0.0f;
        for (int64_t a = a0; a < a1; a++) {
          const int64_t ih = oh * d.sh - d.pt + a * d.dh;
          for (int64_t b = b0; b < b1; b++) {
            const int64_t iw = ow * d.sw - d.pl + b * d.dw;
            acc += xi[(ih * d.w + iw) * C + c] * filter[(a * d.kw + b) * C + c];
          }
        }
        out[c] = Activate<kActivation>(acc, alpha);
      }
    }
  }
}

using RowsFn = void (*)(const Depthwise&, const float*, const float*, const float*, float*, float,
                        int64_t, int64_t);
constexpr RowsFn kRows[6] = {DepthwiseRows<0>, DepthwiseRows<1>, DepthwiseRows<2>,
                             DepthwiseRows<3>, DepthwiseRows<4>, DepthwiseRows<5>};

}  // namespace

// depthwiseConv2d(x, filter, bias | null, y, geometry, activation, alpha):
// y[n, oh, ow, c] = act(bias[c] + sum_{a,b} x[n, oh*sh - pt + a*dh, ow*sw - pl + b*dw, c] *
// filter[a, b, c, 0]); the filter is TF.js's [kh, kw, c, 1]; activation codes as biasActivation's.
napi_value DepthwiseConv2D(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (!Check(env, argc == 7, "ganmod-kernels: depthwiseConv2d takes 7 arguments")) return nullptr;
  Floats x, filter, bias, y;
  int64_t v[14];
  if (!GetFloats(env, argv[0], &x, "x") || !GetFloats(env, argv[1], &filter, "filter")) {
    return nullptr;
  }
  napi_valuetype bias_type;
  napi_typeof(env, argv[2], &bias_type);
  if (bias_type != napi_null && !GetFloats(env, argv[2], &bias, "bias")) return nullptr;
  if (!GetFloats(env, argv[3], &y, "y") || !GetInts(env, argv[4], v, 14, "geometry")) {
    return nullptr;
  }
  int32_t activation = 0;
  double alpha = 0;
  if (napi_get_value_int32(env, argv[5], &activation) != napi_ok ||
      napi_get_value_double(env, argv[6], &alpha) != napi_ok || activation < 0 ||
      activation > 5) {
    napi_throw_type_error(env, nullptr, "ganmod-kernels: activation must be 0..5, alpha a number");
    return nullptr;
  }
  const Depthwise d{v[0], v[1], v[2], v[3], v[4], v[5], v[6],
                    v[7], v[8], v[9], v[10], v[11], v[12], v[13]};
  if (!Check(env, d.Valid(), "ganmod-kernels: invalid depthwise convolution geometry") ||
      !Check(env,
             x.length == static_cast<size_t>(d.n * d.h * d.w * d.c) &&
                 filter.length == static_cast<size_t>(d.kh * d.kw * d.c) &&
                 y.length == static_cast<size_t>(d.n * d.ho * d.wo * d.c) &&
                 (bias.data == nullptr || bias.length == static_cast<size_t>(d.c)),
             "ganmod-kernels: tensor sizes do not match the depthwise convolution geometry")) {
    return nullptr;
  }
  const int64_t rows = d.n * d.ho;
  const float a = static_cast<float>(alpha);
  // Split by output rows from ~1M output floats (each row range writes its own memory).
  SplitRange(static_cast<size_t>(rows), 1, static_cast<size_t>(y.length) >= (size_t{1} << 20),
             [&](size_t begin, size_t end) {
               kRows[activation](d, x.data, filter.data, bias.data, y.data, a,
                                 static_cast<int64_t>(begin), static_cast<int64_t>(end));
             });
  return nullptr;
}

}  // namespace ganmod
