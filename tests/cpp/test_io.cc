// NDArray files (core/io/ndarray_file.h) against files written by MXNet 1.9.1, and atomic writes.
// The fixtures and their expected values come from tools/golden/make_io_fixtures.py.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/base/half.h"
#include "core/io/atomic_file.h"
#include "core/io/ndarray_file.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

namespace fs = std::filesystem;

// ---- A minimal JSON reader for io_expected.json (numbers keep their text, so int64 stays exact).

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  std::string text;  // number token or string value
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> fields;  // file order
  const Json& operator[](const std::string& key) const {
    for (const auto& f : fields)
      if (f.first == key) return f.second;
    throw std::runtime_error("missing JSON key " + key);
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}
  Json parse() {
    Json v = value();
    skip();
    if (i_ != s_.size()) throw std::runtime_error("trailing JSON text");
    return v;
  }

 private:
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  void expect(char c) {
    skip();
    if (i_ >= s_.size() || s_[i_] != c) throw std::runtime_error(std::string("JSON: expected ") + c);
    ++i_;
  }
  std::string string() {
    expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        char e = s_.at(i_++);
        if (e == 'n') c = '\n';
        else if (e == 't') c = '\t';
        else if (e == 'u') c = static_cast<char>(std::stoi(s_.substr(i_, 4), nullptr, 16)), i_ += 4;  // ASCII only
        else c = e;
      }
      out += c;
    }
    expect('"');
    return out;
  }
  Json value() {
    skip();
    Json v;
    char c = s_.at(i_);
    if (c == '{') {
      v.kind = Json::kObject;
      ++i_;
      skip();
      if (s_.at(i_) == '}') return ++i_, v;
      do {
        std::string k = string();
        expect(':');
        v.fields.emplace_back(k, value());
        skip();
      } while (s_.at(i_++) == ',');
      if (s_[i_ - 1] != '}') throw std::runtime_error("JSON: expected }");
    } else if (c == '[') {
      v.kind = Json::kArray;
      ++i_;
      skip();
      if (s_.at(i_) == ']') return ++i_, v;
      do {
        v.items.push_back(value());
        skip();
      } while (s_.at(i_++) == ',');
      if (s_[i_ - 1] != ']') throw std::runtime_error("JSON: expected ]");
    } else if (c == '"') {
      v.kind = Json::kString;
      v.text = string();
    } else if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
    } else if (s_.compare(i_, 4, "true") == 0 || s_.compare(i_, 5, "false") == 0) {
      v.kind = Json::kBool;
      v.text = c == 't' ? "true" : "false";
      i_ += v.text.size();
    } else {
      v.kind = Json::kNumber;
      size_t start = i_;
      while (i_ < s_.size() && std::strchr("+-.0123456789eE", s_[i_])) ++i_;
      v.text = s_.substr(start, i_ - start);
    }
    return v;
  }
  const std::string& s_;
  size_t i_ = 0;
};

// ---- Helpers

const std::string& golden_dir() {
  static const std::string dir = (fs::path(__FILE__).parent_path().parent_path() / "golden" / "io").string();
  return dir;
}

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << "cannot read " << path;
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string fixture(const std::string& name) { return read_bytes(golden_dir() + "/" + name); }

const Json& expected() {
  static const Json j = [] {
    std::string text = fixture("io_expected.json");
    return JsonParser(text).parse();
  }();
  return j;
}

// A fresh directory, removed with everything in it at scope exit.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/minerva_test_io_XXXXXX";
    char* p = ::mkdtemp(tmpl);
    EXPECT_NE(p, nullptr);
    path = p ? p : "/tmp";
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
  size_t count() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(path), fs::directory_iterator()));
  }
};

std::string raw(const NDArray& a) {
  a.wait_to_read();
  return std::string(static_cast<const char*>(a.data()), a.nbytes());
}

