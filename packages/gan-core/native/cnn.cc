// Inference of a whole feed-forward CNN trunk on oneDNN (Debian: libdnnl-dev), for the moderation
// detectors' networks (nsfwjs' MobileNetV2): convolutions (grouped as depthwise) with bias and
// ReLU/ReLU6 fused, and residual additions, all in NHWC.
//
// Why: oneDNN's JIT convolutions (brgemm 1x1, direct 3x3 and depthwise, AVX-512 where present)
// measured 3-4x faster per layer than im2col + OpenBLAS sgemm on MobileNetV2's shapes, and the
// net runs one image at a time so each layer's activations (<= 4.8 MB) stay in cache instead of
// streaming a batch's hundreds of MB through memory.
//
// Built only where oneDNN's headers are installed (GANMOD_HAVE_DNNL, set by build-native.mjs);
// elsewhere the addon exports no `cnnCreate` and callers run the network through TF.js.
#include "kernels.h"

#ifdef GANMOD_HAVE_DNNL

#include <omp.h>

#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

namespace ganmod {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using Dt = memory::data_type;

// Per node in cnnCreate's integer description.
constexpr int kNodeInts = 16;
enum NodeOp { kConv = 0, kAdd = 1 };
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2 };

struct Node {
  int op, in_a, in_b, depthwise, kh, kw, ci, co, sh, sw, pt, pb, pl, pr, activation, has_bias;
  int64_t h = 0, w = 0, c = 0;  // output shape (one image)
};

/** A compiled network for one image at a time; buffers are reused by liveness. */
struct Net {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  int64_t in_h, in_w, in_c;
  std::vector<Node> nodes;
  std::vector<dnnl::primitive> primitives;
  std::vector<std::unordered_map<int, memory>> args;
  memory input;   // NHWC, handle set per image
  memory output;  // the last node's, handle set per image
  std::vector<std::vector<float>> buffers;
};

memory::desc Nhwc(int64_t h, int64_t w, int64_t c) {
  return memory::desc({1, c, h, w}, Dt::f32, Tag::nhwc);
}

void Finalize(napi_env, void* data, void*) { delete static_cast<Net*>(data); }

bool ReadNodes(napi_env env, napi_value ints, Net* net) {
  uint32_t length = 0;
  if (napi_get_array_length(env, ints, &length) != napi_ok || length < 4) {
    return Check(env, false, "ganmod-kernels: cnnCreate expects [h, w, c, count, ...nodes]");
  }
  std::vector<int64_t> v(length);
  if (!GetInts(env, ints, v.data(), length, "cnn description")) return false;
  net->in_h = v[0];
  net->in_w = v[1];
  net->in_c = v[2];
  const int64_t count = v[3];
  if (!Check(env, count > 0 && length == 4 + count * kNodeInts,
             "ganmod-kernels: cnn description length does not match its node count")) {
    return false;
  }
  for (int64_t k = 0; k < count; k++) {
    const int64_t* p = &v[4 + k * kNodeInts];
    Node n{static_cast<int>(p[0]),  static_cast<int>(p[1]),  static_cast<int>(p[2]),
           static_cast<int>(p[3]),  static_cast<int>(p[4]),  static_cast<int>(p[5]),
           static_cast<int>(p[6]),  static_cast<int>(p[7]),  static_cast<int>(p[8]),
           static_cast<int>(p[9]),  static_cast<int>(p[10]), static_cast<int>(p[11]),
           static_cast<int>(p[12]), static_cast<int>(p[13]), static_cast<int>(p[14]),
           static_cast<int>(p[15])};
    auto shape = [&](int index, int64_t* h, int64_t* w, int64_t* c) {
      if (index == -1) {
        *h = net->in_h, *w = net->in_w, *c = net->in_c;
        return true;
      }
      if (index < 0 || index >= k) return false;
      const Node& src = net->nodes[index];
      *h = src.h, *w = src.w, *c = src.c;
      return true;
    };
    int64_t h, w, c;
    if (!Check(env, shape(n.in_a, &h, &w, &c), "ganmod-kernels: cnn node reads a later node")) {
      return false;
    }
    if (n.op == kConv) {
      const bool ok = n.kh > 0 && n.kw > 0 && n.sh > 0 && n.sw > 0 && n.pt >= 0 && n.pb >= 0 &&
                      n.pl >= 0 && n.pr >= 0 && n.ci == c && (!n.depthwise || n.co == n.ci) &&
                      n.activation >= kLinear && n.activation <= kRelu6;
      if (!Check(env, ok, "ganmod-kernels: invalid cnn convolution")) return false;
      n.h = (h + n.pt + n.pb - n.kh) / n.sh + 1;
      n.w = (w + n.pl + n.pr - n.kw) / n.sw + 1;
      n.c = n.co;
      if (!Check(env, n.h > 0 && n.w > 0, "ganmod-kernels: cnn convolution output is empty")) {
        return false;
      }
    } else if (n.op == kAdd) {
      int64_t h2, w2, c2;
      const bool ok = shape(n.in_b, &h2, &w2, &c2) && h2 == h && w2 == w && c2 == c;
      if (!Check(env, ok, "ganmod-kernels: cnn addition of different shapes")) return false;
      n.h = h, n.w = w, n.c = c;
    } else {
      return Check(env, false, "ganmod-kernels: unknown cnn node");
    }
    net->nodes.push_back(n);
  }
  return true;
}

