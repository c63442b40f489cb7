# MXNet-R's optimizers (R-package/R/optimizer.R, 1.9.1): list(create_exec, update), used through
# mx.opt.get.updater; each checked over several steps (state kept between calls) against the update
# rule written out in plain R, and the core-operator ones also against the core's update operator
# called directly. Parameters (rescale.grad, clip_gradient, wd) are non-trivial throughout.

w0 <- c(0.5, -1.5, 2, 0.25, -0.75, 1)
grads <- list(c(3, -2, 0.5, 1, -4, 0.1), c(-1, 1.5, 2.5, -0.3, 0.2, 5), c(0.7, 0.7, -3, 2, 1, -1))

run.updater <- function(opt, steps = grads, dims = c(2, 3)) {
  w <- mx.nd.array(array(w0, dims))
  up <- mx.opt.get.updater(opt, list(fc_weight = w, data = mx.nd.zeros(dims)))
  for (g in steps) {
    out <- up(list(fc_weight = w, data = NULL), list(fc_weight = mx.nd.array(array(g, dims)), data = NULL))
    expect_null(out$data)
    w <- mx.nd.copyto(out$fc_weight, mx.cpu())
  }
  as.vector(as.array(w))
}

clip <- function(g, c) if (c >= 0) pmin(pmax(g, -c), c) else g

test_that("sgd without momentum is the core's sgd_update", {
  lr <- 0.1; wd <- 0.01; rs <- 0.5; cg <- 1
  got <- run.updater(mx.opt.create("sgd", learning.rate = lr, wd = wd, rescale.grad = rs, clip_gradient = cg))
  w <- w0
  for (g in grads) w <- w - lr * (clip(rs * g, cg) + wd * w)
  expect_equal(got, w, tolerance = 1e-5)
  core <- mx.nd.array(w0)
  for (g in grads) core <- mx.nd.sgd.update(core, mx.nd.array(g), lr = lr, wd = wd, rescale_grad = rs, clip_gradient = cg)
  expect_equal(got, as.array(core), tolerance = 1e-6)
})

test_that("sgd with momentum keeps its momentum between updates (sgd_mom_update)", {
  lr <- 0.05; mom <- 0.9; wd <- 0.001
  got <- run.updater(mx.opt.sgd(learning.rate = lr, momentum = mom, wd = wd))
  w <- w0; m <- 0
  for (g in grads) { m <- mom * m - lr * (g + wd * w); w <- w + m }
  expect_equal(got, w, tolerance = 1e-5)
})

test_that("adam is the core's adam_update with the rate as given (MXNet-R: no bias correction)", {
  lr <- 0.01; b1 <- 0.8; b2 <- 0.99; eps <- 1e-6; wd <- 0.01; rs <- 2
  got <- run.updater(mx.opt.create("adam", learning.rate = lr, beta1 = b1, beta2 = b2, epsilon = eps, wd = wd,
                                   rescale.grad = rs))
  w <- w0; m <- 0; v <- 0
  for (g in grads) {
    g <- rs * g + wd * w
    m <- b1 * m + (1 - b1) * g
    v <- b2 * v + (1 - b2) * g^2
    w <- w - lr * m / (sqrt(v) + eps)
  }
  expect_equal(got, w, tolerance = 1e-5)
})

test_that("rmsprop: centered by default (rmspropalex_update), plain with centered = FALSE", {
  lr <- 0.01; g1 <- 0.9; g2 <- 0.8; eps <- 1e-4; wd <- 0.02; cg <- 2
  got <- run.updater(mx.opt.create("rmsprop", learning.rate = lr, gamma1 = g1, gamma2 = g2, wd = wd, clip_gradient = cg))
  w <- w0; n <- 0; gm <- 0; d <- 0
  for (g in grads) {
    g <- clip(g + wd * w, cg)
    n <- (1 - g1) * g^2 + g1 * n
    gm <- (1 - g1) * g + g1 * gm
    d <- g2 * d - lr * g / sqrt(n - gm^2 + eps)
    w <- w + d
  }
  expect_equal(got, w, tolerance = 1e-4)
  got2 <- run.updater(mx.opt.rmsprop(learning.rate = lr, centered = FALSE, gamma1 = g1, epsilon = 1e-8))
  w <- w0; n <- 0
  for (g in grads) { n <- (1 - g1) * g^2 + g1 * n; w <- w - lr * g / sqrt(n + 1e-8) }
  expect_equal(got2, w, tolerance = 1e-5)
  expect_equal(formals(mx.opt.rmsprop)$epsilon, 1e-4)
  expect_true(formals(mx.opt.rmsprop)$centered)
})

test_that("adagrad accumulates squared gradients (MXNet-R's formula)", {
  lr <- 0.1; eps <- 1e-7; wd <- 0.05; rs <- 0.5; cg <- 1
  got <- run.updater(mx.opt.create("adagrad", learning.rate = lr, epsilon = eps, wd = wd, rescale.grad = rs,
                                   clip_gradient = cg))
  w <- w0; h <- 0
  for (g in grads) { g <- clip(rs * g, cg); h <- h + g^2; w <- w - lr * (g / sqrt(h + eps) + wd * w) }
  expect_equal(got, w, tolerance = 1e-5)
})

test_that("adadelta needs no learning rate (MXNet-R's formula)", {
  rho <- 0.9; eps <- 1e-5; wd <- 0.01
  got <- run.updater(mx.opt.create("adadelta", rho = rho, epsilon = eps, wd = wd))
  w <- w0; ag <- 0; ad <- 0
  for (g in grads) {
    ag <- rho * ag + (1 - rho) * g^2
    d <- sqrt(ad + eps) / sqrt(ag + eps) * g
    ad <- rho * ad + (1 - rho) * d^2
    w <- w - d - wd * w
  }
  expect_equal(got, w, tolerance = 1e-5)
  expect_error(mx.opt.create("adadelta", learning.rate = 0.1), "unused argument")
})

