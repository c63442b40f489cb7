# MXNet-R's symbol and executor API (R-package/src/symbol.cc's members, R/symbol.R, R/executor.R,
# src/executor.cc): members by $, get.output by 1-based index, apply, bind, update.* arrays.

mlp <- function() {
  data <- mx.symbol.Variable("data")
  fc <- mx.symbol.FullyConnected(data, num_hidden = 3, name = "fc")
  act <- mx.symbol.Activation(fc, act_type = "relu", name = "relu")
  mx.symbol.SoftmaxOutput(act, name = "sm")
}

test_that("symbols answer MXNet-R's members", {
  net <- mlp()
  expect_equal(net$arguments, c("data", "fc_weight", "fc_bias", "sm_label"))
  expect_equal(net$arguments, arguments(net))
  expect_equal(net$outputs, "sm_output")
  expect_equal(outputs(net), "sm_output")
  inner <- net$get.internals()
  expect_true(is.mx.symbol(inner))
  expect_equal(inner$outputs, outputs(internals(net)))
  expect_true(all(c("fc_output", "relu_output", "sm_output") %in% inner$outputs))
  # MXNet-R code picks a layer with get.output(which(outputs == name)): 1-based.
  fc.out <- inner$get.output(which(inner$outputs == "fc_output"))
  expect_equal(fc.out$outputs, "fc_output")
  expect_equal(inner[["relu_output"]]$outputs, "relu_output")
  expect_equal(inner[[which(inner$outputs == "relu_output")]]$outputs, "relu_output")
  expect_error(inner$get.output(0), "1\\.\\.")
  expect_error(net$no.such.member, "no member 'no.such.member'")
  expect_equal(outputs(children(fc.out)), c("data", "fc_weight", "fc_bias"))
  expect_equal(fc.out$attributes$num_hidden, "3")
  expect_match(net$debug.str(), "sm_output")
})

test_that("as.json, save, load and load.json round-trip the graph", {
  net <- mlp()
  json <- net$as.json()
  expect_match(json, "\"FullyConnected\"")
  expect_identical(mx.symbol.load.json(json)$as.json(), json)
  expect_identical(mx.symbol.save.json(net), json)
  f <- tempfile(fileext = ".json")
  net$save(f)
  expect_equal(mx.symbol.load(f)$arguments, net$arguments)
  f2 <- tempfile(fileext = ".json")
  mx.symbol.save(net, f2)
  expect_identical(readChar(f2, file.size(f2)), readChar(f, file.size(f)))
})

test_that("infer.shape as a member and as mx.symbol.infer.shape (R order)", {
  net <- mlp()
  s <- net$infer.shape(list(data = c(10, 4)))
  expect_equal(s$arg.shapes$fc_weight, c(10, 3))
  expect_equal(s$arg.shapes$fc_bias, 3)
  expect_equal(s$out.shapes$sm_output, c(3, 4))
  expect_equal(mx.symbol.infer.shape(net, data = c(10, 4)), s)
  expect_null(mx.symbol.infer.shape(mx.symbol.Variable("a") + mx.symbol.Variable("b")))
})

test_that("Variable attributes are kept and land in the JSON", {
  v <- mx.symbol.Variable("w", attr = list(lr_mult = 2, mood = "calm"))
  expect_equal(v$attributes, list(lr_mult = "2", mood = "calm"))
  expect_match(v$as.json(), "calm")
  expect_error(mx.symbol.Variable("w", attr = list(1)), "named")
  expect_error(mx.symbol.Variable(3), "single string")
})

test_that("mx.apply composes a copy by argument name or by position", {
  data <- mx.symbol.Variable("data")
  fc <- mx.symbol.FullyConnected(data, num_hidden = 2, name = "fc")
  x <- mx.symbol.Variable("x")
  composed <- mx.apply(fc, data = mx.symbol.Activation(x, act_type = "tanh", name = "t"))
  expect_equal(arguments(composed), c("x", "fc_weight", "fc_bias"))
  expect_equal(arguments(fc), c("data", "fc_weight", "fc_bias"))  # unchanged
  by.pos <- fc$apply(list(x))
  expect_equal(arguments(by.pos)[1], "x")
  expect_error(mx.apply(fc, nothere = x), "no argument named 'nothere'")
  expect_error(mx.apply(fc, data = 3), "not an MXSymbol")
})

test_that("Group takes symbols or a list, as c() of symbols gives", {
  a <- mx.symbol.Variable("a")
  b <- a * 2
  expect_equal(length(outputs(mx.symbol.Group(a, b))), 2)
  expect_equal(outputs(mx.symbol.Group(c(a, b))), outputs(mx.symbol.Group(list(a, b))))
  expect_error(mx.symbol.Group(a, 1), "not an MXSymbol")
})

test_that("symbol arithmetic evaluates like R's, numbers on either side", {
  a <- mx.symbol.Variable("a")
  b <- mx.symbol.Variable("b")
  net <- mx.symbol.Group(a + b, a - 1, 1 - a, 2 * a, a / 4, 8 / a, a^2, 2^a, a %% 3, -a, a > 1.5, 2 >= a, a == b)
  m <- matrix(c(1, 2, 3, 4), 2, 2)
  n <- matrix(c(1, 5, 3, 0), 2, 2)
  e <- mx.simple.bind(net, ctx = mx.cpu(), a = c(2, 2), b = c(2, 2))
  mx.exec.update.arg.arrays(e, list(a = mx.nd.array(m), b = mx.nd.array(n)), match.name = TRUE)
  mx.exec.forward(e, is.train = FALSE)
  got <- lapply(e$ref.outputs, as.array)
  want <- list(m + n, m - 1, 1 - m, 2 * m, m / 4, 8 / m, m^2, 2^m, m %% 3, -m, (m > 1.5) * 1, (2 >= m) * 1, (m == n) * 1)
  for (i in seq_along(want)) expect_equal(got[[i]], want[[i]], tolerance = 1e-6)
  expect_error(a + c(1, 2), "single number")
})

