// ZIP reading (stored + deflate, ZIP64) and writing (stored, ZIP64 when needed) for .npz.
#include "io/zip.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace nabla::io::detail {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kEnd64Sig = 0x06064b50;
constexpr uint32_t kLocator64Sig = 0x07064b50;
constexpr size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22, kEnd64Size = 56, kLocatorSize = 20;
constexpr uint32_t kMax32 = 0xFFFFFFFFu;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kDosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01: fixed, so output is reproducible
// Deflate cannot expand data more than about 1032:1; larger declared sizes are corrupt (and
// would make a tiny file allocate gigabytes).
constexpr uint64_t kMaxDeflateRatio = 1032;

}  // namespace

std::vector<ZipEntry> zip_entries(const uint8_t* data, size_t size, const ErrorContext& ctx) {
  ctx.check(size >= kEndSize, "not a ZIP archive (", size, " bytes is too small), or truncated");
  // The end-of-central-directory record is the last 22 bytes plus an optional comment of up to
  // 65535 bytes; search backwards for a signature whose comment length reaches the end exactly.
  size_t end_pos = std::numeric_limits<size_t>::max();
  const size_t lowest = size - kEndSize > 65535 ? size - kEndSize - 65535 : 0;
  for (size_t pos = size - kEndSize + 1; pos-- > lowest;) {
    if (load_le32(data + pos) == kEndSig && pos + kEndSize + load_le16(data + pos + 20) == size) {
      end_pos = pos;
      break;
    }
  }
  ctx.check(end_pos != std::numeric_limits<size_t>::max(),
            "not a ZIP archive, or truncated (no end-of-central-directory record)");
  const uint8_t* e = data + end_pos;
  uint64_t disk = load_le16(e + 4), cd_disk = load_le16(e + 6);
  uint64_t count_disk = load_le16(e + 8), count = load_le16(e + 10);
  uint64_t cd_size = load_le32(e + 12), cd_offset = load_le32(e + 16);
  uint64_t cd_limit = end_pos;  // the central directory ends before this offset

  if (end_pos >= kLocatorSize && load_le32(e - kLocatorSize) == kLocator64Sig) {
    // ZIP64: the locator points at the ZIP64 end record, which holds the 64-bit values.
    const uint8_t* loc = e - kLocatorSize;
    ctx.check(load_le32(loc + 4) == 0 && load_le32(loc + 16) <= 1, "multi-disk ZIP archives are not supported");
    const uint64_t end64 = load_le64(loc + 8);
    const uint64_t loc_pos = end_pos - kLocatorSize;
    ctx.check(end64 <= loc_pos && loc_pos - end64 >= kEnd64Size, "ZIP64 end record offset ", end64,
              " lies outside the archive");
    const uint8_t* r = data + end64;
    ctx.check(load_le32(r) == kEnd64Sig, "bad ZIP64 end-of-central-directory signature at offset ", end64);
    disk = load_le32(r + 16);
    cd_disk = load_le32(r + 20);
    count_disk = load_le64(r + 24);
    count = load_le64(r + 32);
    cd_size = load_le64(r + 40);
    cd_offset = load_le64(r + 48);
    cd_limit = end64;
  }
  ctx.check(disk == 0 && cd_disk == 0 && count_disk == count, "multi-disk ZIP archives are not supported");
  ctx.check(cd_offset <= cd_limit && cd_size <= cd_limit - cd_offset, "central directory (offset ", cd_offset,
            ", size ", cd_size, ") lies outside the archive of ", size, " bytes");
  ctx.check(count <= cd_size / kCentralSize, "central directory of ", cd_size, " bytes cannot hold ", count,
            " entries");

  std::vector<ZipEntry> entries;
  entries.reserve(static_cast<size_t>(count));
  uint64_t pos = cd_offset;
  const uint64_t cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    ctx.check(cd_end - pos >= kCentralSize && load_le32(data + pos) == kCentralSig, "central directory entry ", i,
              " is truncated or corrupt");
    const uint8_t* c = data + pos;
    ZipEntry z;
    z.flags = load_le16(c + 8);
    z.method = load_le16(c + 10);
    z.crc32 = load_le32(c + 16);
    z.compressed_size = load_le32(c + 20);
    z.uncompressed_size = load_le32(c + 24);
    const size_t name_len = load_le16(c + 28), extra_len = load_le16(c + 30), comment_len = load_le16(c + 32);
    z.local_header_offset = load_le32(c + 42);
    ctx.check(cd_end - pos - kCentralSize >= name_len + extra_len + comment_len, "central directory entry ", i,
              " is truncated");
    z.name.assign(reinterpret_cast<const char*>(c + kCentralSize), name_len);

    // ZIP64 extra field: 8-byte values for exactly those fields saturated at 0xFFFFFFFF, in
    // the order uncompressed size, compressed size, local header offset.
    uint64_t* wanted[3] = {z.uncompressed_size == kMax32 ? &z.uncompressed_size : nullptr,
                           z.compressed_size == kMax32 ? &z.compressed_size : nullptr,
                           z.local_header_offset == kMax32 ? &z.local_header_offset : nullptr};
    const bool needs64 = wanted[0] || wanted[1] || wanted[2];
    bool found64 = false;
    const uint8_t* x = c + kCentralSize + name_len;
    size_t left = extra_len;
    while (left >= 4) {
      const uint16_t id = load_le16(x), len = load_le16(x + 2);
      ctx.check(len <= left - 4, "member '", z.name, "': corrupt extra field");
      if (id == kZip64ExtraId && needs64 && !found64) {
        found64 = true;
        size_t field = 0;
        for (uint64_t* w : wanted) {
          if (!w) continue;
          ctx.check(field + 8 <= len, "member '", z.name, "': ZIP64 extra field too short");
          *w = load_le64(x + 4 + field);
          field += 8;
        }
      }
      x += 4 + len;
      left -= 4 + len;
    }
    ctx.check(!needs64 || found64, "member '", z.name, "': sizes need a ZIP64 extra field, which is missing");
    entries.push_back(std::move(z));
    pos += kCentralSize + name_len + extra_len + comment_len;
  }
  return entries;
}

