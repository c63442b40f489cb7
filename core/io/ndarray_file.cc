// See Note [NDArray file layout] in ndarray_file.h.
#include "core/io/ndarray_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "core/base/utf8.h"
#include "core/io/atomic_file.h"

namespace minerva {

// The format is little-endian and records are copied as raw bytes.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the NDArray file code assumes a little-endian host");

namespace {

constexpr uint64_t kListMagic = 0x112;
constexpr uint32_t kV1Magic = 0xF993FAC8;  // int64 dims, no storage type
constexpr uint32_t kV2Magic = 0xF993FAC9;  // + storage type
constexpr uint32_t kV3Magic = 0xF993FACA;  // + numpy shape semantics (0-d, -1 = unknown)
constexpr int32_t kUndefinedStorage = -1, kDefaultStorage = 0, kRowSparseStorage = 1, kCSRStorage = 2;
constexpr int64_t kMaxNDim = 32;  // MXNet arrays have far fewer; a larger ndim means a damaged file

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << std::uppercase << v;
  return os.str();
}

// Why `name` cannot be an array name, or "" when it can. Names cross the C ABI as NUL-terminated
// UTF-8 (ABI rule 10): an embedded NUL would truncate the name in every binding, so "a\0b" and
// "a" would collide, and bytes that are not UTF-8 cannot become a Python, JVM or R string.
std::string bad_name_reason(const std::string& name) {
  const auto* s = reinterpret_cast<const unsigned char*>(name.data());
  const size_t n = name.size();
  for (size_t i = 0; i < n;) {
    if (s[i] == 0) return "holds a NUL byte at offset " + std::to_string(i);
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const size_t len = utf8_sequence_length(name, i);
    if (len == 0) return "is not valid UTF-8 (byte " + hex(s[i]) + " at offset " + std::to_string(i) + ")";
    i += len;
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// Writing: the same code fills a string or streams into an AtomicFile.

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const void* data, size_t size) = 0;
  template <typename T>
  void put(T v) {
    write(&v, sizeof(v));
  }
};

class StringSink : public Sink {
 public:
  void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
  std::string out;
};

class FileSink : public Sink {
 public:
  explicit FileSink(AtomicFile* f) : f_(f) {}
  void write(const void* data, size_t size) override { f_->write(data, size); }

 private:
  AtomicFile* f_;
};

void write_record(Sink* s, const NDArray& a) {
  s->put<uint32_t>(kV2Magic);
  if (a.is_none()) {  // as MXNet writes a default-constructed NDArray
    s->put<int32_t>(kUndefinedStorage);
    s->put<int32_t>(0);
    return;
  }
  s->put<int32_t>(kDefaultStorage);
  s->put<int32_t>(static_cast<int32_t>(a.ndim()));
  for (int64_t d : a.shape()) s->put<int64_t>(d);
  s->put<int32_t>(static_cast<int32_t>(a.ctx().dev_type));
  s->put<int32_t>(a.ctx().dev_id);
  s->put<int32_t>(static_cast<int32_t>(a.dtype()));  // Minerva's codes are MXNet's type flags
  a.wait_to_read();
  s->write(a.data(), a.nbytes());
}

void check_savable(const std::vector<NDArray>& arrays, const std::vector<std::string>& names) {
  MV_CHECK(names.empty() || names.size() == arrays.size(), kValue)
      << "save_ndarrays: got " << names.size() << " names for " << arrays.size()
      << " arrays; pass no names (list form) or one per array (dict form)";
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string why = bad_name_reason(names[i]);
    MV_CHECK(why.empty(), kValue) << "save_ndarrays: name " << i << " " << why << "; array names must be UTF-8 text";
  }
  for (size_t i = 0; i < arrays.size(); ++i) {
    if (arrays[i].is_none()) continue;
    // A 0-d record would read back as a none array; a huge ndim as a damaged file.
    MV_CHECK(arrays[i].ndim() >= 1 && arrays[i].ndim() <= kMaxNDim, kValue)
        << "save_ndarrays: array " << i << " has " << arrays[i].ndim()
        << " dimensions; the MXNet format stores 1 to " << kMaxNDim;
  }
}

