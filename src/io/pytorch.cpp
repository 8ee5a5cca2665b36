// PyTorch checkpoint reader: finds the pickle and the storages (zip or legacy layout), unpickles
// with the restricted unpickler, then turns the picked dict's tensor records
// (_rebuild_tensor_v2(storage, offset, size, stride, ...)) into contiguous nabla tensors.
#include "nabla/io/pytorch.h"

#include <cstring>
#include <functional>
#include <map>

#include "io/decode.h"
#include "io/io_util.h"
#include "io/unpickler.h"
#include "io/zip.h"

namespace nabla::io {
namespace {

using detail::ElementFormat;
using detail::ErrorContext;
using detail::Pickle;
using V = detail::PickleValue;

constexpr size_t kMaxDims = 64;
constexpr size_t kMaxListedKeys = 20;

/// A typed storage class: the element format it stores, or the dtype nabla lacks (complex and
/// quantized storages: element size only, so that a legacy file's data section can be walked).
struct StorageType {
  const char* name;
  ElementFormat fmt;
  const char* unsupported = nullptr;
};

/// Looks up a storage class by its global's name; false for an unknown one.
bool storage_type(const std::string& global, StorageType* out) {
  static const StorageType table[] = {
      {"torch.FloatStorage", {ElementFormat::Float, 4, false}},
      {"torch.DoubleStorage", {ElementFormat::Float, 8, false}},
      {"torch.HalfStorage", {ElementFormat::Float, 2, false}},
      {"torch.BFloat16Storage", {ElementFormat::BFloat, 2, false}},
      {"torch.LongStorage", {ElementFormat::Int, 8, false}},
      {"torch.IntStorage", {ElementFormat::Int, 4, false}},
      {"torch.ShortStorage", {ElementFormat::Int, 2, false}},
      {"torch.CharStorage", {ElementFormat::Int, 1, false}},
      {"torch.ByteStorage", {ElementFormat::UInt, 1, false}},
      {"torch.BoolStorage", {ElementFormat::Bool, 1, false}},
      {"torch.ComplexFloatStorage", {ElementFormat::Float, 8, false}, "complex64"},
      {"torch.ComplexDoubleStorage", {ElementFormat::Float, 16, false}, "complex128"},
      {"torch.QInt8Storage", {ElementFormat::Int, 1, false}, "qint8"},
      {"torch.QUInt8Storage", {ElementFormat::UInt, 1, false}, "quint8"},
      {"torch.QInt32Storage", {ElementFormat::Int, 4, false}, "qint32"},
      {"torch.QUInt4x2Storage", {ElementFormat::UInt, 1, false}, "quint4x2"},
      {"torch.QUInt2x4Storage", {ElementFormat::UInt, 1, false}, "quint2x4"},
  };
  for (const StorageType& t : table) {
    if (global == t.name) {
      *out = t;
      return true;
    }
  }
  return false;
}

/// The error text for a tensor of a dtype nabla has no counterpart for.
std::string unsupported_dtype_text(const std::string& dtype) {
  if (dtype.compare(0, 7, "complex") == 0) return dtype + " is not supported by nabla (no complex dtype)";
  const std::string what = dtype == "quantized" ? "a quantized tensor" : dtype + " (quantized)";
  return what + " is not supported by nabla (no quantized dtypes; dequantize() it before torch.save)";
}

/// What a persistent id ('storage', type, key, location, numel[, view_metadata]) says.
struct StorageRef {
  std::string key;
  ElementFormat fmt{};
  uint64_t numel = 0;
  const char* unsupported = nullptr;  ///< the dtype of a complex or quantized storage
};

/// A storage's bytes (numel elements of fmt.size bytes each).
struct StorageBytes {
  const uint8_t* data = nullptr;
  uint64_t numel = 0;
};

StorageRef parse_storage_ref(const Pickle& p, uint32_t pid, const ErrorContext& ctx) {
  const V& id = p.at(p.at(pid).items.at(0));
  ctx.check(id.kind == V::Tuple && id.items.size() >= 5, "persistent id is ", detail::describe(p, p.at(pid).items[0]),
            ", not a ('storage', type, key, location, numel) tuple");
  const V& tag = p.at(id.items[0]);
  const V& type = p.at(id.items[1]);
  const V& key = p.at(id.items[2]);
  const V& numel = p.at(id.items[4]);
  ctx.check(tag.kind == V::String && tag.s == "storage", "persistent id does not start with 'storage'");
  StorageRef r;
  StorageType st{};
  ctx.check((type.kind == V::Global || type.kind == V::Unsupported) && storage_type(type.s, &st),
            "unknown storage type (", detail::describe(p, id.items[1]), ")");
  r.fmt = st.fmt;
  r.unsupported = st.unsupported;
  ctx.check(key.kind == V::String, "storage key is ", detail::describe(p, id.items[2]), ", not a string");
  ctx.check(numel.kind == V::Int && numel.i >= 0 && static_cast<uint64_t>(numel.i) <= detail::kMaxElements,
            "storage '", key.s, "': bad element count (", detail::describe(p, id.items[4]), ")");
  if (id.items.size() >= 6)
    ctx.check(p.at(id.items[5]).kind == V::None, "storage '", key.s, "': legacy storage views are not supported");
  r.key = key.s;
  r.numel = static_cast<uint64_t>(numel.i);
  return r;
}

/// Turns the tensor records of one unpickled object into tensors.
class TensorBuilder {
 public:
  using Lookup = std::function<StorageBytes(const StorageRef&, const ErrorContext&)>;
  TensorBuilder(const Pickle& p, Lookup lookup, uint64_t budget) : p_(p), lookup_(std::move(lookup)), budget_(budget) {}