namespace {

/// Raw-inflates `in` (exactly `in_size` bytes) into `out` (exactly `out_size` bytes).
void inflate_exact(const uint8_t* in, uint64_t in_size, uint8_t* out, uint64_t out_size, const std::string& member,
                   const ErrorContext& ctx) {
  z_stream zs{};
  ctx.check(inflateInit2(&zs, -MAX_WBITS) == Z_OK, "member '", member, "': cannot initialise zlib");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&zs};
  uint8_t dummy = 0;  // zlib rejects a null next_out even when avail_out is 0
  zs.next_out = out_size ? out : &dummy;
  constexpr uint64_t kChunk = uint64_t{1} << 30;  // avail_in/avail_out are 32-bit
  uint64_t in_left = in_size, out_left = out_size;
  for (;;) {
    if (zs.avail_in == 0 && in_left > 0) {
      const uint64_t n = std::min(in_left, kChunk);
      zs.next_in = const_cast<Bytef*>(in);
      zs.avail_in = static_cast<uInt>(n);
      in += n;
      in_left -= n;
    }
    if (zs.avail_out == 0 && out_left > 0) {
      const uint64_t n = std::min(out_left, kChunk);
      zs.next_out = out;
      zs.avail_out = static_cast<uInt>(n);
      out += n;
      out_left -= n;
    }
    const uInt before_in = zs.avail_in, before_out = zs.avail_out;
    const int ret = inflate(&zs, Z_NO_FLUSH);
    if (ret == Z_STREAM_END) break;
    if (ret != Z_OK && ret != Z_BUF_ERROR)
      ctx.fail("member '", member, "': corrupt deflate data (", zs.msg ? zs.msg : "zlib error", ")");
    if (zs.avail_in == before_in && zs.avail_out == before_out) {
      if (zs.avail_out == 0 && out_left == 0)
        ctx.fail("member '", member, "': decompresses to more than its declared size of ", out_size, " bytes");
      ctx.fail("member '", member, "': deflate data is truncated");
    }
  }
  const uint64_t produced = out_size - out_left - zs.avail_out;
  ctx.check(produced == out_size, "member '", member, "': decompresses to ", produced, " bytes, declared ",
            out_size);
  ctx.check(zs.avail_in == 0 && in_left == 0, "member '", member, "': ", zs.avail_in + in_left,
            " bytes of compressed data follow the end of the deflate stream");
}

}  // namespace

