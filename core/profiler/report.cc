#include "core/profiler/report.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/base/json.h"

namespace minerva {
namespace profiler {

void Stat::add(double v) {
  min = count ? std::min(min, v) : v;
  max = count ? std::max(max, v) : v;
  total += v;
  ++count;
}

void Stat::set_last(double v) {
  min = count ? std::min(min, v) : v;
  max = count ? std::max(max, v) : v;
  total = v;
  ++count;
}

namespace {

constexpr int kUserPid = 1;

std::string micros(int64_t ns) {  // Chrome's unit, keeping nanosecond resolution
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ns / 1000),
                static_cast<long long>(ns % 1000));
  return buf;
}

std::string metadata(const char* what, int pid, int tid, const std::string& name) {
  JsonWriter w;
  w.begin_object().key("name").str(what).key("ph").str("M").key("pid").num(pid);
  if (tid >= 0) w.key("tid").num(tid);
  w.key("args").begin_object().key("name").str(name).end_object().end_object();
  return w.result();
}

std::string event_json(const Event& e) {
  // ts and dur are written by hand: JsonWriter's %.17g would print 1234.5670000000001.
  std::string head;
  {
    JsonWriter w;
    w.begin_object().key("name").str(e.name).key("cat").str(e.category).key("ph").str(std::string(1, e.phase));
    w.key("pid").num(e.pid).key("tid").num(e.tid);
    switch (e.phase) {
      case 'X':
        if (!e.args.empty()) w.key("args").begin_object().key("inputs").str(e.args).end_object();
        break;
      case 'C':
        w.key("args").begin_object().key(e.name).num(static_cast<long long>(e.value)).end_object();
        break;
      case 'i':
        w.key("s").str(std::string(1, e.scope));
        break;
    }
    head = w.result();
  }
  // The object is left open for ts and dur.
  head += ",\"ts\":" + micros(e.ts_ns);
  if (e.phase == 'X') head += ",\"dur\":" + micros(e.dur_ns);
  return head + "}";
}

std::vector<std::pair<std::string, Stat>> sorted_rows(const std::map<std::string, Stat>& rows, SortBy by,
                                                      bool ascending) {
  std::vector<std::pair<std::string, Stat>> out(rows.begin(), rows.end());
  auto key = [by](const Stat& s) -> double {
    switch (by) {
      case SortBy::kTotal: return s.total;
      case SortBy::kAvg: return s.avg();
      case SortBy::kMin: return s.min;
      case SortBy::kMax: return s.max;
      case SortBy::kCount: return static_cast<double>(s.count);
    }
    return s.total;
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    return ascending ? key(a.second) < key(b.second) : key(a.second) > key(b.second);
  });
  return out;
}

