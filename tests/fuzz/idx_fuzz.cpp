// libFuzzer harness for the IDX reader (plain and gzip): both entry points must agree.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "nabla/io/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
  io::IdxArray array;
  bool parsed = false;
  try {
    array = io::read_idx_bytes(data, size, "fuzz");
    parsed = true;
    fuzz::require(array.data.shape() == array.shape, "idx: tensor shape differs from the dims");
  } catch (const Error&) {
  }
  try {
    const io::IdxBytes bytes = io::read_idx_u8_bytes(data, size, "fuzz");
    fuzz::require(parsed && array.type_code == io::kIdxUInt8 && bytes.shape == array.shape,
                  "idx: read_idx_u8 accepted what read_idx did not");
    const std::vector<int64_t> values = array.data.to_vector<int64_t>();
    fuzz::require(values.size() == bytes.data.size(), "idx: element counts differ");
    for (size_t i = 0; i < values.size(); ++i) fuzz::require(values[i] == bytes.data[i], "idx: values differ");
  } catch (const Error&) {
  }
  return 0;
}
