// Atomic file replacement, for every file Minerva writes (parameters, checkpoints, symbols).
// Note [Atomic file replacement]: readers, and a crash at any moment, see either the old file or
// the complete new one, never a prefix. The bytes go to a temporary file in the target's own
// directory (same filesystem, so rename(2) is atomic), which is flushed, fsync'ed and renamed over
// the target; then the directory is fsync'ed so the rename itself survives a power loss. On any
// failure, or when an AtomicFile is destroyed without commit(), the temporary is removed and the
// old file is left untouched.
#pragma once
#include <cstddef>
#include <cstdio>
#include <string>

namespace minerva {

class AtomicFile {
 public:
  // Creates the temporary file. Throws Error(kIO) naming the path when it cannot (missing or
  // unwritable directory, target is a directory).
  explicit AtomicFile(const std::string& path);
  ~AtomicFile();  // discards the temporary unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);  // buffered; throws kIO
  void commit();  // flush + fsync + rename over the target; throws kIO (and discards) on failure
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& what, int err);  // discards, then throws kIO
  void discard() noexcept;

  std::string path_;
  std::string tmp_path_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

// Writes the whole file at once, atomically (see Note [Atomic file replacement]).
void atomic_write_file(const std::string& path, const void* data, size_t size);
inline void atomic_write_file(const std::string& path, const std::string& bytes) {
  atomic_write_file(path, bytes.data(), bytes.size());
}

}  // namespace minerva