// Builds an array from a sidecar entry; values are exact (numbers keep their JSON text).
NDArray array_from_spec(const Json& spec) {
  DType dt = dtype_from_name(spec["dtype"].text);
  Shape shape;
  for (const Json& d : spec["shape"].items) shape.push_back(std::stoll(d.text));
  NDArray a(shape, dt, Context::cpu(0));
  const auto& vals = spec["values"].items;
  EXPECT_EQ(static_cast<int64_t>(vals.size()), a.size());
  char* p = static_cast<char*>(a.data());
  for (size_t i = 0; i < vals.size(); ++i) {
    const char* t = vals[i].text.c_str();  // "nan", "inf", "-inf", "-0" parse with strtod too
    switch (dt) {
      case DType::kFloat32: reinterpret_cast<float*>(p)[i] = static_cast<float>(std::strtod(t, nullptr)); break;
      case DType::kFloat64: reinterpret_cast<double*>(p)[i] = std::strtod(t, nullptr); break;
      case DType::kFloat16: reinterpret_cast<half_t*>(p)[i] = half_t(static_cast<float>(std::strtod(t, nullptr)));
        break;
      case DType::kUint8:
      case DType::kBool: reinterpret_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(std::strtoull(t, nullptr, 10)); break;
      case DType::kInt8: reinterpret_cast<int8_t*>(p)[i] = static_cast<int8_t>(std::strtoll(t, nullptr, 10)); break;
      case DType::kInt32: reinterpret_cast<int32_t*>(p)[i] = static_cast<int32_t>(std::strtoll(t, nullptr, 10)); break;
      case DType::kInt64: reinterpret_cast<int64_t*>(p)[i] = std::strtoll(t, nullptr, 10); break;
    }
  }
  return a;
}

// Runs f, expecting a minerva::Error of `kind` whose message contains every substring.
template <typename F>
void expect_error(F f, ErrorKind kind, const std::vector<std::string>& substrings, const std::string& label) {
  try {
    f();
    ADD_FAILURE() << label << ": no error";
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << label << ": " << e.what();
    for (const auto& s : substrings)
      EXPECT_NE(std::string(e.what()).find(s), std::string::npos)
          << label << ": '" << e.what() << "' lacks '" << s << "'";
  }
}

void load_buf(const std::string& bytes) {
  std::vector<NDArray> arrays;
  std::vector<std::string> names;
  load_ndarrays_from_buffer(bytes, &arrays, &names);
}

template <typename T>
void poke(std::string* bytes, size_t offset, T v) {
  ASSERT_LE(offset + sizeof(T), bytes->size());
  std::memcpy(&(*bytes)[offset], &v, sizeof(T));
}

// ---- MXNet-written files

TEST(IO, LoadsMXNetFixturesExactly) {
  for (const auto& file : expected().fields) {
    SCOPED_TRACE(file.first);
    const Json& e = file.second;
    std::vector<NDArray> arrays;
    std::vector<std::string> names{"stale"};
    load_ndarrays(golden_dir() + "/" + file.first, &arrays, &names);
    const auto& specs = e["arrays"].items;
    ASSERT_EQ(arrays.size(), specs.size());
    EXPECT_EQ(names.size(), e["form"].text == "dict" ? specs.size() : 0u);
    for (size_t i = 0; i < specs.size(); ++i) {
      SCOPED_TRACE("array " + std::to_string(i));
      NDArray want = array_from_spec(specs[i]);
      ASSERT_FALSE(arrays[i].is_none());
      EXPECT_EQ(dtype_name(arrays[i].dtype()), specs[i]["dtype"].text);
      EXPECT_EQ(shape_str(arrays[i].shape()), shape_str(want.shape()));
      EXPECT_TRUE(arrays[i].ctx() == Context::cpu(0));
      EXPECT_EQ(raw(arrays[i]), raw(want));  // bit-exact: NaN, -0, subnormals, int64 beyond 2^53
      if (!names.empty()) {
        EXPECT_EQ(names[i], specs[i]["name"].text);
      }
    }
  }
}