  bool is_tensor(uint32_t index) const { return p_.at(index).kind == V::Call; }

  Tensor build(uint32_t index, const ErrorContext& ctx, int depth = 0) {
    const V& call = p_.at(index);
    ctx.check(call.kind == V::Call && depth < 4, "not a tensor record");
    const std::string& fn = p_.at(call.items[0]).s;
    const std::vector<uint32_t>& args = p_.at(call.items[1]).items;
    if (p_.at(call.items[0]).kind == V::Unsupported) ctx.fail(unsupported_dtype_text(quantized_dtype(args)));
    if (fn == "torch._utils._rebuild_parameter") {
      ctx.check(!args.empty() && p_.at(args[0]).kind == V::Call, "_rebuild_parameter without a tensor argument");
      return build(args[0], ctx, depth + 1);
    }
    ctx.check(args.size() >= 4, "_rebuild_tensor_v2 with ", args.size(), " arguments (expected at least 4)");
    ctx.check(p_.at(args[0]).kind == V::PersistentId, "_rebuild_tensor_v2: first argument is ",
              detail::describe(p_, args[0]), ", not a storage");
    const StorageRef ref = parse_storage_ref(p_, args[0], ctx);
    if (ref.unsupported) ctx.fail(unsupported_dtype_text(ref.unsupported));
    const V& offset_v = p_.at(args[1]);
    ctx.check(offset_v.kind == V::Int && offset_v.i >= 0, "storage offset is ", detail::describe(p_, args[1]));
    const std::vector<uint64_t> size = int_tuple(args[2], "size", ctx);
    const std::vector<uint64_t> stride = int_tuple(args[3], "stride", ctx);
    ctx.check(size.size() == stride.size(), "size has ", size.size(), " dimensions but stride ", stride.size());
    const uint64_t nbytes = detail::checked_nbytes(size, ref.fmt.size, ctx);
    Shape shape(size.begin(), size.end());
    const uint64_t numel = nbytes / ref.fmt.size;
    ctx.check(nbytes <= budget_, "tensors larger than the limit of ", budget_, " bytes left for this file");
    budget_ -= nbytes;

    const StorageBytes storage = lookup_(ref, ctx);
    if (numel == 0) return detail::decode_elements(storage.data, shape, ref.fmt, ctx);
    // Highest element the view reaches: offset + Σ (size_d − 1)·stride_d, inside the storage.
    uint64_t last = static_cast<uint64_t>(offset_v.i), term = 0;
    for (size_t d = 0; d < size.size(); ++d) {
      ctx.check(detail::checked_mul(size[d] - 1, stride[d], &term) && detail::checked_add(last, term, &last),
                "view overflows (size ", shape, ", stride ", stride, ")");
    }
    ctx.check(last < storage.numel, "storage '", ref.key, "' of ", storage.numel,
              " elements is too small for the view (offset ", offset_v.i, ", size ", shape, ", stride ", stride,
              ")");
    const size_t es = ref.fmt.size;
    const uint8_t* base = storage.data + static_cast<size_t>(offset_v.i) * es;
    if (is_contiguous(size, stride)) return detail::decode_elements(base, shape, ref.fmt, ctx);
    std::vector<uint8_t> gathered(static_cast<size_t>(nbytes));
    gather(base, size, stride, es, gathered.data());
    return detail::decode_elements(gathered.data(), shape, ref.fmt, ctx);
  }