test_that("mx.simple.bind follows MXNet-R's gradient rules", {
  e <- mx.simple.bind(mlp(), ctx = mx.cpu(), grad.req = "write", data = c(10, 4))
  expect_null(e$grad.arrays$data)
  expect_null(e$grad.arrays$sm_label)
  expect_equal(dim(e$ref.grad.arrays$fc_weight), c(10, 3))
  e2 <- mx.simple.bind(mlp(), ctx = mx.cpu(), grad.req = "write", fixed.param = "fc_bias", data = c(10, 4))
  expect_null(e2$grad.arrays$fc_bias)
  expect_false(is.null(e2$grad.arrays$fc_weight))
  expect_error(mx.simple.bind(mlp(), grad.req = "sometimes", data = c(10, 4)), "grad.req")
})

test_that("mx.symbol.bind binds copies of given arrays and computes gradients", {
  data <- mx.symbol.Variable("data")
  w <- mx.symbol.Variable("w")
  net <- mx.symbol.sum(mx.symbol.dot(w, data))  # sum over w %*% data in the core's order
  x <- matrix(c(1, 2, 3, 4, 5, 6), 3, 2)  # R 3 x 2 = core (2, 3)
  wv <- matrix(c(1, -1), 2, 1)            # R 2 x 1 = core (1, 2)
  xa <- mx.nd.array(x)
  e <- mx.symbol.bind(net, mx.cpu(), arg.arrays = list(w = mx.nd.array(wv), data = xa), aux.arrays = list(),
                      grad.reqs = c(data = "null", w = "write"))
  expect_equal(names(e$arg.arrays), c("w", "data"))
  expect_null(e$grad.arrays$data)
  mx.exec.forward(e, is.train = TRUE)
  expect_equal(as.array(e$ref.outputs[[1]]), sum(x %*% wv), tolerance = 1e-6)
  mx.exec.backward(e)
  # d/dw of sum(w %*% data) in the core's order: each w[0, k] gets sum_j data[k, j].
  expect_equal(as.array(e$ref.grad.arrays$w), matrix(colSums(x), 2, 1), tolerance = 1e-6)
  # The executor owns copies: changing the source array afterwards does not reach it.
  mx.nd.plus.scalar(xa, scalar = 100, out = xa)
  mx.exec.forward(e, is.train = FALSE)
  expect_equal(as.array(e$ref.outputs[[1]]), sum(x %*% wv), tolerance = 1e-6)
  expect_error(mx.symbol.bind(net, mx.cpu(), list(w = mx.nd.array(wv)), list(), "write"), "no array for 'data'")
  expect_error(mx.symbol.bind(net, mx.cpu(), list(mx.nd.array(wv), xa), list(), c("write")), NA)
  expect_error(mx.symbol.bind(net, mx.cpu(), list(mx.nd.array(wv), xa), list(), c("write", "maybe")), "maybe")
})

test_that("executor members and update.* follow MXNet-R (match.name, skip.null, shape checks)", {
  e <- mx.simple.bind(mlp(), ctx = mx.cpu(), grad.req = "write", data = c(10, 4))
  w <- mx.nd.array(matrix(0.5, 10, 3))
  e$update.arg.arrays(list(fc_weight = w), match.name = TRUE)
  expect_equal(as.array(e$ref.arg.arrays$fc_weight), matrix(0.5, 10, 3))
  mx.exec.update.arg.arrays(e, list(fc_weight = NULL, fc_bias = mx.nd.ones(3)), match.name = TRUE, skip.null = TRUE)
  expect_equal(as.array(e$ref.arg.arrays$fc_bias), c(1, 1, 1))
  expect_error(mx.exec.update.arg.arrays(e, list(fc_weight = NULL), match.name = TRUE), "skip.null")
  expect_error(mx.exec.update.arg.arrays(e, list(fc_weight = mx.nd.ones(c(3, 10))), match.name = TRUE), "shape")
  expect_error(mx.exec.update.arg.arrays(e, list(mx.nd.ones(3))), "1 arrays given")
  expect_error(mx.exec.update.arg.arrays(e, list(nope = mx.nd.ones(3)), match.name = TRUE), "no array named 'nope'")
  mx.exec.update.grad.arrays(e, list(fc_bias = mx.nd.ones(3) * 7), match.name = TRUE)
  expect_equal(as.array(e$ref.grad.arrays$fc_bias), c(7, 7, 7))
  e$forward(is.train = TRUE, list(data = mx.nd.array(matrix(1, 10, 4))))
  e$backward()
  out <- as.array(e$ref.outputs$sm_output)
  expect_equal(colSums(out), rep(1, 4), tolerance = 1e-6)
  expect_equal(as.array(e$outputs[[1]]), out)
  expect_true(is.mx.executor(e))
})
