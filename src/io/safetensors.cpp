// safetensors reader and writer. The reader checks everything the format's specification
// demands (https://github.com/huggingface/safetensors, "Format") before touching the buffer.
#include "nabla/io/safetensors.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "io/decode.h"
#include "io/io_util.h"

namespace nabla::io {
namespace detail {
namespace {

using json = nlohmann::json;

// The reference implementation refuses headers above 100 MB; so do we (a corrupt length field
// must not make us allocate gigabytes).
constexpr uint64_t kMaxHeaderSize = 100'000'000;

/// Stored formats by safetensors dtype code.
bool element_format(const std::string& code, ElementFormat* fmt) {
  static const std::pair<const char*, ElementFormat> table[] = {
      {"F32", {ElementFormat::Float, 4, false}},  {"F64", {ElementFormat::Float, 8, false}},
      {"I64", {ElementFormat::Int, 8, false}},    {"BOOL", {ElementFormat::Bool, 1, false}},
      {"F16", {ElementFormat::Float, 2, false}},  {"BF16", {ElementFormat::BFloat, 2, false}},
      {"I32", {ElementFormat::Int, 4, false}},    {"I16", {ElementFormat::Int, 2, false}},
      {"I8", {ElementFormat::Int, 1, false}},     {"U8", {ElementFormat::UInt, 1, false}},
      {"U16", {ElementFormat::UInt, 2, false}},   {"U32", {ElementFormat::UInt, 4, false}},
      {"U64", {ElementFormat::UInt, 8, false}},
  };
  for (const auto& [name, f] : table) {
    if (code == name) {
      *fmt = f;
      return true;
    }
  }
  return false;
}

const char* dtype_code(DType dt) {
  switch (dt) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int64: return "I64";
    case DType::Bool: return "BOOL";
    case DType::UInt8: return "U8";
    case DType::Int32: return "I32";
    case DType::BFloat16: return "BF16";
    case DType::Float16: return "F16";
  }
  throw Error("safetensors: unknown dtype");
}

struct EntryInfo {
  std::string name;
  ElementFormat fmt;
  Shape shape;
  uint64_t begin, end;
};

EntryInfo parse_entry(const std::string& name, const json& v, uint64_t buffer_size, const ErrorContext& ctx) {
  ctx.check(v.is_object(), "tensor '", name, "': entry is not a JSON object");
  for (const auto& [key, _] : v.items())
    ctx.check(key == "dtype" || key == "shape" || key == "data_offsets", "tensor '", name, "': unexpected key '",
              key, "'");
  ctx.check(v.contains("dtype") && v.contains("shape") && v.contains("data_offsets"), "tensor '", name,
            "': entry needs 'dtype', 'shape' and 'data_offsets'");
  EntryInfo e{name, {}, {}, 0, 0};

  const json& dtype = v["dtype"];
  ctx.check(dtype.is_string(), "tensor '", name, "': 'dtype' is not a string");
  const std::string code = dtype.get<std::string>();
  ctx.check(element_format(code, &e.fmt), "tensor '", name, "': unsupported dtype '", code,
            "' (supported: F32, F64, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL)");

  const json& shape = v["shape"];
  ctx.check(shape.is_array(), "tensor '", name, "': 'shape' is not an array");
  std::vector<uint64_t> dims;
  for (const json& d : shape) {
    ctx.check(d.is_number_unsigned() || (d.is_number_integer() && d.get<int64_t>() >= 0), "tensor '", name,
              "': shape entries must be non-negative integers, got ", d.dump());
    dims.push_back(d.get<uint64_t>());
  }
  const uint64_t nbytes = checked_nbytes(dims, e.fmt.size, ErrorContext{ctx.prefix + ": tensor '" + name + "'"});
  e.shape.assign(dims.begin(), dims.end());

  const json& offsets = v["data_offsets"];
  ctx.check(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                offsets[1].is_number_unsigned(),
            "tensor '", name, "': 'data_offsets' must be two non-negative integers, got ", offsets.dump());
  e.begin = offsets[0].get<uint64_t>();
  e.end = offsets[1].get<uint64_t>();
  ctx.check(e.begin <= e.end, "tensor '", name, "': data_offsets [", e.begin, ", ", e.end, "] are reversed");
  ctx.check(e.end <= buffer_size, "tensor '", name, "' data_offsets [", e.begin, ", ", e.end, "] exceed buffer of ",
            buffer_size, " bytes");
  ctx.check(e.end - e.begin == nbytes, "tensor '", name, "': data_offsets [", e.begin, ", ", e.end, "] hold ",
            e.end - e.begin, " bytes but shape ", dims, " of ", code, " needs ", nbytes);
  return e;
}

SafetensorsFile parse_safetensors(const uint8_t* data, size_t size, const ErrorContext& ctx) {
  ctx.check(size >= 8, "file of ", size, " bytes is too small (truncated?): needs an 8-byte header length");
  const uint64_t header_len = load_le64(data);
  ctx.check(header_len <= size - 8, "header length ", header_len, " exceeds the file size of ", size, " bytes");
  ctx.check(header_len <= kMaxHeaderSize, "header length ", header_len, " exceeds the limit of ", kMaxHeaderSize,
            " bytes");
  ctx.check(header_len >= 2 && data[8] == '{', "header does not start with '{'");
  const uint8_t* header = data + 8;
  const uint64_t buffer_size = size - 8 - header_len;
  const uint8_t* buffer = header + header_len;

  // Trailing spaces (padding) are allowed by the spec; the parser skips whitespace anyway.
  const json j = json::parse(header, header + header_len, nullptr, /*allow_exceptions=*/false);
  ctx.check(!j.is_discarded(), "header is not valid JSON");
  ctx.check(j.is_object(), "header is not a JSON object");

  SafetensorsFile out;
  std::vector<EntryInfo> entries;
  for (const auto& [key, value] : j.items()) {
    if (key == "__metadata__") {
      ctx.check(value.is_object(), "'__metadata__' is not a JSON object");
      for (const auto& [mk, mv] : value.items()) {
        ctx.check(mv.is_string(), "'__metadata__' value of '", mk, "' is not a string");
        out.metadata.emplace(mk, mv.get<std::string>());
      }
      continue;
    }
    entries.push_back(parse_entry(key, value, buffer_size, ctx));
  }

  // The tensors must tile the buffer: sorted by offset, each starts where the previous ended,
  // the first at 0 and the last ending at the buffer's end (no overlap, no holes).
  std::vector<const EntryInfo*> order;
  for (const EntryInfo& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const EntryInfo* a, const EntryInfo* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t expected = 0;
  const EntryInfo* previous = nullptr;
  for (const EntryInfo* e : order) {
    if (e->begin < expected)
      ctx.fail("tensor '", e->name, "' data_offsets [", e->begin, ", ", e->end, "] overlap tensor '", previous->name,
               "' [", previous->begin, ", ", previous->end, "]");
    if (e->begin > expected)
      ctx.fail("hole in the buffer: bytes [", expected, ", ", e->begin, ") belong to no tensor (before tensor '",
               e->name, "')");
    expected = e->end;
    previous = e;
  }
  ctx.check(expected == buffer_size, "buffer of ", buffer_size, " bytes has ", buffer_size - expected,
            " trailing bytes that belong to no tensor");

  for (const EntryInfo& e : entries)
    out.tensors.emplace(e.name, decode_elements(buffer + e.begin, e.shape, e.fmt,
                                                ErrorContext{ctx.prefix + ": tensor '" + e.name + "'"}));
  return out;
}

/// Writes the header and the buffer. In the buffer, tensors are ordered by element size (largest
/// first), then by name, as the reference implementation does: with the header padded to 8
/// bytes, every tensor then starts at an offset aligned to its element size.
void write_safetensors(ByteSink& sink, const StateDict& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, Tensor>> data;
  for (const auto& [name, tensor] : tensors) {
    NABLA_CHECK(name != "__metadata__", "safetensors: '__metadata__' is reserved and cannot name a tensor");
    data.emplace_back(name, contiguous_data(tensor));
  }
  std::stable_sort(data.begin(), data.end(), [](const auto& a, const auto& b) {
    return a.second.element_size() > b.second.element_size();  // names stay sorted within a size
  });
  json header = json::object();
  uint64_t offset = 0;
  for (const auto& [name, t] : data) {
    const uint64_t n = static_cast<uint64_t>(t.numel()) * t.element_size();
    header[name] = {{"dtype", dtype_code(t.dtype())}, {"shape", t.shape()}, {"data_offsets", {offset, offset + n}}};
    offset += n;
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string text;
  try {
    text = header.dump();  // throws on invalid UTF-8
  } catch (const json::exception&) {
    throw Error("safetensors: tensor names and metadata must be valid UTF-8");
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // the buffer starts 8-byte aligned
  std::string len;
  store_le64(len, text.size());
  sink.write(len);
  sink.write(text);
  for (const auto& [name, t] : data) sink.write(t.raw_data(), static_cast<size_t>(t.numel()) * t.element_size());
}

}  // namespace

SafetensorsFile parse_safetensors_checked(const uint8_t* data, size_t size, const ErrorContext& ctx) {
  try {
    return parse_safetensors(data, size, ctx);
  } catch (const json::exception& e) {
    ctx.fail("malformed header (", e.what(), ")");  // defensive: every access above is type-checked
  }
}

}  // namespace detail

SafetensorsFile load_safetensors(const std::string& path) {
  const std::vector<uint8_t> bytes = detail::read_file(path, "safetensors");
  return detail::parse_safetensors_checked(bytes.data(), bytes.size(), detail::ErrorContext{"safetensors: " + path});
}

SafetensorsFile load_safetensors_bytes(const uint8_t* data, size_t size, const std::string& source) {
  return detail::parse_safetensors_checked(data, size, detail::ErrorContext{"safetensors: " + source});
}

void save_safetensors(const std::string& path, const StateDict& tensors,
                      const std::map<std::string, std::string>& metadata) {
  detail::AtomicFileSink sink(path, "safetensors");
  detail::write_safetensors(sink, tensors, metadata);
  sink.commit();
}

std::vector<uint8_t> save_safetensors_bytes(const StateDict& tensors,
                                            const std::map<std::string, std::string>& metadata) {
  detail::VectorSink sink;
  detail::write_safetensors(sink, tensors, metadata);
  return sink.take();
}

}  // namespace nabla::io
