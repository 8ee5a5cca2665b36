#pragma once
// Helpers for the file-format tests: fixture paths, temporary directories, and the corruption
// sweeps (every truncation, byte flips) that every reader must survive with nabla::Error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "nabla/nabla.h"

namespace nabla::io_test {

/// Path of a committed fixture under tests/fixtures/io (made by tools/make_io_fixtures.py).
inline std::string fixture(const std::string& name) { return std::string(NABLA_SOURCE_DIR) + "/tests/fixtures/io/" + name; }

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot open " << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

/// A fresh directory, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("nabla_io_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Names of the entries in the directory (to check that no temporary file is left behind).
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_)) names.push_back(e.path().filename().string());
    return names;
  }

 private:
  std::filesystem::path path_;
};

/// Runs `f`, expecting nabla::Error whose message contains every one of `parts`.
inline void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "expected nabla::Error containing '" << (parts.empty() ? "" : parts[0]) << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "message: " << msg << "\nmissing: " << p;
  }
}

using Parser = std::function<void(const uint8_t*, size_t)>;

/// Every proper prefix of a valid file must raise nabla::Error (never crash, never succeed).
inline void expect_every_truncation_fails(const std::vector<uint8_t>& bytes, const Parser& parse) {
  for (size_t n = 0; n < bytes.size(); ++n) {
    // Copy into an exact-size buffer so that AddressSanitizer sees any over-read.
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW(parse(cut.data(), cut.size()), Error) << "prefix of " << n << " of " << bytes.size() << " bytes";
  }
}

/// Flipping bytes in [begin, end) may give an error or, rarely, another valid file, but must
/// never crash or throw anything other than nabla::Error. Returns how many variants failed.
inline int corrupt_bytes(const std::vector<uint8_t>& bytes, size_t begin, size_t end, const Parser& parse) {
  int errors = 0;
  const uint8_t masks[] = {0xFF, 0x01, 0x80, 0x20};
  for (size_t i = begin; i < end && i < bytes.size(); ++i) {
    for (uint8_t m : masks) {
      std::vector<uint8_t> bad = bytes;
      bad[i] ^= m;
      try {
        parse(bad.data(), bad.size());
      } catch (const Error&) {
        ++errors;
      } catch (const std::exception& e) {
        ADD_FAILURE() << "byte " << i << " ^ " << int(m) << ": non-nabla exception: " << e.what();
      }
    }
  }
  return errors;
}

/// Elements in logical order as doubles (for comparing with hard-coded values).
inline std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

}  // namespace nabla::io_test
