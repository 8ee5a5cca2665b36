// .npz = ZIP archive of .npy members (see zip.cpp and npy.cpp).
#include "nabla/io/npz.h"

#include "io/npy_format.h"
#include "io/npz_format.h"
#include "io/zip.h"

namespace nabla::io {
namespace detail {

StateDict parse_npz(const uint8_t* data, size_t size, const ErrorContext& ctx) {
  StateDict out;
  std::vector<uint8_t> scratch;
  for (const ZipEntry& entry : zip_entries(data, size, ctx)) {
    const std::string& name = entry.name;
    ctx.check(name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0, "member '", name,
              "' is not a .npy file");
    const std::string key = name.substr(0, name.size() - 4);
    ctx.check(out.find(key) == out.end(), "duplicate member '", name, "'");
    const auto [bytes, n] = zip_member_bytes(data, size, entry, scratch, ctx);
    out.emplace(key, parse_npy(bytes, n, ErrorContext{ctx.prefix + ": member '" + name + "'"}));
  }
  return out;
}

void write_npz(ByteSink& sink, const StateDict& tensors, bool force_zip64) {
  std::vector<Tensor> data;
  std::vector<std::string> preambles;
  data.reserve(tensors.size());
  preambles.reserve(tensors.size());  // the pieces below point into these strings
  std::vector<ZipMemberPieces> members;
  for (const auto& [name, tensor] : tensors) {
    NABLA_CHECK(!name.empty(), "npz: tensor names must be non-empty");
    data.push_back(contiguous_data(tensor));
    preambles.push_back(npy_preamble(data.back()));
    members.push_back({name + ".npy",
                       {{preambles.back().data(), preambles.back().size()},
                        {data.back().raw_data(), npy_data_size(data.back())}}});
  }
  write_zip(sink, members, force_zip64);
}

}  // namespace detail

StateDict load_npz(const std::string& path) {
  const std::vector<uint8_t> bytes = detail::read_file(path, "npz");
  return detail::parse_npz(bytes.data(), bytes.size(), detail::ErrorContext{"npz: " + path});
}

StateDict load_npz_bytes(const uint8_t* data, size_t size, const std::string& source) {
  return detail::parse_npz(data, size, detail::ErrorContext{"npz: " + source});
}

void save_npz(const std::string& path, const StateDict& tensors) {
  detail::AtomicFileSink sink(path, "npz");
  detail::write_npz(sink, tensors, false);
  sink.commit();
}

std::vector<uint8_t> save_npz_bytes(const StateDict& tensors) {
  detail::VectorSink sink;
  detail::write_npz(sink, tensors, false);
  return sink.take();
}

}  // namespace nabla::io