// Builds the primitives; `tensors` holds each convolution's filter (HWIO, or [kh, kw, c, 1] for
// a depthwise one) and then its bias when it has one, in node order.
bool Compile(napi_env env, napi_value tensors, Net* net) {
  const size_t count = net->nodes.size();
  // Liveness: a node's buffer returns to the pool after its last reader ran.
  std::vector<size_t> last_use(count, 0);
  for (size_t k = 0; k < count; k++) {
    const Node& n = net->nodes[k];
    if (n.in_a >= 0) last_use[n.in_a] = k;
    if (n.op == kAdd && n.in_b >= 0) last_use[n.in_b] = k;
  }
  last_use[count - 1] = count;  // the output is written to the caller's array
  std::vector<int> buffer_of(count, -1);
  std::vector<int> free_buffers;
  std::vector<memory> outputs(count);
  net->input = memory(Nhwc(net->in_h, net->in_w, net->in_c), net->engine, DNNL_MEMORY_NONE);
  auto source = [&](int index) { return index == -1 ? net->input : outputs[index]; };
  uint32_t tensor = 0;
  auto next_tensor = [&](Floats* out, size_t expected) {
    napi_value value;
    if (napi_get_element(env, tensors, tensor++, &value) != napi_ok) return false;
    if (!GetFloats(env, value, out, "cnn weights")) return false;
    return Check(env, out->length == expected, "ganmod-kernels: cnn weights have the wrong size");
  };
  for (size_t k = 0; k < count; k++) {
    const Node& n = net->nodes[k];
    const auto dst_md = Nhwc(n.h, n.w, n.c);
    if (k + 1 == count) {
      net->output = memory(dst_md, net->engine, DNNL_MEMORY_NONE);
      outputs[k] = net->output;
    } else {
      const size_t floats = static_cast<size_t>(n.h * n.w * n.c);
      int b = -1;
      for (size_t i = 0; i < free_buffers.size(); i++) {
        if (net->buffers[free_buffers[i]].size() >= floats) {
          b = free_buffers[i];
          free_buffers.erase(free_buffers.begin() + static_cast<std::ptrdiff_t>(i));
          break;
        }
      }
      if (b == -1) {
        b = static_cast<int>(net->buffers.size());
        net->buffers.emplace_back(floats);
      }
      buffer_of[k] = b;
      outputs[k] = memory(dst_md, net->engine, net->buffers[b].data());
    }
    if (n.op == kConv) {
      const int64_t kh = n.kh, kw = n.kw, ci = n.ci, co = n.co;
      Floats filter, bias;
      if (!next_tensor(&filter, static_cast<size_t>(kh * kw * ci * (n.depthwise ? 1 : co)))) {
        return false;
      }
      if (n.has_bias && !next_tensor(&bias, static_cast<size_t>(co))) return false;
      const memory::dims weight_dims =
          n.depthwise ? memory::dims{co, 1, 1, kh, kw} : memory::dims{co, ci, kh, kw};
      // TF's layouts: HWIO, and [kh, kw, c, 1] = hwigo with i = o = 1 for depthwise.
      const memory::desc user_weights(weight_dims, Dt::f32, n.depthwise ? Tag::hwigo : Tag::hwio);
      const memory::desc any_weights(weight_dims, Dt::f32, Tag::any);
      const memory::desc bias_md({co}, Dt::f32, Tag::x);
      const auto src_md = source(n.in_a).get_desc();
      dnnl::post_ops ops;
      if (n.activation == kRelu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      if (n.activation == kRelu6) {
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
      }
      dnnl::primitive_attr attr;
      attr.set_post_ops(ops);
      const dnnl::convolution_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md,
          any_weights, bias_md, dst_md, {n.sh, n.sw}, {n.pt, n.pl}, {n.pb, n.pr});
      const dnnl::convolution_forward::primitive_desc pd(desc, attr, net->engine);
      memory weights(pd.weights_desc(), net->engine);
      memory user(user_weights, net->engine, filter.data);
      dnnl::reorder(user, weights).execute(net->stream, user, weights);
      memory bias_memory(bias_md, net->engine);
      auto* b = static_cast<float*>(bias_memory.get_data_handle());
      for (int64_t i = 0; i < co; i++) b[i] = n.has_bias ? bias.data[i] : 0.f;
      net->primitives.emplace_back(dnnl::convolution_forward(pd));
      net->args.push_back({{DNNL_ARG_SRC, source(n.in_a)},
                           {DNNL_ARG_WEIGHTS, weights},
                           {DNNL_ARG_BIAS, bias_memory},
                           {DNNL_ARG_DST, outputs[k]}});
    } else {
      const dnnl::binary::desc desc(dnnl::algorithm::binary_add, source(n.in_a).get_desc(),
                                    source(n.in_b).get_desc(), dst_md);
      const dnnl::binary::primitive_desc pd(desc, net->engine);
      net->primitives.emplace_back(dnnl::binary(pd));
      net->args.push_back({{DNNL_ARG_SRC_0, source(n.in_a)},
                           {DNNL_ARG_SRC_1, source(n.in_b)},
                           {DNNL_ARG_DST, outputs[k]}});
    }
    // Buffers whose last reader this node was can hold later nodes' outputs.
    for (const int input : {n.in_a, n.op == kAdd ? n.in_b : -1}) {
      if (input >= 0 && last_use[input] == k && buffer_of[input] >= 0) {
        free_buffers.push_back(buffer_of[input]);
        buffer_of[input] = -1;
      }
    }
  }
  net->stream.wait();
  return true;
}

