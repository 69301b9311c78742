// Files: reading, atomic writing (temp file + rename in the same directory, so
// a reader never sees half a file and a killed build leaves only a temp file
// that no one names), and directory creation.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"

namespace base {

struct FileCloser {
  void operator()(FILE* f) const {
    if (f) fclose(f);
  }
};
using UniqueFile = std::unique_ptr<FILE, FileCloser>;

// strerror(errno), lowercase as our messages are.
std::string ErrnoText();

Result<UniqueFile> OpenRead(const std::string& path);
Result<std::string> ReadFile(const std::string& path);
// Creates `path` and its missing parents (mode 0755).
Result<void> MakeDirs(const std::string& path);
bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);

// A file being written under a temporary name beside its final path. Commit()
// flushes, fsyncs and renames it into place; destroying it uncommitted removes
// the temporary file.
class AtomicFile {
 public:
  // Opens "<path>.tmp-<pid>-<n>" for writing; the directory must exist.
  static Result<AtomicFile> Create(const std::string& path);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile();

  Result<void> Write(std::string_view bytes);
  FILE* file() { return file_.get(); }
  const std::string& path() const { return path_; }
  Result<void> Commit();

 private:
  AtomicFile(std::string path, std::string tmp, UniqueFile file)
      : path_(std::move(path)), tmp_(std::move(tmp)), file_(std::move(file)) {}
  std::string path_;
  std::string tmp_;
  UniqueFile file_;
};

// Writes `bytes` to `path` atomically.
Result<void> WriteFileAtomic(const std::string& path, std::string_view bytes);

// The directory part of `path` ("." when there is none).
std::string DirName(const std::string& path);
std::string JoinPath(const std::string& a, const std::string& b);

// Closes a file descriptor on scope exit (-1: none).
struct UniqueFd {
  int fd = -1;
  explicit UniqueFd(int f) : fd(f) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
};

}  // namespace base
