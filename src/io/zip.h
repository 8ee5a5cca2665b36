#pragma once
// A minimal ZIP reader and writer, enough for .npz: stored and deflated members, ZIP64.
// Reference: PKWARE APPNOTE.TXT, sections 4.3 (layout) and 4.5.3 (ZIP64 extra field).
#include <cstdint>
#include <string>
#include <vector>

#include "io/io_util.h"

namespace nabla::io::detail {

/// One member as listed in the central directory.
struct ZipEntry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
};

/// Lists the members of the ZIP image at `data` (reads the end-of-central-directory record,
/// ZIP64 records when present, and the central directory). Fails through `ctx`.
std::vector<ZipEntry> zip_entries(const uint8_t* data, size_t size, const ErrorContext& ctx);

/// The uncompressed bytes of `entry`: a span of `data` for stored members, or inflated into
/// `scratch` for deflated ones. Checks the local header, the sizes and the CRC-32.
std::pair<const uint8_t*, size_t> zip_member_bytes(const uint8_t* data, size_t size, const ZipEntry& entry,
                                                   std::vector<uint8_t>& scratch, const ErrorContext& ctx);

/// A member to write: its name and its contents as consecutive pieces.
struct ZipMemberPieces {
  std::string name;
  std::vector<std::pair<const void*, size_t>> pieces;
};

/// Writes an uncompressed (stored) ZIP archive. ZIP64 records are written when a size, an
/// offset or the member count needs them, or for every member when `force_zip64`.
void write_zip(ByteSink& sink, const std::vector<ZipMemberPieces>& members, bool force_zip64 = false);

/// zlib's CRC-32 of pieces of memory of any size.
uint32_t crc32_of(const std::vector<std::pair<const void*, size_t>>& pieces);

}  // namespace nabla::io::detail
