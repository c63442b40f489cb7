package org.minerva

import java.nio.file.Files

import org.scalatest.funsuite.AnyFunSuite

class ProfilerSuite extends AnyFunSuite {
  test("an operator is recorded in the trace and counted in dumps") {
    val trace = Files.createTempFile("minerva_profile", ".json")
    Profiler.profilerSetConfig(Map("filename" -> trace.toString, "aggregate_stats" -> "True",
                                   "continuous_dump" -> "False"))
    Profiler.profilerSetState("run")
    ResourceScope.using {
      val a = NDArray.array(Array(1f, -2f, 3f), Shape(3))
      assert(NDArray.api.relu(a).toArray.sameElements(Array(1f, 0f, 3f)))
    }
    Profiler.profilerSetState("stop")
    val stats = Profiler.dumps(reset = true, format = "json", sortBy = "count")
    assert(stats.contains("\"relu\""))
    Profiler.dumpProfile()
    val text = new String(Files.readAllBytes(trace), "UTF-8")
    assert(text.startsWith("{\"traceEvents\": ["))
    assert(text.contains("\"name\":\"relu\",\"cat\":\"operator\",\"ph\":\"X\""))
    Files.delete(trace)
  }

  test("bad input names what was wrong") {
    val e = intercept[MinervaException](Profiler.profilerSetConfig(Map("bogus" -> "1")))
    assert(e.getMessage.contains("Cannot find argument 'bogus'"))
    intercept[IllegalArgumentException](Profiler.profilerSetState("bogus"))
    intercept[IllegalArgumentException](Profiler.dumps(format = "xml"))
  }
}
