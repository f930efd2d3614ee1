// Inference of a whole feed-forward CNN trunk on oneDNN (Debian: libdnnl-dev), for the moderation
// detectors' networks (nsfwjs' MobileNetV2): convolutions (grouped as depthwise) with bias and
// ReLU/ReLU6 fused, and residual additions, all in NHWC.
//
// Why: oneDNN's JIT convolutions (brgemm 1x1, direct 3x3 and depthwise, AVX-512 where present)
// measured 3-4x faster per layer than im2col + OpenBLAS sgemm on MobileNetV2's shapes, and the
// net runs one image at a time so each layer's activations (<= 4.8 MB) stay in cache instead of
// streaming a batch's hundreds of MB through memory.
//
// Precisions (cnnCreate's third argument, for all nodes or per node): f32; bf16 (activations
// and weights bf16, f32 accumulation: AVX512_BF16's dot products); int8 (u8/s8 activations with
// one step per tensor from calibrated ranges, s8 weights with one step per output channel, s32
// accumulation: VNNI's dot products). Reorders convert between them where a node reads another
// type than its producer stored (the f32 input, mixed nets); the last node writes f32.
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
enum Precision { kF32 = 0, kBf16 = 1, kInt8 = 2 };

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
  bool all_f32 = true;
  memory input;   // NHWC f32, handle set per image
  memory output;  // the last node's (f32), handle set per image
  std::vector<int> node_of;     // per primitive: its node, or -1 for a type conversion
  std::vector<memory> outputs;  // each node's output (cnnCalibrate reads them)
  std::vector<std::vector<float>> buffers;
};

memory::desc Nhwc(int64_t h, int64_t w, int64_t c, Dt type = Dt::f32) {
  return memory::desc({1, c, h, w}, type, Tag::nhwc);
}

/** int8: a tensor's type and quantization step from its calibrated [min, max]. */
struct Quant {
  Dt type = Dt::f32;
  float step = 1.f;
};

