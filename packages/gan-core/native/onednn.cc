// Training kernels on oneDNN (Debian: libdnnl-dev), read and written in place on the wasm heap:
// convolutions (forward, backward data and backward weights; NHWC activations, HWIO filters) and
// the matrix products of dense layers and BatchMatMul.
//
// Why: im2col + sgemm spends its time copying patches and feeding OpenBLAS products whose output
// has 8-64 columns (the channels of the avatar ResNet and the DCGANs), where sgemm is far from its
// peak. oneDNN's direct (brgemm) kernels measured 1.5-4x faster on one core of an AVX-512 EPYC at
// the avatar ResNet's shapes (batch 16, 3x3): 64x64 16->16 channels 3.3 ms against 13.1 ms,
// 32x32 32->32 2.9 against 7.3, 8x8 128->128 2.5 against 3.7. Filters are reordered into the
// layout oneDNN picks on every call (they change every step; the reorder is small). Its matmul
// ran the MLP GAN's 18 products (batch 128) 10-15% faster than OpenBLAS's sgemm, on one thread
// and on two.
//
// Primitives are built once per geometry and kept per thread (data-parallel replicas run in
// worker threads, each with its own cache). Results depend on the thread count and on the CPU's
// instruction set (oneDNN picks its kernels at run time), not on anything else: a run resumes
// bit for bit on the same machine.
#include "kernels.h"

#ifdef GANMOD_HAVE_DNNL

#include <omp.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>

namespace ganmod {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// Whether the training kernels run on oneDNN: on unless GANMOD_ONEDNN=0; onednn(bool) switches
// it (comparisons, tests). Process-wide.
std::atomic<bool> enabled{[] {
  const char* v = std::getenv("GANMOD_ONEDNN");
  return v == nullptr || std::string(v) != "0";
}()};

// Kernel calls oneDNN has run in this process (tests check that it, not the fallback, ran them).
std::atomic<int64_t> passes_run{0};

struct Engine {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

// One pass of one geometry: the primitive, and the reorder between the user's HWIO filter and
// the layout the primitive wants (absent when they are the same). A matrix product uses `io`,
// `filter_user` and `out` for its a, b and c.
struct Plan {
  dnnl::primitive primitive;
  memory::desc io;            // x (forward, backward weights) or dx (backward data): NHWC
  memory::desc filter_user;   // HWIO
  memory::desc out;           // y or dy: NHWC
  bool reorder = false;
  dnnl::reorder filter_reorder;
  memory filter_buffer;       // the filter in the primitive's layout, when it differs
};

// A plan's key: the ConvPass (or kMatMulKey) and then its geometry.
using Key = std::array<int64_t, 16>;
constexpr int64_t kMatMulKey = 3;  // after ConvPass's three values

struct Cache {
  Engine e;
  std::map<Key, std::unique_ptr<Plan>> plans;
};

// Per thread: oneDNN objects are not shared across the worker threads that load the addon.
thread_local std::unique_ptr<Cache> cache;

// Products smaller than this (multiply-adds) run on OpenBLAS.
constexpr int64_t kMinMatMulMacs = int64_t{1} << 20;

// Bounds the cache: a process that meets many geometries (tests) rebuilds rather than grows.
constexpr size_t kMaxPlans = 256;

std::unique_ptr<Plan> Build(Engine& e, ConvPass pass, const Conv& c) {
  // Padding after the last row and column: what the forward geometry leaves over.
  const int64_t pb = (c.ho - 1) * c.sh + (c.kh - 1) * c.dh + 1 - c.h - c.pt;
  const int64_t pr = (c.wo - 1) * c.sw + (c.kw - 1) * c.dw + 1 - c.w - c.pl;
  if (c.pt < 0 || c.pl < 0 || pb < 0 || pr < 0) return nullptr;
  const memory::dims src_dims{c.n, c.ci, c.h, c.w}, dst_dims{c.n, c.co, c.ho, c.wo};
  const memory::dims w_dims{c.co, c.ci, c.kh, c.kw};
  const memory::dims strides{c.sh, c.sw}, dilates{c.dh - 1, c.dw - 1};
  const memory::dims pad_l{c.pt, c.pl}, pad_r{pb, pr};
  const auto f32 = memory::data_type::f32;
  auto plan = std::make_unique<Plan>();
  plan->io = memory::desc(src_dims, f32, Tag::nhwc);
  plan->out = memory::desc(dst_dims, f32, Tag::nhwc);
  plan->filter_user = memory::desc(w_dims, f32, Tag::hwio);
  const memory::desc w_any(w_dims, f32, Tag::any);
  const dnnl::convolution_forward::desc fwd_desc(
      dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, plan->io, w_any,
      plan->out, strides, dilates, pad_l, pad_r);
  const dnnl::convolution_forward::primitive_desc fwd(fwd_desc, e.engine);
  memory::desc filter_prim;  // the primitive's filter (or filter gradient) layout
  switch (pass) {
    case ConvPass::kForward:
      filter_prim = fwd.weights_desc();
      plan->primitive = dnnl::convolution_forward(fwd);
      break;
    case ConvPass::kBackwardData: {
      const dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct,
                                                       plan->io, w_any, plan->out, strides,
                                                       dilates, pad_l, pad_r);
      const dnnl::convolution_backward_data::primitive_desc pd(desc, e.engine, fwd);
      filter_prim = pd.weights_desc();
      plan->primitive = dnnl::convolution_backward_data(pd);
      break;
    }
    case ConvPass::kBackwardWeights: {
      const dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct,
                                                          plan->io, w_any, plan->out, strides,
                                                          dilates, pad_l, pad_r);
      const dnnl::convolution_backward_weights::primitive_desc pd(desc, e.engine, fwd);
      filter_prim = pd.diff_weights_desc();
      plan->primitive = dnnl::convolution_backward_weights(pd);
      break;
    }
  }
  plan->reorder = filter_prim != plan->filter_user;
  if (plan->reorder) {
    plan->filter_buffer = memory(filter_prim, e.engine);
    const memory user(plan->filter_user, e.engine, DNNL_MEMORY_NONE);
    plan->filter_reorder = pass == ConvPass::kBackwardWeights
                               ? dnnl::reorder(plan->filter_buffer, user)
                               : dnnl::reorder(user, plan->filter_buffer);
  }
  return plan;
}