std::string pad_left(const std::string& s, size_t width) {  // name column: left-aligned
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}
std::string pad_right(const std::string& s, size_t width) {  // number columns: right-aligned
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}
std::string fixed4(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}
std::string short_num(double v) {  // MXNet's JSON: ostream's default 6 significant digits
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string trace_json(const std::vector<Event>& events, const std::map<int, std::string>& thread_names) {
  std::vector<std::string> items;
  items.push_back(metadata("process_name", 0, -1, "operators"));
  items.push_back(metadata("process_name", kUserPid, -1, "user events (domains, tasks, frames, counters, markers)"));
  std::set<std::pair<int, int>> tracks;
  for (const Event& e : events) tracks.insert({e.pid, e.tid});
  for (auto [pid, tid] : tracks) {
    auto it = thread_names.find(tid);
    items.push_back(metadata("thread_name", pid, tid, it != thread_names.end() ? it->second : "thread"));
  }
  for (const Event& e : events) items.push_back(event_json(e));
  std::string out = "{\"traceEvents\": [\n";
  for (size_t i = 0; i < items.size(); ++i) out += items[i] + (i + 1 < items.size() ? ",\n" : "\n");
  out += "],\n\"displayTimeUnit\": \"ms\"\n}\n";
  return out;
}

namespace {

std::string time_block(const std::string& category, const std::map<std::string, Stat>& rows, SortBy sort_by,
                       bool ascending) {
  std::string out = category + "\n=================\n";
  out += pad_left("Name", 25) + pad_right("Total Count", 16) + pad_right("Time (ms)", 17) +
         pad_right("Min Time (ms)", 17) + pad_right("Max Time (ms)", 17) + pad_right("Avg Time (ms)", 17) + "\n";
  out += pad_left("----", 25) + pad_right("-----------", 16) + pad_right("---------", 17) +
         pad_right("-------------", 17) + pad_right("-------------", 17) + pad_right("-------------", 17) + "\n";
  for (const auto& [name, s] : sorted_rows(rows, sort_by, ascending))
    out += pad_left(name, 25) + pad_right(std::to_string(s.count), 16) + pad_right(fixed4(s.total), 17) +
           pad_right(fixed4(s.min), 17) + pad_right(fixed4(s.max), 17) + pad_right(fixed4(s.avg()), 17) + "\n";
  return out + "\n";
}

std::string memory_block(const std::string& category, const std::map<std::string, Stat>& rows, SortBy sort_by,
                         bool ascending) {
  std::string out = category + "\n=================\n";
  out += pad_left("Name", 25) + pad_right("Total Count", 16) + pad_right("Min Use  (kB)", 17) +
         pad_right("Max Use  (kB)", 17) + pad_right("Avg Use  (kB)", 17) + "\n";
  out += pad_left("----", 25) + pad_right("-----------", 16) + pad_right("-------------", 17) +
         pad_right("-------------", 17) + pad_right("-------------", 17) + "\n";
  for (const auto& [name, s] : sorted_rows(rows, sort_by, ascending))
    out += pad_left(name, 25) + pad_right(std::to_string(s.count), 16) + pad_right(fixed4(s.min), 17) +
           pad_right(fixed4(s.max), 17) + pad_right(fixed4(s.avg()), 17) + "\n";
  return out + "\n";
}

std::string quoted(const std::string& s) {
  JsonWriter w;
  w.str(s);
  return w.result();
}

// One section ("Time" or "Memory") of the JSON statistics.
std::string json_section(const StatTable& table, SortBy sort_by, bool ascending, bool with_total) {
  std::string out;
  size_t c = 0;
  for (const auto& [category, rows] : table) {
    out += "        " + quoted(category) + ": {\n";
    auto sorted = sorted_rows(rows, sort_by, ascending);
    for (size_t i = 0; i < sorted.size(); ++i) {
      const Stat& s = sorted[i].second;
      out += "            " + quoted(sorted[i].first) + ": {\n";
      out += "                \"Count\": " + std::to_string(s.count) + ",\n";
      if (with_total) out += "                \"Total\": " + short_num(s.total) + ",\n";
      out += "                \"Min\": " + short_num(s.min) + ",\n";
      out += "                \"Max\": " + short_num(s.max) + ",\n";
      out += "                \"Avg\": " + short_num(s.avg()) + "\n";
      out += std::string("            }") + (i + 1 < sorted.size() ? ",\n" : "\n");
    }
    out += std::string("        }") + (++c < table.size() ? ",\n" : "\n");
  }
  return out;
}

}  // namespace

std::string stats_table(const Stats& stats, SortBy sort_by, bool ascending) {
  std::set<std::string> categories;
  for (const auto& kv : stats.time) categories.insert(kv.first);
  for (const auto& kv : stats.memory) categories.insert(kv.first);
  std::string out = "\nProfile Statistics:\n\tNote the difference in units for different entries.\n";
  for (const std::string& category : categories) {
    auto m = stats.memory.find(category);
    if (m != stats.memory.end()) out += memory_block(category, m->second, sort_by, ascending);
    auto t = stats.time.find(category);
    if (t != stats.time.end()) out += time_block(category, t->second, sort_by, ascending);
  }
  return out;
}

std::string stats_json(const Stats& stats, SortBy sort_by, bool ascending) {
  return "{\n    \"Time\": {\n" + json_section(stats.time, sort_by, ascending, true) + "    },\n    \"Memory\": {\n" +
         json_section(stats.memory, sort_by, ascending, false) +
         "    },\n    \"Unit\": {\n        \"Time\": \"ms\",\n        \"Memory\": \"kB\"\n    }\n}\n";
}

}  // namespace profiler
}  // namespace minerva
