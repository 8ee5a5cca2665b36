// The restricted unpickler: a stack machine over the opcodes torch.save's pickles use. Values go
// into an arena (Pickle::values) and refer to each other by index; nothing is ever called.
#include "io/unpickler.h"

#include <cstring>
#include <unordered_map>
#include <utility>

namespace nabla::io::detail {
namespace {

// Limits far above what a state dict needs and far below what would exhaust memory.
constexpr size_t kMaxStack = 1'000'000;
constexpr size_t kMaxMarks = 10'000;
constexpr size_t kMaxMemo = 1'000'000;
constexpr size_t kMaxValues = 50'000'000;
constexpr size_t kMaxGlobalName = 256;
constexpr int kMaxProtocol = 5;

using V = PickleValue;

const char* kind_name(V::Kind k) {
  switch (k) {
    case V::None: return "None";
    case V::Bool: return "bool";
    case V::Int: return "int";
    case V::BigInt: return "int";
    case V::Float: return "float";
    case V::String: return "str";
    case V::Bytes: return "bytes";
    case V::Tuple: return "tuple";
    case V::List: return "list";
    case V::Dict: return "dict";
    case V::Global: return "global";
    case V::Unsupported: return "global";
    case V::Call: return "call";
    case V::PersistentId: return "persistent id";
  }
  return "?";
}

class Unpickler {
 public:
  Unpickler(const uint8_t* data, size_t size, const ErrorContext& ctx) : d_(data), n_(size), ctx_(ctx) {}