std::unique_ptr<Plan> BuildMatMul(Engine& e, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  const auto f32 = memory::data_type::f32;
  auto plan = std::make_unique<Plan>();
  plan->io = memory::desc({m, k}, f32, ta ? memory::dims{1, m} : memory::dims{k, 1});
  plan->filter_user = memory::desc({k, n}, f32, tb ? memory::dims{1, k} : memory::dims{n, 1});
  plan->out = memory::desc({m, n}, f32, memory::dims{n, 1});
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(plan->io, plan->filter_user, plan->out),
                                        e.engine);
  plan->primitive = dnnl::matmul(pd);
  return plan;
}

Cache& ThreadCache() {
  if (!cache) cache = std::make_unique<Cache>();
  return *cache;
}

// The cached plan for `key`, built by `build` on first use; null when oneDNN declines it (an
// error building it is remembered as a decline).
template <typename Build>
Plan* Lookup(const Key& key, Build build) {
  Cache& c = ThreadCache();
  auto found = c.plans.find(key);
  if (found == c.plans.end()) {
    if (c.plans.size() >= kMaxPlans) c.plans.clear();
    std::unique_ptr<Plan> plan;
    try {
      plan = build(c.e);
    } catch (const dnnl::error&) {
      plan = nullptr;
    }
    found = c.plans.emplace(key, std::move(plan)).first;
  }
  return found->second.get();
}

// A oneDNN view of `p` (no copy) with layout `d`.
memory Wrap(const Engine& e, const memory::desc& d, const float* p) {
  return memory(d, e.engine, const_cast<float*>(p));
}

// Runs `body` on the thread's stream with as many OpenMP threads as OpenBLAS has (the backend's
// thread budget), waits for it, and counts the call.
template <typename Body>
bool RunCounted(Engine& e, Body body) {
  omp_set_num_threads(std::max(1, openblas_get_num_threads()));
  body();
  e.stream.wait();
  passes_run.fetch_add(1, std::memory_order_relaxed);
  return true;
}

}  // namespace

bool OnednnMatMul(int64_t m, int64_t n, int64_t k, bool ta, bool tb, const float* a,
                  const float* b, float* c) {
  if (!enabled.load(std::memory_order_relaxed)) return false;
  // Small products stay on OpenBLAS: oneDNN's call costs a few microseconds more (the spectral
  // norm's 140 power-iteration products of an avatar step took 14 ms on oneDNN, 7 on sgemm; a
  // 128x256 by 256x1 product 5.8 us against 1.3), and it only gains from ~1M multiply-adds.
  if (m * n * k < kMinMatMulMacs) return false;
  const Key key{kMatMulKey, m, n, k, ta ? 1 : 0, tb ? 1 : 0};
  Plan* plan = Lookup(key, [&](Engine& e) { return BuildMatMul(e, m, n, k, ta, tb); });
  if (plan == nullptr) return false;
  Engine& e = ThreadCache().e;
  return RunCounted(e, [&] {
    plan->primitive.execute(e.stream, {{DNNL_ARG_SRC, Wrap(e, plan->io, a)},
                                       {DNNL_ARG_WEIGHTS, Wrap(e, plan->filter_user, b)},
                                       {DNNL_ARG_DST, Wrap(e, plan->out, c)}});
  });
}

