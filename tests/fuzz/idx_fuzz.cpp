// libFuzzer harness for the IDX reader (plain and gzip): any bytes either parse or raise
// nabla::Error; a parsed array has the dims of the file and the dtype of its type code.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "nabla/io/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nabla;
  io::IdxArray array;
  try {
    array = io::read_idx_bytes(data, size, "fuzz");
  } catch (const Error&) {
    return 0;
  }
  fuzz::require(array.data.shape() == array.shape, "idx: tensor shape differs from the dims");
  DType expected = DType::Float64;
  switch (array.type_code) {
    case io::kIdxUInt8: expected = DType::UInt8; break;
    case io::kIdxInt8:
    case io::kIdxInt16:
    case io::kIdxInt32: expected = DType::Int32; break;
    case io::kIdxFloat32: expected = DType::Float32; break;
    default: break;
  }
  fuzz::require(array.data.dtype() == expected, "idx: dtype differs from the type code");
  return 0;
}
