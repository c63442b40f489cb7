#include "core/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/base/error.h"

namespace minerva {

namespace {

// Splits "a/b/c" into ("a/b", "c"); a bare name lives in ".".
void split_path(const std::string& path, std::string* dir, std::string* base) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) {
    *dir = ".";
    *base = path;
  } else {
    *dir = slash == 0 ? "/" : path.substr(0, slash);
    *base = path.substr(slash + 1);
  }
}

std::atomic<unsigned> g_tmp_counter{0};

}  // namespace

AtomicFile::AtomicFile(const std::string& path) : path_(path) {
  MV_CHECK(!path.empty(), kIO) << "cannot write a file with an empty path";
  std::string dir, base;
  split_path(path, &dir, &base);
  MV_CHECK(!base.empty(), kIO) << "cannot write '" << path << "': the path names a directory";
  struct stat st;
  bool exists = ::stat(path.c_str(), &st) == 0;
  MV_CHECK(!(exists && S_ISDIR(st.st_mode)), kIO) << "cannot write '" << path << "': it is a directory";

  // A hidden sibling, so a crash leaves "<dir>/.<name>.tmp.*" rather than a half-written target.
  // The name is cut so the temporary stays within NAME_MAX even for long target names.
  std::string stem = dir + "/." + base.substr(0, 200) + ".tmp." + std::to_string(::getpid()) + ".";
  int fd = -1, err = 0;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp_path_ = stem + std::to_string(g_tmp_counter.fetch_add(1));
    // 0666 & ~umask, the permissions a plain fopen(path, "w") would give a new file.
    fd = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    err = errno;
    if (fd < 0 && err != EEXIST) break;
  }
  if (fd < 0) {
    tmp_path_.clear();
    MV_THROW(kIO) << "cannot write '" << path << "': cannot create a temporary file in '" << dir
                  << "': " << std::strerror(err);
  }
  // Replacing a file keeps its permissions (best effort: a failure only affects the mode bits).
  if (exists) (void)::fchmod(fd, st.st_mode & 07777);
  file_ = ::fdopen(fd, "wb");
  if (!file_) {
    err = errno;
    ::close(fd);
    fail("cannot open the temporary file", err);
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
  if (file_) std::fclose(file_);
  file_ = nullptr;
  if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
  tmp_path_.clear();
}

void AtomicFile::fail(const std::string& what, int err) {
  discard();
  MV_THROW(kIO) << "cannot write '" << path_ << "': " << what << ": " << (err ? std::strerror(err) : "I/O error")
                << " (the previous file, if any, is unchanged)";
}

void AtomicFile::write(const void* data, size_t size) {
  MV_CHECK(file_ != nullptr, kIO) << "cannot write '" << path_ << "': the file was already committed or failed";
  if (size == 0) return;
  if (std::fwrite(data, 1, size, file_) != size) fail("write failed", errno);
}

void AtomicFile::commit() {
  MV_CHECK(file_ != nullptr, kIO) << "cannot write '" << path_ << "': the file was already committed or failed";
  if (std::fflush(file_) != 0) fail("write failed", errno);
  if (::fsync(::fileno(file_)) != 0) fail("fsync failed", errno);
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) fail("close failed", errno);
  if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) fail("rename over the target failed", errno);
  tmp_path_.clear();
  committed_ = true;
  // Persist the directory entry too. Some filesystems refuse fsync on directories; the data is
  // already in place then, so that is not an error.
  std::string dir, base;
  split_path(path_, &dir, &base);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}

void atomic_write_file(const std::string& path, const void* data, size_t size) {
  AtomicFile f(path);
  f.write(data, size);
  f.commit();
}

}  // namespace minerva
