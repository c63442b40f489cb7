"""The profiler from R (MXNet-R's mx.profiler.config/state, plus dump and dumps) through rpy2.
The package must be installed in build/rlib (`make build`)."""
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RLIB = ROOT / "build" / "rlib"

if not (RLIB / "minerva").is_dir():
    pytest.skip(f"the R package is not installed in {RLIB} (run make build)", allow_module_level=True)
rpy2 = pytest.importorskip("rpy2")
import rpy2.robjects as ro  # noqa: E402


@pytest.fixture(scope="module")
def r():
    ro.r(f'.libPaths(c("{RLIB}", .libPaths()))')
    ro.r("suppressMessages(library(minerva))")
    return ro.r


def test_profile_an_operator_from_r(r, tmp_path):
    trace = tmp_path / "r_trace.json"
    r(f'mx.profiler.config(list(filename = "{trace}", aggregate_stats = TRUE, continuous_dump = FALSE))')
    r("mx.profiler.state(MX.PROF.STATE$RUN)")
    r("invisible(as.array(mx.nd.relu(mx.nd.array(matrix(c(1, -2, 3, -4), 2, 2)))))")
    r("mx.profiler.state(MX.PROF.STATE$STOP)")
    stats = json.loads(r('mx.profiler.dumps(reset = TRUE, format = "json", sort.by = "count")')[0])
    assert stats["Time"]["operator"]["relu"]["Count"] == 1
    r("mx.profiler.dump()")
    events = json.loads(trace.read_text())["traceEvents"]
    assert sum(e["name"] == "relu" and e["ph"] == "X" for e in events) == 1


def test_bad_input_from_r(r):
    msg = r('tryCatch(mx.profiler.config(list(bogus = 1)), error = function(e) conditionMessage(e))')[0]
    assert "Cannot find argument 'bogus'" in msg
    msg = r("tryCatch(mx.profiler.state(3), error = function(e) conditionMessage(e))")[0]
    assert "MX.PROF.STATE$RUN" in msg
    msg = r("tryCatch(mx.profiler.config(list(1)), error = function(e) conditionMessage(e))")[0]
    assert "named list" in msg
