"""org.minerva.Profiler (MXNet-Scala's profilerSetConfig/profilerSetState/dumpProfile, plus
dumps) through jpype: an operator run through the JNI binding is in the trace and the statistics."""
import json

import pytest


def test_profiler_from_the_jvm(jvm, tmp_path):
    Profiler = jvm.JClass("org.minerva.Profiler")
    L = jvm.JClass("org.minerva.capi.LibMinerva")
    conf = jvm.JClass("java.util.HashMap")()
    trace = tmp_path / "jvm_trace.json"
    for k, v in {"filename": str(trace), "aggregate_stats": "True", "continuous_dump": "False"}.items():
        conf.put(k, v)
    Profiler.profilerSetConfig(conf)
    Profiler.dumps(True, "table", "total", False)  # start from empty statistics
    Profiler.profilerSetState("run")
    a = L.MVNDArrayCreate(jvm.JArray(jvm.JLong)([4]), 0, 1, 0)
    op = L.MVOpGetHandle("relu")
    params = L.MVOpParamsCreate(op, jvm.JArray(jvm.JString)([]), jvm.JArray(jvm.JString)([]))
    outs = L.MVImperativeInvoke(op, params, jvm.JArray(jvm.JLong)([a]), None)
    L.MVNDArrayWaitAll()
    Profiler.profilerSetState("stop")
    stats = json.loads(str(Profiler.dumps(True, "json", "count", False)))
    assert stats["Time"]["operator"]["relu"]["Count"] == 1
    Profiler.dumpProfile(1)
    events = json.loads(trace.read_text())["traceEvents"]
    assert sum(e["name"] == "relu" and e["ph"] == "X" for e in events) == 1
    for h in list(outs) + [a]:
        L.MVNDArrayFree(h)
    L.MVOpParamsFree(params)
    with pytest.raises(jvm.JClass("java.lang.IllegalArgumentException")):
        Profiler.profilerSetState("bogus")
    with pytest.raises(jvm.JClass("org.minerva.MinervaException"), match="Cannot find argument 'bogus'"):
        bad = jvm.JClass("java.util.HashMap")()
        bad.put("bogus", "1")
        Profiler.profilerSetConfig(bad)
