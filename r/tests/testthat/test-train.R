# mx.model.FeedForward.create with MXNet-R 1.9.1's arguments and semantics (R-package/R/model.R).

small.net <- function(hidden = 8) {
  net <- mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = hidden, name = "fc1")
  net <- mx.symbol.Activation(net, act_type = "tanh", name = "tanh1")
  net <- mx.symbol.FullyConnected(net, num_hidden = 2, name = "fc2")
  mx.symbol.SoftmaxOutput(net, name = "softmax")
}

small.data <- function(n = 60) {
  set.seed(7)
  x <- matrix(runif(4 * n), 4, n)
  list(x = x, y = as.numeric(x[1, ] + x[2, ] > 1))
}

fixed.init <- function(net = small.net(), features = 4) {
  mx.set.seed(3)
  mx.model.init.params(net, list(data = c(features, 10)), list(softmax_label = 10), mx.init.uniform(0.3), mx.cpu())
}

params.of <- function(model) lapply(model$arg.params, as.array)

# Trains on an iterator in sample order so two runs see the same batches.
train.plain <- function(optimizer = "sgd", ctx = mx.cpu(), num.round = 2, verbose = FALSE, ...) {
  d <- small.data()
  init <- fixed.init()
  mx.model.FeedForward.create(small.net(), X = mx.io.arrayiter(d$x, d$y, batch.size = 10), ctx = ctx,
                              num.round = num.round, optimizer = optimizer, arg.params = init$arg.params,
                              verbose = verbose, ...)
}

test_that("MXNet-R's defaults: the signature, and an iterator trains with eval data", {
  f <- formals(mx.model.FeedForward.create)
  expect_equal(names(f), c("symbol", "X", "y", "ctx", "begin.round", "num.round", "optimizer", "initializer",
                           "eval.data", "eval.metric", "epoch.end.callback", "batch.end.callback",
                           "array.batch.size", "array.layout", "kvstore", "verbose", "arg.params", "aux.params",
                           "input.names", "output.names", "fixed.param", "allow.extra.params", "..."))
  expect_equal(f$num.round, 10)
  expect_equal(f$array.batch.size, 128)
  expect_equal(f$kvstore, "local")
  d <- small.data()
  rounds <- c()
  mx.set.seed(0)
  expect_message(
    model <- mx.model.FeedForward.create(small.net(), X = mx.io.arrayiter(d$x, d$y, batch.size = 12),
                                         eval.data = mx.io.arrayiter(d$x, d$y, batch.size = 12), begin.round = 3,
                                         num.round = 5, learning.rate = 0.5, eval.metric = mx.metric.accuracy,
                                         initializer = mx.init.Xavier(),
                                         epoch.end.callback = function(iteration, nbatch, env, verbose) {
                                           rounds <<- c(rounds, iteration)
                                           TRUE
                                         }),
    "\\[5\\] Validation-accuracy=")
  expect_equal(rounds, 3:5)
  expect_s3_class(model, "MXFeedForwardModel")
  expect_setequal(names(model$arg.params), c("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"))
  expect_equal(dim(model$arg.params$fc1_weight), c(4, 8))
  expect_error(mx.model.FeedForward.create(small.net(), X = d$x, y = d$y, begin.round = 4, num.round = 2),
               "begin.round <= num.round")
})

test_that("array.layout: rowmajor and colmajor train the same model; auto detects and warns as MXNet-R", {
  d <- small.data()
  init <- fixed.init()
  fit <- function(x, layout) {
    mx.set.seed(9)
    mx.model.FeedForward.create(small.net(), X = x, y = d$y, num.round = 2, array.batch.size = 10,
                                array.layout = layout, arg.params = init$arg.params, learning.rate = 0.2,
                                verbose = FALSE)
  }
  col <- fit(d$x, "colmajor")
  row <- fit(t(d$x), "rowmajor")
  expect_equal(params.of(row), params.of(col))
  expect_warning(auto <- fit(t(d$x), "auto"), "use rowmajor")
  expect_equal(params.of(auto), params.of(col))
  expect_error(mx.model.FeedForward.create(small.net(), X = matrix(0, 6, 6), y = 1:6, verbose = FALSE),
               "Cannot auto select array.layout")
  expect_error(mx.model.FeedForward.create(small.net(), X = d$x, y = d$y, array.layout = "rows"),
               "'array.layout' must be")
  expect_error(mx.model.FeedForward.create(small.net(), X = d$x, array.layout = "colmajor"), "provide parameter y")
})