 private:
  /// The dtype of _rebuild_qtensor's storage argument ("qint8", …), or "quantized" when it names none.
  std::string quantized_dtype(const std::vector<uint32_t>& args) const {
    if (args.empty() || p_.at(args[0]).kind != V::PersistentId) return "quantized";
    const V& id = p_.at(p_.at(args[0]).items.at(0));
    StorageType st{};
    if (id.kind != V::Tuple || id.items.size() < 2 || p_.at(id.items[1]).kind != V::Unsupported ||
        !storage_type(p_.at(id.items[1]).s, &st) || !st.unsupported)
      return "quantized";
    return st.unsupported;
  }

  std::vector<uint64_t> int_tuple(uint32_t index, const char* what, const ErrorContext& ctx) const {
    const V& t = p_.at(index);
    ctx.check(t.kind == V::Tuple && t.items.size() <= kMaxDims, what, " is ", detail::describe(p_, index),
              ", not a tuple of at most ", kMaxDims, " ints");
    std::vector<uint64_t> out;
    for (uint32_t item : t.items) {
      const V& v = p_.at(item);
      ctx.check(v.kind == V::Int && v.i >= 0, what, " holds ", detail::describe(p_, item),
                ", not a non-negative int");
      out.push_back(static_cast<uint64_t>(v.i));
    }
    return out;
  }

  static bool is_contiguous(const std::vector<uint64_t>& size, const std::vector<uint64_t>& stride) {
    uint64_t expected = 1;
    for (size_t d = size.size(); d-- > 0;) {
      if (size[d] != 1 && stride[d] != expected) return false;
      expected *= size[d];
    }
    return true;
  }

  /// Copies the view's elements in row-major order (odometer over all but the last dimension).
  static void gather(const uint8_t* base, const std::vector<uint64_t>& size, const std::vector<uint64_t>& stride,
                     size_t es, uint8_t* out) {
    const size_t nd = size.size();
    if (nd == 0) {
      std::memcpy(out, base, es);
      return;
    }
    std::vector<uint64_t> idx(nd, 0);
    const uint64_t inner = size[nd - 1], inner_stride = stride[nd - 1];
    for (;;) {
      uint64_t off = 0;
      for (size_t d = 0; d + 1 < nd; ++d) off += idx[d] * stride[d];
      const uint8_t* src = base + off * es;
      if (inner_stride == 1) {
        std::memcpy(out, src, inner * es);
        out += inner * es;
      } else {
        for (uint64_t j = 0; j < inner; ++j, out += es) std::memcpy(out, src + j * inner_stride * es, es);
      }
      size_t d = nd - 1;
      for (;;) {
        if (d == 0) return;
        --d;
        if (++idx[d] < size[d]) break;
        idx[d] = 0;
      }
    }
  }