void write_list(Sink* s, const std::vector<NDArray>& arrays, const std::vector<std::string>& names) {
  s->put<uint64_t>(kListMagic);
  s->put<uint64_t>(0);  // reserved
  s->put<uint64_t>(arrays.size());
  for (const NDArray& a : arrays) write_record(s, a);
  s->put<uint64_t>(names.size());
  for (const std::string& n : names) {
    s->put<uint64_t>(n.size());
    s->write(n.data(), n.size());
  }
}

// ---------------------------------------------------------------------------------------------
// Reading: a bounds-checked cursor. Every length is checked against the bytes left before it is
// used, so a damaged file gives an error, never a huge allocation or a read past the end.

class Reader {
 public:
  Reader(const char* data, size_t size, const std::string& source) : p_(data), size_(size), source_(source) {}

  size_t pos() const { return pos_; }
  size_t left() const { return size_ - pos_; }

  void need(size_t n, const std::string& what) const {
    if (n > left()) {
      MV_THROW(kIO) << where() << "truncated " << what << ": needs " << n << " bytes at offset " << pos_
                    << ", only " << left() << " left of " << size_;
    }
  }
  template <typename T>
  T get(const std::string& what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  const char* take(size_t n, const std::string& what) {
    need(n, what);
    const char* at = p_ + pos_;
    pos_ += n;
    return at;
  }

  // The prefix of every error message: which call, and which file or buffer.
  std::string where() const { return "load_ndarrays: " + source_ + ": "; }

 private:
  const char* p_;
  size_t size_;
  size_t pos_ = 0;
  const std::string& source_;
};

// Reads `ndim` dims of type D, rejecting negatives; `unknown` is set when a V3 dim is -1.
template <typename D>
Shape read_dims(Reader* r, int64_t ndim, const std::string& what, bool allow_unknown, bool* unknown) {
  r->need(static_cast<size_t>(ndim) * sizeof(D), what + " dimensions");
  Shape shape(static_cast<size_t>(ndim));
  for (int64_t k = 0; k < ndim; ++k) {
    int64_t d = static_cast<int64_t>(r->get<D>(what));
    if (d == -1 && allow_unknown) {
      *unknown = true;
    } else if (d < 0) {
      MV_THROW(kIO) << r->where() << what << " has negative dimension " << d << " at axis " << k;
    }
    shape[static_cast<size_t>(k)] = d;
  }
  return shape;
}

void check_ndim(Reader* r, int64_t ndim, const std::string& what) {
  if (ndim < 0 || ndim > kMaxNDim)
    MV_THROW(kIO) << r->where() << what << " has an impossible number of dimensions (" << ndim << "; at most "
                  << kMaxNDim << "): the file is damaged or not an MXNet NDArray file";
}

DType read_dtype(Reader* r, const std::string& what) {
  int32_t flag = r->get<int32_t>(what + " dtype flag");
  if (flag >= 0 && flag < kNumDTypes) return static_cast<DType>(flag);
  static const char* const kMXNetOnly[] = {"int16", "uint16", "uint32", "uint64", "bfloat16"};  // flags 8..12
  if (flag >= kNumDTypes && flag < kNumDTypes + 5)
    MV_THROW(kUnsupported) << r->where() << what << " has dtype " << kMXNetOnly[flag - kNumDTypes]
                           << " (MXNet type flag " << flag << "), which Minerva does not support";
  MV_THROW(kIO) << r->where() << what << " has unknown dtype flag " << flag;
}

// One record (any version). Returns a none NDArray for records of unknown shape, like MXNet.
NDArray read_record(Reader* r, const std::string& what) {
  uint32_t magic = r->get<uint32_t>(what + " header");
  Shape shape;
  bool none = false;
  if (magic == kV2Magic || magic == kV3Magic) {
    const bool np_shape = magic == kV3Magic;
    int32_t stype = r->get<int32_t>(what + " storage type");
    if (stype == kRowSparseStorage || stype == kCSRStorage)
      MV_THROW(kUnsupported) << r->where() << what << " is a sparse array ("
                             << (stype == kCSRStorage ? "csr" : "row_sparse")
                             << " storage); Minerva supports only dense arrays, convert it with "
                             << "tostype('default') in MXNet before saving";
    if (stype != kDefaultStorage && stype != kUndefinedStorage)
      MV_THROW(kIO) << r->where() << what << " has unknown storage type " << stype;
    int32_t ndim = r->get<int32_t>(what + " shape");
    if (np_shape && ndim == -1) {
      none = true;
    } else {
      check_ndim(r, ndim, what);
      bool unknown = false;
      shape = read_dims<int64_t>(r, ndim, what, np_shape, &unknown);
      none = unknown || (!np_shape && ndim == 0);
      if (np_shape && ndim == 0) shape = {1};  // a numpy scalar; Minerva arrays are never 0-d
    }
    if (stype == kUndefinedStorage && !none)
      MV_THROW(kIO) << r->where() << what << " has undefined storage type but a known shape " << shape_str(shape);
  } else if (magic == kV1Magic) {
    uint32_t ndim = r->get<uint32_t>(what + " shape");
    check_ndim(r, ndim, what);
    shape = read_dims<int64_t>(r, ndim, what, false, nullptr);
    none = ndim == 0;
  } else if (magic <= kMaxNDim) {  // pre-V1 record: no magic, the first word is ndim
    shape = read_dims<uint32_t>(r, magic, what, false, nullptr);
    none = magic == 0;
  } else {
    MV_THROW(kIO) << r->where() << what << " has bad magic " << hex(magic) << " (expected " << hex(kV2Magic)
                  << " or " << hex(kV3Magic) << "): the file is damaged or not an MXNet NDArray file";
  }
  if (none) return NDArray();

  int32_t dev_type = r->get<int32_t>(what + " context");
  r->get<int32_t>(what + " context");  // dev_id: every array loads to cpu(0)
  // cpu, gpu, cpu_pinned, cpu_shared; anything else means the bytes are not where we think.
  if (dev_type != 1 && dev_type != 2 && dev_type != 3 && dev_type != 5)
    MV_THROW(kIO) << r->where() << what << " has unknown device type " << dev_type;
  DType dtype = read_dtype(r, what);

  int64_t count = 1;
  size_t bytes = 0;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(count, d, &count))
      MV_THROW(kIO) << r->where() << what << " has shape " << shape_str(shape) << " whose size overflows";
  if (__builtin_mul_overflow(static_cast<size_t>(count), dtype_size(dtype), &bytes))
    MV_THROW(kIO) << r->where() << what << " has shape " << shape_str(shape) << " whose size overflows";
  r->need(bytes, what + " data (" + dtype_name(dtype) + ", shape " + shape_str(shape) + ")");
  NDArray a(shape, dtype, Context::cpu(0), /*zero=*/false);  // fresh: no pending operations
  const char* src = r->take(bytes, what + " data");
  if (bytes > 0) std::memcpy(a.data(), src, bytes);
  return a;
}

