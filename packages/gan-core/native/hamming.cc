// Multi-index Hamming search over 256-bit hashes (PDQ's size): the candidate loop of
// src/kernels/native/hamming-search.ts, which builds the index and holds the JavaScript loop this
// one must equal result for result, in the same order.
//
// Why native: at a million hashes each query verifies ~4k candidates, each a random read into a
// 32 MB array. JavaScript waits for those reads one after another; here every candidate of a query
// is gathered first and the loop prefetches the hashes a few candidates ahead, so the reads
// overlap, and the popcounts are single instructions.
#include <unordered_map>

#include "kernels.h"

namespace ganmod {
namespace {

constexpr size_t kWords = 8;      // 32-bit words per hash
constexpr size_t kChunks = 16;    // 16-bit chunks per hash, one index each
constexpr size_t kValues = 65536; // values of a chunk
// Candidates ahead whose hashes are prefetched: enough to cover a DRAM read at a few ns each.
constexpr size_t kPrefetch = 12;

inline int Distance(const uint32_t* a, const uint32_t* b) {
  int d = 0;
  for (size_t w = 0; w < kWords; w++) d += __builtin_popcount(a[w] ^ b[w]);
  return d;
}

struct Found {
  uint32_t distance;
  uint32_t query;
};

// The search itself, once HammingSearch has checked the arrays against the geometry.
napi_value Search(napi_env env, const uint32_t* words, size_t n, size_t total,
                  const uint32_t* offsets, const uint32_t* ids, const uint32_t* queries,
                  size_t query_count, int limit) {
  const int radius = limit / 16;
  std::unordered_map<uint32_t, Found> found;
  std::vector<uint32_t> order;  // ids in first-found order
  std::vector<uint32_t> candidates;
  std::vector<uint32_t> keys;
  auto record = [&](uint32_t id, int d, uint32_t q) {
    auto it = found.find(id);
    if (it == found.end()) {
      found.emplace(id, Found{static_cast<uint32_t>(d), q});
      order.push_back(id);
    } else if (static_cast<uint32_t>(d) < it->second.distance) {
      it->second.distance = static_cast<uint32_t>(d);
      it->second.query = q;
    }
  };

  for (size_t q = 0; q < query_count; q++) {
    const uint32_t* hash = queries + q * kWords;
    candidates.clear();
    if (n > 0) {
      for (size_t c = 0; c < kChunks; c++) {
        const uint32_t word = hash[c >> 1];
        const uint32_t value = (c & 1) ? word >> 16 : word & 0xffff;
        keys.clear();
        keys.push_back(value);
        for (int a = 0; radius >= 1 && a < 16; a++) {
          const uint32_t va = value ^ (1u << a);
          keys.push_back(va);
          for (int b = a + 1; radius >= 2 && b < 16; b++) keys.push_back(va ^ (1u << b));
        }
        const uint32_t* chunk_offsets = offsets + c * (kValues + 1);
        const uint32_t* chunk_ids = ids + c * n;
        for (uint32_t key : keys) {
          const size_t begin = chunk_offsets[key];
          const size_t end = std::min<size_t>(chunk_offsets[key + 1], n);
          if (begin < end) candidates.insert(candidates.end(), chunk_ids + begin, chunk_ids + end);
        }
      }
    }
    // No "seen" marks: a far entry rarely shares two chunks with the query, so verifying it twice
    // is cheaper than a random write per candidate; `found` keeps each entry once.
    const size_t count = candidates.size();
    for (size_t i = 0; i < count; i++) {
      if (i + kPrefetch < count) {
        const uint32_t ahead = candidates[i + kPrefetch];
        if (ahead < n) __builtin_prefetch(words + static_cast<size_t>(ahead) * kWords);
      }
      const uint32_t id = candidates[i];
      if (id >= n) continue;  // a malformed index never reads outside words
      const int d = Distance(hash, words + static_cast<size_t>(id) * kWords);
      if (d <= limit) record(id, d, static_cast<uint32_t>(q));
    }
    for (size_t id = n; id < total; id++) {
      const int d = Distance(hash, words + id * kWords);
      if (d <= limit) record(static_cast<uint32_t>(id), d, static_cast<uint32_t>(q));
    }
  }

  napi_value buffer, result;
  void* out_raw = nullptr;
  NAPI_CALL(env, napi_create_arraybuffer(env, order.size() * 3 * sizeof(uint32_t), &out_raw,
                                         &buffer));
  uint32_t* out = static_cast<uint32_t*>(out_raw);
  for (size_t i = 0; i < order.size(); i++) {
    const Found& f = found[order[i]];
    out[3 * i] = order[i];
    out[3 * i + 1] = f.distance;
    out[3 * i + 2] = f.query;
  }
  NAPI_CALL(env, napi_create_typedarray(env, napi_uint32_array, order.size() * 3, buffer, 0,
                                        &result));
  return result;
}

}  // namespace

// hammingSearch(words, geometry, offsets, ids, queries) -> Uint32Array of [id, distance, query]
// triples, each id once with its smallest distance and the first query reaching it, in the order
// the ids were first found (query by query; chunk, key and bucket order; then the unindexed tail).
// geometry = [indexed, total, queryCount, maxDistance]; offsets holds 16 x 65537 bucket starts and
// ids 16 x indexed entry ids (chunk c's at c * indexed); maxDistance < 48 (chunk radius <= 2).
napi_value HammingSearch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  if (!Check(env, argc == 5,
             "ganmod-kernels: hammingSearch(words, geometry, offsets, ids, queries)")) {
    return nullptr;
  }
  void* raw = nullptr;
  size_t words_length = 0, offsets_length = 0, ids_length = 0, queries_length = 0;
  int64_t g[4];
  if (!GetTyped(env, argv[0], napi_uint32_array, &raw, &words_length, "words", "Uint32Array")) {
    return nullptr;
  }
  const uint32_t* words = static_cast<const uint32_t*>(raw);
  if (!GetInts(env, argv[1], g, 4, "geometry")) return nullptr;
  if (!GetTyped(env, argv[2], napi_uint32_array, &raw, &offsets_length, "offsets",
                "Uint32Array")) {
    return nullptr;
  }
  const uint32_t* offsets = static_cast<const uint32_t*>(raw);
  if (!GetTyped(env, argv[3], napi_uint32_array, &raw, &ids_length, "ids", "Uint32Array")) {
    return nullptr;
  }
  const uint32_t* ids = static_cast<const uint32_t*>(raw);
  if (!GetTyped(env, argv[4], napi_uint32_array, &raw, &queries_length, "queries",
                "Uint32Array")) {
    return nullptr;
  }
  const uint32_t* queries = static_cast<const uint32_t*>(raw);
  const int64_t indexed = g[0], total = g[1], query_count = g[2], max_distance = g[3];
  if (!Check(env,
             indexed >= 0 && total >= indexed && total <= 0xffffffffLL &&
                 static_cast<size_t>(total) <= words_length / kWords && query_count >= 0 &&
                 static_cast<uint64_t>(query_count) <= queries_length / kWords &&
                 max_distance >= 0 && max_distance < 48 &&
                 (indexed == 0 || (offsets_length == kChunks * (kValues + 1) &&
                                   ids_length >= kChunks * static_cast<size_t>(indexed))),
             "ganmod-kernels: hammingSearch's geometry does not fit its arrays")) {
    return nullptr;
  }
  try {
    return Search(env, words, static_cast<size_t>(indexed), static_cast<size_t>(total), offsets,
                  ids, queries, static_cast<size_t>(query_count), static_cast<int>(max_distance));
  } catch (const std::exception& error) {
    // std::bad_alloc from the candidate buffers must not unwind through N-API.
    std::string message = std::string("ganmod-kernels: hammingSearch failed: ") + error.what();
    napi_throw_error(env, nullptr, message.c_str());
    return nullptr;
  }
}

}  // namespace ganmod
