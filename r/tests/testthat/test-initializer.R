# MXNet-R's initializers (R-package/R/initializer.R) and random arrays (R/random.R).

test_that("mx.set.seed: the same seed gives the same numbers, another seed others", {
  mx.set.seed(42)
  a <- as.array(mx.runif(c(3, 4)))
  b <- as.array(mx.rnorm(c(5)))
  mx.set.seed(42)
  expect_identical(as.array(mx.runif(c(3, 4))), a)
  expect_identical(as.array(mx.rnorm(c(5))), b)
  mx.set.seed(43)
  expect_false(identical(as.array(mx.runif(c(3, 4))), a))
})

test_that("mx.runif and mx.rnorm draw the requested distribution and shape (R order)", {
  mx.set.seed(7)
  u <- mx.runif(c(200, 50), min = -2, max = 3)
  expect_equal(dim(u), c(200, 50))
  v <- as.array(u)
  expect_true(all(v >= -2 & v < 3))
  expect_equal(mean(v), 0.5, tolerance = 0.05)
  n <- as.array(mx.rnorm(c(100, 100), mean = 1, sd = 2))
  expect_equal(mean(n), 1, tolerance = 0.05)
  expect_equal(sd(as.vector(n)), 2, tolerance = 0.05)
  expect_equal(dim(mx.runif(7)), 7)
  expect_error(mx.runif(c(2, 2), min = "a"), "'min' must be a single number")
  expect_error(mx.rnorm(c(2, 2), sd = -1), "'sd' must be >= 0")
  expect_error(mx.runif(c(2, -2)), "shape")
})

test_that("mx.init.internal.default gives the fixed values by name ending", {
  expect_equal(as.array(mx.init.internal.default("fc1_bias", c(3))), rep(0, 3))
  expect_equal(as.array(mx.init.internal.default("bn_gamma", c(4))), rep(1, 4))
  expect_equal(as.array(mx.init.internal.default("bn_beta", c(4))), rep(0, 4))
  expect_equal(as.array(mx.init.internal.default("bn_moving_mean", c(2))), rep(0, 2))
  expect_equal(as.array(mx.init.internal.default("bn_moving_var", c(2))), rep(1, 2))
  expect_null(mx.init.internal.default("mystery", c(2), allow.unknown = TRUE))
  expect_error(mx.init.internal.default("mystery", c(2)), "no initialization pattern for 'mystery'")
})

test_that("uniform and normal initializers draw only weights", {
  mx.set.seed(1)
  w <- as.array(mx.init.uniform(0.1)("fc_weight", c(30, 20), mx.cpu()))
  expect_equal(dim(w), c(30, 20))
  expect_true(all(abs(w) <= 0.1))
  expect_gt(sd(as.vector(w)), 0.04)
  expect_equal(as.array(mx.init.uniform(0.1)("fc_bias", 5, mx.cpu())), rep(0, 5))
  n <- as.array(mx.init.normal(0.5)("conv_weight", c(50, 40), mx.cpu()))
  expect_equal(sd(as.vector(n)), 0.5, tolerance = 0.05)
  expect_equal(as.array(mx.init.normal(1)("bn_gamma", 3)), rep(1, 3))
  expect_error(mx.init.normal(1)("rnn_parameters", 3), "no initialization pattern")
})

test_that("Xavier uses MXNet-R's fans: last R dimension out, the product of the rest in", {
  # Same seed, same draw: the Xavier array equals a uniform draw with the expected scale.
  shape <- c(3, 3, 8, 16)  # a convolution weight: kernel 3x3, 8 inputs, 16 filters
  fan.in <- 3 * 3 * 8
  fan.out <- 16
  for (ft in c("avg", "in", "out")) {
    factor <- switch(ft, avg = (fan.in + fan.out) / 2, "in" = fan.in, out = fan.out)
    scale <- sqrt(2 / factor)
    mx.set.seed(11)
    got <- as.array(mx.init.Xavier("uniform", ft, magnitude = 2)("conv_weight", shape, mx.cpu()))
    mx.set.seed(11)
    want <- as.array(mx.runif(shape, -scale, scale))
    expect_equal(got, want, tolerance = 1e-6)
    expect_true(all(abs(got) <= scale))
  }
  mx.set.seed(5)
  g <- as.array(mx.init.Xavier(rnd_type = "gaussian", factor_type = "in", magnitude = 3)("fc_weight", c(400, 300), mx.cpu()))
  expect_equal(sd(as.vector(g)), sqrt(3 / 400), tolerance = 0.05)
  expect_equal(as.array(mx.init.Xavier()("fc_bias", 4)), rep(0, 4))
  expect_error(mx.init.Xavier(rnd_type = "cauchy"), "rnd_type")
  expect_error(mx.init.Xavier(factor_type = "sum"), "factor_type")
})

test_that("mx.init.create initializes a shape list, leaving out unknown names", {
  shapes <- list(fc_weight = c(4, 3), fc_bias = 3, bn_moving_var = 3, data = c(4, 10))
  mx.set.seed(2)
  p <- mx.init.create(mx.init.uniform(0.5), shapes, mx.cpu())
  expect_equal(names(p), c("fc_weight", "fc_bias", "bn_moving_var"))
  expect_equal(dim(p$fc_weight), c(4, 3))
  expect_equal(as.array(p$bn_moving_var), rep(1, 3))
  expect_error(mx.init.create(mx.init.uniform(0.5), shapes, mx.cpu(), skip.unknown = FALSE), "'data'")
  expect_equal(mx.init.create(mx.init.uniform(0.5), list()), list())
})

test_that("learning-rate schedulers follow MXNet-R's counting", {
  env <- new.env()
  env$lr <- 1; env$count <- 0; env$num_update <- 0
  f <- mx.lr_scheduler.FactorScheduler(step = 10, factor_val = 0.1, stop_factor_lr = 0.005, verbose = FALSE)
  lrs <- vapply(0:40, function(n) { env$num_update <- n; f(env); env$lr }, 1)
  # lrs[n + 1] is the rate after num_update = n: it changes once num_update > count + step.
  expect_equal(lrs[1:11], rep(1, 11))
  expect_equal(lrs[(11:20) + 1], rep(0.1, 10))
  expect_equal(lrs[(21:30) + 1], rep(0.01, 10))
  expect_equal(lrs[(31:40) + 1], rep(0.005, 10))   # 0.001 is below the floor
  expect_message(mx.lr_scheduler.FactorScheduler(1, 0.5)(list2env(list(lr = 1, count = 0, num_update = 5))),
                 "learning rate is changed to 0.5")
  env <- new.env()
  env$lr <- 1; env$count <- 0; env$num_update <- 0
  m <- mx.lr_scheduler.MultiFactorScheduler(step = c(5, 8), factor_val = 0.5, verbose = FALSE)
  lrs <- vapply(0:12, function(n) { env$num_update <- n; m(env); env$lr }, 1)
  expect_equal(lrs, c(rep(1, 6), rep(0.5, 3), rep(0.25, 4)))
  expect_error(mx.lr_scheduler.FactorScheduler(0, 0.5), "step")
  expect_error(mx.lr_scheduler.MultiFactorScheduler(c(5, 3), 0.5), "increasing")
  expect_error(mx.lr_scheduler.FactorScheduler(2, 1.5), "factor_val")
})
