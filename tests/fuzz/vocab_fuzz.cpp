// libFuzzer harness for the vocabulary file reader: any input either parses into a consistent
// vocabulary or raises nabla::Error; a parsed vocabulary encodes and decodes its own tokens.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "nabla/data/vocab.h"
#include "nabla/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
  data::Vocab v;
  try {
    v = data::Vocab::parse(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const Error&) {
    return 0;
  }
  fuzz::require(v.decode(v.encode(v.tokens())) == v.tokens(), "vocab: tokens do not round-trip");
  fuzz::require(v.unk_id() < v.num_specials() && v.num_specials() <= v.size(), "vocab: inconsistent counts");
  return 0;
}
