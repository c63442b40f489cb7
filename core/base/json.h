// A minimal streaming JSON writer for the ABI's introspection documents.
#pragma once
#include <string>
#include <vector>

namespace minerva {

class JsonWriter {
 public:
  JsonWriter& begin_object() { sep(); out_ += '{'; first_.push_back(true); return *this; }
  JsonWriter& end_object() { out_ += '}'; first_.pop_back(); after_key_ = false; return *this; }
  JsonWriter& begin_array() { sep(); out_ += '['; first_.push_back(true); return *this; }
  JsonWriter& end_array() { out_ += ']'; first_.pop_back(); after_key_ = false; return *this; }
  JsonWriter& key(const std::string& k) { sep(); quote(k); out_ += ':'; after_key_ = true; return *this; }
  JsonWriter& str(const std::string& s) { sep(); quote(s); return *this; }
  JsonWriter& num(double v);
  JsonWriter& num(long long v) { sep(); out_ += std::to_string(v); return *this; }
  JsonWriter& num(int v) { return num(static_cast<long long>(v)); }
  JsonWriter& boolean(bool b) { sep(); out_ += b ? "true" : "false"; return *this; }
  const std::string& result() const { return out_; }

 private:
  void sep();
  void quote(const std::string& s);
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace minerva
