# Prediction, checkpoints, serialization and mx.mlp as MXNet-R (R-package/R/model.R, mlp.R), and
# models that reach a stated accuracy on real data.

data.dir <- function() Sys.getenv("MINERVA_DATA", file.path(path.expand("~"), ".minerva", "datasets"))

digits <- function() {
  path <- file.path(data.dir(), "digits", "digits.csv.gz")
  skip_if_not(file.exists(path), paste(path, "is missing (tools/fetch_data.sh installs it)"))
  d <- as.matrix(read.csv(gzfile(path), header = FALSE))
  list(x = d[, 1:64] / 16, y = d[, 65])
}

tiny.model <- function() {
  set.seed(4)
  x <- matrix(runif(5 * 30), 5, 30)
  y <- as.numeric(colSums(x) > 2.5)
  mx.set.seed(4)
  model <- mx.mlp(x, y, hidden_node = 6, out_node = 2, num.round = 3, array.batch.size = 10,
                  array.layout = "colmajor", learning.rate = 0.1, verbose = FALSE)
  list(model = model, x = x, y = y)
}

test_that("an MLP learns real digits (scikit-learn's 1,797 8x8 images) to >= 95% on held-out images", {
  d <- digits()
  set.seed(1)
  idx <- sample(nrow(d$x))
  train <- idx[1:1347]
  test <- idx[1348:1797]
  mx.set.seed(0)
  model <- mx.mlp(d$x[train, ], d$y[train], hidden_node = 64, out_node = 10, activation = "relu", num.round = 20,
                  array.batch.size = 32, array.layout = "rowmajor", learning.rate = 0.1, momentum = 0.9,
                  initializer = mx.init.Xavier(), eval.metric = mx.metric.accuracy, verbose = FALSE)
  pred <- predict(model, d$x[test, ], array.layout = "rowmajor")
  expect_equal(dim(pred), c(10, 450))
  expect_gte(mean(max.col(t(pred)) - 1 == d$y[test]), 0.95)
})

test_that("an MLP learns real MNIST (10,000 training images, 2 epochs) to >= 92% on the 10,000 test images", {
  dir <- file.path(data.dir(), "mnist")
  skip_if_not(file.exists(file.path(dir, "t10k-images-idx3-ubyte")), "MNIST is missing (tools/fetch_data.sh)")
  read.idx <- function(name, n, size) {
    con <- file(file.path(dir, name), "rb")
    on.exit(close(con))
    readBin(con, "raw", n = if (size == 1) 8 else 16)
    as.integer(readBin(con, "raw", n = n * size))
  }
  x <- matrix(read.idx("train-images-idx3-ubyte", 10000, 784), 784) / 255
  y <- read.idx("train-labels-idx1-ubyte", 10000, 1)
  tx <- matrix(read.idx("t10k-images-idx3-ubyte", 10000, 784), 784) / 255
  ty <- read.idx("t10k-labels-idx1-ubyte", 10000, 1)
  expect_equal(ty[1:10], c(7, 2, 1, 0, 4, 1, 4, 9, 5, 9))
  mx.set.seed(0)
  model <- mx.mlp(x, y, hidden_node = c(128, 64), out_node = 10, activation = "relu", num.round = 2,
                  array.batch.size = 100, array.layout = "colmajor", learning.rate = 0.1, momentum = 0.9,
                  initializer = mx.init.Xavier(), verbose = FALSE)
  pred <- predict(model, tx, array.layout = "colmajor")
  expect_gte(mean(max.col(t(pred)) - 1 == ty), 0.92)
})

test_that("predict returns every sample once whatever the batch size, from arrays or iterators", {
  m <- tiny.model()
  full <- predict(m$model, m$x, array.layout = "colmajor", array.batch.size = 30)
  expect_equal(dim(full), c(2, 30))
  expect_equal(colSums(full), rep(1, 30), tolerance = 1e-5)
  for (bs in c(1, 7, 64)) {
    expect_equal(predict(m$model, m$x, array.layout = "colmajor", array.batch.size = bs), full, tolerance = 1e-6)
  }
  expect_equal(predict(m$model, mx.io.arrayiter(m$x, m$y, batch.size = 8)), full, tolerance = 1e-6)
  expect_equal(suppressWarnings(predict(m$model, t(m$x))), full, tolerance = 1e-6)
  expect_warning(predict(m$model, t(m$x)), "use rowmajor")
  expect_error(predict(m$model, "x"), "'X' must be a data iterator")
})