  Pickle run() {
    for (;;) {
      op_pos_ = pos_;
      const uint8_t op = *take(1);
      switch (op) {
        case 0x80: {  // PROTO
          const int proto = *take(1);
          if (proto > kMaxProtocol) fail("unsupported pickle protocol ", proto);
          break;
        }
        case 0x95: take(8); break;  // FRAME: a length hint only
        case '.': {                 // STOP
          p_.root = pop();
          p_.end = pos_;
          return std::move(p_);
        }
        case 'N': push(V{}); break;
        case 0x88: push_bool(true); break;   // NEWTRUE
        case 0x89: push_bool(false); break;  // NEWFALSE
        case 'J': {                          // BININT: 4-byte signed
          push_int(static_cast<int32_t>(load_le32(take(4))));
          break;
        }
        case 'K': push_int(*take(1)); break;           // BININT1
        case 'M': push_int(load_le16(take(2))); break;  // BININT2
        case 0x8a: long_int(*take(1)); break;           // LONG1
        case 0x8b: long_int(load_le32(take(4))); break;  // LONG4
        case 'G': {                                      // BINFLOAT: big-endian double
          const uint8_t* b = take(8);
          uint64_t bits = 0;
          for (int k = 0; k < 8; ++k) bits = (bits << 8) | b[k];
          V v;
          v.kind = V::Float;
          std::memcpy(&v.f, &bits, 8);
          push(std::move(v));
          break;
        }
        case 'X': text(V::String, load_le32(take(4))); break;    // BINUNICODE
        case 0x8c: text(V::String, *take(1)); break;             // SHORT_BINUNICODE
        case 0x8d: text(V::String, load_le64(take(8))); break;   // BINUNICODE8
        case 'T': text(V::String, load_le32(take(4))); break;    // BINSTRING (length is signed; huge = truncated)
        case 'U': text(V::String, *take(1)); break;              // SHORT_BINSTRING
        case 'B': text(V::Bytes, load_le32(take(4))); break;     // BINBYTES
        case 'C': text(V::Bytes, *take(1)); break;               // SHORT_BINBYTES
        case 0x8e: text(V::Bytes, load_le64(take(8))); break;    // BINBYTES8
        case 0x96: text(V::Bytes, load_le64(take(8))); break;    // BYTEARRAY8
        case '}': push_container(V::Dict, {}); break;             // EMPTY_DICT
        case ']': push_container(V::List, {}); break;             // EMPTY_LIST
        case ')': push_container(V::Tuple, {}); break;            // EMPTY_TUPLE
        case '(':                                                 // MARK
          if (marks_.size() >= kMaxMarks) fail("more than ", kMaxMarks, " nested MARKs");
          marks_.push_back(stack_.size());
          break;
        case 't': push_container(V::Tuple, pop_mark()); break;  // TUPLE
        case 'l': push_container(V::List, pop_mark()); break;   // LIST
        case 'd': {                                             // DICT
          std::vector<uint32_t> items = pop_mark();
          if (items.size() % 2) fail("DICT with an odd number of items");
          push_container(V::Dict, std::move(items));
          break;
        }
        case 0x85: case 0x86: case 0x87: {  // TUPLE1, TUPLE2, TUPLE3
          const size_t k = op - 0x84u;
          std::vector<uint32_t> items(k);
          for (size_t j = k; j-- > 0;) items[j] = pop();
          push_container(V::Tuple, std::move(items));
          break;
        }
        case 'c': {  // GLOBAL: "module\nname\n"
          std::string module = line(), name = line();
          push_global(module + "." + name);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          const uint32_t name = pop(), module = pop();
          if (at(name).kind != V::String || at(module).kind != V::String)
            fail("STACK_GLOBAL expects two strings, got ", kind_name(at(module).kind), " and ",
                 kind_name(at(name).kind));
          if (at(module).s.size() + at(name).s.size() > kMaxGlobalName) fail("global name too long");
          push_global(at(module).s + "." + at(name).s);
          break;
        }
        case 'R': reduce(); break;
        case 'b': {  // BUILD: state for the object below it
          pop();
          const V& obj = at(top());
          // OrderedDict state (a state dict's _metadata attribute) carries no tensors: ignored.
          if (obj.kind != V::Dict) fail("BUILD on a ", kind_name(obj.kind), " is not supported");
          break;
        }
        case 'q': memo_put(*take(1)); break;            // BINPUT
        case 'r': memo_put(load_le32(take(4))); break;  // LONG_BINPUT
        case 0x94: memo_put(static_cast<uint32_t>(memo_.size())); break;  // MEMOIZE
        case 'h': memo_get(*take(1)); break;            // BINGET
        case 'j': memo_get(load_le32(take(4))); break;  // LONG_BINGET
        case 's': {                                     // SETITEM
          const uint32_t value = pop(), key = pop();
          V& dict = container(V::Dict, "SETITEM");
          dict.items.push_back(key);
          dict.items.push_back(value);
          break;
        }
        case 'u': {  // SETITEMS
          std::vector<uint32_t> items = pop_mark();
          if (items.size() % 2) fail("SETITEMS with an odd number of items");
          V& dict = container(V::Dict, "SETITEMS");
          dict.items.insert(dict.items.end(), items.begin(), items.end());
          break;
        }
        case 'a': {  // APPEND
          const uint32_t value = pop();
          container(V::List, "APPEND").items.push_back(value);
          break;
        }
        case 'e': {  // APPENDS
          std::vector<uint32_t> items = pop_mark();
          V& list = container(V::List, "APPENDS");
          list.items.insert(list.items.end(), items.begin(), items.end());
          break;
        }
        case 'Q': {  // BINPERSID
          const uint32_t id = pop();
          push_container(V::PersistentId, {id});
          break;
        }
        case '0': pop(); break;       // POP
        case '1': pop_mark(); break;  // POP_MARK
        case '2': {                   // DUP
          const uint32_t t = top();
          push_index(t);
          break;
        }
        case 0x81: fail("opcode NEWOBJ is refused (it builds arbitrary objects)");
        case 0x92: fail("opcode NEWOBJ_EX is refused (it builds arbitrary objects)");
        case 'i': fail("opcode INST is refused (it builds arbitrary objects)");
        case 'o': fail("opcode OBJ is refused (it builds arbitrary objects)");
        case 'P': fail("opcode PERSID (text persistent id) is not supported");
        case 0x82: case 0x83: case 0x84: fail("extension registry opcodes (EXT1/2/4) are refused");
        default:
          if (op >= 0x20 && op < 0x7f) fail("unsupported pickle opcode '", static_cast<char>(op), "'");
          fail("unsupported pickle opcode 0x", hex(op));
      }
    }
  }