TEST(IO, WritesTheSameBytesAsMXNet) {
  TempDir dir;
  int checked = 0;
  for (const auto& file : expected().fields) {
    const Json& e = file.second;
    if (e["same_bytes"].text != "true") continue;
    SCOPED_TRACE(file.first);
    std::vector<NDArray> arrays;
    std::vector<std::string> names;
    for (const Json& spec : e["arrays"].items) {
      arrays.push_back(array_from_spec(spec));
      if (e["form"].text == "dict") names.push_back(spec["name"].text);
    }
    const std::string want = fixture(file.first);
    EXPECT_EQ(save_ndarrays_to_buffer(arrays, names), want);
    save_ndarrays(dir / file.first, arrays, names);
    EXPECT_EQ(read_bytes(dir / file.first), want);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(IO, LoadedOldFormatsResaveAsV2) {
  // Legacy and V3 files load, and re-saving gives what MXNet writes for those arrays (V2).
  std::vector<NDArray> arrays;
  load_ndarrays(golden_dir() + "/legacy_v1.params", &arrays, nullptr);
  std::string v2 = save_ndarrays_to_buffer(arrays, {});
  std::vector<NDArray> again;
  load_ndarrays_from_buffer(v2, &again, nullptr);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(raw(again[1]), raw(arrays[1]));
  uint32_t magic;
  std::memcpy(&magic, v2.data() + 24, 4);
  EXPECT_EQ(magic, 0xF993FAC9u);
}

TEST(IO, SparseFileIsRefusedClearly) {
  std::vector<NDArray> arrays;
  expect_error([&] { load_ndarrays(golden_dir() + "/sparse.params", &arrays, nullptr); }, ErrorKind::kUnsupported,
               {"sparse.params", "array 0", "row_sparse", "dense"}, "row_sparse");
  std::string csr = fixture("sparse.params");
  poke<int32_t>(&csr, 28, 2);
  expect_error([&] { load_buf(csr); }, ErrorKind::kUnsupported, {"csr"}, "csr");
}

// ---- Round trips

TEST(IO, RoundTripsEveryDType) {
  TempDir dir;
  std::vector<NDArray> arrays;
  std::vector<std::string> names;
  const std::vector<Shape> shapes = {{1}, {2, 3}, {2, 1, 3, 2}, {0, 3}};
  for (int code = 0; code < kNumDTypes; ++code) {
    for (const Shape& s : shapes) {
      NDArray a(s, static_cast<DType>(code), Context::cpu(0));
      auto* p = static_cast<unsigned char*>(a.data());
      for (size_t b = 0; b < a.nbytes(); ++b) p[b] = static_cast<unsigned char>(b * 37 + code);
      if (a.dtype() == DType::kBool)
        for (size_t b = 0; b < a.nbytes(); ++b) p[b] &= 1;
      arrays.push_back(a);
      names.push_back(std::string(dtype_name(a.dtype())) + shape_str(s));
    }
  }
  for (bool dict : {false, true}) {
    const std::string path = dir / (dict ? "dict.params" : "list.params");
    save_ndarrays(path, arrays, dict ? names : std::vector<std::string>{});
    std::vector<NDArray> got;
    std::vector<std::string> got_names;
    load_ndarrays(path, &got, &got_names);
    ASSERT_EQ(got.size(), arrays.size());
    EXPECT_EQ(got_names, dict ? names : std::vector<std::string>{});
    for (size_t i = 0; i < arrays.size(); ++i) {
      EXPECT_EQ(got[i].dtype(), arrays[i].dtype()) << i;
      EXPECT_EQ(got[i].shape(), arrays[i].shape()) << i;
      EXPECT_EQ(raw(got[i]), raw(arrays[i])) << i;
    }
    EXPECT_EQ(read_bytes(path), save_ndarrays_to_buffer(arrays, dict ? names : std::vector<std::string>{}));
  }
  EXPECT_EQ(dir.count(), 2u);  // no temporaries left behind
}

TEST(IO, SavesViewsAndWaitsForPendingWrites) {
  NDArray base = testing::make_array({3, 2}, {1, 2, 3, 4, 5, 6});
  NDArray view = base.slice(1, 3);  // rows 1..2: offset into the chunk
  NDArray pending(Shape{2, 2}, DType::kFloat64, Context::cpu(0));
  copy_array(view, pending);  // queued on the engine; save must wait for it
  std::vector<NDArray> got;
  load_ndarrays_from_buffer(save_ndarrays_to_buffer({view, pending}, {}), &got, nullptr);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(testing::to_vector(got[0]), (std::vector<double>{3, 4, 5, 6}));
  EXPECT_EQ(testing::to_vector(got[1]), (std::vector<double>{3, 4, 5, 6}));
  EXPECT_EQ(got[1].dtype(), DType::kFloat64);
}

TEST(IO, NoneArraysAndEmptyListsRoundTrip) {
  std::vector<NDArray> got{testing::make_array({1}, {1})};
  std::vector<std::string> names{"x"};
  load_ndarrays_from_buffer(save_ndarrays_to_buffer({}, {}), &got, &names);
  EXPECT_TRUE(got.empty());
  EXPECT_TRUE(names.empty());
  load_ndarrays_from_buffer(save_ndarrays_to_buffer({NDArray(), testing::make_array({2}, {1, 2})}, {"a", "b"}), &got,
                            &names);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].is_none());
  EXPECT_EQ(testing::to_vector(got[1]), (std::vector<double>{1, 2}));
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
}

