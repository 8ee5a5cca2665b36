// libFuzzer harness for the word2vec text format reader: any input either parses into consistent
// word vectors or raises nabla::Error; every parsed word finds its own row, and queries run.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "nabla/classic/keyed_vectors.h"
#include "nabla/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
  classic::KeyedVectors kv;
  try {
    kv = classic::KeyedVectors::parse_word2vec_format(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const Error&) {
    return 0;
  }
  fuzz::require(kv.vectors().numel() == kv.size() * kv.vector_size(), "word2vec: vector count does not match");
  for (int64_t i = 0; i < kv.size(); ++i)
    fuzz::require(kv.index(kv.words()[static_cast<size_t>(i)]) == i, "word2vec: word index does not round-trip");
  if (kv.size() > 0) kv.most_similar(kv.words()[0], 3);
  return 0;
}