Quant Quantize(float lo, float hi) {
  // Non-negative tensors (after a ReLU, the input pixels) use u8's 255 levels, others s8's +-127.
  if (lo >= 0.f) return {Dt::u8, hi > 0.f ? hi / 255.f : 1.f};
  const float m = std::max(-lo, hi);
  return {Dt::s8, m > 0.f ? m / 127.f : 1.f};
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
// a depthwise one) and then its bias when it has one, in node order. `precision` holds each
// node's arithmetic, and `ranges` (when any node is int8) [min, max] of the input and then of
// each node's output, measured on the f32 net. A node reads its inputs in its own arithmetic's
// type: where the producer stored another, a conversion (a reorder, shared by the readers) runs
// first. A node stores its output in the type its readers read when they agree and oneDNN has a
// JIT kernel writing it, else in its own type.
bool Compile(napi_env env, napi_value tensors, const std::vector<int>& precision,
             const float* ranges, Net* net) {
  const size_t count = net->nodes.size();
  // Readers of each tensor (index t + 1 for tensor t; tensor -1 is the input).
  std::vector<std::vector<size_t>> readers(count + 1);
  for (size_t k = 0; k < count; k++) {
    const Node& n = net->nodes[k];
    readers[n.in_a + 1].push_back(k);
    if (n.op == kAdd) readers[n.in_b + 1].push_back(k);
  }
  // Liveness: a node's buffer (and its conversions') returns to the pool after its last reader.
  std::vector<size_t> last_use(count, 0);
  for (size_t t = 1; t <= count; t++) {
    if (!readers[t].empty()) last_use[t - 1] = readers[t].back();
  }
  last_use[count - 1] = count;  // the output is written to the caller's array
  std::vector<std::vector<int>> buffers_of(count);
  std::vector<int> free_buffers;
  auto take_buffer = [&](const memory::desc& md) {
    const size_t floats = (md.get_size() + sizeof(float) - 1) / sizeof(float);
    for (size_t i = 0; i < free_buffers.size(); i++) {
      const int b = free_buffers[i];
      if (net->buffers[b].size() >= floats) {
        free_buffers.erase(free_buffers.begin() + static_cast<std::ptrdiff_t>(i));
        return b;
      }
    }
    net->buffers.emplace_back(floats);
    return static_cast<int>(net->buffers.size() - 1);
  };
  // Each tensor's int8 representation (index t + 1), used where an int8 node reads or writes it.
  std::vector<Quant> int8(count + 1);
  const bool any_int8 = std::count(precision.begin(), precision.end(), kInt8) > 0;
  if (any_int8) {
    for (size_t t = 0; t <= count; t++) int8[t] = Quantize(ranges[2 * t], ranges[2 * t + 1]);
  }
  auto wanted = [&](int prec, int t) -> Quant {
    if (prec == kBf16) return {Dt::bf16, 1.f};
    if (prec == kInt8) return int8[t + 1];
    return {Dt::f32, 1.f};
  };
  // Stored form of each tensor, and its conversions by type.
  std::vector<Quant> stored(count + 1);
  std::vector<memory> outputs(count + 1);
  std::vector<std::vector<std::pair<Dt, memory>>> converted(count + 1);
  net->input = memory(Nhwc(net->in_h, net->in_w, net->in_c), net->engine, DNNL_MEMORY_NONE);
  outputs[0] = net->input;
  // Tensor t as node `prec` reads it (converting it the first time this form is asked for).
  auto view = [&](int t, int prec) -> std::pair<memory, Quant> {
    const Quant q = wanted(prec, t);
    if (stored[t + 1].type == q.type) return {outputs[t + 1], stored[t + 1]};
    for (const auto& [type, mem] : converted[t + 1]) {
      if (type == q.type) return {mem, q};
    }
    const memory& from = outputs[t + 1];
    const auto md = Nhwc(from.get_desc().dims()[2], from.get_desc().dims()[3],
                         from.get_desc().dims()[1], q.type);
    const int b = take_buffer(md);
    if (t >= 0) buffers_of[t].push_back(b);  // the input's conversions live all run long
    memory to(md, net->engine, net->buffers[b].data());
    dnnl::primitive_attr attr;
    if (stored[t + 1].step != q.step) attr.set_output_scales(0, {stored[t + 1].step / q.step});
    net->primitives.emplace_back(dnnl::reorder(dnnl::reorder::primitive_desc(from, to, attr)));
    net->args.push_back({{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
    net->node_of.push_back(-1);
    converted[t + 1].emplace_back(q.type, to);
    return {to, q};
  };
  uint32_t tensor = 0;
  auto next_tensor = [&](Floats* out, size_t expected) {
    napi_value value;
    if (napi_get_element(env, tensors, tensor++, &value) != napi_ok) return false;
    if (!GetFloats(env, value, out, "cnn weights")) return false;
    return Check(env, out->length == expected, "ganmod-kernels: cnn weights have the wrong size");
  };
  for (size_t k = 0; k < count; k++) {
    const Node& n = net->nodes[k];
    const int prec = precision[k];
    // Inputs first: their conversions must not reuse this node's output buffer.
    const auto src_view = view(n.in_a, prec);
    const memory src = src_view.first;
    const Quant in_q = src_view.second;
    std::pair<memory, Quant> src_b;
    if (n.op == kAdd) src_b = view(n.in_b, prec);
    // Output type: the one every reader reads when they agree and oneDNN has a JIT kernel for it
    // (it saves a conversion: a bf16 or int8 node read by f32 ones writes f32), else its own.
    std::vector<Quant> candidates;
    if (k + 1 == count) {
      candidates.push_back({Dt::f32, 1.f});  // the caller reads f32
    } else if (readers[k + 1].empty()) {
      candidates.push_back(wanted(prec, static_cast<int>(k)));
    } else {
      const int first = precision[readers[k + 1].front()];
      bool agree = true;
      for (const size_t r : readers[k + 1]) agree = agree && precision[r] == first;
      // Only an int8 node's output scales write quantized steps.
      if (agree && (first != kInt8 || prec == kInt8)) {
        candidates.push_back(wanted(first, static_cast<int>(k)));
      }
      const Quant own = wanted(prec, static_cast<int>(k));
      if (candidates.empty() || candidates[0].type != own.type) candidates.push_back(own);
    }
    Floats filter, bias;
    if (n.op == kConv) {
      const int64_t filter_size = n.kh * n.kw * n.ci * (n.depthwise ? 1 : n.co);
      if (!next_tensor(&filter, static_cast<size_t>(filter_size))) {
        return false;
      }
      if (n.has_bias && !next_tensor(&bias, static_cast<size_t>(n.co))) return false;
    }
    // Builds the node's primitive for output `out_q`; an empty primitive when oneDNN has only
    // its reference kernel for it and another candidate remains.
    memory weights, bias_memory;
    auto build = [&](const Quant& out_q, bool last_candidate) -> dnnl::primitive {
      const auto dst_md = Nhwc(n.h, n.w, n.c, out_q.type);
      auto usable = [&](const auto& pd) {
        return last_candidate || std::string(pd.impl_info_str()).rfind("ref", 0) != 0;
      };
      if (n.op == kAdd) {
        const dnnl::binary::desc desc(dnnl::algorithm::binary_add, src.get_desc(),
                                      src_b.first.get_desc(), dst_md);
        dnnl::primitive_attr attr;
        if (prec == kInt8) {
          // dst = src0 * scale0 + src1 * scale1, each scale from its step to dst's.
          attr.set_scales(DNNL_ARG_SRC_0, 0, {in_q.step / out_q.step});
          attr.set_scales(DNNL_ARG_SRC_1, 0, {src_b.second.step / out_q.step});
        }
        const dnnl::binary::primitive_desc pd(desc, attr, net->engine);
        return usable(pd) ? dnnl::primitive(dnnl::binary(pd)) : dnnl::primitive();
      }
      const int64_t kh = n.kh, kw = n.kw, ci = n.ci, co = n.co;
      const memory::dims weight_dims =
          n.depthwise ? memory::dims{co, 1, 1, kh, kw} : memory::dims{co, ci, kh, kw};
      // TF's layouts: HWIO, and [kh, kw, c, 1] = hwigo with i = o = 1 for depthwise.
      const Tag user_tag = n.depthwise ? Tag::hwigo : Tag::hwio;
      const Dt weight_type = prec == kInt8 ? Dt::s8 : prec == kBf16 ? Dt::bf16 : Dt::f32;
      const memory::desc any_weights(weight_dims, weight_type, Tag::any);
      const memory::desc bias_md({co}, Dt::f32, Tag::x);
      // In HWIO (and the depthwise [kh, kw, c, 1]) the output channel is the fastest index.
      const size_t filter_size = filter.length;
      std::vector<float> bias_values(static_cast<size_t>(co));
      for (int64_t o = 0; o < co; o++) bias_values[o] = n.has_bias ? bias.data[o] : 0.f;
      dnnl::primitive_attr attr;
      float clip_top = 6.f;
      std::vector<int8_t> filter_q;
      if (prec == kInt8) {
        // s8 weights, one step per output channel; the bias joins the s32 accumulator (in units
        // of in_step * weight_step), and output scales map the accumulator to dst's steps.
        std::vector<float> weight_step(static_cast<size_t>(co), 0.f);
        for (size_t i = 0; i < filter_size; i++) {
          float& m = weight_step[i % co];
          m = std::max(m, std::fabs(filter.data[i]));
        }
        for (float& m : weight_step) m = m > 0.f ? m / 127.f : 1.f;
        filter_q.resize(filter_size);
        for (size_t i = 0; i < filter_size; i++) {
          filter_q[i] = static_cast<int8_t>(std::lrint(filter.data[i] / weight_step[i % co]));
        }
        std::vector<float> scales(static_cast<size_t>(co));
        for (int64_t o = 0; o < co; o++) {
          const float acc_step = in_q.step * weight_step[o];
          scales[o] = acc_step / out_q.step;
          bias_values[o] /= acc_step;
        }
        attr.set_output_scales(1 << 1, scales);
        clip_top = 6.f / out_q.step;
      }
      dnnl::post_ops ops;
      if (n.activation == kRelu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      if (n.activation == kRelu6) {
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, clip_top);
      }
      attr.set_post_ops(ops);
      const dnnl::convolution_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
          src.get_desc(), any_weights, bias_md, dst_md, {n.sh, n.sw}, {n.pt, n.pl},
          {n.pb, n.pr});
      const dnnl::convolution_forward::primitive_desc pd(desc, attr, net->engine);
      if (!usable(pd)) return dnnl::primitive();
      weights = memory(pd.weights_desc(), net->engine);
      memory user = prec == kInt8
                        ? memory({weight_dims, Dt::s8, user_tag}, net->engine, filter_q.data())
                        : memory({weight_dims, Dt::f32, user_tag}, net->engine, filter.data);
      dnnl::reorder(user, weights).execute(net->stream, user, weights);
      net->stream.wait();  // filter_q is freed on return
      bias_memory = memory(bias_md, net->engine);
      std::copy(bias_values.begin(), bias_values.end(),
                static_cast<float*>(bias_memory.get_data_handle()));
      return dnnl::convolution_forward(pd);
    };
    dnnl::primitive primitive;
    Quant out_q;
    for (size_t c = 0; c < candidates.size() && !primitive; c++) {
      const bool last_candidate = c + 1 == candidates.size();
      try {
        primitive = build(candidates[c], last_candidate);
      } catch (const dnnl::error&) {
        if (last_candidate) throw;  // unimplemented: try the next candidate
      }
      out_q = candidates[c];
    }
    stored[k + 1] = out_q;
    const auto dst_md = Nhwc(n.h, n.w, n.c, out_q.type);
    if (k + 1 == count) {
      net->output = memory(dst_md, net->engine, DNNL_MEMORY_NONE);
      outputs[k + 1] = net->output;
    } else {
      const int b = take_buffer(dst_md);
      buffers_of[k].push_back(b);
      outputs[k + 1] = memory(dst_md, net->engine, net->buffers[b].data());
    }
    const memory& dst = outputs[k + 1];
    net->primitives.push_back(primitive);
    if (n.op == kConv) {
      net->args.push_back({{DNNL_ARG_SRC, src},
                           {DNNL_ARG_WEIGHTS, weights},
                           {DNNL_ARG_BIAS, bias_memory},
                           {DNNL_ARG_DST, dst}});
    } else {
      net->args.push_back(
          {{DNNL_ARG_SRC_0, src}, {DNNL_ARG_SRC_1, src_b.first}, {DNNL_ARG_DST, dst}});
    }
    net->node_of.push_back(static_cast<int>(k));
    net->outputs.push_back(dst);
    // Buffers whose last reader this node was can hold later nodes' outputs.
    for (const int input : {n.in_a, n.op == kAdd ? n.in_b : -1}) {
      if (input >= 0 && last_use[input] == k) {
        for (const int b : buffers_of[input]) free_buffers.push_back(b);
        buffers_of[input].clear();
      }
    }
  }
  net->stream.wait();
  return true;
}

// cnnCreate(description: number[], weights: Float32Array[], precision?: 0 | 1 | 2 | number[],
//           ranges?: Float32Array): { handle, outputShape }. `precision` is 0 (f32), 1 (bf16) or
// 2 (int8) for every node, or one code per node; `ranges` (any int8 node) holds [min, max] of
// the input and of each node's output (cnnCalibrate's result).
napi_value CnnCreate(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (!Check(env, argc >= 2,
             "ganmod-kernels: cnnCreate(description, weights, precision?, ranges?)")) {
    return nullptr;
  }
  auto net = std::make_unique<Net>();
  omp_set_num_threads(1);
  try {
    if (!ReadNodes(env, argv[0], net.get())) return nullptr;
    const size_t count = net->nodes.size();
    // One precision for all nodes, or an array of one per node.
    std::vector<int> precision(count, kF32);
    bool is_array = false;
    if (argc >= 3) NAPI_CALL(env, napi_is_array(env, argv[2], &is_array));
    if (is_array) {
      std::vector<int64_t> codes(count);
      if (!GetInts(env, argv[2], codes.data(), count, "cnn precisions")) return nullptr;
      std::copy(codes.begin(), codes.end(), precision.begin());
    } else if (argc >= 3) {
      int32_t code = -1;
      napi_valuetype type;
      NAPI_CALL(env, napi_typeof(env, argv[2], &type));
      if (type == napi_undefined) code = kF32;
      else if (napi_get_value_int32(env, argv[2], &code) != napi_ok) code = -1;
      std::fill(precision.begin(), precision.end(), code);
    }
    for (const int p : precision) {
      if (!Check(env, p >= kF32 && p <= kInt8,
                 "ganmod-kernels: cnn precisions are 0 (f32), 1 (bf16) or 2 (int8)")) {
        return nullptr;
      }
      net->all_f32 = net->all_f32 && p == kF32;
    }
    Floats ranges;
    if (std::count(precision.begin(), precision.end(), kInt8) > 0) {
      if (argc < 4 || !GetFloats(env, argv[3], &ranges, "ranges")) return nullptr;
      if (!Check(env, ranges.length == 2 * (count + 1),
                 "ganmod-kernels: int8 needs [min, max] of the input and of every node")) {
        return nullptr;
      }
    }
    if (!Compile(env, argv[1], precision, ranges.data, net.get())) return nullptr;
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

// Runs one image through the net; `each(k)` is called after node k (cnnCalibrate's hook).
template <typename Each>
void RunImage(Net* net, float* input, float* output, Each each) {
  net->input.set_data_handle(input);
  net->output.set_data_handle(output);
  for (size_t k = 0; k < net->primitives.size(); k++) {
    net->primitives[k].execute(net->stream, net->args[k]);
    if (net->node_of[k] >= 0) each(static_cast<size_t>(net->node_of[k]));
  }
}

// Reads (handle, input, n, output) for cnnRun and cnnCalibrate; false after throwing.
bool RunArgs(napi_env env, napi_callback_info info, const char* usage, Net** net, Floats* input,
             int32_t* images, Floats* output) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
  void* data = nullptr;
  if (argc != 4 || napi_get_value_external(env, argv[0], &data) != napi_ok) {
    return Check(env, false, usage);
  }
  if (napi_get_value_int32(env, argv[2], images) != napi_ok || *images < 1) {
    return Check(env, false, "ganmod-kernels: the image count must be a positive integer");
  }
  if (!GetFloats(env, argv[1], input, "input") || !GetFloats(env, argv[3], output, "output")) {
    return false;
  }
  *net = static_cast<Net*>(data);
  const size_t in_floats = static_cast<size_t>((*net)->in_h * (*net)->in_w * (*net)->in_c);
  return Check(env, input->length == in_floats * static_cast<size_t>(*images),
               "ganmod-kernels: the input's arrays do not match the network's shapes");
}

// cnnRun(handle, input: Float32Array [n, h, w, c], n, output: Float32Array [n, oh, ow, oc]).
napi_value CnnRun(napi_env env, napi_callback_info info) {
  Net* net = nullptr;
  Floats input, output;
  int32_t images = 0;
  if (!RunArgs(env, info, "ganmod-kernels: cnnRun(handle, input, n, output)", &net, &input,
               &images, &output)) {
    return nullptr;
  }
  const Node& last = net->nodes.back();
  const size_t in_floats = static_cast<size_t>(net->in_h * net->in_w * net->in_c);
  const size_t out_floats = static_cast<size_t>(last.h * last.w * last.c);
  if (!Check(env, output.length == out_floats * images,
             "ganmod-kernels: cnnRun's output does not match the network's shape")) {
    return nullptr;
  }
  // One thread: a single image's layers are too small to split well, and OpenMP's idle threads
  // spin at every layer's barrier (a worker with 2 threads measured 158 ms of CPU an item against
  // 37 for two 1-thread workers). Throughput comes from one worker process per core.
  omp_set_num_threads(1);
  try {
    for (int32_t i = 0; i < images; i++) {
      RunImage(net, input.data + i * in_floats, output.data + i * out_floats, [](size_t) {});
    }
    net->stream.wait();
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("ganmod-kernels: oneDNN: ") + e.what()).c_str());
    return nullptr;
  }
  return nullptr;
}

// cnnCalibrate(handle, input: Float32Array [n, h, w, c], n, ranges: Float32Array): widens
// ranges[2k], ranges[2k + 1] to the min and max of the input (k = 0) and of node k - 1's output
// over the images (an f32 net only; int8's activation steps come from these ranges).
napi_value CnnCalibrate(napi_env env, napi_callback_info info) {
  Net* net = nullptr;
  Floats input, ranges;
  int32_t images = 0;
  if (!RunArgs(env, info, "ganmod-kernels: cnnCalibrate(handle, input, n, ranges)", &net, &input,
               &images, &ranges)) {
    return nullptr;
  }
  const size_t count = net->nodes.size();
  if (!Check(env, net->all_f32 && ranges.length == 2 * (count + 1),
             "ganmod-kernels: cnnCalibrate needs an f32 net and [min, max] per input and node")) {
    return nullptr;
  }
  const Node& last = net->nodes.back();
  const size_t in_floats = static_cast<size_t>(net->in_h * net->in_w * net->in_c);
  std::vector<float> output(static_cast<size_t>(last.h * last.w * last.c));
  auto widen = [&](size_t slot, const float* v, size_t n) {
    for (size_t i = 0; i < n; i++) {
      ranges.data[2 * slot] = std::min(ranges.data[2 * slot], v[i]);
      ranges.data[2 * slot + 1] = std::max(ranges.data[2 * slot + 1], v[i]);
    }
  };
  omp_set_num_threads(1);
  try {
    for (int32_t i = 0; i < images; i++) {
      const float* x = input.data + i * in_floats;
      widen(0, x, in_floats);
      RunImage(net, input.data + i * in_floats, output.data(), [&](size_t k) {
        net->stream.wait();
        const Node& n = net->nodes[k];
        widen(k + 1, static_cast<const float*>(net->outputs[k].get_data_handle()),
              static_cast<size_t>(n.h * n.w * n.c));
      });
    }
    net->stream.wait();
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("ganmod-kernels: oneDNN: ") + e.what()).c_str());
    return nullptr;
  }
  return nullptr;
}

