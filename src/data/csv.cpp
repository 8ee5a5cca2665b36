// CSV files of numeric columns with one label column.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "nabla/data/readers.h"
#include "nabla/error.h"

namespace nabla::data {

namespace {
std::vector<std::string> split_line(const std::string& line, char delimiter) {
  std::vector<std::string> cells;
  size_t start = 0;
  for (;;) {
    const size_t pos = line.find(delimiter, start);
    cells.push_back(line.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  for (auto& c : cells) {  // trim spaces and a trailing CR
    const size_t b = c.find_first_not_of(" \t\r"), e = c.find_last_not_of(" \t\r");
    c = b == std::string::npos ? std::string() : c.substr(b, e - b + 1);
  }
  return cells;
}

double parse_cell(const std::string& cell, const std::string& path, int64_t line, size_t column) {
  const char* begin = cell.c_str();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(begin, &end);
  NABLA_CHECK(!cell.empty() && end == begin + cell.size() && errno != ERANGE, "CsvDataset: ", path, ":", line,
              ": column ", column + 1, ": cannot parse '", cell, "' as a number");
  return v;
}
}  // namespace

CsvDataset::CsvDataset(const std::string& path, CsvOptions options) {
  std::ifstream in(path);
  NABLA_CHECK(in.good(), "CsvDataset: ", path, ": cannot open the file");
  std::string line;
  int64_t line_no = 0, columns = -1, label_col = -1;
  std::vector<std::string> names;
  std::vector<float> features;
  std::vector<double> labels;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::vector<std::string> cells = split_line(line, options.delimiter);
    if (columns < 0) {
      columns = static_cast<int64_t>(cells.size());
      NABLA_CHECK(columns >= 1, "CsvDataset: ", path, ": no columns");
      if (options.header) names = cells;
      else
        for (int64_t c = 0; c < columns; ++c) names.push_back(std::to_string(c));
      if (!options.label_column.empty()) {
        NABLA_CHECK(options.header, "CsvDataset: ", path, ": label_column '", options.label_column,
                    "' needs a header line");
        auto it = std::find(names.begin(), names.end(), options.label_column);
        NABLA_CHECK(it != names.end(), "CsvDataset: ", path, ": no column named '", options.label_column,
                    "' in the header ", names);
        label_col = it - names.begin();
      } else {
        label_col = options.label_index < 0 ? columns + options.label_index : options.label_index;
        NABLA_CHECK(label_col >= 0 && label_col < columns, "CsvDataset: ", path, ": label_index ", options.label_index,
                    " is out of range for ", columns, " columns");
      }
      for (int64_t c = 0; c < columns; ++c)
        if (c != label_col) feature_names_.push_back(names[c]);
      if (options.header) continue;
    }
    NABLA_CHECK(static_cast<int64_t>(cells.size()) == columns, "CsvDataset: ", path, ":", line_no, ": expected ",
                columns, " columns, got ", cells.size());
    for (int64_t c = 0; c < columns; ++c) {
      const double v = parse_cell(cells[c], path, line_no, static_cast<size_t>(c));
      if (c == label_col) {
        // Integer labels must be exact in a double (|v| <= 2^53) before the conversion to int64.
        NABLA_CHECK(options.target_dtype != DType::Int64 ||
                        (std::isfinite(v) && v == std::floor(v) && std::fabs(v) <= 9007199254740992.0),
                    "CsvDataset: ", path, ":", line_no, ": column ", c + 1, ": label '", cells[c],
                    "' is not an integer class index");
        labels.push_back(v);
      } else {
        features.push_back(static_cast<float>(v));
      }
    }
  }
  NABLA_CHECK(!labels.empty(), "CsvDataset: ", path, ": no data rows");
  const int64_t n = static_cast<int64_t>(labels.size());
  Tensor targets = from_vector(labels, Shape{n}).to(options.target_dtype);
  set_tensors(from_vector(features, Shape{n, columns - 1}), targets);
}

}  // namespace nabla::data
