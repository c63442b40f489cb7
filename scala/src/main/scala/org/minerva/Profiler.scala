package org.minerva

/**
 * The profiler, as MXNet-Scala's `Profiler` (profilerSetConfig, profilerSetState, dumpProfile),
 * plus pause/resume and the aggregate statistics of Python's `mx.profiler.dumps` (docs/profiler.md).
 * The trace file is Chrome trace JSON, opened by chrome://tracing and Perfetto.
 */
object Profiler {
  val state2Int: Map[String, Int] = Map("stop" -> 0, "run" -> 1)
  private val formats = Map("table" -> 0, "json" -> 1)
  private val sortKeys = Map("total" -> 0, "avg" -> 1, "min" -> 2, "max" -> 3, "count" -> 4)

  private def code(table: Map[String, Int], what: String, value: String): Int =
    table.getOrElse(value, throw new IllegalArgumentException(
      s"$what must be one of ${table.keys.toSeq.sorted.mkString(", ")}, got '$value'"))

  /** Configures the profiler with MXNet's set_config keys (filename, profile_all, aggregate_stats, ...). */
  def profilerSetConfig(kwargs: Map[String, String]): Unit = {
    val (keys, vals) = kwargs.toSeq.unzip
    Native.profilerSetConfig(keys.toArray, vals.toArray)
  }

  /** The same, from Java. */
  def profilerSetConfig(kwargs: java.util.Map[String, String]): Unit = {
    val entries = kwargs.entrySet.toArray(new Array[java.util.Map.Entry[String, String]](0))
    Native.profilerSetConfig(entries.map(_.getKey), entries.map(_.getValue))
  }

  /** Starts ("run") or stops ("stop") the profiler. */
  def profilerSetState(state: String = "stop"): Unit = Native.profilerSetState(code(state2Int, "state", state))

  /** Writes the trace file; with finished = 1 the written events are forgotten. */
  def dumpProfile(finished: Int = 1): Unit = Native.profilerDump(if (finished != 0) 1 else 0)

  def pause(): Unit = Native.profilerPause(1)
  def resume(): Unit = Native.profilerPause(0)

  /** The aggregate statistics (with aggregate_stats = "True") as MXNet's table or JSON. */
  def dumps(reset: Boolean = false, format: String = "table", sortBy: String = "total",
            ascending: Boolean = false): String =
    Native.profilerDumps(if (reset) 1 else 0, code(formats, "format", format), code(sortKeys, "sortBy", sortBy),
                         if (ascending) 1 else 0)
}
