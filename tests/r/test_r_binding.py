"""The R package through rpy2: arrays, operators, training on real data, checkpoints shared with
Python, bad input and memory ownership. The package must be installed in build/rlib (`make build`)."""
import os
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RLIB = ROOT / "build" / "rlib"
DATA = pathlib.Path(os.environ.get("MINERVA_DATA", pathlib.Path.home() / ".minerva/datasets"))
DIGITS = DATA / "digits/digits.csv.gz"

if not (RLIB / "minerva").is_dir():
    pytest.skip(f"the R package is not installed in {RLIB} (run make build)", allow_module_level=True)
os.environ["R_LIBS"] = str(RLIB)
rpy2 = pytest.importorskip("rpy2")
import rpy2.robjects as ro  # noqa: E402


@pytest.fixture(scope="module")
def r():
    ro.r(f'.libPaths(c("{RLIB}", .libPaths()))')
    ro.r("suppressMessages(library(minerva))")
    return ro.r


def r_error(r, code: str) -> str:
    """The message of the R error code raises (the test fails if it raises none)."""
    res = r(f'tryCatch({{ {code}; "no error" }}, error = function(e) paste("ERROR:", conditionMessage(e)))')[0]
    assert res.startswith("ERROR:"), f"{code} raised no error"
    return res


def test_array_round_trip_keeps_r_dimension_order(r):
    r("x <- array(as.numeric(1:24), dim = c(2, 3, 4)); a <- mx.nd.array(x)")
    assert list(r("dim(a)")) == [2, 3, 4]
    assert bool(r("identical(as.array(a), x)")[0])
    # The core sees the reversed shape over the same (column-major = reversed row-major) data.
    assert list(r("minerva:::MVNDArrayGetShape(a$ptr)")) == [4, 3, 2]


def test_operators_and_arithmetic(r):
    r("a <- mx.nd.array(matrix(c(1, -2, 3, -4, 5, -6), 2, 3))")
    np.testing.assert_allclose(np.array(r("as.array(mx.nd.relu(a))")), [[1, 3, 5], [0, 0, 0]])
    np.testing.assert_allclose(np.array(r("as.array(a * 2 + 1)")), [[3, 7, 11], [-3, -7, -11]])
    np.testing.assert_allclose(np.array(r("as.array(1 - a)")), [[0, -2, -4], [3, 5, 7]])
    np.testing.assert_allclose(np.array(r("as.array(mx.nd.ones(c(2, 2)))")), np.ones((2, 2)))
    np.testing.assert_allclose(np.array(r("as.array(mx.nd.zeros(c(3)))")), np.zeros(3))
    # Reshape's shape is in R order: R dims c(3, 2) is the core's (2, 3).
    assert list(r("dim(mx.nd.Reshape(a, shape = c(3, 2)))")) == [3, 2]
    np.testing.assert_allclose(np.array(r("as.array(exp(mx.nd.zeros(c(2))))")), [1, 1])


def test_symbol_infer_shape_and_executor(r):
    r("""net <- mx.symbol.SoftmaxOutput(mx.symbol.FullyConnected(mx.symbol.Variable("data"),
                                     num_hidden = 10, name = "fc1"), name = "softmax")""")
    assert list(r("arguments(net)")) == ["data", "fc1_weight", "fc1_bias", "softmax_label"]
    assert list(r("mx.symbol.infer.shape(net, data = c(64, 32))$arg.shapes$fc1_weight")) == [64, 10]
    r('exe <- mx.simple.bind(net, data = c(64, 32), grad.req = "write"); mx.exec.forward(exe, is.train = FALSE)')
    assert list(r("dim(exe$outputs[[1]])")) == [10, 32]


def _digits():
    if not DIGITS.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DIGITS} is missing (tools/fetch_data.sh installs it)")
        pytest.skip(f"{DIGITS} is missing (tools/fetch_data.sh installs it)")
    return DIGITS


def test_mlp_learns_real_digits(r):
    path = _digits()
    acc = r(f"""
      d <- as.matrix(read.csv(gzfile("{path}"), header = FALSE))
      x <- d[, 1:64] / 16; y <- d[, 65]
      set.seed(1); idx <- sample(nrow(x)); tr <- idx[1:1347]; te <- idx[1348:1797]
      mx.set.seed(0)
      model <- mx.mlp(x[tr, ], y[tr], hidden_node = 64, out_node = 10, activation = "relu", num.round = 20,
                      array.batch.size = 32, learning.rate = 0.1, momentum = 0.9, initializer = mx.init.Xavier(),
                      eval.metric = mx.metric.accuracy, verbose = FALSE)
      mean(max.col(t(predict(model, x[te, ]))) - 1 == y[te])""")[0]
    assert acc >= 0.90, f"R MLP test accuracy {acc:.3f}"


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop"])
def test_other_optimizers_train(r, optimizer):
    path = _digits()
    acc = r(f"""
      d <- as.matrix(read.csv(gzfile("{path}"), header = FALSE))
      x <- d[1:600, 1:64] / 16; y <- d[1:600, 65]
      mx.set.seed(0)
      m <- mx.mlp(x, y, hidden_node = 32, out_node = 10, activation = "relu", num.round = 10,
                  array.batch.size = 32, optimizer = "{optimizer}", learning.rate = 0.01,
                  initializer = mx.init.Xavier(), verbose = FALSE)
      mean(max.col(t(predict(m, x))) - 1 == y)""")[0]
    assert acc >= 0.85, f"{optimizer}: training accuracy {acc:.3f}"


