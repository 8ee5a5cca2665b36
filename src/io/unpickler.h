#pragma once
// A restricted unpickler for the pickles torch.save writes (protocol 2, and the opcodes of
// protocols 3-5 that such files may hold). It builds a tree of plain values and never executes
// anything: GLOBAL names only a short allow-list (the tensor rebuild functions, OrderedDict, the
// typed storages), REDUCE on them records the call for the caller to interpret, and any other
// global or opcode is refused with an error naming it. Stack, memo, marks and the number of
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

/// Unpickles the pickle starting at `data` (up to `size` bytes; it ends at its STOP opcode).
/// Raises Error through `ctx`, naming the byte offset, for a truncated or malformed pickle, an
/// unsupported opcode, a global outside the allow-list ("refused global 'os.system'"), a REDUCE or
/// BUILD the allowed globals do not explain, or exceeded limits.
Pickle unpickle(const uint8_t* data, size_t size, const ErrorContext& ctx);

/// A short description of a value for error messages: "a dict of 3 entries", "the int 3".
std::string describe(const Pickle& p, uint32_t index);

}  // namespace nabla::io::detail
