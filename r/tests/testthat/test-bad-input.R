# Issue 12, R rows: bad input gives an R error, never a crash, a silent NA or unbounded memory.
# MXNet-R's as.array() returns doubles (numeric) whatever the dtype; so does int64 here.

test_that("int64 values beyond int32 come back as exact doubles, never NA (F16)", {
  v <- c(2^40, -2^40, 2^53, -2^53, -3, 0, 2^31, -2^31 - 1)
  got <- as.array(mx.nd.array(v, dtype = "int64"))
  expect_identical(got, v)
  expect_false(anyNA(got))
  # The extremes of int64 travel bit for bit; beyond 2^53 R's doubles round, with a warning.
  expect_warning(big <- as.array(mx.nd.array(c(-2^63, 2^62), dtype = "int64")), "beyond 2\\^53")
  expect_identical(big, c(-2^63, 2^62))
  expect_warning(odd <- as.array(mx.nd.array(2^53, dtype = "int64") + mx.nd.array(1, dtype = "int64")),
                 "rounded to the nearest double")
  expect_identical(odd, 2^53)  # 2^53 + 1 is not a double
})

test_that("int32's -2^31 (R's integer NA) comes back as a number, not NA (F16)", {
  got <- as.array(mx.nd.array(c(-2^31, 5, 2^31 - 1), dtype = "int32"))
  expect_identical(got, c(-2^31, 5, 2^31 - 1))
  expect_identical(as.array(mx.nd.array(c(-7, 5), dtype = "int32")), c(-7L, 5L))
})

test_that("R values that an integer dtype cannot hold are an error naming value, element and range (F16)", {
  expect_error(mx.nd.array(c(1, 2^63), dtype = "int64"),
               "value 9223372036854775808 \\(element 2\\) does not fit dtype int64")
  expect_error(mx.nd.array(c(1, 2^31), dtype = "int32"),
               "value 2147483648 \\(element 2\\) does not fit dtype int32, whose range is -2147483648 to 2147483647")
  expect_error(mx.nd.array(c(NA, 1), dtype = "int32"), "value NA \\(element 1\\) does not fit dtype int32")
  expect_error(mx.nd.array(c(0, 300), dtype = "uint8"), "value 300 \\(element 2\\) does not fit dtype uint8")
  expect_error(mx.nd.array(-129, dtype = "int8"), "does not fit dtype int8, whose range is -128 to 127")
  expect_error(mx.nd.array(Inf, dtype = "int64"), "value Inf \\(element 1\\) does not fit dtype int64")
  # In range: exact; fractions are cut toward zero, as MXNet's cast.
  expect_identical(as.array(mx.nd.array(c(255, 0, 3.7), dtype = "uint8")), c(255L, 0L, 3L))
  expect_identical(as.array(mx.nd.array(c(-2^63, 2^62 + 2^40, -7.9), dtype = "int64")),
                   c(-2^63, 2^62 + 2^40, -7)) |> suppressWarnings()
})

test_that("params names that are not UTF-8 or hold a NUL are refused naming the file (F17)", {
  f <- tempfile(fileext = ".params")
  mx.nd.save(list(abc = mx.nd.array(1:3)), f)
  raw <- readBin(f, "raw", file.size(f))
  at <- grepRaw("abc", raw, fixed = TRUE)
  for (bad in list(list(byte = as.raw(0xff), why = "name 0 is not valid UTF-8 \\(byte 0xFF at offset 1\\)"),
                   list(byte = as.raw(0x00), why = "name 0 holds a NUL byte at offset 1"))) {
    broken <- raw
    broken[at + 1] <- bad$byte
    writeBin(broken, f)
    expect_error(mx.nd.load(f), bad$why)
    expect_error(mx.nd.load(f), basename(f), fixed = TRUE)
  }
  # R strings cannot hold a NUL at all, so a name with one can never reach mx.nd.save.
  expect_error(parse(text = '"a\\0b"'), "nul character not allowed")
})

test_that("50,000 create/discard rounds with gc() keep memory flat (issue 12, Deliver 4)", {
  skip_if_not(file.exists("/proc/self/statm"))
  rss <- function() as.numeric(strsplit(readLines("/proc/self/statm"), " ")[[1]][2]) * 4096
  churn <- function(n) {
    for (i in seq_len(n)) {
      a <- mx.nd.ones(c(32, 32))
      b <- a * 2
      s <- mx.symbol.FullyConnected(mx.symbol.Variable("x"), num_hidden = 4, name = "fc")
      if (i %% 1000 == 0) invisible(gc())
    }
    invisible(gc())
  }
  churn(5000)
  before <- rss()
  start <- Sys.time()
  churn(50000)
  grown <- rss() - before
  # A leak of one 4 KiB array per round would be 200 MiB; R's own heap may move by a few MiB.
  expect_lt(grown, 32 * 2^20)
  expect_lt(as.numeric(difftime(Sys.time(), start, units = "secs")), 300)
})