std::pair<const uint8_t*, size_t> zip_member_bytes(const uint8_t* data, size_t size, const ZipEntry& entry,
                                                   std::vector<uint8_t>& scratch, const ErrorContext& ctx) {
  const std::string& name = entry.name;
  const uint64_t off = entry.local_header_offset;
  ctx.check(off <= size && size - off >= kLocalSize && load_le32(data + off) == kLocalSig, "member '", name,
            "': no local header at offset ", off);
  const uint8_t* l = data + off;
  const uint64_t name_len = load_le16(l + 26), extra_len = load_le16(l + 28);
  const uint64_t start = off + kLocalSize + name_len + extra_len;
  ctx.check(start <= size, "member '", name, "': local header runs past the end of the archive");
  ctx.check(name_len == name.size() && std::memcmp(l + kLocalSize, name.data(), name.size()) == 0, "member '", name,
            "': local header names a different file");
  ctx.check((entry.flags & 1) == 0, "member '", name, "' is encrypted");
  ctx.check(entry.compressed_size <= size - start, "member '", name, "': ", entry.compressed_size,
            " bytes of data at offset ", start, " exceed the archive of ", size, " bytes");
  const uint8_t* payload = data + start;

  const uint8_t* bytes = nullptr;
  if (entry.method == 0) {
    ctx.check(entry.compressed_size == entry.uncompressed_size, "member '", name, "': stored with compressed size ",
              entry.compressed_size, " != uncompressed size ", entry.uncompressed_size);
    bytes = payload;
  } else if (entry.method == 8) {
    ctx.check(entry.uncompressed_size <= entry.compressed_size * kMaxDeflateRatio + 1024, "member '", name,
              "': declared size of ", entry.uncompressed_size, " bytes is impossible for ", entry.compressed_size,
              " bytes of deflate data");
    scratch.assign(static_cast<size_t>(entry.uncompressed_size), 0);
    inflate_exact(payload, entry.compressed_size, scratch.data(), entry.uncompressed_size, name, ctx);
    bytes = scratch.data();
  } else {
    ctx.fail("member '", name, "': unsupported compression method ", entry.method, " (supported: 0 stored, 8 deflate)");
  }
  const uint32_t crc = crc32_of({{bytes, static_cast<size_t>(entry.uncompressed_size)}});
  ctx.check(crc == entry.crc32, "member '", name, "': CRC-32 mismatch (stored ", entry.crc32, ", computed ", crc,
            ")");
  return {bytes, static_cast<size_t>(entry.uncompressed_size)};
}

uint32_t crc32_of(const std::vector<std::pair<const void*, size_t>>& pieces) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (const auto& [ptr, n] : pieces) {
    const auto* p = static_cast<const Bytef*>(ptr);
    size_t left = n;
    while (left > 0) {
      const uInt chunk = static_cast<uInt>(std::min<size_t>(left, size_t{1} << 30));
      crc = crc32(crc, p, chunk);
      p += chunk;
      left -= chunk;
    }
  }
  return static_cast<uint32_t>(crc);
}