  const Pickle& p_;
  Lookup lookup_;
  uint64_t budget_;
};

bool is_scalar(const V& v) {
  return v.kind == V::None || v.kind == V::Bool || v.kind == V::Int || v.kind == V::BigInt || v.kind == V::Float ||
         v.kind == V::String || v.kind == V::Bytes;
}

/// The key of a dict entry as text (strings as they are, ints in decimal), or "" when neither.
bool key_text(const Pickle& p, uint32_t index, std::string* out) {
  const V& k = p.at(index);
  if (k.kind == V::String) *out = k.s;
  else if (k.kind == V::Int) *out = std::to_string(k.i);
  else return false;
  return true;
}

std::string list_keys(const Pickle& p, const V& dict) {
  std::string out;
  for (size_t j = 0; j < dict.items.size(); j += 2) {
    if (j / 2 == kMaxListedKeys) return out + ", …";
    std::string k;
    if (!key_text(p, dict.items[j], &k)) {
      k = '<';
      k += detail::describe(p, dict.items[j]);
      k += '>';
    }
    out += j ? ", '" : "'";
    out += k;
    out += '\'';
  }
  return out.empty() ? "none" : out;
}

/// True when `index` is a dict of string keys whose values are tensors or scalars.
bool is_tensor_dict(const Pickle& p, uint32_t index, size_t* tensors = nullptr) {
  const V& d = p.at(index);
  if (d.kind != V::Dict) return false;
  size_t n = 0;
  for (size_t j = 0; j < d.items.size(); j += 2) {
    const V& v = p.at(d.items[j + 1]);
    if (p.at(d.items[j]).kind != V::String) return false;
    if (v.kind == V::Call) ++n;
    else if (!is_scalar(v)) return false;
  }
  if (tensors) *tensors = n;
  return true;
}

/// Follows the dotted `key` from the root; each step matches the longest run of segments that
/// names an entry (dict keys may hold dots themselves), or a list/tuple index.
uint32_t resolve_key(const Pickle& p, const std::string& key, const ErrorContext& ctx) {
  uint32_t node = p.root;
  std::string rest = key, walked;
  while (!rest.empty()) {
    const V& v = p.at(node);
    bool found = false;
    // Candidate lengths of the next segment: the whole rest, then up to each '.', longest first.
    std::vector<size_t> lengths{rest.size()};
    for (size_t dot = rest.rfind('.'); dot != std::string::npos && dot > 0; dot = rest.rfind('.', dot - 1))
      lengths.push_back(dot);
    for (size_t len : lengths) {
      const std::string seg = rest.substr(0, len);
      if (v.kind == V::Dict) {
        for (size_t j = 0; j < v.items.size(); j += 2) {
          std::string k;
          if (key_text(p, v.items[j], &k) && k == seg) {
            node = v.items[j + 1];
            found = true;
            break;
          }
        }
      } else if ((v.kind == V::List || v.kind == V::Tuple) && !seg.empty() && seg.size() < 10 &&
                 seg.find_first_not_of("0123456789") == std::string::npos && std::stoul(seg) < v.items.size()) {
        node = v.items[std::stoul(seg)];
        found = true;
      }
      if (found) {
        walked += (walked.empty() ? "" : ".") + seg;
        rest = len == rest.size() ? "" : rest.substr(len + 1);
        break;
      }
    }
    if (!found) {
      const std::string where = walked.empty() ? "the top level" : "'" + walked + "'";
      if (v.kind == V::Dict) ctx.fail("no entry '", rest, "' in ", where, " (keys: ", list_keys(p, v), ")");
      ctx.fail("cannot descend into ", where, ": it is ", detail::describe(p, node));
    }
  }
  return node;
}

/// The tensors of the picked dict.
StateDict collect(const Pickle& p, const std::string& key, TensorBuilder& builder, const ErrorContext& file_ctx) {
  const ErrorContext ctx{file_ctx.prefix + (key.empty() ? "" : ": key '" + key + "'")};
  const uint32_t node = resolve_key(p, key, ctx);
  const V& d = p.at(node);
  if (!is_tensor_dict(p, node)) {
    const std::string what = key.empty() ? "the top level" : "the entry";
    ctx.check(d.kind == V::Dict, what, " is ", detail::describe(p, node), ", not a dict of tensors");
    if (key.empty()) {
      // A training checkpoint: say which entry holds the state dict.
      std::vector<std::string> candidates;
      for (size_t j = 0; j < d.items.size(); j += 2) {
        std::string k;
        if (key_text(p, d.items[j], &k) && (k == "state_dict" || k == "model") && is_tensor_dict(p, d.items[j + 1]))
          candidates.push_back(k);
      }
      if (candidates.size() == 1)
        ctx.fail("the top level is not a dict of tensors but a checkpoint whose tensors are under '", candidates[0],
                 "': pick it with key '", candidates[0], "' (keys: ", list_keys(p, d), ")");
    }
    for (size_t j = 0; j < d.items.size(); j += 2) {
      std::string k;
      if (!key_text(p, d.items[j], &k) || p.at(d.items[j]).kind != V::String)
        ctx.fail(what, " has a key that is ", detail::describe(p, d.items[j]), ", not a string (keys: ",
                 list_keys(p, d), ")");
      const V& v = p.at(d.items[j + 1]);
      if (v.kind != V::Call && !is_scalar(v))
        ctx.fail("entry '", k, "' is ", detail::describe(p, d.items[j + 1]),
                 ", not a tensor: pick a dict of tensors with a key (keys: ", list_keys(p, d), ")");
    }
  }
  StateDict out;
  for (size_t j = 0; j < d.items.size(); j += 2) {
    if (!builder.is_tensor(d.items[j + 1])) continue;  // scalars are skipped
    const std::string& name = p.at(d.items[j]).s;
    const ErrorContext tctx{ctx.prefix + ": tensor '" + name + "'"};
    tctx.check(!out.count(name), "appears twice");
    out.emplace(name, builder.build(d.items[j + 1], tctx));
  }
  return out;
}

/// The tensor bytes a file may expand to: views may repeat their storage's elements (stride 0,
/// overlapping slices), but not without bound (a tiny corrupt file must not allocate gigabytes).
uint64_t size_budget(size_t file_size) { return 16 * static_cast<uint64_t>(file_size) + (uint64_t{64} << 20); }

StateDict load_zip(const uint8_t* data, size_t size, const std::string& key, const ErrorContext& ctx) {
  const std::vector<detail::ZipEntry> entries = detail::zip_entries(data, size, ctx);
  const detail::ZipEntry* pkl = nullptr;
  std::map<std::string, const detail::ZipEntry*> by_name;
  for (const detail::ZipEntry& e : entries) {
    by_name.emplace(e.name, &e);
    const size_t slash = e.name.find('/');
    if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      ctx.check(!pkl, "the archive holds two pickles ('", pkl ? pkl->name : "", "' and '", e.name, "')");
      pkl = &e;
    }
  }
  ctx.check(pkl != nullptr, "zip archive without a '<name>/data.pkl' member: not a PyTorch checkpoint");
  const std::string prefix = pkl->name.substr(0, pkl->name.size() - 8);  // "<name>/"
  // PyTorch ≥ 2.1 records the byte order of the storages; older files are little-endian.
  const auto order = by_name.find(prefix + "byteorder");
  if (order != by_name.end()) {
    std::vector<uint8_t> scratch;
    const auto [bytes, n] = detail::zip_member_bytes(data, size, *order->second, scratch, ctx);
    ctx.check(std::string(reinterpret_cast<const char*>(bytes), n) == "little", "storages are stored big-endian ('",
              order->first, "'); only little-endian checkpoints are supported");
  }
  std::vector<uint8_t> pkl_scratch;
  const auto [pkl_data, pkl_size] = detail::zip_member_bytes(data, size, *pkl, pkl_scratch, ctx);
  const Pickle p = detail::unpickle(pkl_data, pkl_size, ErrorContext{ctx.prefix + ": " + pkl->name});
  ctx.check(p.end == pkl_size, pkl->name, ": ", pkl_size - p.end, " bytes follow the pickle's STOP");

