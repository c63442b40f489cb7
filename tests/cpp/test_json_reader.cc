// The strict JSON reader (core/base/json_reader.h): valid documents, escapes and UTF-8, and one
// test per error class, each checking that the message says where and what.
#include <gtest/gtest.h>

#include <string>

#include "core/base/json.h"
#include "core/base/json_reader.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::error_of;

std::string parse_error(const std::string& text) {
  return error_of([&] { json_parse(text); });
}

TEST(JsonReader, ParsesScalars) {
  EXPECT_TRUE(json_parse("null").is_null());
  EXPECT_TRUE(json_parse(" true ").boolean());
  EXPECT_FALSE(json_parse("false").boolean());
  EXPECT_EQ(json_parse("\"hi\"").str(), "hi");
  EXPECT_DOUBLE_EQ(json_parse("-12.5e2").number(), -1250.0);
  EXPECT_DOUBLE_EQ(json_parse("0.25").number(), 0.25);
  EXPECT_DOUBLE_EQ(json_parse("1E+2").number(), 100.0);
  EXPECT_EQ(json_parse("1e-400").number(), 0.0);  // underflow rounds to zero, as every reader does
}

TEST(JsonReader, IntegersAreExact) {
  int64_t v = 0;
  // 2^53 + 1 is not a double; the integer comes from the text.
  ASSERT_TRUE(json_parse("9007199254740993").to_int64(&v));
  EXPECT_EQ(v, 9007199254740993LL);
  ASSERT_TRUE(json_parse("-9223372036854775808").to_int64(&v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(json_parse("9223372036854775808").to_int64(&v));  // past int64
  EXPECT_FALSE(json_parse("1.0").to_int64(&v));
  EXPECT_FALSE(json_parse("1e3").to_int64(&v));
  EXPECT_FALSE(json_parse("\"1\"").to_int64(&v));
  EXPECT_EQ(json_parse("-0.50").number_text(), "-0.50");
}

TEST(JsonReader, ArraysAndObjectsKeepOrder) {
  JsonValue v = json_parse(" {\"b\": [1, [], {}], \"a\": {\"x\": null}, \"c\": \"\"}\n");
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v.key(0), "b");
  EXPECT_EQ(v.key(1), "a");
  EXPECT_EQ(v.key(2), "c");
  const JsonValue& b = *v.find("b");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].number(), 1.0);
  EXPECT_TRUE(b[1].is_array());
  EXPECT_EQ(b[1].size(), 0u);
  EXPECT_TRUE(b[2].is_object());
  EXPECT_TRUE(v.find("a")->find("x")->is_null());
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_EQ(b.offset(), 7u);  // where "[" starts
}

