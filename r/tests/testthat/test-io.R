# mx.io.arrayiter, custom iterators and mx.io.extract against MXNet-R 1.9.1's rules
# (R-package/src/io.cc's ArrayDataIter, R/io.R).

batches <- function(it, field = "data") {
  out <- list()
  it$reset()
  while (it$iter.next()) out[[length(out) + 1]] <- list(value = as.array(it$value()[[field]]), pad = it$num.pad())
  out
}

test_that("the last batch is padded with the previous batch's samples, as MXNet-R", {
  x <- matrix(1:20, 2, 10)
  it <- mx.io.arrayiter(x, 0:9, batch.size = 4)
  got <- batches(it)
  expect_length(got, 3)
  expect_equal(got[[1]]$value, matrix(1:8, 2, 4))
  expect_equal(got[[2]]$value, matrix(9:16, 2, 4))
  # MXNet-R reuses one buffer: places 3 and 4 keep samples 7 and 8 of batch 2.
  expect_equal(got[[3]]$value, cbind(x[, 9:10], x[, 7:8]))
  expect_equal(vapply(got, function(b) b$pad, 1), c(0, 0, 2))
  expect_equal(as.vector(batches(it, "label")[[3]]$value), c(8, 9, 6, 7))
})

test_that("a single short batch is padded with zeros, as MXNet-R", {
  it <- mx.io.arrayiter(matrix(1:6, 2, 3), c(1, 2, 3), batch.size = 5)
  got <- batches(it)
  expect_length(got, 1)
  expect_equal(got[[1]]$value, cbind(matrix(1:6, 2, 3), matrix(0, 2, 2)))
  expect_equal(got[[1]]$pad, 2)
  expect_equal(as.vector(batches(it, "label")[[1]]$value), c(1, 2, 3, 0, 0))
})

test_that("vectors, matrices and arrays keep their leading dimensions; label matrices too", {
  v <- mx.io.arrayiter(1:10, 0:9, batch.size = 5)
  v$iter.next()
  expect_equal(dim(v$value()$data), 5)
  a <- array(seq_len(2 * 3 * 8), dim = c(2, 3, 8))
  lab <- matrix(seq_len(3 * 8), 3, 8)
  it <- mx.io.arrayiter(a, lab, batch.size = 4)
  it$iter.next()
  it$iter.next()
  b <- it$value()
  expect_equal(dim(b$data), c(2, 3, 4))
  expect_equal(as.array(b$data), a[, , 5:8])
  expect_equal(as.array(b$label), lab[, 5:8])
})

test_that("shuffling draws one order from mx.set.seed's generator and reset keeps it", {
  x <- matrix(seq_len(3 * 50), 3, 50)
  y <- seq_len(50) - 1
  mx.set.seed(11)
  a <- mx.io.arrayiter(x, y, batch.size = 10, shuffle = TRUE)
  mx.set.seed(11)
  b <- mx.io.arrayiter(x, y, batch.size = 10, shuffle = TRUE)
  first <- as.vector(mx.io.extract(a, "label"))
  expect_equal(sort(first), y)
  expect_false(identical(first, y))
  expect_equal(as.vector(mx.io.extract(a, "label")), first)   # the next epoch: same order
  expect_equal(as.vector(mx.io.extract(b, "label")), first)   # same seed: same order
  data <- mx.io.extract(a, "data")
  expect_equal(data, x[, first + 1])                           # samples stay with their labels
})

test_that("mx.io.extract concatenates the batches without the padding", {
  x <- array(runif(2 * 2 * 7), dim = c(2, 2, 7))
  it <- mx.io.arrayiter(x, 1:7, batch.size = 3)
  expect_equal(mx.io.extract(it, "data"), x, tolerance = 1e-6)
  expect_equal(as.vector(mx.io.extract(it, "label")), 1:7)
  expect_error(mx.io.extract(it, "weights"), "no field 'weights'")
})

test_that("bad input is named", {
  expect_error(mx.io.arrayiter(matrix(0, 10, 3), 1:10), "pass t\\(X\\)")
  expect_error(mx.io.arrayiter(matrix(0, 3, 10), 1:9), "10 samples .* label has 9")
  expect_error(mx.io.arrayiter(matrix(0, 3, 10), 1:10, batch.size = 0), "'batch.size' must be a positive")
  expect_error(mx.io.arrayiter(letters, 1:26), "'data' must be a numeric")
  it <- mx.io.arrayiter(matrix(0, 3, 10), 1:10, batch.size = 5)
  expect_error(it$value(), "call iter.next\\(\\) first")
})

test_that("value() is a view of its batch: an epoch copies nothing from R", {
  copied <- new.env()
  copied$bytes <- 0
  record <- function(data) copied$bytes <- copied$bytes + length(data)
  ns <- asNamespace("minerva")
  suppressMessages(trace("MVNDArraySyncCopyFromCPU", tracer = bquote(.(record)(data)), where = ns, print = FALSE))
  on.exit(suppressMessages(untrace("MVNDArraySyncCopyFromCPU", where = ns)))
  n <- 1000
  it <- mx.io.arrayiter(matrix(runif(20 * n), 20, n), rep(0, n), batch.size = 64, shuffle = TRUE)
  at.creation <- copied$bytes
  # Data and labels once, as float32, padded to 16 batches of 64.
  expect_equal(at.creation, 4 * (20 + 1) * 16 * 64)
  it$reset()
  while (it$iter.next()) it$value()
  expect_equal(copied$bytes, at.creation)
})

test_that("custom iterators: reference classes extending Rcpp_MXArrayDataIter, and plain objects", {
  base <- mx.io.arrayiter(matrix(1:12, 2, 6), 0:5, batch.size = 2)
  # The pattern of MXNet-R's custom-iterator vignette, including its own 'batch.size' field.
  Doubler <- setRefClass("Doubler", fields = c("iter", "batch.size"), contains = "Rcpp_MXArrayDataIter",
    methods = list(
      initialize = function(iter, batch.size) {
        .self$iter <- iter
        .self$batch.size <- batch.size
        .self
      },
      value = function() {
        v <- .self$iter$value()
        list(data = v$data * 2, label = v$label)
      },
      iter.next = function() .self$iter$iter.next(),
      reset = function() .self$iter$reset(),
      num.pad = function() .self$iter$num.pad(),
      finalize = function() .self$iter$finalize()))
  d <- Doubler$new(base, 2)
  expect_true(is.mx.dataiter(d))
  expect_true(inherits(d, "Rcpp_MXArrayDataIter"))
  expect_equal(mx.io.extract(d, "data"), matrix(1:12, 2, 6) * 2)
  plain <- new.env()
  plain$reset <- function() base$reset()
  plain$iter.next <- function() base$iter.next()
  plain$value <- function() base$value()
  plain$num.pad <- function() 0
  expect_true(is.mx.dataiter(plain))
  Own <- setRefClass("OwnIter", fields = c("inner"), methods = list(
    reset = function() inner$reset(), iter.next = function() inner$iter.next(), value = function() inner$value(),
    num.pad = function() 0))
  expect_true(is.mx.dataiter(Own$new(inner = base)))     # no MXNet-R base class needed
  expect_false(is.mx.dataiter(list(reset = 1)))
  expect_equal(as.vector(mx.io.extract(plain, "label")), 0:5)
})