  std::map<std::string, std::vector<uint8_t>> scratch;
  std::map<std::string, StorageBytes> cache;
  auto lookup = [&](const StorageRef& ref, const ErrorContext& tctx) {
    const auto hit = cache.find(ref.key);
    if (hit != cache.end()) {
      tctx.check(hit->second.numel == ref.numel, "storage '", ref.key, "' is used with two sizes");
      return hit->second;
    }
    const auto it = by_name.find(prefix + "data/" + ref.key);
    tctx.check(it != by_name.end(), "storage '", ref.key, "' has no member '", prefix, "data/", ref.key, "'");
    const auto [bytes, n] = detail::zip_member_bytes(data, size, *it->second, scratch[ref.key], ctx);
    uint64_t expected = 0;
    tctx.check(detail::checked_mul(ref.numel, ref.fmt.size, &expected) && expected == n, "storage '", ref.key,
               "' declares ", ref.numel, " elements of ", static_cast<int>(ref.fmt.size),
               " bytes but its member holds ", n, " bytes");
    return cache[ref.key] = StorageBytes{bytes, ref.numel};
  };
  TensorBuilder builder(p, lookup, size_budget(size));
  return collect(p, key, builder, ctx);
}

StateDict load_legacy(const uint8_t* data, size_t size, const std::string& key, const ErrorContext& ctx) {
  // The magic number 0x1950a86a20f9469cfc6c as LONG1 bytes (little-endian).
  static const uint8_t kMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
  size_t pos = 0;
  auto next = [&](const char* what) {
    Pickle p = detail::unpickle(data + pos, size - pos, ErrorContext{ctx.prefix + ": " + what + " pickle"});
    pos += p.end;
    return p;
  };
  const Pickle magic = next("magic number");
  const V& m = magic.at(magic.root);
  ctx.check(m.kind == V::BigInt && m.s.size() == sizeof kMagic && std::memcmp(m.s.data(), kMagic, sizeof kMagic) == 0,
            "not a PyTorch checkpoint (a pickle without the legacy format's magic number)");
  const Pickle protocol = next("protocol version");
  const V& pv = protocol.at(protocol.root);
  ctx.check(pv.kind == V::Int && pv.i == 1001, "unsupported legacy protocol version (",
            detail::describe(protocol, protocol.root), ", expected 1001)");
  const Pickle sys_info = next("system info");
  const V& si = sys_info.at(sys_info.root);
  ctx.check(si.kind == V::Dict, "system info is ", detail::describe(sys_info, sys_info.root), ", not a dict");
  for (size_t j = 0; j < si.items.size(); j += 2) {
    const V& k = sys_info.at(si.items[j]);
    const V& v = sys_info.at(si.items[j + 1]);
    if (k.kind == V::String && k.s == "little_endian")
      ctx.check(v.kind == V::Bool && v.i == 1, "big-endian checkpoints are not supported");
  }
  const Pickle main = next("object");
  const Pickle keys = next("storage keys");
  const V& kl = keys.at(keys.root);
  ctx.check(kl.kind == V::List, "storage keys are ", detail::describe(keys, keys.root), ", not a list");

  // Every storage the object refers to, with its type: the data section does not repeat them.
  std::map<std::string, StorageRef> refs;
  for (uint32_t j = 0; j < main.values.size(); ++j) {
    if (main.at(j).kind != V::PersistentId) continue;
    const StorageRef r = parse_storage_ref(main, j, ctx);
    const auto [it, added] = refs.emplace(r.key, r);
    ctx.check(added || (it->second.fmt.size == r.fmt.size && it->second.fmt.kind == r.fmt.kind &&
                        it->second.numel == r.numel),
              "storage '", r.key, "' is declared with two types or sizes");
  }
  std::map<std::string, StorageBytes> storages;
  for (uint32_t item : kl.items) {
    const V& k = keys.at(item);
    ctx.check(k.kind == V::String, "a storage key is ", detail::describe(keys, item), ", not a string");
    const auto it = refs.find(k.s);
    ctx.check(it != refs.end(), "storage '", k.s, "' is stored but never used (its type is unknown)");
    ctx.check(size - pos >= 8, "truncated: storage '", k.s, "' has no element count");
    const uint64_t numel = detail::load_le64(data + pos);
    pos += 8;
    ctx.check(numel == it->second.numel, "storage '", k.s, "' holds ", numel, " elements, declared ",
              it->second.numel);
    const uint64_t nbytes = numel * it->second.fmt.size;  // numel <= kMaxElements: no overflow
    ctx.check(nbytes <= size - pos, "truncated: storage '", k.s, "' needs ", nbytes, " bytes, ", size - pos,
              " left");
    ctx.check(storages.emplace(k.s, StorageBytes{data + pos, numel}).second, "storage '", k.s, "' is stored twice");
    pos += static_cast<size_t>(nbytes);
  }
  ctx.check(pos == size, size - pos, " bytes follow the last storage");
  auto lookup = [&](const StorageRef& ref, const ErrorContext& tctx) {
    const auto it = storages.find(ref.key);
    tctx.check(it != storages.end(), "storage '", ref.key, "' is missing from the file");
    return it->second;
  };
  TensorBuilder builder(main, lookup, size_budget(size));
  return collect(main, key, builder, ctx);
}

}  // namespace

