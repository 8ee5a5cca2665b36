#pragma once
// Training metrics as two files in a run directory: metrics.jsonl (one JSON object per line) and
// metrics.csv (a header row, then one row per record; empty cells for absent values).
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nabla::train {

/// One record: metric name → value. Integral metrics (epoch, step) are written without a fraction.
using MetricRecord = std::map<std::string, double>;

/// Writes metrics.jsonl and metrics.csv under `dir` (created when absent). The CSV columns are
/// fixed at construction; a record with a name outside `columns` raises Error listing them.
/// Both files are rewritten atomically after every record, so a reader never sees a torn line.
/// Example:
///   train::MetricsLogger log("runs/a", {"epoch", "step", "train_loss"});
///   log.log({{"epoch", 1}, {"step", 860}, {"train_loss", 0.41}});
class MetricsLogger {
 public:
  MetricsLogger(std::string dir, std::vector<std::string> columns);
  /// Appends a record (keys in column order in both files).
  void log(const MetricRecord& record);
  /// Appends the names not yet among the columns; the next log() rewrites both files with them
  /// (earlier rows get empty cells).
  void add_columns(const std::vector<std::string>& names);
  const std::vector<MetricRecord>& records() const { return records_; }
  const std::vector<std::string>& columns() const { return columns_; }
  std::string jsonl_path() const { return dir_ + "/metrics.jsonl"; }
  std::string csv_path() const { return dir_ + "/metrics.csv"; }

 private:
  std::string dir_;
  std::vector<std::string> columns_;
  std::vector<MetricRecord> records_;
};

/// A metric value as text: integers without a fraction, others with up to 8 significant digits;
/// NaN and infinities as "NaN", "Infinity", "-Infinity" in CSV and null in JSON (json = true).
std::string format_metric(double value, bool json);

}  // namespace nabla::train