void write_zip(ByteSink& sink, const std::vector<ZipMemberPieces>& members, bool force_zip64) {
  struct Written {
    uint64_t offset, size;
    uint32_t crc;
  };
  auto utf8_flag = [](const std::string& name) -> uint16_t {
    for (unsigned char c : name)
      if (c >= 0x80) return 1 << 11;  // general purpose bit 11: the name is UTF-8
    return 0;
  };
  std::vector<Written> written;
  for (const ZipMemberPieces& m : members) {
    NABLA_CHECK(m.name.size() <= 0xFFFF, "npz: member name of ", m.name.size(), " bytes is too long");
    uint64_t size = 0;
    for (const auto& piece : m.pieces) size += piece.second;
    const Written w{sink.position(), size, crc32_of(m.pieces)};
    const bool zip64 = force_zip64 || size >= kMax32;
    std::string h;
    store_le32(h, kLocalSig);
    store_le16(h, zip64 ? 45 : 20);  // version needed: 4.5 for ZIP64, else 2.0
    store_le16(h, utf8_flag(m.name));
    store_le16(h, 0);  // stored
    store_le16(h, 0);  // time 00:00
    store_le16(h, kDosDate1980);
    store_le32(h, w.crc);
    store_le32(h, zip64 ? kMax32 : static_cast<uint32_t>(size));
    store_le32(h, zip64 ? kMax32 : static_cast<uint32_t>(size));
    store_le16(h, static_cast<uint16_t>(m.name.size()));
    store_le16(h, zip64 ? 20 : 0);
    h += m.name;
    if (zip64) {
      store_le16(h, kZip64ExtraId);
      store_le16(h, 16);
      store_le64(h, size);
      store_le64(h, size);
    }
    sink.write(h);
    for (const auto& [ptr, n] : m.pieces) sink.write(ptr, n);
    written.push_back(w);
  }

  const uint64_t cd_offset = sink.position();
  for (size_t i = 0; i < members.size(); ++i) {
    const Written& w = written[i];
    const bool big_size = force_zip64 || w.size >= kMax32;
    const bool big_offset = force_zip64 || w.offset >= kMax32;
    std::string extra;
    if (big_size || big_offset) {
      std::string fields;
      if (big_size) {
        store_le64(fields, w.size);
        store_le64(fields, w.size);
      }
      if (big_offset) store_le64(fields, w.offset);
      store_le16(extra, kZip64ExtraId);
      store_le16(extra, static_cast<uint16_t>(fields.size()));
      extra += fields;
    }
    const uint16_t version = (big_size || big_offset) ? 45 : 20;
    std::string c;
    store_le32(c, kCentralSig);
    store_le16(c, static_cast<uint16_t>((3 << 8) | version));  // made by: Unix
    store_le16(c, version);
    store_le16(c, utf8_flag(members[i].name));
    store_le16(c, 0);
    store_le16(c, 0);
    store_le16(c, kDosDate1980);
    store_le32(c, w.crc);
    store_le32(c, big_size ? kMax32 : static_cast<uint32_t>(w.size));
    store_le32(c, big_size ? kMax32 : static_cast<uint32_t>(w.size));
    store_le16(c, static_cast<uint16_t>(members[i].name.size()));
    store_le16(c, static_cast<uint16_t>(extra.size()));
    store_le16(c, 0);                   // comment length
    store_le16(c, 0);                   // disk number
    store_le16(c, 0);                   // internal attributes
    store_le32(c, 0100644u << 16);      // external attributes: regular file, rw-r--r--
    store_le32(c, big_offset ? kMax32 : static_cast<uint32_t>(w.offset));
    c += members[i].name;
    c += extra;
    sink.write(c);
  }
  const uint64_t cd_size = sink.position() - cd_offset;
  const uint64_t count = members.size();

  std::string e;
  if (force_zip64 || count >= 0xFFFF || cd_offset >= kMax32 || cd_size >= kMax32) {
    const uint64_t end64 = sink.position();
    store_le32(e, kEnd64Sig);
    store_le64(e, kEnd64Size - 12);  // size of the rest of the record
    store_le16(e, (3 << 8) | 45);
    store_le16(e, 45);
    store_le32(e, 0);
    store_le32(e, 0);
    store_le64(e, count);
    store_le64(e, count);
    store_le64(e, cd_size);
    store_le64(e, cd_offset);
    store_le32(e, kLocator64Sig);
    store_le32(e, 0);
    store_le64(e, end64);
    store_le32(e, 1);
  }
  store_le32(e, kEndSig);
  store_le16(e, 0);
  store_le16(e, 0);
  store_le16(e, static_cast<uint16_t>(std::min<uint64_t>(count, 0xFFFF)));
  store_le16(e, static_cast<uint16_t>(std::min<uint64_t>(count, 0xFFFF)));
  store_le32(e, static_cast<uint32_t>(std::min<uint64_t>(cd_size, kMax32)));
  store_le32(e, static_cast<uint32_t>(std::min<uint64_t>(cd_offset, kMax32)));
  store_le16(e, 0);
  sink.write(e);
}

}  // namespace nabla::io::detail
