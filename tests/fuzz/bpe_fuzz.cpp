// libFuzzer harness for the BPE merges file reader: any input either parses into a consistent
// tokenizer or raises nabla::Error; a parsed tokenizer round-trips the input bytes themselves.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "nabla/data/bpe.h"
#include "nabla/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
  const std::string text(reinterpret_cast<const char*>(data), size);
  data::BpeTokenizer bpe;
  try {
    bpe = data::BpeTokenizer::parse(text);
  } catch (const Error&) {
    return 0;
  }
  fuzz::require(bpe.vocab_size() == 256 + static_cast<int64_t>(bpe.merges().size()), "bpe: vocab size");
  const auto ids = bpe.encode(text);
  fuzz::require(bpe.decode(ids) == text, "bpe: encode/decode does not round-trip");
  for (int64_t id : ids) fuzz::require(id >= 0 && id < bpe.vocab_size(), "bpe: id out of range");
  return 0;
}
