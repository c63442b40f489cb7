# Training and prediction on R arrays are linear in the number of samples (issue 11 measured
# O(N^2): value() copied the whole data set per batch, predict grew its result per batch). The
# firm checks count the values copied between R and the core; the timing check is loose enough
# for a loaded 2-core machine.

# Bytes copied from R into the core and back, through the two C functions that do it.
count.copies <- function(expr) {
  copied <- new.env()
  copied$to.core <- 0
  copied$to.r <- 0
  to.core <- function(data) copied$to.core <- copied$to.core + length(data)
  to.r <- function(nbytes) copied$to.r <- copied$to.r + nbytes
  ns <- asNamespace("minerva")
  suppressMessages({
    trace("MVNDArraySyncCopyFromCPU", tracer = bquote(.(to.core)(data)), where = ns, print = FALSE)
    trace("MVNDArraySyncCopyToCPU", tracer = bquote(.(to.r)(nbytes)), where = ns, print = FALSE)
  })
  on.exit(suppressMessages({
    untrace("MVNDArraySyncCopyFromCPU", where = ns)
    untrace("MVNDArraySyncCopyToCPU", where = ns)
  }))
  force(expr)
  c(to.core = copied$to.core, to.r = copied$to.r)
}

scaling.net <- function() {
  net <- mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 16, name = "fc1")
  net <- mx.symbol.Activation(net, act_type = "relu")
  mx.symbol.SoftmaxOutput(mx.symbol.FullyConnected(net, num_hidden = 4, name = "fc2"), name = "softmax")
}

scaling.data <- function(n) {
  set.seed(n)
  list(x = matrix(runif(20 * n), 20, n), y = sample(0:3, n, replace = TRUE))
}

fit <- function(d, rounds) {
  mx.set.seed(0)
  mx.model.FeedForward.create(scaling.net(), X = d$x, y = d$y, num.round = rounds, array.batch.size = 50,
                              array.layout = "colmajor", learning.rate = 0.1, eval.metric = mx.metric.accuracy,
                              verbose = FALSE)
}

test_that("training copies each sample into the core once, however many epochs", {
  d <- scaling.data(1000)
  one <- count.copies(fit(d, 1))
  three <- count.copies(fit(d, 3))
  expect_equal(three[["to.core"]], one[["to.core"]])
  big <- count.copies(fit(scaling.data(4000), 1))
  expect_lt(big[["to.core"]], 4.2 * one[["to.core"]])
  # What comes back per batch (the metric's label and output, the model's parameters) grows with
  # the batch count, linearly.
  expect_lt(big[["to.r"]], 4.2 * one[["to.r"]])
})

test_that("predict copies each output once: linear in N", {
  model <- fit(scaling.data(200), 1)
  small <- count.copies(p1 <- predict(model, scaling.data(1000)$x, array.layout = "colmajor", array.batch.size = 50))
  big <- count.copies(p4 <- predict(model, scaling.data(4000)$x, array.layout = "colmajor", array.batch.size = 50))
  expect_equal(dim(p4), c(4, 4000))
  expect_equal(small[["to.r"]], 4 * 4 * 1000)   # 4 float32 scores per sample
  expect_equal(big[["to.r"]], 4 * 4 * 4000)
  expect_lt(big[["to.core"]], 4.2 * small[["to.core"]])
})

test_that("an epoch on 4N samples takes well under 8 times an epoch on N (linear, loosely)", {
  epoch.time <- function(n) {
    d <- scaling.data(n)
    best <- Inf
    for (k in 1:2) {
      stamps <- numeric(0)
      stamp <- function(iteration, nbatch, env, verbose) {
        stamps <<- c(stamps, proc.time()[["elapsed"]])
        TRUE
      }
      mx.model.FeedForward.create(scaling.net(), X = d$x, y = d$y, num.round = 3, array.batch.size = 50,
                                  array.layout = "colmajor", learning.rate = 0.1, eval.metric = mx.metric.accuracy,
                                  epoch.end.callback = stamp, verbose = FALSE)
      best <- min(best, diff(stamps))
    }
    best
  }
  expect_lt(epoch.time(8000), 8 * epoch.time(2000))
})

test_that("predict on 4N samples takes well under 8 times predict on N (linear, loosely)", {
  model <- fit(scaling.data(200), 1)
  predict.time <- function(n) {
    x <- scaling.data(n)$x
    min(vapply(1:3, function(k) {
      system.time(predict(model, x, array.layout = "colmajor", array.batch.size = 50))[["elapsed"]]
    }, 1))
  }
  expect_lt(predict.time(40000), 8 * predict.time(10000))
})