// cnnCreate(description: number[], weights: Float32Array[]): { handle, outputShape }.
napi_value CnnCreate(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (!Check(env, argc == 2, "ganmod-kernels: cnnCreate(description, weights)")) return nullptr;
  auto net = std::make_unique<Net>();
  omp_set_num_threads(1);
  try {
    if (!ReadNodes(env, argv[0], net.get()) || !Compile(env, argv[1], net.get())) return nullptr;
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("ganmod-kernels: oneDNN: ") + e.what()).c_str());
    return nullptr;
  }
  // { handle, outputShape: [h, w, c] of one image's output }
  napi_value result, handle, shape;
  NAPI_CALL(env, napi_create_object(env, &result));
  NAPI_CALL(env, napi_create_array_with_length(env, 3, &shape));
  const Node& last = net->nodes.back();
  const int64_t dims[3] = {last.h, last.w, last.c};
  for (uint32_t i = 0; i < 3; i++) {
    napi_value v;
    NAPI_CALL(env, napi_create_int64(env, dims[i], &v));
    NAPI_CALL(env, napi_set_element(env, shape, i, v));
  }
  NAPI_CALL(env, napi_set_named_property(env, result, "outputShape", shape));
  NAPI_CALL(env, napi_create_external(env, net.get(), Finalize, nullptr, &handle));
  net.release();
  NAPI_CALL(env, napi_set_named_property(env, result, "handle", handle));
  return result;
}

// cnnRun(handle, input: Float32Array [n, h, w, c], n, output: Float32Array [n, oh, ow, oc]).
napi_value CnnRun(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  void* data = nullptr;
  int32_t images = 0;
  Floats input, output;
  if (argc != 4 || napi_get_value_external(env, argv[0], &data) != napi_ok) {
    Check(env, false, "ganmod-kernels: cnnRun(handle, input, n, output)");
    return nullptr;
  }
  if (napi_get_value_int32(env, argv[2], &images) != napi_ok || images < 1) {
    Check(env, false, "ganmod-kernels: cnnRun's image count must be a positive integer");
    return nullptr;
  }
  if (!GetFloats(env, argv[1], &input, "input") || !GetFloats(env, argv[3], &output, "output")) {
    return nullptr;
  }
  Net* net = static_cast<Net*>(data);
  const Node& last = net->nodes.back();
  const size_t in_floats = static_cast<size_t>(net->in_h * net->in_w * net->in_c);
  const size_t out_floats = static_cast<size_t>(last.h * last.w * last.c);
  if (!Check(env, input.length == in_floats * images && output.length == out_floats * images,
             "ganmod-kernels: cnnRun's arrays do not match the network's shapes")) {
    return nullptr;
  }
  // One thread: a single image's layers are too small to split well, and OpenMP's idle threads
  // spin at every layer's barrier (a worker with 2 threads measured 158 ms of CPU an item against
  // 37 for two 1-thread workers). Throughput comes from one worker process per core.
  omp_set_num_threads(1);
  try {
    for (int32_t i = 0; i < images; i++) {
      net->input.set_data_handle(input.data + i * in_floats);
      net->output.set_data_handle(output.data + i * out_floats);
      for (size_t k = 0; k < net->primitives.size(); k++) {
        net->primitives[k].execute(net->stream, net->args[k]);
      }
    }
    net->stream.wait();
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("ganmod-kernels: oneDNN: ") + e.what()).c_str());
    return nullptr;
  }
  return nullptr;
}

}  // namespace

void DefineCnn(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"cnnCreate", nullptr, CnnCreate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cnnRun", nullptr, CnnRun, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
}

}  // namespace ganmod

#else

namespace ganmod {
void DefineCnn(napi_env, napi_value) {}
}  // namespace ganmod

#endif  // GANMOD_HAVE_DNNL
