#include "nabla/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "nabla/error.h"

namespace nabla::io {
namespace {

[[noreturn]] void throw_errno(const std::string& path, const std::string& what, int error_number) {
  throw IOError(path + ": " + what + ": " + std::strerror(error_number));
}

// The directory a path lives in, for the temporary file and the directory fsync.
std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Closes a descriptor and, unless released, removes the temporary file it was writing: any throw
// between mkstemp and rename must leave no stray ".tmp" files behind.
class TempFileGuard {
 public:
  TempFileGuard(int fd, std::string temp_path) : fd_(fd), temp_path_(std::move(temp_path)) {}
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  ~TempFileGuard() {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(temp_path_.c_str());
  }
  int fd() const { return fd_; }
  // Closes now, so that the error of close (which can report a failed delayed write) is seen.
  int close_now() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }
  void release() { released_ = true; }

 private:
  int fd_;
  std::string temp_path_;
  bool released_ = false;
};

void write_all(int fd, std::string_view bytes, const std::string& temp_path) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(temp_path, "write failed after " + std::to_string(written) + " of " +
                                 std::to_string(bytes.size()) + " bytes",
                  errno);
    }
    written += static_cast<size_t>(n);
  }
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view bytes) {
  if (path.empty()) throw IOError("write_file_atomic: empty path");
  const std::string directory = directory_of(path);

  std::string temp_template = path + ".tmp.XXXXXX";
  std::vector<char> temp_name(temp_template.begin(), temp_template.end());
  temp_name.push_back('\0');
  const int fd = ::mkstemp(temp_name.data());
  if (fd < 0) throw_errno(path, "cannot create a temporary file in '" + directory + "'", errno);
  const std::string temp_path(temp_name.data());
  TempFileGuard guard(fd, temp_path);

  // mkstemp creates the file 0600; a checkpoint should be as readable as any other file the user
  // writes, and replacing a file should not silently change who may read it.
  struct stat existing {};
  const mode_t mode = ::stat(path.c_str(), &existing) == 0 ? (existing.st_mode & 07777) : 0644;
  if (::fchmod(guard.fd(), mode) != 0) throw_errno(temp_path, "fchmod failed", errno);

  write_all(guard.fd(), bytes, temp_path);
  if (::fsync(guard.fd()) != 0) throw_errno(temp_path, "fsync failed", errno);
  if (guard.close_now() != 0) throw_errno(temp_path, "close failed", errno);
  if (::rename(temp_path.c_str(), path.c_str()) != 0) {
    throw_errno(path, "cannot rename '" + temp_path + "' over it", errno);
  }
  guard.release();

  // Without this the rename may still be only in the page cache: after a crash the directory could
  // point at the old file (or, on some file systems, at neither).
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) throw_errno(path, "cannot open directory '" + directory + "' to fsync", errno);
  const int sync_result = ::fsync(dir_fd);
  const int sync_errno = errno;
  ::close(dir_fd);
  if (sync_result != 0) throw_errno(path, "fsync of directory '" + directory + "' failed", sync_errno);
}

std::string read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno(path, "cannot open for reading", errno);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  struct stat info {};
  if (::fstat(fd, &info) != 0) throw_errno(path, "cannot stat", errno);
  if (S_ISDIR(info.st_mode)) throw IOError(path + ": is a directory, not a file");

  std::string contents;
  // The size is a hint only: the file may change while we read, and pipes report 0.
  if (S_ISREG(info.st_mode) && info.st_size > 0) contents.reserve(static_cast<size_t>(info.st_size));
  char chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(path, "read failed at byte " + std::to_string(contents.size()), errno);
    }
    if (n == 0) break;
    contents.append(chunk, static_cast<size_t>(n));
  }
  return contents;
}

}  // namespace nabla::io