StateDict load_pytorch_bytes(const uint8_t* data, size_t size, const std::string& source, const std::string& key) {
  const ErrorContext ctx{"pytorch: " + source};
  if (size >= 4 && std::memcmp(data, "PK\x03\x04", 4) == 0) return load_zip(data, size, key, ctx);
  if (size >= 2 && data[0] == 0x80) return load_legacy(data, size, key, ctx);
  ctx.fail("not a PyTorch checkpoint (neither a zip archive nor a pickle; ", size, " bytes)");
}

StateDict load_pytorch(const std::string& path, const std::string& key) {
  const std::vector<uint8_t> bytes = detail::read_file(path, "pytorch");
  return load_pytorch_bytes(bytes.data(), bytes.size(), path, key);
}

bool is_pytorch_file(const std::string& path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = detail::read_file(path, "pytorch");
  } catch (const Error&) {
    return false;
  }
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "PK\x03\x04", 4) == 0) {
    try {
      for (const detail::ZipEntry& e : detail::zip_entries(bytes.data(), bytes.size(), ErrorContext{"pytorch"})) {
        const size_t slash = e.name.find('/');
        if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) return true;
      }
    } catch (const Error&) {
    }
    return false;
  }
  // Legacy: PROTO 2, then LONG1 of 10 bytes (the magic number).
  return bytes.size() >= 4 && bytes[0] == 0x80 && bytes[2] == 0x8a && bytes[3] == 10;
}

}  // namespace nabla::io