test_that("predict's allow.extra.params drops parameters the network lacks", {
  m <- tiny.model()
  extra <- m$model
  extra$arg.params$ghost_weight <- mx.nd.zeros(c(2, 2))
  expect_error(predict(extra, m$x, array.layout = "colmajor"), "ghost_weight")
  expect_equal(predict(extra, m$x, array.layout = "colmajor", allow.extra.params = TRUE),
               predict(m$model, m$x, array.layout = "colmajor"), tolerance = 1e-6)
})

test_that("mx.model.save writes MXNet's checkpoint files and mx.model.load reads them back", {
  m <- tiny.model()
  prefix <- file.path(tempfile(), "tiny")
  dir.create(dirname(prefix))
  mx.model.save(m$model, prefix, 7)
  expect_setequal(list.files(dirname(prefix)), c("tiny-symbol.json", "tiny-0007.params"))
  saved <- mx.nd.load(paste0(prefix, "-0007.params"))
  expect_setequal(names(saved), paste0("arg:", names(m$model$arg.params)))
  json <- paste(readLines(paste0(prefix, "-symbol.json"), warn = FALSE), collapse = "")
  expect_match(json, "\"op\": *\"FullyConnected\"")
  back <- mx.model.load(prefix, 7)
  expect_equal(lapply(back$arg.params, as.array), lapply(m$model$arg.params, as.array))
  expect_equal(predict(back, m$x, array.layout = "colmajor"), predict(m$model, m$x, array.layout = "colmajor"))
})

test_that("checkpoints are interchangeable with MXNet 1.9.1's Python save_checkpoint/load_checkpoint", {
  root <- normalizePath(file.path(testthat::test_path(), "..", "..", ".."), mustWork = FALSE)
  oracle <- Sys.getenv("MINERVA_ORACLE_PYTHON", file.path(root, ".oracle-venv", "bin", "python"))
  skip_if_not(file.exists(oracle), "the MXNet 1.9.1 oracle (.oracle-venv) is not installed")
  dir <- tempfile()
  dir.create(dir)
  set.seed(8)
  x <- matrix(runif(6 * 9), 6, 9)
  writeBin(as.numeric(x), file.path(dir, "x.f32"), size = 4)
  script <- file.path(dir, "oracle.py")
  writeLines(c(
    "import sys, numpy as np, mxnet as mx",
    "d = sys.argv[1]",
    "x = np.fromfile(d + '/x.f32', dtype=np.float32).reshape(9, 6)",
    "net = mx.sym.FullyConnected(mx.sym.Variable('data'), num_hidden=5, name='fc1')",
    "net = mx.sym.SoftmaxOutput(mx.sym.Activation(net, act_type='relu'), name='softmax')",
    "rng = np.random.RandomState(0)",
    "args = {'fc1_weight': mx.nd.array(rng.normal(0, 1, (5, 6))), 'fc1_bias': mx.nd.array(rng.normal(0, 1, 5))}",
    "mx.model.save_checkpoint(d + '/mx', 3, net, args, {})",
    "def run(sym, arg):",
    "    exe = sym.simple_bind(mx.cpu(), data=(9, 6), grad_req='null')",
    "    exe.copy_params_from(arg, {}, allow_extra_params=True)",
    "    exe.arg_dict['data'][:] = x",
    "    return exe.forward(is_train=False)[0].asnumpy()",
    "run(net, args).astype(np.float32).tofile(d + '/mx_out.f32')",
    "if len(sys.argv) > 2:",
    "    sym, arg, aux = mx.model.load_checkpoint(d + '/r', 5)",
    "    run(sym, arg).astype(np.float32).tofile(d + '/r_out.f32')"), script)
  status <- system2(oracle, c(script, dir), env = "LD_LIBRARY_PATH=''", stdout = FALSE, stderr = FALSE)
  skip_if(status != 0, "the MXNet oracle did not run")
  mxnet.out <- matrix(readBin(file.path(dir, "mx_out.f32"), "double", n = 45, size = 4), 5)
  model <- mx.model.load(file.path(dir, "mx"), 3)
  expect_equal(predict(model, x, array.layout = "colmajor"), mxnet.out, tolerance = 1e-5)
  mx.model.save(model, file.path(dir, "r"), 5)
  expect_equal(system2(oracle, c(script, dir, "both"), env = "LD_LIBRARY_PATH=''", stdout = FALSE, stderr = FALSE), 0)
  expect_equal(matrix(readBin(file.path(dir, "r_out.f32"), "double", n = 45, size = 4), 5), mxnet.out,
               tolerance = 1e-6)
})