test_that("nag follows MXNet-R's Nesterov rule; momentum 0 is plain SGD", {
  lr <- 0.05; mom <- 0.9; wd <- 0.01
  got <- run.updater(mx.opt.create("nag", learning.rate = lr, momentum = mom, wd = wd))
  w <- w0; m <- 0
  for (g in grads) { m <- mom * m + g + wd * w; w <- w - lr * (mom * m + g) }
  expect_equal(got, w, tolerance = 1e-5)
  got0 <- run.updater(mx.opt.nag(learning.rate = lr, wd = wd))
  w <- w0
  for (g in grads) w <- w - lr * (g + wd * w)
  expect_equal(got0, w, tolerance = 1e-5)
})

test_that("MXNet-R's defaults and parameter names", {
  expect_equal(formals(mx.opt.sgd)$learning.rate, 0.01)
  expect_equal(eval(formals(mx.opt.sgd)$clip_gradient), -1)
  expect_equal(formals(mx.opt.adam)$learning.rate, 1e-3)
  expect_equal(formals(mx.opt.adagrad)$learning.rate, 0.05)
  expect_equal(formals(mx.opt.adadelta)$rho, 0.9)
  expect_equal(names(formals(mx.opt.nag)), c("learning.rate", "momentum", "wd", "rescale.grad", "clip_gradient",
                                             "lr_scheduler"))
  opt <- mx.opt.create("sgd")
  expect_true(is.function(opt$create_exec) && is.function(opt$update))
  expect_error(mx.opt.create("nesterov"), "unknown optimizer 'nesterov'")
  expect_error(mx.opt.sgd(learning.rate = "fast"), "learning.rate")
})

test_that("create_exec and update work directly, as MXNet-R's model code calls them", {
  opt <- mx.opt.create("sgd", learning.rate = 0.5, momentum = 0.5)
  exec <- opt$create_exec(index = 1, weight_dim = c(3), ctx = mx.cpu())
  expect_true(is.mx.executor(exec))
  w1 <- opt$update(1, exec, mx.nd.array(c(1, 1, 1)), mx.nd.array(c(1, 2, 3)))
  expect_equal(as.array(w1), c(0.5, 0, -0.5))
  w2 <- opt$update(1, exec, mx.nd.copyto(w1, mx.cpu()), mx.nd.array(c(1, 2, 3)))
  expect_equal(as.array(w2), c(0.5, 0, -0.5) - 0.25 * c(1, 2, 3) - 0.5 * c(1, 2, 3))
})

test_that("update also takes (index, weight, grad, state), updating weight in place", {
  opt <- mx.opt.create("sgd", learning.rate = 0.1)
  w <- mx.nd.array(c(1, 2))
  state <- opt$create.state("fc_weight", w)
  expect_null(opt$update("fc_weight", w, mx.nd.array(c(10, -10)), state))
  expect_equal(as.array(w), c(0, 3))
})

test_that("an lr_scheduler's rate is used by the following updates", {
  sched <- mx.lr_scheduler.FactorScheduler(step = 1, factor_val = 0.5, verbose = FALSE)
  opt <- mx.opt.create("sgd", learning.rate = 1, lr_scheduler = sched)
  exec <- opt$create_exec(1, c(1), mx.cpu())
  rates <- numeric(0)
  w <- mx.nd.array(0)
  for (i in 1:5) {
    before <- as.array(w)
    w <- mx.nd.copyto(opt$update(1, exec, w, mx.nd.array(-1)), mx.cpu())
    rates[i] <- as.array(w) - before
  }
  # MXNet-R's counting: num_update is 0, 0, 1, 2, 3 when the scheduler runs, and a step of 1 cuts
  # the rate once num_update > count + 1.
  expect_equal(rates, c(1, 1, 1, 0.5, 0.25))
  expect_equal(opt$env$lr, 0.25)
})

test_that("state survives a scheduler's rate change (momentum, adagrad history)", {
  sched <- function() mx.lr_scheduler.FactorScheduler(step = 1, factor_val = 0.5, verbose = FALSE)
  rates <- c(0.4, 0.4, 0.4, 0.2, 0.1)  # as the counting test above, from 0.4
  g <- c(1, -2, 0.5)
  opt <- mx.opt.create("sgd", learning.rate = 0.4, momentum = 0.9, lr_scheduler = sched())
  exec <- opt$create_exec(1, 3, mx.cpu())
  w <- mx.nd.array(c(1, 1, 1))
  ref <- c(1, 1, 1); m <- 0
  for (lr in rates) {
    w <- mx.nd.copyto(opt$update(1, exec, w, mx.nd.array(g)), mx.cpu())
    m <- 0.9 * m - lr * g
    ref <- ref + m
  }
  expect_equal(as.array(w), ref, tolerance = 1e-5)
  opt <- mx.opt.create("adagrad", learning.rate = 0.4, lr_scheduler = sched())
  exec <- opt$create_exec(1, 3, mx.cpu())
  w <- mx.nd.array(c(1, 1, 1))
  ref <- c(1, 1, 1); h <- 0
  for (lr in rates) {
    w <- mx.nd.copyto(opt$update(1, exec, w, mx.nd.array(g)), mx.cpu())
    h <- h + g^2
    ref <- ref - lr * g / sqrt(h + 1e-8)
  }
  expect_equal(as.array(w), ref, tolerance = 1e-5)
})
