# MXNet-R accepts dotted parameter names (its wrappers turn '.' into '_' before the core sees a
# key: src/symbol.cc FormatParamKey), and c() of its reference objects lists them.

test_that("dotted parameter names reach the core as the underscore parameters", {
  x <- mx.nd.array(matrix(c(1, -2, 3, -4, 5, -6), 2, 3))
  w <- mx.nd.array(matrix(c(1, 0, 0, 1, 1, 1), 2, 3))
  dotted <- mx.nd.FullyConnected(x, w, num.hidden = 3, no.bias = TRUE)
  plain <- mx.nd.FullyConnected(x, w, num_hidden = 3, no_bias = TRUE)
  expect_equal(as.array(dotted), as.array(plain))
  # The weight is (in R order) 2 x 3: three hidden units over two features.
  expect_equal(as.array(dotted), t(as.matrix(as.array(w))) %*% as.matrix(as.array(x)), tolerance = 1e-6)
  expect_equal(as.array(mx.nd.Activation(x, act.type = "relu")), pmax(as.array(x), 0))
})

test_that("dotted names work for symbols, variadic counts and typed parameters", {
  data <- mx.symbol.Variable("data")
  conv <- mx.symbol.Convolution(data, kernel = c(3, 3), num.filter = 4, no.bias = TRUE, name = "conv")
  expect_equal(conv$attributes$num_filter, "4")
  expect_equal(conv$attributes$no_bias, "True")
  expect_equal(arguments(conv), c("data", "conv_weight"))
  a <- mx.symbol.Variable("a")
  b <- mx.symbol.Variable("b")
  cat2 <- mx.symbol.Concat(list(a, b), num.args = 2, dim = 0, name = "cat")
  s <- mx.symbol.infer.shape(cat2, a = c(2, 3), b = c(2, 3))
  expect_equal(s$out.shapes$cat_output, c(2, 6))
  fc <- mx.symbol.FullyConnected(data, num.hidden = 5, name = "fc")
  expect_equal(mx.symbol.infer.shape(fc, data = c(7, 10))$arg.shapes$fc_weight, c(7, 5))
})

test_that("a parameter given under both spellings is an error naming it", {
  x <- mx.nd.ones(c(2, 2))
  expect_error(mx.nd.FullyConnected(x, mx.nd.ones(c(2, 3)), num_hidden = 3, num.hidden = 3), "num_hidden.*twice")
  expect_error(mx.symbol.Activation(mx.symbol.Variable("d"), act_type = "relu", act.type = "tanh"), "act_type")
  # A dotted name that is no parameter of the operator still reaches the core, which rejects it.
  expect_error(mx.nd.FullyConnected(x, num.hiden = 3), "num.hiden")
})

test_that("c() of MXNDArrays and of MXSymbols is a list of them", {
  a <- mx.nd.array(1:3)
  b <- mx.nd.array(4:6)
  l <- c(a, b)
  expect_true(is.list(l) && !is.mx.ndarray(l))
  expect_length(l, 2)
  expect_true(all(vapply(l, is.mx.ndarray, TRUE)))
  expect_equal(as.array(l[[2]]), c(4, 5, 6))
  expect_named(c(x = a, y = b), c("x", "y"))
  expect_length(c(a, list(b, a)), 3)
  s <- c(mx.symbol.Variable("p"), mx.symbol.Variable("q"))
  expect_true(all(vapply(s, is.mx.symbol, TRUE)))
  expect_equal(outputs(mx.symbol.Group(s)), c("p", "q"))
})

test_that("as.array of a 1-D MXNDArray is a plain vector; higher ranks keep dim", {
  v <- as.array(mx.nd.array(c(1.5, 2, 3)))
  expect_null(dim(v))
  expect_identical(v, c(1.5, 2, 3))
  m <- as.array(mx.nd.array(matrix(1:6, 2, 3)))
  expect_equal(dim(m), c(2L, 3L))
  expect_equal(as.matrix(mx.nd.array(matrix(1:6, 2, 3))), matrix(as.numeric(1:6), 2, 3))
  expect_error(as.matrix(mx.nd.array(1:3)), "2")
})

test_that("NDArray arithmetic takes numbers on either side, as MXNet-R's Ops", {
  m <- matrix(c(1, 2, 3, 4), 2, 2)
  a <- mx.nd.array(m)
  expect_equal(as.array(1 - a), 1 - m)
  expect_equal(as.array(a - 1), m - 1)
  expect_equal(as.array(2 / a), 2 / m, tolerance = 1e-6)
  expect_equal(as.array(a / 2), m / 2)
  expect_equal(as.array(3 * a + a * 3), 6 * m)
  expect_equal(as.array(a %% 3), m %% 3)
  expect_equal(as.array(2^a), 2^m, tolerance = 1e-6)
  expect_equal(as.array(a >= 2), (m >= 2) * 1)
  expect_equal(dim(a), c(2, 2))
  expect_equal(length(a), 4)
  expect_output(print(a), "\\[1,\\]")
})
