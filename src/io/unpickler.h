#pragma once
// A restricted unpickler for the pickles torch.save writes (protocol 2, and the opcodes of
// protocols 3-5 that such files may hold). It builds a tree of plain values and never executes
// anything: GLOBAL names only a short allow-list (the tensor rebuild functions, OrderedDict, the
// typed storages), REDUCE on them records the call for the caller to interpret, and any other
// global or opcode is refused with an error naming it. The globals of tensor types nabla has no
// dtype for (complex and quantized storages, the quantized-tensor rebuilder and its schemes) are
// kept as inert Unsupported values, so that the reader can refuse the tensor by name and dtype. Stack, memo, marks and the number of
// values are bounded. Reference for the opcodes: CPython's Lib/pickletools.py.
#include <cstdint>
#include <string>
#include <vector>

#include "io/io_util.h"

namespace nabla::io::detail {

/// One value of an unpickled tree. Containers refer to other values by their index in
/// Pickle::values, so shared references (the same storage in two tensors, a memoised dict) stay
/// shared, and a cyclic pickle cannot leak or recurse: walkers bound their depth.
struct PickleValue {
  enum Kind : uint8_t {
    None,
    Bool,
    Int,     ///< `i`
    BigInt,  ///< an integer wider than 64 bits: its little-endian two's complement bytes in `s`
    Float,   ///< `f`
    String,  ///< `s` (UTF-8 as stored)
    Bytes,   ///< `s`
    Tuple,   ///< `items`
    List,    ///< `items`
    Dict,    ///< `items` holds key, value, key, value… in insertion order
    Global,  ///< an allowed global: `s` is "module.name"
    /// a global that unsupported_dtype_global() knows (`s` is "module.name"): never called, kept
    /// only so that the reader can say which tensor has a dtype nabla lacks
    Unsupported,
    Call,    ///< REDUCE of an allowed global: items = {global, args tuple}
    PersistentId,  ///< BINPERSID: items = {the id}
  } kind = None;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<uint32_t> items;
};

/// An unpickled tree: the values, the root's index and where the pickle ended (its STOP
/// opcode's end; several pickles may follow each other, as in PyTorch's legacy format).
struct Pickle {
  std::vector<PickleValue> values;
  uint32_t root = 0;
  size_t end = 0;
  const PickleValue& at(uint32_t index) const { return values[index]; }
};

/// The globals the unpickler accepts: torch._utils._rebuild_tensor_v2,
/// torch._utils._rebuild_parameter, collections.OrderedDict and torch.{Float, Double, Half,
/// BFloat16, Long, Int, Short, Char, Byte, Bool}Storage.
bool is_allowed_global(const std::string& qualified_name);

/// The dtype named by a global that torch.save writes for tensors nabla cannot hold: "complex64"
/// and "complex128" for torch.Complex{Float, Double}Storage, "qint8", "quint8", "qint32",
/// "quint4x2" and "quint2x4" for the quantized storages, "quantized" for
/// torch._utils._rebuild_qtensor and the quantization schemes torch.per_tensor_affine and
/// torch.per_channel_affine; nullptr for any other name. The unpickler keeps these as Unsupported
/// values (REDUCE on _rebuild_qtensor is recorded as a Call) instead of refusing them, and calls
/// nothing; every other global outside is_allowed_global is refused.
const char* unsupported_dtype_global(const std::string& qualified_name);

/// Unpickles the pickle starting at `data` (up to `size` bytes; it ends at its STOP opcode).
/// Raises Error through `ctx`, naming the byte offset, for a truncated or malformed pickle, an
/// unsupported opcode, a global outside the allow-list ("refused global 'os.system'"), a REDUCE or
/// BUILD the allowed globals do not explain, or exceeded limits.
Pickle unpickle(const uint8_t* data, size_t size, const ErrorContext& ctx);

/// A short description of a value for error messages: "a dict of 3 entries", "the int 3".
std::string describe(const Pickle& p, uint32_t index);

}  // namespace nabla::io::detail