TEST(JsonReader, StringEscapesBecomeUtf8) {
  EXPECT_EQ(json_parse(R"("a\"b\\c\/d\b\f\n\r\t")").str(), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(json_parse(R"("\u00e9\u20AC")").str(), "\xC3\xA9\xE2\x82\xAC");  // é €
  EXPECT_EQ(json_parse(R"("\ud83d\ude00")").str(), "\xF0\x9F\x98\x80");      // U+1F600 from a pair
  EXPECT_EQ(json_parse(R"("x\u0000y")").str(), std::string("x\0y", 3));
  EXPECT_EQ(json_parse("\"\xE6\x97\xA5\xF0\x9F\x98\x80\"").str(), "\xE6\x97\xA5\xF0\x9F\x98\x80");  // raw UTF-8
}

TEST(JsonReader, ReadsWhatJsonWriterWrites) {
  JsonWriter w;
  w.begin_object().key("name").str("tab\there \"q\" \x01 \xC3\xA9").key("n").num(-42).key("list");
  w.begin_array().num(1.5).boolean(true).end_array().end_object();
  JsonValue v = json_parse(w.result());
  EXPECT_EQ(v.find("name")->str(), "tab\there \"q\" \x01 \xC3\xA9");
  int64_t n = 0;
  ASSERT_TRUE(v.find("n")->to_int64(&n));
  EXPECT_EQ(n, -42);
  EXPECT_EQ((*v.find("list"))[0].number(), 1.5);
  EXPECT_TRUE((*v.find("list"))[1].boolean());
}

TEST(JsonReader, SkipsUtf8ByteOrderMark) { EXPECT_EQ(json_parse("\xEF\xBB\xBF[1]").size(), 1u); }

TEST(JsonReader, ErrorsNamePositionLineAndColumn) {
  std::string msg = parse_error("{\n  \"a\": 1,\n  \"b\" 2\n}");
  EXPECT_NE(msg.find("invalid JSON at byte 18 (line 3, column 7)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected ':' after the key \"b\", got '2'"), std::string::npos) << msg;
}

TEST(JsonReader, TruncatedInput) {
  for (const char* text : {"", "[1, 2", "{\"a\": ", "{\"a\"", "[", "\"abc", "tru", "-", "1."}) {
    std::string msg = parse_error(text);
    EXPECT_NE(msg.find("invalid JSON at byte"), std::string::npos) << text << ": " << msg;
  }
  EXPECT_NE(parse_error("[1, 2").find("expected ',' or ']'"), std::string::npos);
  EXPECT_NE(parse_error("[1, 2").find("end of the input"), std::string::npos);
  EXPECT_NE(parse_error("\"abc").find("unterminated string"), std::string::npos);
  EXPECT_NE(parse_error("{\"a\": ").find("expected a value"), std::string::npos);
}

TEST(JsonReader, TrailingGarbage) {
  std::string msg = parse_error("{} x");
  EXPECT_NE(msg.find("trailing characters after the JSON value: got 'x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte 3"), std::string::npos) << msg;
  EXPECT_NE(parse_error("[1] [2]").find("trailing"), std::string::npos);
}

TEST(JsonReader, BadEscapes) {
  EXPECT_NE(parse_error(R"("\x")").find("bad escape in a string"), std::string::npos);
  EXPECT_NE(parse_error(R"("\u12G4")").find("bad \\u escape: expected 4 hex digits, got 'G'"), std::string::npos);
  EXPECT_NE(parse_error(R"("\u12")").find("expected 4 hex digits"), std::string::npos);
  EXPECT_NE(parse_error(R"("\ude00")").find("lone low surrogate \\uDE00"), std::string::npos);
  EXPECT_NE(parse_error(R"("\ud83d")").find("must be followed by a \\u low surrogate"), std::string::npos);
  EXPECT_NE(parse_error(R"("\ud83dx")").find("must be followed by a \\u low surrogate"), std::string::npos);
  EXPECT_NE(parse_error(R"("\ud83d\u0041")").find("got \\u0041"), std::string::npos);
}

TEST(JsonReader, BadStringBytes) {
  EXPECT_NE(parse_error("\"a\nb\"").find("raw control character"), std::string::npos);
  EXPECT_NE(parse_error("\"\xFF\"").find("invalid UTF-8"), std::string::npos);
  EXPECT_NE(parse_error("\"\xC0\xAF\"").find("invalid UTF-8"), std::string::npos);          // overlong '/'
  EXPECT_NE(parse_error("\"\xED\xA0\x80\"").find("invalid UTF-8"), std::string::npos);      // a surrogate
  EXPECT_NE(parse_error("\"\xF4\x90\x80\x80\"").find("invalid UTF-8"), std::string::npos);  // past U+10FFFF
  EXPECT_NE(parse_error("\"\xE2\x82\"").find("invalid UTF-8"), std::string::npos);          // cut short
  EXPECT_NE(parse_error("'a'").find("expected a value"), std::string::npos);
}

TEST(JsonReader, BadNumbers) {
  EXPECT_NE(parse_error("01").find("leading zero"), std::string::npos);
  EXPECT_NE(parse_error("1.").find("expected a digit after the decimal point"), std::string::npos);
  EXPECT_NE(parse_error("1e+").find("expected a digit in the exponent"), std::string::npos);
  EXPECT_NE(parse_error("-x").find("expected a digit in the number"), std::string::npos);
  EXPECT_NE(parse_error("+1").find("expected a value"), std::string::npos);
  EXPECT_NE(parse_error(".5").find("expected a value"), std::string::npos);
}

TEST(JsonReader, NonFiniteNumbers) {
  EXPECT_NE(parse_error("NaN").find("expected a value"), std::string::npos);
  EXPECT_NE(parse_error("[Infinity]").find("expected a value"), std::string::npos);
  EXPECT_NE(parse_error("[-Infinity]").find("expected a digit in the number"), std::string::npos);
  std::string msg = parse_error("[1e999]");
  EXPECT_NE(msg.find("number 1e999 is too large for a double (not finite)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte 1"), std::string::npos) << msg;
}

TEST(JsonReader, StructuralErrors) {
  EXPECT_NE(parse_error("[1,]").find("expected a value"), std::string::npos);
  EXPECT_NE(parse_error("{\"a\":1,}").find("expected a string key"), std::string::npos);
  EXPECT_NE(parse_error("{a:1}").find("expected a string key"), std::string::npos);
  EXPECT_NE(parse_error("[1 2]").find("expected ',' or ']'"), std::string::npos);
  EXPECT_NE(parse_error("{\"a\":1 \"b\":2}").find("expected ',' or '}'"), std::string::npos);
  EXPECT_NE(parse_error("[1] // c").find("trailing"), std::string::npos);
  std::string msg = parse_error("{\"a\": 1, \"a\": 2}");
  EXPECT_NE(msg.find("duplicate key \"a\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte 9"), std::string::npos) << msg;
}

TEST(JsonReader, NestingIsBounded) {
  std::string ok = std::string(kJsonMaxDepth, '[') + std::string(kJsonMaxDepth, ']');
  EXPECT_TRUE(json_parse(ok).is_array());
  std::string deep = std::string(kJsonMaxDepth + 1, '[') + std::string(kJsonMaxDepth + 1, ']');
  EXPECT_NE(parse_error(deep).find("nesting is deeper than 512"), std::string::npos);
  // Far deeper than any stack could recurse: still a clean error, found at the 513th bracket.
  std::string msg = parse_error(std::string(1000000, '[') + "{\"a\":" + std::string(1000000, '{'));
  EXPECT_NE(msg.find("nesting is deeper than 512 arrays/objects"), std::string::npos);
  EXPECT_NE(msg.find("byte 512"), std::string::npos) << msg;
  EXPECT_NE(error_of([] { json_parse("[[[1]]]", 2); }).find("nesting is deeper than 2"), std::string::npos);
}

TEST(JsonReader, ErrorsAreValueErrors) {
  try {
    json_parse("[");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kValue);
  }
}

TEST(JsonReader, TypedAccessorsCheckTheKind) {
  JsonValue v = json_parse("{\"a\": [1]}");
  try {
    (void)v.str();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kType);
    EXPECT_NE(std::string(e.what()).find("expected a string, got an object"), std::string::npos) << e.what();
  }
  EXPECT_NE(error_of([&] { (void)(*v.find("a"))[1]; }).find("index 1 is out of range"), std::string::npos);
  EXPECT_NE(error_of([&] { (void)(*v.find("a")).find("x"); }).find("expected an object, got an array"),
            std::string::npos);
  EXPECT_NE(error_of([&] { (void)json_parse("1").size(); }).find("expected an array or an object"), std::string::npos);
}

}  // namespace
}  // namespace minerva
