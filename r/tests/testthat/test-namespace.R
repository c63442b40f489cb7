# The package's exports (NAMESPACE, written by roxygen2 from @export tags: make r-docs).
# MXNet-R exports its mx.* API and a few plain names; its internals stay in the namespace.

test_that("every mx.* function except the internal helpers is exported", {
  ns <- asNamespace("minerva")
  defined <- ls(ns, pattern = "^mx\\.")
  public <- defined[!grepl("\\.internal\\.", defined)]  # mx.internal.*, mx.nd.internal.*, ...
  # A name listed here lacks @export in its roxygen block (or r/NAMESPACE is stale).
  expect_equal(setdiff(public, getNamespaceExports("minerva")), character(0))
})

test_that("the internal helpers are not exported", {
  exported <- getNamespaceExports("minerva")
  expect_equal(grep("^mx\\.internal\\.|^MV|^\\.", exported, value = TRUE), character(0))
  expect_false("mx.nd.internal.wrap" %in% exported)
  expect_false("mx.symbol.internal.wrap" %in% exported)
})

test_that("MXNet-R's plain names are exported", {
  for (name in c("arguments", "outputs", "ctx", "is.mx.ndarray", "is.mx.symbol", "is.mx.context",
                 "is.mx.executor", "MX.PROF.STATE")) {
    expect_true(name %in% getNamespaceExports("minerva"), label = name)
  }
  expect_identical(minerva::MX.PROF.STATE$RUN, 1L)
})

test_that("every export has a help page", {
  # The installed help index: alias -> page.
  aliases <- names(readRDS(file.path(find.package("minerva"), "help", "aliases.rds")))
  expect_equal(setdiff(getNamespaceExports("minerva"), aliases), character(0))
})