// cnnIsa(): the instruction set oneDNN's kernels use on this CPU (ONEDNN_MAX_CPU_ISA caps it):
// "avx512_core_bf16" and up have native bf16 dot products, "*vnni*" and up int8 ones.
napi_value CnnIsa(napi_env env, napi_callback_info) {
  const char* name = "other";
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: name = "sse41"; break;
    case dnnl::cpu_isa::avx: name = "avx"; break;
    case dnnl::cpu_isa::avx2: name = "avx2"; break;
    case dnnl::cpu_isa::avx2_vnni: name = "avx2_vnni"; break;
    case dnnl::cpu_isa::avx512_core: name = "avx512_core"; break;
    case dnnl::cpu_isa::avx512_core_vnni: name = "avx512_core_vnni"; break;
    case dnnl::cpu_isa::avx512_core_bf16: name = "avx512_core_bf16"; break;
    case dnnl::cpu_isa::avx512_core_amx: name = "avx512_core_amx"; break;
    default: break;
  }
  napi_value result;
  NAPI_CALL(env, napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result));
  return result;
}

}  // namespace

void DefineCnn(napi_env env, napi_value exports) {
  const napi_property_descriptor methods[] = {
      {"cnnCreate", nullptr, CnnCreate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cnnRun", nullptr, CnnRun, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cnnCalibrate", nullptr, CnnCalibrate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"cnnIsa", nullptr, CnnIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
}

}  // namespace ganmod

#else

namespace ganmod {
void DefineCnn(napi_env, napi_value) {}
}  // namespace ganmod

#endif  // GANMOD_HAVE_DNNL
