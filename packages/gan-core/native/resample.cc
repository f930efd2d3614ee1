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

namespace {

// One axis of a weighted resample, unpacked from its Float64Array: output `i` sums `count[i]`
// input samples from `first[i]`, weighted by `w[i][0 .. count[i])`.
struct WeightTable {
  std::vector<int64_t> first;
  std::vector<int64_t> count;
  std::vector<const double*> w;
};

// Reads [n, first0, count0, w.., first1, count1, w.., ...]; false unless every entry is a whole
// in-bounds index range of an axis of `in` samples and the array holds exactly the n entries.
bool ParseTable(const double* t, size_t length, int64_t in, WeightTable* table) {
  if (length < 1 || !(t[0] >= 1 && t[0] <= 1e7) || t[0] != std::floor(t[0])) return false;
  const int64_t n = static_cast<int64_t>(t[0]);
  table->first.resize(n);
  table->count.resize(n);
  table->w.resize(n);
  size_t at = 1;
  for (int64_t i = 0; i < n; i++) {
    if (at + 2 > length) return false;
    const double first = t[at], count = t[at + 1];
    if (!(first >= 0 && count >= 1 && first + count <= static_cast<double>(in)) ||
        first != std::floor(first) || count != std::floor(count) ||
        at + 2 + static_cast<size_t>(count) > length) {
      return false;
    }
    table->first[i] = static_cast<int64_t>(first);
    table->count[i] = static_cast<int64_t>(count);
    table->w[i] = t + at + 2;
    at += 2 + static_cast<size_t>(count);
  }
  return at == length;
}

// One separable stage in doubles: each input row across (`x`), then the rows down (`y`). The
// sums run in the same order as the JavaScript fallback (`resampleWeightedJs`,
// src/kernels/native/weighted-resample.ts), and -ffp-contract=off keeps every product and sum
// rounded as JavaScript's, so the two agree bit for bit. `in` advances `step` values per sample
// and `stride` per row (one channel of interleaved pixels). `round_across`: the across sums are
// rounded to float before the down pass, as a float row buffer between the passes would round them.
template <typename In>
void WeightedStage(const In* in, int64_t stride, int64_t step, int64_t rows, const WeightTable& x,
                   const WeightTable& y, bool round_across, std::vector<double>* across,
                   double* out) {
  const int64_t ow = static_cast<int64_t>(x.first.size());
  const int64_t oh = static_cast<int64_t>(y.first.size());
  across->resize(static_cast<size_t>(rows * ow));
  for (int64_t r = 0; r < rows; r++) {
    const In* row = in + r * stride;
    double* dst = across->data() + r * ow;
    for (int64_t j = 0; j < ow; j++) {
      const In* s = row + x.first[j] * step;
      const double* w = x.w[j];
      double v = 0;
      for (int64_t k = 0; k < x.count[j]; k++) v += w[k] * static_cast<double>(s[k * step]);
      dst[j] = round_across ? static_cast<double>(static_cast<float>(v)) : v;
    }
  }
  for (int64_t i = 0; i < oh; i++) {
    double* dst = out + i * ow;
    for (int64_t j = 0; j < ow; j++) dst[j] = 0;
    for (int64_t k = 0; k < y.count[i]; k++) {
      const double wk = y.w[i][k];
      const double* src = across->data() + (y.first[i] + k) * ow;
      for (int64_t j = 0; j < ow; j++) dst[j] += wk * src[j];
    }
  }
}

}  // namespace