TEST(IO, AnySavedContextLoadsOnCpu0) {
  std::string bytes = fixture("list.params");
  poke<int32_t>(&bytes, 52, 2);  // array 0 (ndim 2) context: gpu(3)
  poke<int32_t>(&bytes, 56, 3);
  std::vector<NDArray> got;
  load_ndarrays_from_buffer(bytes, &got, nullptr);
  EXPECT_TRUE(got.at(0).ctx() == Context::cpu(0));
}

TEST(IO, RawBytesHoldOneRecord) {
  NDArray a = testing::make_array({2, 2}, {1, -2, 3, -4}, DType::kInt8);
  std::string bytes = save_ndarray_raw_bytes(a);
  EXPECT_EQ(bytes.size(), 4u + 4 + 4 + 16 + 8 + 4 + 4);
  NDArray b = load_ndarray_raw_bytes(bytes.data(), bytes.size());
  EXPECT_EQ(raw(b), raw(a));
  EXPECT_EQ(b.dtype(), DType::kInt8);
  std::string longer = bytes + "x";
  expect_error([&] { load_ndarray_raw_bytes(longer.data(), longer.size()); }, ErrorKind::kIO, {"trailing"}, "raw");
}

// ---- Bad input

TEST(IO, BadFilesGiveClearErrors) {
  TempDir dir;
  std::vector<NDArray> arrays;
  expect_error([&] { load_ndarrays(dir / "missing.params", &arrays, nullptr); }, ErrorKind::kIO,
               {"missing.params", "No such file"}, "missing");
  expect_error([&] { load_ndarrays(dir.path, &arrays, nullptr); }, ErrorKind::kIO, {dir.path, "directory"}, "dir");
  write_bytes(dir / "empty.params", "");
  expect_error([&] { load_ndarrays(dir / "empty.params", &arrays, nullptr); }, ErrorKind::kIO,
               {"empty.params", "empty"}, "empty");
  write_bytes(dir / "short.params", std::string("\x12\x01\0\0\0", 5));
  expect_error([&] { load_ndarrays(dir / "short.params", &arrays, nullptr); }, ErrorKind::kIO,
               {"short.params", "truncated file header"}, "short");
  write_bytes(dir / "text.params", "{\"nodes\": []}  this is a symbol file");
  expect_error([&] { load_ndarrays(dir / "text.params", &arrays, nullptr); }, ErrorKind::kIO,
               {"text.params", "bad file magic", "not an MXNet NDArray file"}, "text");
}

TEST(IO, CorruptRecordsGiveClearErrors) {
  // list.params: header 0..23, array 0 record at 24: magic, stype@28, ndim@32, dims@36,44,
  // context@52, dtype@60, data@64 (24 bytes); array 1 at 88.
  const std::string good = fixture("list.params");
  struct Case {
    const char* label;
    size_t offset;
    int64_t value;
    int width;  // bytes written at offset
    ErrorKind kind;
    std::vector<std::string> substrings;
  };
  const std::vector<Case> cases = {
      {"list magic", 0, 0x113, 8, ErrorKind::kIO, {"bad file magic 0x113"}},
      {"array count", 16, int64_t{1} << 40, 8, ErrorKind::kIO,
       {"array count 1099511627776 needs at least", "truncated or damaged"}},
      {"record magic", 24, 0xDEADBEEF, 4, ErrorKind::kIO, {"array 0 has bad magic 0xDEADBEEF"}},
      {"storage type", 28, 7, 4, ErrorKind::kIO, {"array 0 has unknown storage type 7"}},
      {"ndim 33", 32, 33, 4, ErrorKind::kIO, {"array 0", "impossible number of dimensions (33"}},
      {"ndim negative", 32, -5, 4, ErrorKind::kIO, {"impossible number of dimensions (-5"}},
      {"negative dim", 36, -2, 8, ErrorKind::kIO, {"array 0 has negative dimension -2 at axis 0"}},
      {"huge dim", 44, int64_t{1} << 40, 8, ErrorKind::kIO, {"truncated array 0 data", "float32"}},
      {"dims overflow", 36, int64_t{1} << 62, 8, ErrorKind::kIO, {"overflows"}},
      {"device type", 52, 9, 4, ErrorKind::kIO, {"unknown device type 9"}},
      {"dtype flag", 60, 99, 4, ErrorKind::kIO, {"array 0 has unknown dtype flag 99"}},
      {"bfloat16", 60, 12, 4, ErrorKind::kUnsupported, {"bfloat16", "flag 12"}},
  };
  for (const Case& c : cases) {
    std::string bytes = good;
    if (std::string(c.label) == "dims overflow") poke<int64_t>(&bytes, 44, int64_t{1} << 62);  // both dims 2^62
    if (c.width == 8) poke<int64_t>(&bytes, c.offset, c.value);
    else poke<int32_t>(&bytes, c.offset, static_cast<int32_t>(c.value));
    expect_error([&] { load_buf(bytes); }, c.kind, c.substrings, c.label);
  }
}

