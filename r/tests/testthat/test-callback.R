# mx.callback.* and the environment callbacks see, as MXNet-R (R-package/R/callback.R and
# model.R's mx.model.train).

callback.net <- function() {
  net <- mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 4, name = "fc1")
  mx.symbol.SoftmaxOutput(net, name = "softmax")
}

callback.data <- function(n = 40) {
  set.seed(5)
  x <- matrix(runif(3 * n), 3, n)
  list(x = x, y = as.numeric(x[1, ] > 0.5))
}

train.with <- function(..., num.round = 3, learning.rate = 0.1, verbose = FALSE) {
  d <- callback.data()
  mx.set.seed(0)
  mx.model.FeedForward.create(callback.net(), X = d$x, y = d$y, num.round = num.round, array.batch.size = 10,
                              array.layout = "colmajor", learning.rate = learning.rate, verbose = verbose, ...)
}

test_that("log.train.metric prints every period batches and fills a logger", {
  d <- callback.data()
  logger <- mx.metric.logger$new()
  expect_message(
    train.with(eval.metric = mx.metric.accuracy, eval.data = list(data = d$x, label = d$y),
               batch.end.callback = mx.callback.log.train.metric(2, logger)),
    "Batch \\[4\\] Train-accuracy=")
  # 4 batches per epoch, logged at batches 2 and 4 of 3 epochs; the validation value (of the
  # epoch before, as in MXNet-R) from the second epoch on.
  expect_length(logger$train, 6)
  expect_length(logger$eval, 4)
  expect_true(all(logger$train >= 0 & logger$train <= 1))
  expect_error(mx.callback.log.train.metric(1, logger = list()), "mx.metric.logger")
})

test_that("save.checkpoint writes prefix-symbol.json and prefix-%04d.params every period epochs", {
  prefix <- file.path(tempfile(), "ckpt")
  dir.create(dirname(prefix))
  expect_message(train.with(num.round = 4, epoch.end.callback = mx.callback.save.checkpoint(prefix, period = 2),
                            verbose = TRUE),
                 "Model checkpoint saved to .*ckpt-0002.params")
  expect_setequal(list.files(dirname(prefix)), c("ckpt-symbol.json", "ckpt-0002.params", "ckpt-0004.params"))
  back <- mx.model.load(prefix, 4)
  expect_setequal(names(back$arg.params), c("fc1_weight", "fc1_bias"))
})

test_that("an epoch.end.callback returning FALSE stops training; early.stop's thresholds do", {
  epochs <- 0
  stop.after.two <- function(iteration, nbatch, env, verbose) {
    epochs <<- iteration
    iteration < 2
  }
  train.with(num.round = 10, epoch.end.callback = stop.after.two)
  expect_equal(epochs, 2)
  seen <- 0
  early <- mx.callback.early.stop(train.metric = 0.5, maximize = TRUE)
  counting <- function(iteration, nbatch, env, verbose) {
    seen <<- iteration
    early(iteration, nbatch, env, verbose)
  }
  train.with(num.round = 50, learning.rate = 0.5, eval.metric = mx.metric.accuracy, epoch.end.callback = counting)
  expect_lt(seen, 50)
})

test_that("early.stop's bad.steps counts epochs without a better validation value", {
  values <- c(0.5, 0.4, 0.45, 0.46, 0.3, 0.31, 0.32)
  metric <- mx.metric.custom("v", function(label, pred) 0)
  env.for <- function(v) {
    e <- new.env()
    e$metric <- metric
    e$eval.metric <- c(1, v)   # a state whose mean is v
    e
  }
  cb <- mx.callback.early.stop(bad.steps = 2, maximize = FALSE)
  got <- vapply(seq_along(values), function(i) cb(i, 0, env.for(values[i]), verbose = FALSE), TRUE)
  # 0.45 and 0.46 are the first and second epochs worse than 0.4: stop at the second.
  expect_equal(got[1:4], c(TRUE, TRUE, TRUE, FALSE))
  cb2 <- mx.callback.early.stop(bad.steps = 3, maximize = FALSE)
  got2 <- vapply(seq_along(values), function(i) cb2(i, 0, env.for(values[i]), verbose = FALSE), TRUE)
  expect_true(all(got2))                   # never three bad epochs in a row
  expect_false(exists("mx.best.iter", envir = globalenv()))
})

test_that("callbacks see mx.model.train's variables, as MXNet-R", {
  d <- callback.data()
  at.batch <- NULL
  at.epoch <- NULL
  batch.cb <- function(iteration, nbatch, env) {
    if (is.null(at.batch)) at.batch <<- list(names = ls(env), nbatch = nbatch, iteration = env$iteration,
                                             state = env$train.metric)
  }
  epoch.cb <- function(iteration, nbatch, env, verbose) {
    at.epoch <<- list(names = ls(env), nbatch = nbatch, model = env$model, eval = env$eval.metric)
    TRUE
  }
  train.with(num.round = 1, begin.round = 1, eval.metric = mx.metric.accuracy,
             eval.data = list(data = d$x, label = d$y), batch.end.callback = batch.cb, epoch.end.callback = epoch.cb)
  expect_true(all(c("metric", "train.metric", "train.execs", "train.data", "eval.data", "dlist", "out.preds",
                    "iteration", "nbatch", "optimizer", "ctx", "symbol") %in% at.batch$names))
  expect_equal(at.batch$nbatch, 1)
  expect_equal(at.batch$iteration, 1)
  expect_equal(at.batch$state[1], 1)      # one batch counted so far
  expect_true(all(c("model", "eval.metric", "epoch_continue") %in% at.epoch$names))
  expect_equal(at.epoch$nbatch, 0)
  expect_s3_class(at.epoch$model, "MXFeedForwardModel")
  expect_equal(at.epoch$eval[1], 4)       # four validation batches
})

test_that("log.speedometer reports samples per second", {
  expect_message(train.with(num.round = 1, eval.metric = mx.metric.accuracy,
                            batch.end.callback = mx.callback.log.speedometer(10, frequency = 2)),
                 "Batch \\[4\\] Speed: [0-9.e+]+ samples/sec Train-accuracy=")
})