// resampleWeighted(src: Float32Array | Uint8Array,
//                  [stride, left, top, width, height, channels, channel],
//                  tables: Float64Array[] (x0, y0, x1, y1, ...), dst: Float32Array, lo, hi,
//                  roundAcross?: number[] (per stage, 1 = round the across sums to float)):
// the region of one channel of `src` (`stride` pixels per row, `channels` values per pixel)
// through each separable stage in turn (in doubles), the last stage's output clamped to [lo, hi]
// and stored as floats. Moderation's libvips-style reduce (a box shrink, then Lanczos-3) builds
// the tables; every table is bounds-checked before any read.
napi_value ResampleWeighted(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (!Check(env, argc == 6 || argc == 7,
             "ganmod-kernels: resampleWeighted(src, geometry, tables, dst, lo, hi, roundAcross?)")) {
    return nullptr;
  }
  Floats dst;
  int64_t g[7];
  double lo = 0, hi = 0;
  napi_typedarray_type src_type;
  void* src_data = nullptr;
  size_t src_length = 0;
  bool is_typed = false;
  napi_is_typedarray(env, argv[0], &is_typed);
  if (is_typed) {
    napi_value buffer;
    size_t offset = 0;
    NAPI_CALL(env, napi_get_typedarray_info(env, argv[0], &src_type, &src_length, &src_data,
                                            &buffer, &offset));
  }
  if (!is_typed || (src_type != napi_float32_array && src_type != napi_uint8_array)) {
    napi_throw_type_error(env, nullptr,
                          "ganmod-kernels: src must be a Float32Array or a Uint8Array");
    return nullptr;
  }
  if (!GetInts(env, argv[1], g, 7, "geometry") || !GetFloats(env, argv[3], &dst, "dst")) {
    return nullptr;
  }
  NAPI_CALL(env, napi_get_value_double(env, argv[4], &lo));
  NAPI_CALL(env, napi_get_value_double(env, argv[5], &hi));
  const int64_t stride = g[0], left = g[1], top = g[2], width = g[3], height = g[4];
  const int64_t channels = g[5], channel = g[6];
  if (!Check(env, stride > 0 && left >= 0 && top >= 0 && width > 0 && height > 0 &&
                      channels > 0 && channel >= 0 && channel < channels &&
                      left + width <= stride &&
                      static_cast<size_t>(((top + height - 1) * stride + left + width) *
                                          channels) <= src_length,
             "ganmod-kernels: resampleWeighted's region is not inside src")) {
    return nullptr;
  }
  bool is_array = false;
  uint32_t count = 0;
  napi_is_array(env, argv[2], &is_array);
  if (!is_array || napi_get_array_length(env, argv[2], &count) != napi_ok || count == 0 ||
      count % 2 != 0) {
    napi_throw_type_error(env, nullptr,
                          "ganmod-kernels: tables must be an array of x, y Float64Array pairs");
    return nullptr;
  }
  std::vector<WeightTable> tables(count);
  int64_t in_w = width, in_h = height;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    NAPI_CALL(env, napi_get_element(env, argv[2], i, &item));
    void* data = nullptr;
    size_t length = 0;
    if (!GetTyped(env, item, napi_float64_array, &data, &length, "each table", "Float64Array")) {
      return nullptr;
    }
    const bool across = i % 2 == 0;
    if (!Check(env, ParseTable(static_cast<const double*>(data), length, across ? in_w : in_h,
                               &tables[i]),
               "ganmod-kernels: resampleWeighted's table does not fit its input")) {
      return nullptr;
    }
    if (!across) {
      in_w = static_cast<int64_t>(tables[i - 1].first.size());
      in_h = static_cast<int64_t>(tables[i].first.size());
    }
  }
  std::vector<int64_t> round_across(count / 2, 0);
  napi_valuetype flags_type = napi_undefined;
  if (argc == 7) NAPI_CALL(env, napi_typeof(env, argv[6], &flags_type));
  if (flags_type != napi_undefined &&
      !GetInts(env, argv[6], round_across.data(), round_across.size(), "roundAcross")) {
    return nullptr;
  }
  if (!Check(env, dst.length == static_cast<size_t>(in_w * in_h),
             "ganmod-kernels: resampleWeighted's dst does not match the last stage's size")) {
    return nullptr;
  }
  // Reused across calls (one per thread): the callers resample many regions in a row.
  thread_local std::vector<double> across, a, b;
  const int64_t first = (top * stride + left) * channels + channel;
  int64_t rows = height;
  const double* prev = nullptr;
  int64_t prev_w = 0;
  for (uint32_t s = 0; s < count; s += 2) {
    const WeightTable& x = tables[s];
    const WeightTable& y = tables[s + 1];
    std::vector<double>& out = (s / 2) % 2 == 0 ? a : b;
    out.resize(x.first.size() * y.first.size());
    const bool round = round_across[s / 2] != 0;
    if (s > 0) {
      WeightedStage(prev, prev_w, 1, rows, x, y, round, &across, out.data());
    } else if (src_type == napi_uint8_array) {
      WeightedStage(static_cast<const uint8_t*>(src_data) + first, stride * channels, channels,
                    rows, x, y, round, &across, out.data());
    } else {
      WeightedStage(static_cast<const float*>(src_data) + first, stride * channels, channels,
                    rows, x, y, round, &across, out.data());
    }
    prev = out.data();
    prev_w = static_cast<int64_t>(x.first.size());
    rows = static_cast<int64_t>(y.first.size());
  }
  for (size_t i = 0; i < dst.length; i++) {
    const double v = prev[i];
    dst.data[i] = static_cast<float>(v < lo ? lo : v > hi ? hi : v);
  }
  return nullptr;
}

}  // namespace ganmod