test_that("optimizer by name or as an object of any MXNet-R form gives the same SGD step", {
  by.name <- train.plain("sgd", learning.rate = 0.1)
  object <- train.plain(mx.opt.create("sgd", learning.rate = 0.1, rescale.grad = 1 / 10))
  expect_equal(params.of(object), params.of(by.name), tolerance = 1e-6)
  # MXNet-R 1.9's form: create_exec binds an update graph per weight, update returns the new weight.
  exec.form <- list(
    create_exec = function(index, weight_dim, ctx) {
      w <- mx.symbol.Variable("weight")
      g <- mx.symbol.Variable("grad")
      mx.simple.bind(w - g * (0.1 / 10), weight = weight_dim, grad = weight_dim, ctx = ctx, grad.req = "null")
    },
    update = function(index, exec_w, weight, grad) {
      mx.exec.update.arg.arrays(exec_w, list(weight = weight, grad = grad), match.name = TRUE)
      mx.exec.forward(exec_w, is.train = FALSE)
      exec_w$outputs[[1]]
    })
  expect_equal(params.of(train.plain(exec.form)), params.of(by.name), tolerance = 1e-6)
  # MXNet-R 0.x's form: update returns list(weight, state).
  list.form <- list(create.state = function(index, weight) NULL,
                    update = function(index, weight, grad, state) list(weight = weight - grad * 0.01, state = NULL))
  expect_equal(params.of(train.plain(list.form)), params.of(by.name), tolerance = 1e-6)
  expect_error(train.plain(list(update = 1)), "'optimizer' must be a name")
})

test_that("two devices (ctx list) compute what one does: gradients summed before one update", {
  one <- train.plain("sgd", learning.rate = 0.2, momentum = 0.9)
  expect_message(two <- train.plain("sgd", ctx = list(mx.cpu(0), mx.cpu(1)), learning.rate = 0.2, momentum = 0.9,
                                    verbose = TRUE),
                 "Start training with 2 devices")
  expect_equal(params.of(two), params.of(one), tolerance = 1e-5)
  expect_equal(params.of(train.plain("sgd", ctx = list(mx.cpu(0), mx.cpu(1)), kvstore = NULL, learning.rate = 0.2)),
               params.of(train.plain("sgd", learning.rate = 0.2)), tolerance = 1e-5)
  expect_error(train.plain("sgd", kvstore = "dist_sync"), "issue 13")
  expect_error(train.plain("sgd", ctx = "cpu"), "'ctx' must be a context")
})

test_that("arg.params replace the initializer's, allow.extra.params drops unknown names, fixed.param freezes", {
  init <- fixed.init()
  still <- train.plain("sgd", learning.rate = 0)
  expect_equal(params.of(still), lapply(init$arg.params, as.array))
  extra <- c(init$arg.params, list(unused_weight = mx.nd.zeros(c(2, 2))))
  d <- small.data()
  expect_error(mx.model.FeedForward.create(small.net(), X = d$x, y = d$y, array.layout = "colmajor",
                                           arg.params = extra, num.round = 1, verbose = FALSE), "unused_weight")
  ok <- mx.model.FeedForward.create(small.net(), X = d$x, y = d$y, array.layout = "colmajor", arg.params = extra,
                                    allow.extra.params = TRUE, num.round = 1, verbose = FALSE)
  expect_false("unused_weight" %in% names(ok$arg.params))
  frozen <- train.plain("sgd", learning.rate = 0.5, fixed.param = "fc1_weight")
  # As MXNet-R, the model holds the parameters that were trained.
  expect_setequal(names(frozen$arg.params), c("fc1_bias", "fc2_weight", "fc2_bias"))
  moved <- train.plain("sgd", learning.rate = 0.5)
  expect_false(isTRUE(all.equal(params.of(moved)$fc1_bias, params.of(frozen)$fc1_bias)))
})

test_that("aux.params (BatchNorm's moving statistics) are trained, returned and can be given", {
  net <- mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 3, name = "fc1")
  net <- mx.symbol.BatchNorm(net, name = "bn")
  net <- mx.symbol.SoftmaxOutput(mx.symbol.FullyConnected(net, num_hidden = 2, name = "fc2"), name = "softmax")
  d <- small.data()
  mx.set.seed(1)
  model <- mx.model.FeedForward.create(net, X = d$x, y = d$y, array.layout = "colmajor", num.round = 2,
                                       array.batch.size = 20, learning.rate = 0.1, verbose = FALSE)
  expect_setequal(names(model$aux.params), c("bn_moving_mean", "bn_moving_var"))
  expect_false(all(as.array(model$aux.params$bn_moving_mean) == 0))
  given <- lapply(model$aux.params, function(a) mx.nd.array(as.array(a) * 0 + 7))
  again <- mx.model.FeedForward.create(net, X = d$x, y = d$y, array.layout = "colmajor", num.round = 1,
                                       array.batch.size = 20, learning.rate = 0, momentum = 0, aux.params = given,
                                       arg.params = model$arg.params, verbose = FALSE)
  # moving = 0.9 * moving + 0.1 * batch statistic, from 7: pulled toward the data, not restarted at 0.
  expect_true(all(as.array(again$aux.params$bn_moving_var) > 3))
})

