#pragma once
// TensorBoard event files: a log of Event protocol-buffer messages in TFRecord framing
//   uint64 length (LE) | uint32 masked CRC-32C of the length | data | uint32 masked CRC-32C of data
// with the masked CRC ((crc >> 15) | (crc << 17)) + 0xa282ead8. The messages are encoded by hand
// (no protobuf dependency): Event{wall_time=1, step=2, file_version=3, summary=5},
// Summary{value=1}, Summary.Value{tag=1, simple_value=2, image=4, histo=5},
// Summary.Image{height=1, width=2, colorspace=3, encoded_image_string=4},
// HistogramProto{min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7}.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "nabla/tensor.h"

namespace nabla::train {

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `size` bytes.
uint32_t crc32c(const void* data, size_t size);
/// TFRecord's masked form of a CRC-32C.
uint32_t masked_crc32c(const void* data, size_t size);

/// One record of a TFRecord file framed as above, ready to append.
std::string tfrecord_frame(const std::string& payload);

/// Reads every record of a TFRecord file's bytes, checking both CRCs of each; a bad length, a
/// CRC mismatch or a truncated record raises Error naming `source` and the byte offset.
std::vector<std::string> read_tfrecords(const std::string& bytes, const std::string& source = "<memory>");

/// Writes scalars, images and histograms for TensorBoard into
/// `<log_dir>/events.out.tfevents.<seconds>.<host>` (like torch.utils.tensorboard.SummaryWriter).
/// Every event is flushed at once. Example:
///   train::SummaryWriter tb("runs/a");
///   tb.add_scalar("loss/train", 0.41, step);
class SummaryWriter {
 public:
  explicit SummaryWriter(const std::string& log_dir);
  ~SummaryWriter();
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;

  /// One scalar value (stored as float32, as TensorBoard does).
  void add_scalar(const std::string& tag, double value, int64_t step);
  /// An already encoded PNG image of the given size; channels 1 (gray), 3 (RGB) or 4 (RGBA).
  void add_image_png(const std::string& tag, const std::vector<uint8_t>& png, int64_t height, int64_t width,
                     int64_t channels, int64_t step);
  /// A histogram of the tensor's values in `bins` equal-width buckets between its min and max.
  void add_histogram(const std::string& tag, const Tensor& values, int64_t step, int64_t bins = 30);
  /// Path of the event file.
  const std::string& path() const { return path_; }

 private:
  void write_event(const std::string& event);
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace nabla::train