test_that("mx.serialize gives plain R objects that survive saveRDS; predict takes them as they are", {
  m <- tiny.model()
  s <- mx.serialize(m$model)
  expect_true(is.serialized(s))
  expect_false(is.serialized(m$model))
  expect_type(s$symbol_json, "character")
  # as MXNet-R: as.array of each parameter, so a 1-d bias is a plain numeric vector
  expect_true(all(vapply(s$arg.params, is.numeric, TRUE)))
  expect_null(dim(s$arg.params$fc_bias))
  path <- tempfile(fileext = ".rds")
  saveRDS(s, path)
  back <- readRDS(path)
  want <- predict(m$model, m$x, array.layout = "colmajor")
  expect_equal(predict(back, m$x, array.layout = "colmajor"), want, tolerance = 1e-6)
  restored <- mx.unserialize(back)
  expect_false(is.serialized(restored))
  expect_equal(predict(restored, m$x, array.layout = "colmajor"), want, tolerance = 1e-6)
  expect_identical(mx.serialize(s), s)
  expect_identical(mx.unserialize(m$model), m$model)
})

test_that("mx.mlp builds MXNet-R's layers: activations per layer, dropout, regression and logistic outputs", {
  set.seed(6)
  x <- matrix(runif(3 * 40), 3, 40)
  y <- colSums(x)
  mx.set.seed(6)
  reg <- mx.mlp(x, y, hidden_node = c(5, 4), out_node = 1, activation = c("relu", "tanh"), dropout = 0.2,
                out_activation = "rmse", num.round = 2, array.batch.size = 10, array.layout = "colmajor",
                learning.rate = 0.01, verbose = FALSE)
  json <- MVSymbolSaveToJSON(reg$symbol$ptr)
  for (op in c("LinearRegressionOutput", "Dropout", "\"relu\"", "\"tanh\"")) expect_match(json, op, fixed = TRUE)
  expect_equal(dim(predict(reg, x, array.layout = "colmajor")), c(1, 40))
  logistic <- mx.mlp(x, as.numeric(y > 1.5), hidden_node = 3, out_node = 1, out_activation = "logistic",
                     num.round = 1, array.batch.size = 10, array.layout = "colmajor", verbose = FALSE)
  p <- predict(logistic, x, array.layout = "colmajor")
  expect_true(all(p > 0 & p < 1))
  expect_error(mx.mlp(x, y, hidden_node = c(5, 4), out_node = 1, activation = c("relu", "tanh", "relu")),
               "3 activations for 2 hidden layers")
  expect_error(mx.mlp(x, y, out_node = 1, out_activation = "poisson"), "out_activation 'poisson'")
  expect_error(mx.mlp(x, y, out_node = 1, dropout = c(0.1, 0.2)), "'dropout' must be one ratio")
})

test_that("mx.model.init.params leaves the inputs and labels out", {
  net <- mx.symbol.SoftmaxOutput(mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 3, name = "fc"),
                                 name = "sm")
  p <- mx.model.init.params(net, list(data = c(4, 2)), list(sm_label = 2), mx.init.uniform(0.1), mx.cpu())
  expect_setequal(names(p$arg.params), c("fc_weight", "fc_bias"))
  expect_equal(dim(p$arg.params$fc_weight), c(4, 3))
  expect_equal(as.array(p$arg.params$fc_bias), c(0, 0, 0))  # a 1-d array is a plain vector, as MXNet-R
  expect_length(p$aux.params, 0)
})
