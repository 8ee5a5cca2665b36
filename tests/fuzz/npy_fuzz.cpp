// libFuzzer harness for the .npy reader: any bytes either parse or raise nabla::Error; a parsed
// tensor must survive a write/read round trip unchanged.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "nabla/io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
  Tensor t;
  try {
    t = io::load_npy_bytes(data, size, "fuzz");
  } catch (const Error&) {
    return 0;
  }
  const std::vector<uint8_t> bytes = io::save_npy_bytes(t);
  fuzz::require(fuzz::same_tensor(t, io::load_npy_bytes(bytes.data(), bytes.size())), "npy round trip");
  return 0;
}
