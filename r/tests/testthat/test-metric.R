# mx.metric.* with MXNet-R 1.9.1's definitions (R-package/R/metric.R): values on hand-computed
# cases, MXNDArray and R-array inputs, and what mx.metric.custom's feval receives in training.

run.metric <- function(metric, batches) {
  state <- metric$init()
  for (b in batches) state <- metric$update(b$label, b$pred, state)
  metric$get(state)
}

test_that("mx.metric.custom keeps c(count, sum) and reports the mean of the batch values", {
  m <- mx.metric.custom("twice", function(label, pred) 2 * sum(as.array(label)))
  expect_s3_class(m, "mx.metric")
  expect_equal(m$init(), c(0, 0))
  s <- m$update(c(1, 2), NULL, m$init())
  expect_equal(s, c(1, 6))
  s <- m$update(c(0, 1), NULL, s)
  expect_equal(m$get(s), list(name = "twice", value = 4))
})

test_that("accuracy takes the first class of highest score; the class dimension precedes the samples", {
  pred <- matrix(c(0.1, 0.7, 0.2,
                   0.5, 0.5, 0.0,      # a tie: the first class (0) wins
                   0.3, 0.3, 0.4,
                   0.9, 0.05, 0.05), nrow = 3)
  label <- c(1, 1, 2, 0)
  expect_equal(run.metric(mx.metric.accuracy, list(list(label = label, pred = pred)))$value, 0.75)
  # The same as MXNDArrays, as the training loop passes them.
  expect_equal(run.metric(mx.metric.accuracy, list(list(label = mx.nd.array(label), pred = mx.nd.array(pred))))$value,
               0.75)
  # Per-pixel classes: pred (W, H, C, N), label (W, H, N) as in MXNet-R's segmentation example.
  set.seed(1)
  p4 <- array(runif(2 * 2 * 3 * 2), dim = c(2, 2, 3, 2))
  truth <- apply(p4, c(1, 2, 4), which.max) - 1
  lab4 <- truth
  lab4[1, 1, 1] <- (lab4[1, 1, 1] + 1) %% 3
  expect_equal(run.metric(mx.metric.accuracy, list(list(label = lab4, pred = p4)))$value, 7 / 8)
  expect_error(mx.metric.accuracy$update(1:3, matrix(0, 2, 4), c(0, 0)), "3 labels for 4 predictions")
})

test_that("top_k_accuracy counts labels among the 5 best classes; batches are averaged", {
  pred <- cbind(c(9, 8, 7, 6, 5, 4, 3), c(1, 2, 3, 4, 5, 6, 7))
  # Sample 1: label 4 is the 5th best (hit); label 5 is 6th (miss). Sample 2: label 6 is best.
  b1 <- list(label = c(4, 6), pred = pred)
  b2 <- list(label = c(5, 6), pred = pred)
  expect_equal(run.metric(mx.metric.top_k_accuracy, list(b1))$value, 1)
  expect_equal(run.metric(mx.metric.top_k_accuracy, list(b2))$value, 0.5)
  expect_equal(run.metric(mx.metric.top_k_accuracy, list(b1, b2)), list(name = "top_k_accuracy", value = 0.75))
})

test_that("regression metrics: mse, rmse, mae, rmsle", {
  label <- c(1, 2, 3, 4)
  pred <- matrix(c(1.5, 2, 2, 6), nrow = 1)   # a (1, N) output, as LinearRegressionOutput gives
  b <- list(list(label = label, pred = pred))
  expect_equal(run.metric(mx.metric.mse, b)$value, mean(c(0.25, 0, 1, 4)))
  expect_equal(run.metric(mx.metric.rmse, b)$value, sqrt(mean(c(0.25, 0, 1, 4))))
  expect_equal(run.metric(mx.metric.mae, b)$value, mean(c(0.5, 0, 1, 2)))
  expect_equal(run.metric(mx.metric.rmsle, b)$value, sqrt(mean((log1p(c(1.5, 2, 2, 6)) - log1p(label))^2)))
  expect_equal(run.metric(mx.metric.rmse, list(list(label = mx.nd.array(label), pred = mx.nd.array(pred))))$value,
               sqrt(mean(c(0.25, 0, 1, 4))), tolerance = 1e-6)
  expect_error(mx.metric.rmse$update(1:3, 1:4, c(0, 0)), "3 labels but 4 predictions")
})

test_that("Perplexity leaves out labels equal to -1", {
  probs <- matrix(c(0.5, 0.5, 0.0,
                    0.1, 0.2, 0.7,
                    0.3, 0.3, 0.4), nrow = 3)
  got <- run.metric(mx.metric.Perplexity, list(list(label = c(0, 2, -1), pred = probs)))
  expect_equal(got$name, "Perplexity")
  expect_equal(got$value, exp(-(log(0.5) + log(0.7)) / 2))
})

test_that("logloss clips predictions; logistic_acc thresholds at 0.5 and is called accuracy", {
  label <- c(1, 0, 1, 0)
  pred <- c(0.9, 0.2, 0, 1)
  p <- pmin(pmax(pred, 1e-15), 1 - 1e-15)
  expect_equal(run.metric(mx.metric.logloss, list(list(label = label, pred = pred)))$value,
               -mean(label * log(p) + (1 - label) * log(1 - p)))
  acc <- run.metric(mx.metric.logistic_acc, list(list(label = label, pred = pred)))
  expect_equal(acc, list(name = "accuracy", value = 0.5))
})

test_that("in training, feval receives the batch's label and output as MXNDArrays (MXNet-R 1.9.1)", {
  seen <- new.env()
  probe <- mx.metric.custom("probe", function(label, pred) {
    seen$classes <- c(class(label)[1], class(pred)[1])
    seen$dims <- list(dim(label), dim(pred))
    0.25
  })
  net <- mx.symbol.SoftmaxOutput(mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 3), name = "sm")
  set.seed(2)
  logger <- mx.metric.logger$new()
  mx.model.FeedForward.create(net, X = matrix(runif(40), 4, 10), y = rep(0:2, length.out = 10), num.round = 1,
                              array.batch.size = 5, array.layout = "colmajor", eval.metric = probe,
                              epoch.end.callback = mx.callback.log.train.metric(1, logger), verbose = FALSE)
  expect_equal(seen$classes, c("MXNDArray", "MXNDArray"))
  expect_equal(seen$dims, list(5, c(3, 5)))
  expect_equal(logger$train, 0.25)
})
