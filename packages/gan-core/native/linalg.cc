// Double-precision linear algebra of the quality metrics: LAPACK's divide-and-conquer dsyevd (in
// OpenBLAS) and dgemm. FID needs two eigendecompositions and a few products per score; at a
// pretrained judge's 1280 features the JS loops took ~50 s a score, these under a second or two.
#include <cblas.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kernels.h"

extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
                        double* w, double* work, const int* lwork, int* iwork, const int* liwork,
                        int* info);

namespace ganmod {

// symmetricEigen(a, n, values, vectors | null) -> LAPACK's info (0 = converged).
// a: n x n row-major, only its lower triangle read. values: n eigenvalues, ascending. vectors
// (when given): the orthonormal eigenvectors as columns of a row-major n x n matrix.
napi_value SymmetricEigen(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (!Check(env, argc == 4, "ganmod-kernels: symmetricEigen(a, n, values, vectors)")) {
    return nullptr;
  }
  void* raw = nullptr;
  size_t a_length = 0, values_length = 0, vectors_length = 0;
  if (!GetTyped(env, argv[0], napi_float64_array, &raw, &a_length, "a", "Float64Array")) {
    return nullptr;
  }
  const double* a = static_cast<const double*>(raw);
  int64_t n64 = 0;
  NAPI_CALL(env, napi_get_value_int64(env, argv[1], &n64));
  if (!GetTyped(env, argv[2], napi_float64_array, &raw, &values_length, "values",
                "Float64Array")) {
    return nullptr;
  }
  double* values = static_cast<double*>(raw);
  napi_valuetype vectors_type;
  NAPI_CALL(env, napi_typeof(env, argv[3], &vectors_type));
  double* vectors = nullptr;
  if (vectors_type != napi_null) {
    if (!GetTyped(env, argv[3], napi_float64_array, &raw, &vectors_length, "vectors",
                  "Float64Array")) {
      return nullptr;
    }
    vectors = static_cast<double*>(raw);
  }
  if (!Check(env,
             n64 >= 1 && n64 <= 46340 && a_length == static_cast<size_t>(n64 * n64) &&
                 values_length == static_cast<size_t>(n64) &&
                 (vectors == nullptr || vectors_length == a_length),
             "ganmod-kernels: symmetricEigen's arrays do not hold an n x n matrix")) {
    return nullptr;
  }
  const int n = static_cast<int>(n64);
  try {
    // Row-major lower triangle = column-major upper triangle: LAPACK reads 'U' of the same bytes.
    std::vector<double> scratch;
    double* work_matrix = vectors;
    if (work_matrix == nullptr) {
      scratch.resize(a_length);
      work_matrix = scratch.data();
    }
    std::copy(a, a + a_length, work_matrix);
    const char jobz = vectors != nullptr ? 'V' : 'N';
    const char uplo = 'U';
    int lwork = -1, liwork = -1, status = 0, iwork_size = 0;
    double work_size = 0;
    dsyevd_(&jobz, &uplo, &n, work_matrix, &n, values, &work_size, &lwork, &iwork_size, &liwork,
            &status);
    if (status == 0) {
      lwork = static_cast<int>(work_size) + 1;
      liwork = std::max(iwork_size, 1);
      std::vector<double> work(static_cast<size_t>(lwork));
      std::vector<int> iwork(static_cast<size_t>(liwork));
      dsyevd_(&jobz, &uplo, &n, work_matrix, &n, values, work.data(), &lwork, iwork.data(),
              &liwork, &status);
    }
    if (vectors != nullptr && status == 0) {
      // Column-major columns are eigenvectors; the caller wants them as row-major columns.
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          std::swap(vectors[static_cast<size_t>(i) * n + j], vectors[static_cast<size_t>(j) * n + i]);
        }
      }
    }
    napi_value result;
    NAPI_CALL(env, napi_create_int32(env, status, &result));
    return result;
  } catch (const std::exception& error) {
    std::string message = std::string("ganmod-kernels: symmetricEigen failed: ") + error.what();
    napi_throw_error(env, nullptr, message.c_str());
    return nullptr;
  }
}

// matMulF64(a, b, n, out): out = a b for n x n row-major Float64Arrays.
napi_value MatMulF64(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (!Check(env, argc == 4, "ganmod-kernels: matMulF64(a, b, n, out)")) return nullptr;
  void* raw = nullptr;
  size_t a_length = 0, b_length = 0, out_length = 0;
  if (!GetTyped(env, argv[0], napi_float64_array, &raw, &a_length, "a", "Float64Array")) {
    return nullptr;
  }
  const double* a = static_cast<const double*>(raw);
  if (!GetTyped(env, argv[1], napi_float64_array, &raw, &b_length, "b", "Float64Array")) {
    return nullptr;
  }
  const double* b = static_cast<const double*>(raw);
  int64_t n64 = 0;
  NAPI_CALL(env, napi_get_value_int64(env, argv[2], &n64));
  if (!GetTyped(env, argv[3], napi_float64_array, &raw, &out_length, "out", "Float64Array")) {
    return nullptr;
  }
  double* out = static_cast<double*>(raw);
  const size_t size = n64 >= 1 && n64 <= 46340 ? static_cast<size_t>(n64 * n64) : 0;
  if (!Check(env, size > 0 && a_length == size && b_length == size && out_length == size,
             "ganmod-kernels: matMulF64's arrays do not hold n x n matrices")) {
    return nullptr;
  }
  const int n = static_cast<int>(n64);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, out, n);
  return nullptr;
}

}  // namespace ganmod
