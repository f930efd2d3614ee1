// Batch normalization: inference with given statistics (TF.js's FusedBatchNorm), and training
// with the batch's own statistics, forward and backward, each as one kernel.
#include "kernels.h"

namespace ganmod {
namespace {

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


}  // namespace

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

}  // namespace ganmod