test_that("input.names/output.names feed several inputs from a custom iterator (MXNet-R's MF example)", {
  set.seed(11)
  users <- 12
  items <- 10
  u.f <- matrix(rnorm(users * 2), users)
  i.f <- matrix(rnorm(items * 2), items)
  pairs <- expand.grid(user = seq_len(users) - 1, item = seq_len(items) - 1)
  score <- rowSums(u.f[pairs$user + 1, ] * i.f[pairs$item + 1, ])
  user <- mx.symbol.Variable("user")
  item <- mx.symbol.Variable("item")
  label <- mx.symbol.Variable("label")
  u <- mx.symbol.Embedding(data = mx.symbol.BlockGrad(user), input_dim = users, output_dim = 4, name = "user1")
  v <- mx.symbol.Embedding(data = mx.symbol.BlockGrad(item), input_dim = items, output_dim = 4, name = "item1")
  pred <- mx.symbol.LinearRegressionOutput(data = mx.symbol.sum.axis(u * v, axis = 1), label = label, name = "pred")
  TwoInputs <- setRefClass("TwoInputs", fields = c("a", "b"), contains = "Rcpp_MXArrayDataIter",
    methods = list(
      initialize = function(a, b) {
        .self$a <- a
        .self$b <- b
        .self
      },
      value = function() list(user = .self$a$value()$data, item = .self$b$value()$data, label = .self$a$value()$label),
      iter.next = function() .self$a$iter.next() && .self$b$iter.next(),
      reset = function() {
        .self$a$reset()
        .self$b$reset()
      },
      num.pad = function() .self$a$num.pad()))
  it <- TwoInputs$new(mx.io.arrayiter(pairs$user, score, batch.size = 20),
                      mx.io.arrayiter(pairs$item, score, batch.size = 20))
  logger <- mx.metric.logger$new()
  mx.set.seed(2)
  model <- mx.model.FeedForward.create(pred, X = it, num.round = 60, initializer = mx.init.uniform(0.5),
                                       learning.rate = 0.2, momentum = 0.9, eval.metric = mx.metric.rmse,
                                       input.names = c("user", "item"), output.names = "label",
                                       epoch.end.callback = mx.callback.log.train.metric(1, logger), verbose = FALSE)
  expect_setequal(names(model$arg.params), c("user1_weight", "item1_weight"))
  expect_length(logger$train, 60)
  expect_lt(tail(logger$train, 1), 0.35 * sd(score))
  expect_error(mx.model.FeedForward.create(pred, X = it, input.names = c("user", "age"), output.names = "label",
                                           num.round = 1, verbose = FALSE), "no field 'age'")
})

test_that("the training data's shape must stay the bound one", {
  d <- small.data()
  shrinking <- new.env()
  shrinking$k <- 0
  shrinking$reset <- function() shrinking$k <- 0
  shrinking$iter.next <- function() {
    shrinking$k <- shrinking$k + 1
    shrinking$k <= 2
  }
  shrinking$value <- function() {
    n <- if (shrinking$k == 1) 10 else 7
    list(data = mx.nd.array(d$x[, 1:n]), label = mx.nd.array(d$y[1:n]))
  }
  shrinking$num.pad <- function() 0
  expect_error(mx.model.FeedForward.create(small.net(), X = shrinking, num.round = 1, verbose = FALSE),
               "training batch's 'data' has shape \\(4, 7\\) but the network was bound for \\(4, 10\\)")
})

test_that("a KVStore object is used through MXNet-R's push/pull protocol", {
  # A local store in R with the methods MXNet-R's training loop calls: it sums what the devices
  # push and hands the sum back to every device (update.on.kvstore = FALSE).
  store <- new.env()
  store$update.on.kvstore <- FALSE
  store$calls <- character(0)
  store$init <- function(index, arrays) {
    store$calls <- c(store$calls, "init")
    store$sums <- lapply(arrays, function(a) mx.nd.zeros(dim(a)))
  }
  store$push <- function(index, per.device, priority) {
    store$calls <- c(store$calls, "push")
    for (k in seq_along(index)) {
      total <- Reduce(`+`, lapply(per.device, function(arrays) mx.nd.copyto(arrays[[k]], mx.cpu())))
      minerva:::MVNDArrayCopyTo(total$ptr, store$sums[[k]]$ptr)
    }
  }
  store$pull <- function(index, per.device, priority) {
    store$calls <- c(store$calls, "pull")
    for (arrays in per.device) {
      for (k in seq_along(index)) minerva:::MVNDArrayCopyTo(store$sums[[k]]$ptr, arrays[[k]]$ptr)
    }
  }
  two <- train.plain("sgd", ctx = list(mx.cpu(0), mx.cpu(1)), kvstore = store, learning.rate = 0.2)
  expect_equal(params.of(two), params.of(train.plain("sgd", learning.rate = 0.2)), tolerance = 1e-5)
  expect_equal(store$calls[1], "init")
  expect_equal(sum(store$calls == "push"), 12)     # 6 batches x 2 epochs
})

test_that("plain numeric vectors are one-feature data, as MXNet-R's arrayiter takes them", {
  set.seed(3)
  x <- runif(50)
  y <- 3 * x + 1
  net <- mx.symbol.LinearRegressionOutput(mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 1,
                                                                   name = "fc"), name = "lro")
  mx.set.seed(1)
  model <- mx.model.FeedForward.create(net, X = x, y = y, num.round = 200, array.batch.size = 50,
                                       array.layout = "colmajor", learning.rate = 0.5, verbose = FALSE)
  expect_equal(as.vector(predict(model, c(0, 1))), c(1, 4), tolerance = 0.05)
})