 private:
  template <class... Args>
  [[noreturn]] void fail(const Args&... args) const {
    ctx_.fail("pickle byte ", op_pos_, ": ", args...);
  }

  static std::string hex(uint8_t b) {
    const char* digits = "0123456789abcdef";
    return {digits[b >> 4], digits[b & 15]};
  }

  const uint8_t* take(uint64_t k) {
    if (n_ - pos_ < k) fail("truncated pickle (needs ", k, " more bytes, ", n_ - pos_, " left)");
    const uint8_t* p = d_ + pos_;
    pos_ += static_cast<size_t>(k);
    return p;
  }

  std::string line() {
    const size_t start = pos_;
    while (pos_ < n_ && d_[pos_] != '\n') {
      if (pos_ - start >= kMaxGlobalName) fail("global name too long");
      ++pos_;
    }
    if (pos_ >= n_) fail("truncated pickle (GLOBAL name without a newline)");
    std::string s(reinterpret_cast<const char*>(d_ + start), pos_ - start);
    ++pos_;
    return s;
  }

  const V& at(uint32_t index) const { return p_.values[index]; }

  uint32_t add(V v) {
    if (p_.values.size() >= kMaxValues) fail("more than ", kMaxValues, " values");
    p_.values.push_back(std::move(v));
    return static_cast<uint32_t>(p_.values.size() - 1);
  }
  void push_index(uint32_t index) {
    if (stack_.size() >= kMaxStack) fail("stack deeper than ", kMaxStack);
    stack_.push_back(index);
  }
  void push(V v) { push_index(add(std::move(v))); }
  void push_bool(bool b) {
    V v;
    v.kind = V::Bool;
    v.i = b;
    push(std::move(v));
  }
  void push_int(int64_t i) {
    V v;
    v.kind = V::Int;
    v.i = i;
    push(std::move(v));
  }
  void push_container(V::Kind kind, std::vector<uint32_t> items) {
    V v;
    v.kind = kind;
    v.items = std::move(items);
    push(std::move(v));
  }

  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  uint32_t pop() {
    if (stack_.size() <= floor()) fail("stack underflow");
    const uint32_t t = stack_.back();
    stack_.pop_back();
    return t;
  }
  uint32_t top() const {
    if (stack_.size() <= floor()) fail("stack underflow");
    return stack_.back();
  }
  std::vector<uint32_t> pop_mark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<uint32_t> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return items;
  }
  V& container(V::Kind kind, const char* op) {
    V& v = p_.values[top()];
    if (v.kind != kind) fail(op, " on a ", kind_name(v.kind), " (expected a ", kind_name(kind), ")");
    return v;
  }

  void long_int(uint64_t k) {
    const uint8_t* b = take(k);
    V v;
    if (k <= 8) {
      uint64_t u = 0;
      for (uint64_t j = k; j-- > 0;) u = (u << 8) | b[j];
      if (k > 0 && k < 8 && (b[k - 1] & 0x80)) u |= ~uint64_t{0} << (8 * k);  // sign-extend
      v.kind = V::Int;
      v.i = static_cast<int64_t>(u);
    } else {
      v.kind = V::BigInt;
      v.s.assign(reinterpret_cast<const char*>(b), static_cast<size_t>(k));
    }
    push(std::move(v));
  }

  void text(V::Kind kind, uint64_t length) {
    const uint8_t* b = take(length);
    V v;
    v.kind = kind;
    v.s.assign(reinterpret_cast<const char*>(b), static_cast<size_t>(length));
    push(std::move(v));
  }

  void push_global(const std::string& name) {
    const bool unsupported = !is_allowed_global(name) && unsupported_dtype_global(name) != nullptr;
    if (!is_allowed_global(name) && !unsupported)
      fail("refused global '", name, "' (only tensors and plain containers are loaded)");
    V v;
    v.kind = unsupported ? V::Unsupported : V::Global;
    v.s = name;
    push(std::move(v));
  }