void read_list(Reader* r, std::vector<NDArray>* arrays, std::vector<std::string>* names) {
  if (r->left() == 0) MV_THROW(kIO) << r->where() << "is empty (0 bytes), not an MXNet NDArray file";
  uint64_t magic = r->get<uint64_t>("file header");
  if (magic != kListMagic)
    MV_THROW(kIO) << r->where() << "bad file magic " << hex(magic) << " (expected 0x112): not an MXNet NDArray file";
  r->get<uint64_t>("file header");  // reserved; MXNet ignores its value, so do we
  uint64_t count = r->get<uint64_t>("array count");
  // The smallest record (pre-V1, ndim 0) takes 4 bytes; a larger count cannot be genuine.
  if (count > r->left() / 4)
    MV_THROW(kIO) << r->where() << "array count " << count << " needs at least " << count << " * 4 bytes, only "
                  << r->left() << " left: the file is truncated or damaged";
  std::vector<NDArray> out;  // no reserve(count): a damaged count must not allocate
  for (uint64_t i = 0; i < count; ++i) out.push_back(read_record(r, "array " + std::to_string(i)));

  uint64_t name_count = r->get<uint64_t>("name count");
  if (name_count != 0 && name_count != count)
    MV_THROW(kIO) << r->where() << "has " << name_count << " names for " << count << " arrays (expected 0 or "
                  << count << ")";
  std::vector<std::string> keys;
  for (uint64_t i = 0; i < name_count; ++i) {
    const std::string what = "name " + std::to_string(i);
    uint64_t len = r->get<uint64_t>(what + " length");
    r->need(len, what);  // before the size_t cast: len may be absurd
    keys.emplace_back(r->take(static_cast<size_t>(len), what), static_cast<size_t>(len));
    const std::string why = bad_name_reason(keys.back());
    if (!why.empty()) MV_THROW(kIO) << r->where() << what << " " << why << "; array names must be UTF-8 text";
  }
  if (r->left() != 0)
    MV_THROW(kIO) << r->where() << "has " << r->left() << " unexpected trailing bytes at offset " << r->pos()
                 << " after the last name; the file is damaged";
  *arrays = std::move(out);
  if (names) *names = std::move(keys);
}

