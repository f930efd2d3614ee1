// The N-API addon's entry: the argument helpers every kernel file uses, OpenBLAS's thread count,
// and the table of exported functions (each defined in its family's file, declared in kernels.h).
#include "kernels.h"

namespace ganmod {

// A typed array of `type`, or a TypeError naming `name` and what it must be.
bool GetTyped(napi_env env, napi_value value, napi_typedarray_type want, void** data,
              size_t* length, const char* name, const char* what) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset = 0;
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed ||
      napi_get_typedarray_info(env, value, &type, length, data, &buffer, &offset) != napi_ok ||
      type != want) {
    std::string message = std::string("ganmod-kernels: ") + name + " must be a " + what;
    napi_throw_type_error(env, nullptr, message.c_str());
    return false;
  }
  return true;
}

bool GetFloats(napi_env env, napi_value value, Floats* out, const char* name) {
  void* data = nullptr;
  if (!GetTyped(env, value, napi_float32_array, &data, &out->length, name, "Float32Array")) {
    return false;
  }
  out->data = static_cast<float*>(data);
  return true;
}

bool GetBytes(napi_env env, napi_value value, uint8_t** data, size_t* length, const char* name) {
  void* raw = nullptr;
  if (!GetTyped(env, value, napi_uint8_array, &raw, length, name, "Uint8Array")) return false;
  *data = static_cast<uint8_t*>(raw);
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

namespace {

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

// blasCore(): the kernels OpenBLAS chose for this CPU (e.g. "Cooperlake", "Haswell"). An
// OPENBLAS_CORETYPE in the environment overrides its detection, and the AVX2 Haswell kernels run
// sgemm at ~60% of the AVX-512 ones' speed on the EPYCs these benchmarks ran on.
napi_value BlasCore(napi_env env, napi_callback_info) {
  napi_value result;
  NAPI_CALL(env, napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &result));
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"conv2d", nullptr, Conv2D, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2DBackpropInput, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2DBackpropFilter, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"upsampleNearest", nullptr, UpsampleNearest, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"upsampleNearestGrad", nullptr, UpsampleNearestGrad, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"onednn", nullptr, Onednn, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"onednnCalls", nullptr, OnednnCalls, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseConv2d", nullptr, DepthwiseConv2D, nullptr, nullptr, nullptr, napi_default,
       nullptr},
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
      {"resampleImage", nullptr, ResampleImage, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"resampleWeighted", nullptr, ResampleWeighted, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"hammingSearch", nullptr, HammingSearch, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"symmetricEigen", nullptr, SymmetricEigen, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"matMulF64", nullptr, MatMulF64, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"blasCore", nullptr, BlasCore, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  DefineCnn(env, exports);
  return exports;
}

}  // namespace
}  // namespace ganmod

NAPI_MODULE_INIT() { return ganmod::Init(env, exports); }
