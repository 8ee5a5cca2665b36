// Whole-file reads and atomic file writes for nabla::io.
#include "io/io_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "nabla/autograd.h"

namespace nabla::io::detail {

uint64_t checked_nbytes(const std::vector<uint64_t>& dims, uint64_t elem_size, const ErrorContext& ctx) {
  // Bound the product of max(d, 1) too, not just the element count: an empty shape such as
  // (0, 2^40, 2^40) has no elements, but its row-major strides would still overflow int64.
  uint64_t numel = 1, extent = 1;
  for (uint64_t d : dims) {
    ctx.check(d <= kMaxElements, "shape ", dims, " has a dimension of absurd size ", d);
    ctx.check(checked_mul(extent, d > 0 ? d : 1, &extent) && extent <= kMaxElements, "shape ", dims,
              " has too many elements");
    numel *= d;  // numel <= extent: cannot overflow
  }
  return numel * elem_size;  // cannot overflow: numel <= 2^56 and elem_size <= 8
}

std::vector<uint8_t> read_file(const std::string& path, const char* fmt) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(str_cat(fmt, ": cannot open '", path, "': ", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    ::close(fd);
    throw Error(str_cat(fmt, ": cannot read '", path, "': ",
                        S_ISDIR(st.st_mode) ? "is a directory" : std::strerror(err)));
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : 0;
      ::close(fd);
      throw Error(str_cat(fmt, ": error reading '", path, "': ",
                          err ? std::strerror(err) : "file shrank while being read"));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return bytes;
}

Tensor contiguous_data(const Tensor& t) {
  NABLA_CHECK(t.defined(), "save: cannot write an undefined tensor");
  autograd::NoGradGuard no_grad;
  return t.detach().contiguous();
}

void VectorSink::write(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  bytes_.insert(bytes_.end(), p, p + size);
  position_ += size;
}

namespace {
constexpr size_t kBufferSize = size_t{1} << 20;
}

AtomicFileSink::AtomicFileSink(std::string path, const char* fmt)
    : path_(std::move(path)), tmp_path_(path_ + ".tmp." + std::to_string(::getpid())), fmt_(fmt) {
  fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw Error(str_cat(fmt_, ": cannot write '", path_, "' (creating '", tmp_path_, "'): ", std::strerror(errno)));
  buffer_.reserve(kBufferSize);
}

AtomicFileSink::~AtomicFileSink() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_path_.c_str());
}

void AtomicFileSink::fail_errno(const char* what) {
  const int err = errno;
  throw Error(str_cat(fmt_, ": cannot write '", path_, "' (", what, " '", tmp_path_, "'): ", std::strerror(err)));
}

void AtomicFileSink::write_fd(const uint8_t* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("writing");
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFileSink::flush_buffer() {
  write_fd(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void AtomicFileSink::write(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  position_ += size;
  if (buffer_.size() + size <= kBufferSize) {
    buffer_.insert(buffer_.end(), p, p + size);
    return;
  }
  flush_buffer();
  if (size >= kBufferSize) {
    write_fd(p, size);  // large tensor data goes straight to the file
  } else {
    buffer_.insert(buffer_.end(), p, p + size);
  }
}

void AtomicFileSink::commit() {
  flush_buffer();
  if (::fsync(fd_) != 0) fail_errno("syncing");
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail_errno("closing");
  if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) fail_errno("renaming");
  committed_ = true;
  // Make the rename itself durable: sync the directory that holds the file (best effort).
  const size_t slash = path_.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace nabla::io::detail
