#include "nabla/train/summary_writer.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "nabla/error.h"
#include "nabla/ops.h"

namespace nabla::train {

namespace {

std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}

// ---- protobuf wire format: tag = (field << 3) | wire type; 0 varint, 1 fixed64, 2 bytes, 5 fixed32.
void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
void put_key(std::string& out, int field, int wire) { put_varint(out, (uint64_t(field) << 3) | uint64_t(wire)); }
void put_bytes(std::string& out, int field, const std::string& bytes) {
  put_key(out, field, 2);
  put_varint(out, bytes.size());
  out += bytes;
}
void put_double(std::string& out, int field, double v) {
  put_key(out, field, 1);
  char b[8];
  std::memcpy(b, &v, 8);
  out.append(b, 8);
}
void put_float(std::string& out, int field, float v) {
  put_key(out, field, 5);
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}
void put_int(std::string& out, int field, int64_t v) {
  put_key(out, field, 0);
  put_varint(out, static_cast<uint64_t>(v));
}
std::string packed_doubles(const std::vector<double>& v) {
  std::string out(v.size() * 8, '\0');
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// An Event holding one Summary with one Value.
std::string summary_event(const std::string& value, int64_t step) {
  std::string summary, event;
  put_bytes(summary, 1, value);
  put_double(event, 1, now_seconds());
  put_int(event, 2, step);
  put_bytes(event, 5, summary);
  return event;
}

uint32_t load_u32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

uint32_t crc32c(const void* data, size_t size) {
  static const std::array<uint32_t, 256> table = make_crc32c_table();
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(const void* data, size_t size) {
  const uint32_t c = crc32c(data, size);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

std::string tfrecord_frame(const std::string& payload) {
  std::string out;
  const uint64_t len = payload.size();
  char len_bytes[8];
  std::memcpy(len_bytes, &len, 8);  // little-endian host (as nabla::io assumes)
  out.append(len_bytes, 8);
  const uint32_t len_crc = masked_crc32c(len_bytes, 8), data_crc = masked_crc32c(payload.data(), payload.size());
  out.append(reinterpret_cast<const char*>(&len_crc), 4);
  out += payload;
  out.append(reinterpret_cast<const char*>(&data_crc), 4);
  return out;
}

std::vector<std::string> read_tfrecords(const std::string& bytes, const std::string& source) {
  std::vector<std::string> records;
  size_t pos = 0;
  while (pos < bytes.size()) {
    NABLA_CHECK(bytes.size() - pos >= 12, source, ": truncated TFRecord header at offset ", pos);
    uint64_t len;
    std::memcpy(&len, bytes.data() + pos, 8);
    NABLA_CHECK(load_u32(bytes.data() + pos + 8) == masked_crc32c(bytes.data() + pos, 8), source,
                ": TFRecord length CRC mismatch at offset ", pos);
    NABLA_CHECK(len <= bytes.size() - pos - 12 && bytes.size() - pos - 12 - len >= 4, source,
                ": truncated TFRecord at offset ", pos, " (length ", len, ", ", bytes.size() - pos - 12,
                " bytes left)");
    const char* data = bytes.data() + pos + 12;
    NABLA_CHECK(load_u32(data + len) == masked_crc32c(data, len), source, ": TFRecord data CRC mismatch at offset ",
                pos);
    records.emplace_back(data, len);
    pos += 12 + len + 4;
  }
  return records;
}

SummaryWriter::SummaryWriter(const std::string& log_dir) {
  std::error_code ec;
  std::filesystem::create_directories(log_dir, ec);
  NABLA_CHECK(!ec, "train::SummaryWriter: cannot create directory '", log_dir, "': ", ec.message());
  char host[256] = "localhost";
  gethostname(host, sizeof host - 1);
  path_ = log_dir + "/events.out.tfevents." + std::to_string(static_cast<int64_t>(now_seconds())) + "." + host;
  file_ = std::fopen(path_.c_str(), "wb");
  NABLA_CHECK(file_ != nullptr, "train::SummaryWriter: cannot open '", path_, "' for writing: ", std::strerror(errno));
  std::string event;
  put_double(event, 1, now_seconds());
  put_bytes(event, 3, "brain.Event:2");
  write_event(event);
}

SummaryWriter::~SummaryWriter() {
  if (file_) std::fclose(file_);
}

void SummaryWriter::write_event(const std::string& event) {
  const std::string record = tfrecord_frame(event);
  NABLA_CHECK(std::fwrite(record.data(), 1, record.size(), file_) == record.size() && std::fflush(file_) == 0,
              "train::SummaryWriter: write to '", path_, "' failed: ", std::strerror(errno));
}

void SummaryWriter::add_scalar(const std::string& tag, double value, int64_t step) {
  std::string v;
  put_bytes(v, 1, tag);
  put_float(v, 2, static_cast<float>(value));
  write_event(summary_event(v, step));
}

void SummaryWriter::add_image_png(const std::string& tag, const std::vector<uint8_t>& png, int64_t height,
                                  int64_t width, int64_t channels, int64_t step) {
  NABLA_CHECK(channels == 1 || channels == 3 || channels == 4, "train::SummaryWriter::add_image_png: channels must be 1, 3 or 4, got ", channels);
  std::string image, v;
  put_int(image, 1, height);
  put_int(image, 2, width);
  put_int(image, 3, channels);
  put_bytes(image, 4, std::string(png.begin(), png.end()));
  put_bytes(v, 1, tag);
  put_bytes(v, 4, image);
  write_event(summary_event(v, step));
}

void SummaryWriter::add_histogram(const std::string& tag, const Tensor& values, int64_t step, int64_t bins) {
  NABLA_CHECK(bins > 0, "train::SummaryWriter::add_histogram: bins must be positive, got ", bins);
  NABLA_CHECK(values.numel() > 0, "train::SummaryWriter::add_histogram: '", tag, "' has no values");
  const Tensor flat = values.detach().to(DType::Float64).contiguous().reshape({-1});
  const double* p = flat.data_ptr<double>();
  const int64_t n = flat.numel();
  double lo = p[0], hi = p[0], sum = 0, sum_sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    lo = std::min(lo, p[i]);
    hi = std::max(hi, p[i]);
    sum += p[i];
    sum_sq += p[i] * p[i];
  }
  NABLA_CHECK(std::isfinite(lo) && std::isfinite(hi), "train::SummaryWriter::add_histogram: '", tag,
              "' holds NaN or infinite values");
  std::vector<double> limits(bins), counts(bins, 0.0);
  const double width = hi > lo ? (hi - lo) / bins : 1.0;
  for (int64_t b = 0; b < bins; ++b) limits[b] = lo + width * (b + 1);
  limits.back() = std::max(hi, limits.back());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t b = std::min<int64_t>(bins - 1, static_cast<int64_t>((p[i] - lo) / width));
    counts[b] += 1;
  }
  std::string histo, v;
  put_double(histo, 1, lo);
  put_double(histo, 2, hi);
  put_double(histo, 3, static_cast<double>(n));
  put_double(histo, 4, sum);
  put_double(histo, 5, sum_sq);
  put_bytes(histo, 6, packed_doubles(limits));
  put_bytes(histo, 7, packed_doubles(counts));
  put_bytes(v, 1, tag);
  put_bytes(v, 5, histo);
  write_event(summary_event(v, step));
}

}  // namespace nabla::train