TEST(IO, NameListAndTrailingBytesAreChecked) {
  const std::string good = fixture("dict.params");
  std::vector<NDArray> arrays;
  std::vector<std::string> names;
  load_ndarrays_from_buffer(good, &arrays, &names);
  // Find the name count: the byte just after the last record; it is 7 (uint64).
  size_t names_at = good.find(std::string("\x07\0\0\0\0\0\0\0\x10\0\0\0\0\0\0\0arg:conv0_weight", 32));
  ASSERT_NE(names_at, std::string::npos);
  std::string bytes = good;
  poke<uint64_t>(&bytes, names_at, 3);
  expect_error([&] { load_buf(bytes); }, ErrorKind::kIO, {"has 3 names for 7 arrays"}, "name count");
  bytes = good;
  poke<uint64_t>(&bytes, names_at + 8, uint64_t{1} << 60);
  expect_error([&] { load_buf(bytes); }, ErrorKind::kIO, {"truncated name 0"}, "name length");
  expect_error([&] { load_buf(good + std::string(3, '\0')); }, ErrorKind::kIO, {"3 unexpected trailing bytes"},
               "trailing");
  // Nothing is assigned on error.
  EXPECT_EQ(arrays.size(), 7u);
  try {
    load_ndarrays_from_buffer(good + "!", &arrays, &names);
  } catch (const Error&) {
  }
  EXPECT_EQ(arrays.size(), 7u);
  EXPECT_EQ(names.size(), 7u);
}

// Names cross the C ABI as NUL-terminated UTF-8: a NUL would truncate ("a\0c" and "a" collide in
// every binding) and other bytes cannot become a binding's string. Both are refused, on load
// naming the source and the entry, on save naming the entry.
TEST(IO, NamesMustBeUTF8WithoutNUL) {
  const NDArray a = testing::make_array({2}, {1, 2});
  const std::string good = save_ndarrays_to_buffer({a, a}, {"w", "abc"});
  const size_t at = good.rfind("abc");
  ASSERT_NE(at, std::string::npos);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {std::string("a\0c", 3), "name 1 holds a NUL byte at offset 1"},
      {"a\xFF" "c", "name 1 is not valid UTF-8 (byte 0xFF at offset 1)"},
      {"\xC0\x80" "c", "name 1 is not valid UTF-8 (byte 0xC0 at offset 0)"},     // overlong NUL
      {"\xED\xA0\x80", "name 1 is not valid UTF-8 (byte 0xED at offset 0)"},    // a surrogate
      {"ab\xE2", "name 1 is not valid UTF-8 (byte 0xE2 at offset 2)"},           // cut sequence
  };
  for (const auto& c : bad) {
    std::string bytes = good;
    bytes.replace(at, 3, c.first);
    expect_error([&] { load_buf(bytes); }, ErrorKind::kIO, {"buffer", c.second, "must be UTF-8"}, c.second);
    expect_error([&] { save_ndarrays_to_buffer({a, a}, {"w", c.first}); }, ErrorKind::kValue,
                 {"save_ndarrays", c.second}, "save " + c.second);
  }
  // Well-formed multi-byte names load unchanged.
  const std::string utf8 = "\xC3\xA9t\xC3\xA9-\xE2\x82\xAC-\xF0\x9F\x98\x80";
  std::vector<NDArray> arrays;
  std::vector<std::string> names;
  load_ndarrays_from_buffer(save_ndarrays_to_buffer({a}, {utf8}), &arrays, &names);
  EXPECT_EQ(names, std::vector<std::string>{utf8});
}