bool OnednnConv(ConvPass pass, const Conv& c, const float* a, const float* b, float* out) {
  if (!enabled.load(std::memory_order_relaxed)) return false;
  const Key key{static_cast<int64_t>(pass), c.n, c.h, c.w, c.ci, c.kh, c.kw, c.co,
                c.ho, c.wo, c.sh, c.sw, c.pt, c.pl, c.dh, c.dw};
  Plan* plan = Lookup(key, [&](Engine& e) { return Build(e, pass, c); });
  if (plan == nullptr) return false;
  Engine& e = ThreadCache().e;
  // The filter `b` in the primitive's layout (forward and backward data read it).
  auto filter_in = [&]() {
    memory filter = Wrap(e, plan->filter_user, b);
    if (!plan->reorder) return filter;
    plan->filter_reorder.execute(e.stream, filter, plan->filter_buffer);
    return plan->filter_buffer;
  };
  return RunCounted(e, [&] {
    switch (pass) {
      case ConvPass::kForward:
        plan->primitive.execute(e.stream, {{DNNL_ARG_SRC, Wrap(e, plan->io, a)},
                                           {DNNL_ARG_WEIGHTS, filter_in()},
                                           {DNNL_ARG_DST, Wrap(e, plan->out, out)}});
        break;
      case ConvPass::kBackwardData:
        plan->primitive.execute(e.stream, {{DNNL_ARG_DIFF_DST, Wrap(e, plan->out, a)},
                                           {DNNL_ARG_WEIGHTS, filter_in()},
                                           {DNNL_ARG_DIFF_SRC, Wrap(e, plan->io, out)}});
        break;
      case ConvPass::kBackwardWeights: {
        memory user = Wrap(e, plan->filter_user, out);
        plan->primitive.execute(
            e.stream, {{DNNL_ARG_SRC, Wrap(e, plan->io, a)},
                       {DNNL_ARG_DIFF_DST, Wrap(e, plan->out, b)},
                       {DNNL_ARG_DIFF_WEIGHTS, plan->reorder ? plan->filter_buffer : user}});
        if (plan->reorder) {
          memory buffer = plan->filter_buffer;
          plan->filter_reorder.execute(e.stream, buffer, user);
        }
        break;
      }
    }
  });
}

// onednn([use]): whether convolutions and matrix products run on oneDNN, after switching it on or
// off when `use` is given.
napi_value Onednn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (argc >= 1) {
    bool use = false;
    if (napi_get_value_bool(env, argv[0], &use) != napi_ok) {
      napi_throw_type_error(env, nullptr, "ganmod-kernels: onednn takes true or false");
      return nullptr;
    }
    enabled.store(use);
  }
  napi_value result;
  NAPI_CALL(env, napi_get_boolean(env, enabled.load(), &result));
  return result;
}

// onednnCalls(): how many kernel calls oneDNN has run in this process.
napi_value OnednnCalls(napi_env env, napi_callback_info) {
  napi_value result;
  NAPI_CALL(env, napi_create_int64(env, passes_run.load(), &result));
  return result;
}

}  // namespace ganmod

#else  // no oneDNN: convolutions run im2col + sgemm, products sgemm

namespace ganmod {

bool OnednnConv(ConvPass, const Conv&, const float*, const float*, float*) { return false; }
bool OnednnMatMul(int64_t, int64_t, int64_t, bool, bool, const float*, const float*, float*) {
  return false;
}

napi_value Onednn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  bool use = false;
  if (argc >= 1 && (napi_get_value_bool(env, argv[0], &use) != napi_ok || use)) {
    napi_throw_type_error(env, nullptr, "ganmod-kernels: built without oneDNN, onednn takes false");
    return nullptr;
  }
  napi_value result;
  NAPI_CALL(env, napi_get_boolean(env, false, &result));
  return result;
}

napi_value OnednnCalls(napi_env env, napi_callback_info) {
  napi_value result;
  NAPI_CALL(env, napi_create_int64(env, 0, &result));
  return result;
}

}  // namespace ganmod

#endif