  void reduce() {
    const uint32_t args = pop(), callable = pop();
    const V::Kind kind = at(callable).kind;
    if (kind != V::Global && kind != V::Unsupported) fail("REDUCE on a ", kind_name(kind), ", not a global");
    if (at(args).kind != V::Tuple) fail("REDUCE with ", kind_name(at(args).kind), " arguments, not a tuple");
    const std::string& name = at(callable).s;
    if (kind == V::Unsupported) {
      // Recorded for the reader to refuse with the tensor's name; nothing is called.
      if (name != "torch._utils._rebuild_qtensor") fail("calling '", name, "' is not supported");
      push_container(V::Call, {callable, args});
      return;
    }
    if (name == "collections.OrderedDict") {
      if (!at(args).items.empty()) fail("OrderedDict called with arguments");
      push_container(V::Dict, {});
      return;
    }
    if (name != "torch._utils._rebuild_tensor_v2" && name != "torch._utils._rebuild_parameter")
      fail("calling '", name, "' is not supported");
    push_container(V::Call, {callable, args});
  }

  void memo_put(uint32_t index) {
    if (memo_.size() >= kMaxMemo && !memo_.count(index)) fail("memo larger than ", kMaxMemo, " entries");
    memo_[index] = top();
  }
  void memo_get(uint32_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail("memo entry ", index, " was never stored");
    push_index(it->second);
  }

  const uint8_t* d_;
  size_t n_;
  const ErrorContext& ctx_;
  size_t pos_ = 0, op_pos_ = 0;
  Pickle p_;
  std::vector<uint32_t> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint32_t, uint32_t> memo_;
};

}  // namespace

bool is_allowed_global(const std::string& name) {
  static const char* const allowed[] = {
      "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter", "collections.OrderedDict",
      "torch.FloatStorage",              "torch.DoubleStorage",             "torch.HalfStorage",
      "torch.BFloat16Storage",           "torch.LongStorage",               "torch.IntStorage",
      "torch.ShortStorage",              "torch.CharStorage",               "torch.ByteStorage",
      "torch.BoolStorage",
  };
  for (const char* a : allowed)
    if (name == a) return true;
  return false;
}

const char* unsupported_dtype_global(const std::string& name) {
  static const std::pair<const char*, const char*> known[] = {
      {"torch.ComplexFloatStorage", "complex64"},
      {"torch.ComplexDoubleStorage", "complex128"},
      {"torch.QInt8Storage", "qint8"},
      {"torch.QUInt8Storage", "quint8"},
      {"torch.QInt32Storage", "qint32"},
      {"torch.QUInt4x2Storage", "quint4x2"},
      {"torch.QUInt2x4Storage", "quint2x4"},
      {"torch._utils._rebuild_qtensor", "quantized"},
      {"torch.per_tensor_affine", "quantized"},
      {"torch.per_channel_affine", "quantized"},
  };
  for (const auto& [global, dtype] : known)
    if (name == global) return dtype;
  return nullptr;
}

Pickle unpickle(const uint8_t* data, size_t size, const ErrorContext& ctx) {
  return Unpickler(data, size, ctx).run();
}

std::string describe(const Pickle& p, uint32_t index) {
  const V& v = p.at(index);
  switch (v.kind) {
    case V::None: return "None";
    case V::Bool: return v.i ? "True" : "False";
    case V::Int: return "the int " + std::to_string(v.i);
    case V::BigInt: return "a large int";
    case V::Float: return "a float";
    case V::String: return "a str";
    case V::Bytes: return "bytes";
    case V::Tuple: return "a tuple of " + std::to_string(v.items.size()) + " items";
    case V::List: return "a list of " + std::to_string(v.items.size()) + " items";
    case V::Dict: return "a dict of " + std::to_string(v.items.size() / 2) + " entries";
    case V::Global: return "the global '" + v.s + "'";
    case V::Unsupported: return "the global '" + v.s + "'";
    case V::Call: return "a tensor";
    case V::PersistentId: return "a storage";
  }
  return "?";
}

}  // namespace nabla::io::detail