TEST(IO, EveryTruncationIsAnIOError) {
  for (const char* name : {"list.params", "dict.params", "legacy_v1.params", "legacy_v0.params", "v3_np.params"}) {
    const std::string good = fixture(name);
    for (size_t n = 0; n < good.size(); ++n) {
      try {
        load_buf(good.substr(0, n));
        ADD_FAILURE() << name << " cut to " << n << " bytes loaded";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::kIO) << name << " cut to " << n << ": " << e.what();
      }
    }
  }
}

TEST(IO, ByteFlipsNeverCrash) {
  // Every byte of a file set to a few hostile values: the loader either succeeds or throws a
  // minerva::Error (no crash, no std::bad_alloc, no read past the end under ASan).
  const std::string good = fixture("dict.params");
  for (size_t i = 0; i < good.size(); ++i) {
    for (unsigned char v : {0x00, 0x01, 0x20, 0x7f, 0x80, 0xff}) {
      std::string bytes = good;
      bytes[i] = static_cast<char>(v);
      try {
        load_buf(bytes);
      } catch (const Error&) {
      }
    }
  }
}

TEST(IO, BadSaveArguments) {
  NDArray a = testing::make_array({2}, {1, 2});
  expect_error([&] { save_ndarrays_to_buffer({a, a}, {"only_one"}); }, ErrorKind::kValue, {"1 names for 2 arrays"},
               "names");
}

// ---- Atomic writes

TEST(IO, FailedSaveLeavesExistingFileUntouched) {
  TempDir dir;
  const std::string target = dir / "model.params";
  NDArray small = testing::make_array({2}, {1, 2});
  save_ndarrays(target, {small}, {"w"});
  const std::string old_bytes = read_bytes(target);

  // The target is a directory: refused before anything is written.
  fs::create_directory(dir / "sub.params");
  expect_error([&] { save_ndarrays(dir / "sub.params", {small}, {}); }, ErrorKind::kIO, {"sub.params", "directory"},
               "directory");
  EXPECT_TRUE(fs::is_directory(dir / "sub.params"));
  // The parent directory does not exist.
  expect_error([&] { save_ndarrays(dir / "no/such/dir.params", {small}, {}); }, ErrorKind::kIO,
               {"no/such", "temporary"}, "missing dir");

  // A real write failure part-way (file size limit, which binds even for root): the old file
  // stays, with its bytes, and no temporary is left behind.
  NDArray big(Shape{1 << 16}, DType::kFloat32, Context::cpu(0));
  struct rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  bool threw = false;
  try {
    save_ndarrays(target, {big}, {"w"});
  } catch (const Error& e) {
    threw = true;
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    EXPECT_NE(std::string(e.what()).find("model.params"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unchanged"), std::string::npos) << e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(threw);
  EXPECT_EQ(read_bytes(target), old_bytes);
  EXPECT_EQ(dir.count(), 2u);  // model.params and sub.params only

  // An unwritable directory (skipped as root, where permissions do not bind).
  if (::geteuid() != 0) {
    fs::permissions(dir.path, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                    fs::perm_options::remove);
    expect_error([&] { save_ndarrays(target, {big}, {"w"}); }, ErrorKind::kIO, {"Permission denied"}, "read-only dir");
    fs::permissions(dir.path, fs::perms::owner_all, fs::perm_options::add);
    EXPECT_EQ(read_bytes(target), old_bytes);
  }

  // The replacement succeeds once the limit is gone, and keeps the file's permissions.
  fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  save_ndarrays(target, {big}, {"w"});
  EXPECT_EQ(fs::file_size(target), 4u * (1 << 16) + 73);
  EXPECT_EQ(fs::status(target).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

TEST(IO, AtomicFileWithoutCommitChangesNothing) {
  TempDir dir;
  const std::string target = dir / "f.bin";
  write_bytes(target, "old");
  {
    AtomicFile f(target);
    f.write("new contents", 12);
    EXPECT_EQ(dir.count(), 2u);  // the temporary exists while writing
  }
  EXPECT_EQ(read_bytes(target), "old");
  EXPECT_EQ(dir.count(), 1u);
  atomic_write_file(target, std::string("new"));
  EXPECT_EQ(read_bytes(target), "new");
  EXPECT_EQ(dir.count(), 1u);
  atomic_write_file(dir / "fresh.bin", std::string());  // empty files are fine
  EXPECT_EQ(fs::file_size(dir / "fresh.bin"), 0u);
}

}  // namespace
}  // namespace minerva
