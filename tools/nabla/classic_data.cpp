// Fashion-MNIST file lookup and output directories for the classic-baseline subcommands.
#include <filesystem>
#include <system_error>

#include "classic_commands.h"
#include "nabla/data/readers.h"
#include "nabla/error.h"

namespace nabla::cli {

std::string fashion_mnist_path(const std::string& dir, const std::string& split, const std::string& kind,
                               const std::string& who) {
  NABLA_CHECK(std::filesystem::is_directory(dir), who, ": Fashion-MNIST directory '", dir,
              "' does not exist (install the Debian package dataset-fashion-mnist, or pass --data)");
  const std::string stem = split + "-" + kind + (kind == "images" ? "-idx3-ubyte" : "-idx1-ubyte");
  return data::find_idx_file(dir, stem, who, "dataset-fashion-mnist");
}

void make_output_dir(const std::string& dir, const std::string& who) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  NABLA_CHECK(!ec && std::filesystem::is_directory(dir), who, ": cannot create the output directory '", dir,
              "'", ec ? ": " + ec.message() : std::string());
}

}  // namespace nabla::cli
