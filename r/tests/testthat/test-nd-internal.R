# mx.nd.internal.*: MXNet-R's names for the core's underscore operators and its internal helpers
# (MXNet-R's src/ndarray.cc named "_op_name" mx.nd.internal.op.name; demo/basic_ndarray.R calls
# mx.nd.internal.plus.scalar(mat, 1, out = mat)).

test_that("every underscore operator of the library has its generated, exported mx.nd.internal function", {
  # The functions are generated into r/R/ops_internal.R by tools/codegen/r_ops.py; this guards the
  # generator (and a stale ops_internal.R) against the registry of the loaded library.
  ops <- minerva:::MVListOps()
  names <- character(0)
  for (o in ops) {
    s <- minerva:::mx.internal.op.schema(o)
    all <- c(s$name, unlist(s$aliases))
    names <- c(names, all[startsWith(all, "_") & !startsWith(all, "_backward")])
  }
  names <- unique(names)
  expect_gt(length(names), 150)
  ns <- asNamespace("minerva")
  exported <- getNamespaceExports("minerva")
  for (n in names) {
    fn <- paste0("mx.nd.internal.", gsub("_", ".", substring(n, 2), fixed = TRUE))
    expect_true(exists(fn, envir = ns, inherits = FALSE), info = paste(fn, "is missing: run make codegen"))
    expect_true(fn %in% exported, info = paste(fn, "is not exported: run make codegen"))
  }
  # The other way round: every generated function runs an operator the library has, under its name.
  generated <- 0
  for (fn in grep("^mx\\.nd\\.internal\\.", ls(ns, all.names = TRUE), value = TRUE)) {
    b <- body(get(fn, envir = ns))
    if (is.call(b) && identical(b[[1]], as.name("mx.internal.nd.internal.invoke"))) {
      generated <- generated + 1
      expect_identical(b[[2]], fn)
      expect_true(b[[3]] %in% names, info = paste(fn, "runs", b[[3]], "which the library lacks: run make codegen"))
    }
  }
  expect_equal(generated, length(names))
  expect_true("mx.nd.internal.crop.assign" %in% exported)
})

test_that("plus.scalar takes the scalar positionally and writes into out, as MXNet-R's demo", {
  mat <- mx.nd.array(c(1, 2, 3))
  res <- mx.nd.internal.plus.scalar(mat, 1, out = mat)
  expect_equal(as.vector(as.array(mat)), c(2, 3, 4))
  expect_identical(res, mat)
  expect_equal(as.vector(as.array(mx.nd.internal.rminus.scalar(mat, 10))), c(8, 7, 6))
  expect_equal(as.vector(as.array(mx.nd.internal.mul.scalar(mat, scalar = 2))), c(4, 6, 8))
  expect_equal(as.vector(as.array(mx.nd.internal.plus(mat, mat))), c(4, 6, 8))
  expect_equal(as.vector(as.array(mx.nd.internal.maximum(mat, mx.nd.array(c(3, 3, 3))))), c(3, 3, 4))
})

test_that("crop.assign replaces a region given in R's dimension order", {
  x <- mx.nd.array(matrix(0, 3, 4))
  y <- mx.nd.array(matrix(c(1, 2, 3, 4), 2, 2))
  # R rows 2:3, columns 1:2 (begin/end in R order, 0-based, end exclusive).
  z <- mx.nd.internal.crop.assign(x, y, begin = c(1, 0), end = c(3, 2))
  expected <- matrix(0, 3, 4)
  expected[2:3, 1:2] <- matrix(c(1, 2, 3, 4), 2, 2)
  expect_equal(as.array(z), expected)
  s <- mx.nd.internal.crop.assign.scalar(x, scalar = 7, begin = c(0, 3), end = c(3, 4))
  expected <- matrix(0, 3, 4)
  expected[, 4] <- 7
  expect_equal(as.array(s), expected)
})

test_that("array-creating internal ops take shapes in R order", {
  z <- mx.nd.internal.zeros(shape = c(2, 5))
  expect_equal(dim(z), c(2, 5))
  f <- mx.nd.internal.full(shape = c(3, 1), value = 2.5)
  expect_equal(as.array(f), matrix(2.5, 3, 1))
  u <- mx.nd.internal.random.uniform(low = 2, high = 3, shape = c(4, 4))
  expect_true(all(as.array(u) >= 2 & as.array(u) <= 3))
})

test_that("MXNet-R's helper functions", {
  a <- mx.nd.internal.empty(c(2, 3))
  mx.nd.internal.set.value(4, out = a)
  expect_equal(as.array(a), matrix(4, 2, 3))
  b <- mx.nd.zeros(c(2, 3))
  mx.nd.internal.copyto(mx.nd.array(matrix(1:6, 2, 3)), out = b)
  expect_equal(as.array(b), matrix(as.numeric(1:6), 2, 3))
  expect_equal(mx.nd.internal.dim(b), c(2, 3))
  expect_equal(mx.nd.internal.length(b), 6)
  expect_equal(mx.nd.internal.as.array(b), as.numeric(1:6))
  expect_equal(as.array(mx.nd.internal.dispatch.Ops("-", 10, b)), 10 - matrix(1:6, 2, 3))
  f <- tempfile()
  mx.nd.internal.save(list(w = b), f)
  expect_equal(as.array(mx.nd.internal.load(f)$w), as.array(b))
  expect_error(mx.nd.internal.copyto(b, mx.nd.zeros(3)), "'src' has shape \\(2, 3\\) but 'out' has shape \\(3\\)")
  expect_error(mx.nd.internal.dispatch.Ops("%%", b, 1), "not supported")
})

test_that("arraypacker concatenates along the last R dimension", {
  p <- mx.nd.arraypacker()
  p$push(mx.nd.array(matrix(1:4, 2, 2)))
  p$push(mx.nd.array(matrix(5:6, 2, 1)))
  expect_equal(as.array(p$get()), matrix(as.numeric(1:6), 2, 3))
  expect_error(p$push(mx.nd.zeros(c(3, 1))), "does not match")
  expect_error(mx.nd.arraypacker()$get(), "nothing was pushed")
})

test_that("bad arguments name the function", {
  x <- mx.nd.array(1:3)
  expect_error(mx.nd.internal.plus.scalar(x, 1, FALSE, 2), "mx.nd.internal.plus.scalar: 3 unnamed values")
  expect_error(mx.nd.internal.plus.scalar(x, scalar = "a"), "scalar")
  expect_error(mx.nd.internal.plus.scalar(x, 1, out = 3), "'out' must be an MXNDArray")
})
