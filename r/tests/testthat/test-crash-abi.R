# Issue 12, F1 through R: a none array (a params record of unknown shape, as MXNet and Minerva
# write for an array with no shape) loads, and every use that needs its data is an R error, not a
# crash of the session. MXNet-R has no defined behaviour here (its loader fails earlier); the
# contract is docs/bad_input.md, "C ABI and graphs".

none_params_file <- function() {
  f <- tempfile(fileext = ".params")
  con <- file(f, "wb")
  writeBin(as.raw(c(0x12, 0x01, rep(0, 6), rep(0, 8), 1, rep(0, 7))), con)  # list magic, reserved, 1 array
  writeBin(-107742519L, con, size = 4, endian = "little")                     # record magic 0xF993FAC9
  writeBin(c(-1L, 0L), con, size = 4, endian = "little")                      # undefined storage, ndim 0
  writeBin(as.raw(rep(0, 8)), con)                                            # no names
  close(con)
  f
}

test_that("a none array loads with no dimensions and its uses are clear errors", {
  a <- mx.nd.load(none_params_file())[[1]]
  expect_equal(length(dim(a)), 0)
  expect_error(as.array(a), "none array")
  expect_error(print(a), "none array")
  expect_error(a + 1, "none array")
})
