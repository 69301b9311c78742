// File helpers over stdio and POSIX. AtomicFile is how every output of distill
// (blobs, index.json, archives, cache entries) reaches its final name.
#include "base/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace base {

std::string ErrnoText() {
  std::string s = strerror(errno);
  if (!s.empty()) s[0] = static_cast<char>(tolower(static_cast<unsigned char>(s[0])));
  return s;
}

Result<UniqueFile> OpenRead(const std::string& path) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) return Fail("'{}': {}", path, ErrnoText());
  return UniqueFile(f);
}

Result<std::string> ReadFile(const std::string& path) {
  Result<UniqueFile> f = OpenRead(path);
  if (!f) return Fail(f.error());
  std::string out;
  char buf[65536];
  for (;;) {
    size_t n = fread(buf, 1, sizeof buf, f->get());
    out.append(buf, n);
    if (n < sizeof buf) {
      if (ferror(f->get())) return Fail("reading '{}': {}", path, ErrnoText());
      break;
    }
  }
  return out;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<void> MakeDirs(const std::string& path) {
  if (path.empty() || IsDirectory(path)) return {};
  std::string parent = DirName(path);
  if (parent != path && parent != "." && parent != "/") DISTILL_TRY(MakeDirs(parent));
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
    return Fail("creating directory '{}': {}", path, ErrnoText());
  return {};
}

Result<AtomicFile> AtomicFile::Create(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  std::string tmp = path + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Fail("creating '{}': {}", path, ErrnoText());
  FILE* f = fdopen(fd, "wb");
  if (!f) {
    close(fd);
    unlink(tmp.c_str());
    return Fail("creating '{}': {}", path, ErrnoText());
  }
  return AtomicFile(path, tmp, UniqueFile(f));
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), tmp_(std::move(other.tmp_)), file_(std::move(other.file_)) {
  other.tmp_.clear();
}

AtomicFile::~AtomicFile() {
  if (!tmp_.empty()) {
    file_.reset();
    unlink(tmp_.c_str());
  }
}

Result<void> AtomicFile::Write(std::string_view bytes) {
  if (fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size())
    return Fail("writing '{}': {}", path_, ErrnoText());
  return {};
}

Result<void> AtomicFile::Commit() {
  if (fflush(file_.get()) != 0 || fsync(fileno(file_.get())) != 0)
    return Fail("writing '{}': {}", path_, ErrnoText());
  if (fclose(file_.release()) != 0) return Fail("writing '{}': {}", path_, ErrnoText());
  if (rename(tmp_.c_str(), path_.c_str()) != 0) {
    Error e("renaming into '{}': {}", path_, ErrnoText());
    unlink(tmp_.c_str());
    tmp_.clear();
    return Fail(e);
  }
  tmp_.clear();
  return {};
}

Result<void> WriteFileAtomic(const std::string& path, std::string_view bytes) {
  Result<AtomicFile> f = AtomicFile::Create(path);
  if (!f) return Fail(f.error());
  DISTILL_TRY(f->Write(bytes));
  return f->Commit();
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty() || (!b.empty() && b[0] == '/')) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

UniqueFd::~UniqueFd() {
  if (fd >= 0) close(fd);
}

}  // namespace base
