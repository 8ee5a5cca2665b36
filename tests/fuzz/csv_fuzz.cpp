// libFuzzer harness for the CSV dataset reader: any input either parses into a consistent
// dataset or raises nabla::Error; a parse with a header has one row less than without one.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_check.h"
#include "nabla/data/readers.h"

namespace {

// The input written to a per-process temporary file (the reader takes a path).
std::string write_input(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/nabla_csv_fuzz_" + std::to_string(getpid()) + ".csv";
  FILE* f = std::fopen(path.c_str(), "wb");
  nabla::fuzz::require(f != nullptr, "csv: cannot write the temporary file");
  if (size > 0) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

// The dataset's row count, or -1 when the reader rejected the input.
int64_t parse(const std::string& path, bool header, int64_t* features) {
  using namespace nabla;
  try {
    data::CsvOptions options;
    options.header = header;
    data::CsvDataset ds(path, options);
    const Tensor& x = ds.inputs();
    fuzz::require(x.dim() == 2 && x.size(0) == ds.size(), "csv: inputs are not [rows, features]");
    fuzz::require(ds.targets().dim() == 1 && ds.targets().size(0) == ds.size(), "csv: one target per row");
    fuzz::require(static_cast<int64_t>(ds.feature_names().size()) == x.size(1), "csv: one name per feature");
    *features = x.size(1);
    return ds.size();
  } catch (const Error&) {
    return -1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = write_input(data, size);
  int64_t f_header = -1, f_plain = -1;
  const int64_t with_header = parse(path, true, &f_header);
  const int64_t without_header = parse(path, false, &f_plain);
  if (with_header >= 0 && without_header >= 0) {
    nabla::fuzz::require(without_header == with_header + 1, "csv: the header line is not one row");
    nabla::fuzz::require(f_header == f_plain, "csv: feature counts differ with and without a header");
  }
  return 0;
}
