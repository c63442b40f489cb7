test_that("arrays keep R's dimension order and values", {
  x <- array(as.numeric(1:24), dim = c(2, 3, 4))
  a <- mx.nd.array(x)
  expect_equal(dim(a), c(2, 3, 4))
  expect_equal(as.array(a), x)
  expect_equal(length(a), 24)
  expect_equal(as.array(mx.nd.zeros(c(2, 5))), matrix(0, 2, 5))
  expect_equal(as.array(mx.nd.ones(c(3, 1))), matrix(1, 3, 1))
})

test_that("arithmetic, comparisons and math follow R semantics", {
  m <- matrix(c(1, -2, 3, -4, 5, -6), 2, 3)
  a <- mx.nd.array(m)
  expect_equal(as.array(a + a), m + m)
  expect_equal(as.array(a * 3 - 1), m * 3 - 1)
  expect_equal(as.array(2 / (a + 10)), 2 / (m + 10), tolerance = 1e-6)
  expect_equal(as.array(-a), -m)
  expect_equal(as.array(a > 0), (m > 0) * 1)
  expect_equal(as.array(abs(a)), abs(m))
  expect_equal(as.array(mx.nd.relu(a)), pmax(m, 0))
})

test_that("generated operators take registry names and R-order shapes", {
  a <- mx.nd.array(matrix(1:6, 2, 3))
  expect_equal(dim(mx.nd.Reshape(a, shape = c(3, 2))), c(3, 2))
  expect_equal(dim(mx.nd.transpose(a)), c(3, 2))
  # a is the core's (3, 2): 3 samples of 2 features; the weight is the core's (4, 2).
  w <- mx.nd.ones(c(2, 4))
  expect_equal(dim(mx.nd.FullyConnected(a, w, num_hidden = 4, no_bias = TRUE)), c(4, 3))
  expect_equal(as.array(mx.nd.broadcast.add(a, a)), matrix(1:6, 2, 3) * 2)
})

test_that("files round-trip through mx.nd.save and mx.nd.load", {
  f <- tempfile(fileext = ".nd")
  mx.nd.save(list(w = mx.nd.array(1:3), b = mx.nd.array(matrix(1, 2, 2))), f)
  back <- mx.nd.load(f)
  expect_equal(names(back), c("w", "b"))
  expect_equal(as.array(back$w), c(1, 2, 3))  # 1-D: a plain vector, as MXNet-R
  expect_equal(dim(back$b), c(2, 2))
})

test_that("bad input becomes an R error naming the problem", {
  a <- mx.nd.array(matrix(1, 2, 2))
  expect_error(mx.nd.FullyConnected(a, num_hidden = "ten"), "num_hidden")
  expect_error(mx.nd.FullyConnected(a, num_hiden = 3), "num_hiden")
  expect_error(mx.nd.array("text"), "numeric")
  expect_error(mx.nd.relu("x"), "MXNDArray")
  b <- mx.nd.array(1:3)
  mx.nd.free(b)
  expect_error(as.array(b), "already freed")
  expect_silent(mx.nd.free(b))
})

test_that("finalizers return native memory", {
  invisible(gc()); mx.nd.waitall()
  base <- mx.storage.stats()$bytes_in_use
  xs <- lapply(1:10, function(i) mx.nd.ones(c(100, 100)))
  mx.nd.waitall()
  expect_gte(mx.storage.stats()$bytes_in_use - base, 10 * 100 * 100 * 4)
  rm(xs); invisible(gc()); mx.nd.waitall()
  expect_equal(mx.storage.stats()$bytes_in_use, base)
})