// The whole file, memory-mapped where possible so large parameter files are not copied twice.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    MV_CHECK(fd >= 0, kIO) << "load_ndarrays: cannot open file '" << path << "': " << std::strerror(errno);
    struct stat st;
    if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
      int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
      ::close(fd);
      MV_THROW(kIO) << "load_ndarrays: cannot read file '" << path << "': " << std::strerror(err);
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* m = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (m != MAP_FAILED) {
        map_ = m;
      } else {  // e.g. a pipe or a filesystem without mmap: read it instead
        buf_.resize(size_);
        size_t got = 0;
        while (got < size_) {
          ssize_t n = ::read(fd, &buf_[got], size_ - got);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            ::close(fd);
            MV_THROW(kIO) << "load_ndarrays: cannot read file '" << path << "': " << std::strerror(err);
          }
          got += static_cast<size_t>(n);
        }
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (map_) ::munmap(map_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const char* data() const { return map_ ? static_cast<const char*>(map_) : buf_.data(); }
  size_t size() const { return size_; }

 private:
  void* map_ = nullptr;
  size_t size_ = 0;
  std::string buf_;
};

}  // namespace

std::string save_ndarrays_to_buffer(const std::vector<NDArray>& arrays, const std::vector<std::string>& names) {
  check_savable(arrays, names);
  StringSink s;
  write_list(&s, arrays, names);
  return std::move(s.out);
}

void save_ndarrays(const std::string& path, const std::vector<NDArray>& arrays,
                   const std::vector<std::string>& names) {
  check_savable(arrays, names);
  AtomicFile f(path);  // streams: no second in-memory copy of the parameters
  FileSink s(&f);
  write_list(&s, arrays, names);
  f.commit();
}

void load_ndarrays_from_buffer(const char* data, size_t size, std::vector<NDArray>* arrays,
                               std::vector<std::string>* names, const std::string& source) {
  MV_CHECK(arrays != nullptr, kValue) << "load_ndarrays: arrays output is null";
  MV_CHECK(data != nullptr || size == 0, kValue) << "load_ndarrays: null buffer of " << size << " bytes";
  Reader r(data, size, source);
  read_list(&r, arrays, names);
}

void load_ndarrays(const std::string& path, std::vector<NDArray>* arrays, std::vector<std::string>* names) {
  MappedFile file(path);
  load_ndarrays_from_buffer(file.data(), file.size(), arrays, names, "file '" + path + "'");
}

std::string save_ndarray_raw_bytes(const NDArray& array) {
  check_savable({array}, {});
  StringSink s;
  write_record(&s, array);
  return std::move(s.out);
}

NDArray load_ndarray_raw_bytes(const char* data, size_t size) {
  MV_CHECK(data != nullptr || size == 0, kValue) << "load_ndarrays: null buffer of " << size << " bytes";
  const std::string source = "raw bytes";
  Reader r(data, size, source);
  NDArray a = read_record(&r, "array");
  if (r.left() != 0) MV_THROW(kIO) << r.where() << "has " << r.left() << " unexpected trailing bytes after the array";
  return a;
}

}  // namespace minerva
