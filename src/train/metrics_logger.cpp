#include "nabla/train/metrics_logger.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "nabla/error.h"
#include "nabla/viz.h"

namespace nabla::train {

std::string format_metric(double value, bool json) {
  if (std::isnan(value)) return json ? "null" : "NaN";
  if (std::isinf(value)) return json ? "null" : (value > 0 ? "Infinity" : "-Infinity");
  char buf[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(value));
  } else {
    std::snprintf(buf, sizeof buf, "%.8g", value);
  }
  return buf;
}

MetricsLogger::MetricsLogger(std::string dir, std::vector<std::string> columns)
    : dir_(std::move(dir)), columns_(std::move(columns)) {
  NABLA_CHECK(!columns_.empty(), "train::MetricsLogger: needs at least one column");
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  NABLA_CHECK(!ec, "train::MetricsLogger: cannot create directory '", dir_, "': ", ec.message());
}

void MetricsLogger::add_columns(const std::vector<std::string>& names) {
  for (const auto& name : names)
    if (std::find(columns_.begin(), columns_.end(), name) == columns_.end()) columns_.push_back(name);
}

void MetricsLogger::log(const MetricRecord& record) {
  for (const auto& [key, value] : record) {
    bool known = false;
    for (const auto& c : columns_) known = known || c == key;
    if (!known) {
      std::string valid;
      for (const auto& c : columns_) valid += (valid.empty() ? "" : ", ") + c;
      throw Error("train::MetricsLogger::log: unknown metric '" + key + "' (columns: " + valid + ")");
    }
  }
  records_.push_back(record);

  std::string jsonl, csv;
  for (size_t i = 0; i < columns_.size(); ++i) csv += (i ? "," : "") + columns_[i];
  csv += "\n";
  for (const auto& r : records_) {
    std::string line = "{";
    for (size_t i = 0; i < columns_.size(); ++i) {
      auto it = r.find(columns_[i]);
      if (i) csv += ",";
      if (it == r.end()) continue;
      csv += format_metric(it->second, false);
      if (line.size() > 1) line += ", ";
      line += "\"" + columns_[i] + "\": " + format_metric(it->second, true);
    }
    jsonl += line + "}\n";
    csv += "\n";
  }
  viz::write_text_atomic(jsonl_path(), jsonl);
  viz::write_text_atomic(csv_path(), csv);
}

}  // namespace nabla::train
