// The profiler's two outputs: the Chrome trace JSON file and the aggregate statistics (MXNet's
// dumps() table and JSON). Pure formatting over what profiler.cc recorded.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/profiler/profiler.h"

namespace minerva {
namespace profiler {

// One row of the aggregate statistics, in milliseconds (counters: their values).
struct Stat {
  int64_t count = 0;
  double total = 0, min = 0, max = 0;
  void add(double v);
  void set_last(double v);  // counters: total is the latest value
  double avg() const { return count ? total / static_cast<double>(count) : 0.0; }
};
using StatTable = std::map<std::string, std::map<std::string, Stat>>;  // category -> name -> row
struct Stats {
  StatTable time;    // intervals in ms, counters and markers
  StatTable memory;  // bytes in use, in kB ("Device Storage")
  void clear() {
    time.clear();
    memory.clear();
  }
};

// {"traceEvents": [...], "displayTimeUnit": "ms"}: process and thread names as metadata ("M"),
// intervals as complete events ("X", microseconds), counters ("C") and markers ("i").
std::string trace_json(const std::vector<Event>& events, const std::map<int, std::string>& thread_names);

// MXNet's layout: categories in name order, memory ones with their own columns; in JSON the
// memory categories go under "Memory".
std::string stats_table(const Stats& stats, SortBy sort_by, bool ascending);
std::string stats_json(const Stats& stats, SortBy sort_by, bool ascending);

}  // namespace profiler
}  // namespace minerva
