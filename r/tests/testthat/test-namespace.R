# The package's exports (NAMESPACE, written by roxygen2 from @export tags: make r-docs).
# MXNet-R exports its mx.* API and a few plain names; its internals stay in the namespace.

# MXNet-R's training internals keep their names but, as in MXNet-R, are not exported: MXNet-R
# code reaches them with ':::' and callbacks see mx.model.train's variables (r/R/model.R).
mxnet.r.internals <- c("mx.model.check.arguments", "mx.model.create.kvstore", "mx.model.extract.model",
                       "mx.model.init.iter", "mx.model.select.layout.predict", "mx.model.select.layout.train",
                       "mx.model.slice.shape", "mx.model.train")

test_that("every mx.* function except the internal helpers is exported", {
  ns <- asNamespace("minerva")
  defined <- ls(ns, pattern = "^mx\\.")
  public <- defined[!grepl("\\.internal\\.", defined)]  # mx.internal.*, mx.nd.internal.*, ...
  public <- setdiff(public, mxnet.r.internals)
  # A name listed here lacks @export in its roxygen block (or r/NAMESPACE is stale).
  expect_equal(setdiff(public, getNamespaceExports("minerva")), character(0))
})

test_that("the internal helpers are not exported", {
  exported <- getNamespaceExports("minerva")
  exported <- exported[!startsWith(exported, ".__C__")]  # exported reference classes' metadata
  expect_equal(grep("^mx\\.internal\\.|^MV|^\\.", exported, value = TRUE), character(0))
  expect_false(any(mxnet.r.internals %in% exported))
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
  exported <- getNamespaceExports("minerva")
  classes <- startsWith(exported, ".__C__")  # a class's page is "<class>-class"
  exported[classes] <- paste0(substring(exported[classes], 7), "-class")
  expect_equal(setdiff(exported, aliases), character(0))
})