def test_model_saved_by_python_predicts_the_same_in_r(r, tmp_path):
    import minerva as mx
    rng = np.random.default_rng(0)
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, num_hidden=16, name="fc1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.FullyConnected(net, num_hidden=10, name="fc2")
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    args = {"fc1_weight": rng.normal(0, 0.3, (16, 64)), "fc1_bias": rng.normal(0, 0.1, 16),
            "fc2_weight": rng.normal(0, 0.3, (10, 16)), "fc2_bias": rng.normal(0, 0.1, 10)}
    arg_params = {k: mx.nd.array(v.astype(np.float32)) for k, v in args.items()}
    prefix = str(tmp_path / "pymodel")
    mx.model.save_checkpoint(prefix, 3, net, arg_params, {})
    x = rng.random((50, 64)).astype(np.float32)
    exe = net.simple_bind(mx.cpu(), grad_req="null", data=(50, 64))
    for k, v in arg_params.items():
        v.copyto(exe.arg_dict[k])
    exe.arg_dict["data"][:] = mx.nd.array(x)
    expected = exe.forward(is_train=False)[0].asnumpy()
    ro.globalenv["x_py"] = ro.r.matrix(ro.FloatVector(x.ravel()), nrow=50, byrow=True)
    got = np.array(r(f'predict(mx.model.load("{prefix}", 3), x_py, array.batch.size = 20)'))
    assert got.shape == (10, 50)
    np.testing.assert_allclose(got.T, expected, rtol=1e-5, atol=1e-6)
    # And the other way: R writes a checkpoint, Python reads it and predicts the same.
    r(f'mx.model.save(mx.model.load("{prefix}", 3), "{tmp_path / "rmodel"}", 7)')
    sym, arg2, aux2 = mx.model.load_checkpoint(str(tmp_path / "rmodel"), 7)
    exe2 = sym.simple_bind(mx.cpu(), grad_req="null", data=(50, 64))
    for k, v in arg2.items():
        v.copyto(exe2.arg_dict[k])
    exe2.arg_dict["data"][:] = mx.nd.array(x)
    np.testing.assert_allclose(exe2.forward(is_train=False)[0].asnumpy(), expected, rtol=1e-6)


def test_bad_input_gives_r_errors_naming_the_problem(r):
    r("a <- mx.nd.array(matrix(1, 2, 3))")
    assert "num_hidden" in r_error(r, 'mx.nd.FullyConnected(a, num_hidden = "ten")')
    msg = r_error(r, "mx.nd.FullyConnected(a, num_hiden = 3)")
    assert "num_hiden" in msg and "num_hidden" in msg  # the core's message, listing the valid names
    assert "must be a single number" in r_error(r, 'minerva:::MVNDArrayCreate(c(2, 2), "float", 1, 0)')
    assert "MXNDArray" in r_error(r, "mx.nd.relu(list(1, 2))")
    assert "numeric" in r_error(r, 'mx.nd.array("text")')
    r("b <- mx.nd.array(1:3); mx.nd.free(b)")
    assert "already freed" in r_error(r, "as.array(b)")
    r("mx.nd.free(b)")  # a second free is a no-op
    assert "MVSymbolHandle" in r_error(r, "minerva:::MVSymbolListArguments(a$ptr)")
    msg = r_error(r, 'minerva:::MVOpGetHandle("NoSuchOp")')
    assert "MV_ERR_NOT_FOUND" in msg and "NoSuchOp" in msg
    assert "required" in r_error(r, "mx.nd.FullyConnected(a)").lower()


def test_finalizers_free_native_memory_exactly_once(r):
    r("invisible(gc()); mx.nd.waitall(); base <- mx.storage.stats()$bytes_in_use")
    r("big <- lapply(1:20, function(i) mx.nd.ones(c(1000, 10))); y <- big[[1]] * 3; mx.nd.waitall()")
    assert r("mx.storage.stats()$bytes_in_use - base")[0] >= 20 * 1000 * 10 * 4
    r("mx.nd.free(big[[2]]); rm(big, y); invisible(gc()); invisible(gc()); mx.nd.waitall()")
    assert r("mx.storage.stats()$bytes_in_use - base")[0] == 0
