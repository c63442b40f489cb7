# Initializers, optimizers, metrics and the array iterator, as MXNet-R names them.

# ---- initializers: function(name, shape, ctx) -> MXNDArray; shape in R order -------------------
mx.internal.init.fixed <- function(name, shape, ctx) {
  if (grepl("(bias|beta|moving_mean|running_mean)$", name)) return(mx.nd.zeros(shape, ctx))
  if (grepl("(gamma|moving_var|running_var)$", name)) return(mx.nd.ones(shape, ctx))
  NULL
}

mx.internal.random <- function(op, shape, ctx, keys, vals) {
  core <- paste0("(", paste(rev(shape), collapse = ", "), if (length(shape) == 1) "," else "", ")")
  mx.internal.call(op, list(), c(keys, "shape"), c(vals, core))
}

#' Parameter initializers
#'
#' Initializers for [mx.model.FeedForward.create()] and [mx.init.create()], as MXNet-R's:
#' `mx.init.uniform(scale)` draws from U(-scale, scale), `mx.init.normal(sd)` from N(0, sd^2),
#' `mx.init.Xavier()` scales by the fan-in and fan-out (computed from the core's shape
#' (out, in, kernel...), i.e. R's shape reversed). Whatever the initializer, names ending in
#' `bias`, `beta`, `moving_mean` get zeros and those ending in `gamma`, `moving_var` get ones.
#'
#' @param scale The bound of the uniform distribution.
#' @param sd The standard deviation of the normal distribution.
#' @param rnd_type `"uniform"` or `"gaussian"`.
#' @param factor_type `"avg"`, `"in"` or `"out"`: which fan sets the scale.
#' @param magnitude The scale's numerator: U(-s, s) or N(0, s^2) with `s = sqrt(magnitude / factor)`.
#' @return An initializer: a function `(name, shape, ctx, allow.unknown)` returning an `MXNDArray`.
#' @examples
#' init <- mx.init.Xavier(magnitude = 2)
#' w <- init("fc1_weight", c(3, 4), mx.cpu())
#' dim(w)
#' @export
mx.init.uniform <- function(scale) {
  function(name, shape, ctx = mx.ctx.default(), allow.unknown = FALSE) {
    fixed <- mx.internal.init.fixed(name, shape, ctx)
    if (!is.null(fixed)) return(fixed)
    mx.internal.random("_random_uniform", shape, ctx, c("low", "high"),
                       c(mx.internal.number(-scale), mx.internal.number(scale)))
  }
}

#' @rdname mx.init.uniform
#' @export
mx.init.normal <- function(sd) {
  function(name, shape, ctx = mx.ctx.default(), allow.unknown = FALSE) {
    fixed <- mx.internal.init.fixed(name, shape, ctx)
    if (!is.null(fixed)) return(fixed)
    mx.internal.random("_random_normal", shape, ctx, c("loc", "scale"), c("0", mx.internal.number(sd)))
  }
}

#' @rdname mx.init.uniform
#' @export
mx.init.Xavier <- function(rnd_type = "uniform", factor_type = "avg", magnitude = 3) {
  function(name, shape, ctx = mx.ctx.default(), allow.unknown = FALSE) {
    fixed <- mx.internal.init.fixed(name, shape, ctx)
    if (!is.null(fixed)) return(fixed)
    core <- rev(shape)
    hw <- if (length(core) > 2) prod(core[-(1:2)]) else 1
    fan.out <- core[1] * hw
    fan.in <- (if (length(core) > 1) core[2] else 1) * hw
    factor <- switch(factor_type, avg = (fan.in + fan.out) / 2, "in" = fan.in, out = fan.out,
                     stop("mx.init.Xavier: factor_type must be avg, in or out", call. = FALSE))
    scale <- sqrt(magnitude / factor)
    if (rnd_type == "uniform") {
      mx.internal.random("_random_uniform", shape, ctx, c("low", "high"),
                         c(mx.internal.number(-scale), mx.internal.number(scale)))
    } else {
      mx.internal.random("_random_normal", shape, ctx, c("loc", "scale"), c("0", mx.internal.number(scale)))
    }
  }
}

#' Create parameters with an initializer
#'
#' @param initializer An initializer such as [mx.init.uniform()].
#' @param shape.array A named list of shapes in R's dimension order.
#' @param ctx The device; `NULL` for [mx.ctx.default()].
#' @param skip.unknown Accepted for MXNet-R compatibility.
#' @return A named list of `MXNDArray`s.
#' @export
mx.init.create <- function(initializer, shape.array, ctx = NULL, skip.unknown = TRUE) {
  ctx <- if (is.null(ctx)) mx.ctx.default() else ctx
  out <- lapply(names(shape.array), function(n) initializer(n, shape.array[[n]], ctx))
  names(out) <- names(shape.array)
  out
}

# ---- optimizers: the registry's update ops, applied in place ------------------------------------
mx.internal.update <- function(op, inputs, params) {
  keys <- names(params)
  vals <- vapply(params, mx.internal.number, "")
  MVImperativeInvoke(mx.internal.op(op), mx.internal.params.handle(op, list(keys = keys, vals = unname(vals))),
                     lapply(inputs, function(a) a$ptr), list(inputs[[1]]$ptr))
  invisible(inputs[[1]])
}

#' Create an optimizer
#'
#' An optimizer as MXNet-R's: a list with `create.state(index, weight)` and
#' `update(index, weight, grad, state)`, which updates `weight` in place with the registry's
#' update operators (`sgd_update`, `sgd_mom_update`, `adam_update`, `rmsprop_update`) and returns
#' the new state.
#'
#' @param name `"sgd"`, `"adam"` or `"rmsprop"`.
#' @param learning.rate The learning rate.
#' @param rescale.grad A factor applied to every gradient (usually 1 / batch size).
#' @param wd The weight decay.
#' @param clip_gradient Clip gradients to this absolute value; negative for no clipping.
#' @param ... The optimizer's own settings: `momentum` (sgd); `beta1`, `beta2`, `epsilon` (adam);
#'   `gamma1`, `epsilon` (rmsprop).
#' @return A list with `create.state`, `update` and `name`.
#' @export
mx.opt.create <- function(name, learning.rate = 0.01, rescale.grad = 1, wd = 0, clip_gradient = -1, ...) {
  extra <- list(...)
  base <- list(wd = wd, rescale_grad = rescale.grad, clip_gradient = clip_gradient)
  if (name == "sgd") {
    momentum <- if (is.null(extra$momentum)) 0 else extra$momentum
    create.state <- function(index, weight) if (momentum == 0) NULL else mx.nd.zeros(dim(weight), ctx(weight))
    update <- function(index, weight, grad, state) {
      if (is.null(state)) {
        mx.internal.update("sgd_update", list(weight, grad), c(list(lr = learning.rate), base))
      } else {
        mx.internal.update("sgd_mom_update", list(weight, grad, state), c(list(lr = learning.rate, momentum = momentum), base))
      }
      state
    }
  } else if (name == "adam") {
    beta1 <- if (is.null(extra$beta1)) 0.9 else extra$beta1
    beta2 <- if (is.null(extra$beta2)) 0.999 else extra$beta2
    epsilon <- if (is.null(extra$epsilon)) 1e-8 else extra$epsilon
    create.state <- function(index, weight) {
      list(mean = mx.nd.zeros(dim(weight), ctx(weight)), var = mx.nd.zeros(dim(weight), ctx(weight)), t = 0)
    }
    update <- function(index, weight, grad, state) {
      state$t <- state$t + 1
      lr <- learning.rate * sqrt(1 - beta2^state$t) / (1 - beta1^state$t)
      mx.internal.update("adam_update", list(weight, grad, state$mean, state$var),
                         c(list(lr = lr, beta1 = beta1, beta2 = beta2, epsilon = epsilon), base))
      state
    }
  } else if (name == "rmsprop") {
    gamma1 <- if (is.null(extra$gamma1)) 0.95 else extra$gamma1
    epsilon <- if (is.null(extra$epsilon)) 1e-8 else extra$epsilon
    create.state <- function(index, weight) mx.nd.zeros(dim(weight), ctx(weight))
    update <- function(index, weight, grad, state) {
      mx.internal.update("rmsprop_update", list(weight, grad, state),
                         c(list(lr = learning.rate, gamma1 = gamma1, epsilon = epsilon), base))
      state
    }
  } else {
    stop(sprintf("mx.opt.create: unknown optimizer '%s'; use sgd, adam or rmsprop", name), call. = FALSE)
  }
  list(create.state = create.state, update = update, name = name)
}

# ---- metrics: list(init, update, get), label and pred as R arrays ------------------------------
#' Evaluation metrics
#'
#' A metric is a list of functions `init()`, `update(label, pred, state)` and `get(state)`, as
#' MXNet-R's. `mx.metric.custom()` makes one from `feval(label, pred)`, whose values are averaged
#' over the batches; `mx.metric.accuracy`, `mx.metric.rmse`, `mx.metric.mse` and
#' `mx.metric.mae` are made with it.
#'
#' @param name The metric's name, shown in the training log.
#' @param feval A function of the labels (a vector) and the predictions (a matrix with one
#'   column per sample) returning a number.
#' @return An `mx.metric`.
#' @examples
#' m <- mx.metric.accuracy
#' s <- m$update(c(0, 1), matrix(c(0.9, 0.1, 0.2, 0.8), 2), m$init())
#' m$get(s)
#' @export
mx.metric.custom <- function(name, feval) {
  init <- function() c(0, 0)
  update <- function(label, pred, state) c(state[1] + feval(label, pred), state[2] + 1)
  get <- function(state) list(name = name, value = state[1] / state[2])
  structure(list(init = init, update = update, get = get), class = "mx.metric")
}

#' @rdname mx.metric.custom
#' @format NULL
#' @export
mx.metric.accuracy <- mx.metric.custom("accuracy", function(label, pred) {
  pred <- as.matrix(pred)
  ypred <- if (nrow(pred) == 1) as.numeric(pred > 0.5) else max.col(t(pred), "first") - 1
  mean(as.numeric(label) == ypred)
})

#' @rdname mx.metric.custom
#' @format NULL
#' @export
mx.metric.rmse <- mx.metric.custom("rmse", function(label, pred) sqrt(mean((as.numeric(label) - as.numeric(pred))^2)))

#' @rdname mx.metric.custom
#' @format NULL
#' @export
mx.metric.mse <- mx.metric.custom("mse", function(label, pred) mean((as.numeric(label) - as.numeric(pred))^2))

#' @rdname mx.metric.custom
#' @format NULL
#' @export
mx.metric.mae <- mx.metric.custom("mae", function(label, pred) mean(abs(as.numeric(label) - as.numeric(pred))))

# ---- the array iterator: data with the sample dimension last (R order) -------------------------
#' An iterator over R arrays
#'
#' Mini-batches of `data` (samples in the last dimension, R's order) and `label`, as MXNet-R's
#' `mx.io.arrayiter`: `reset()`, `iter.next()`, `value()` (a list of `data` and `label`
#' `MXNDArray`s) and `num.pad()` (how many samples of the last batch wrap around to the start).
#'
#' @param data A matrix (one sample per column) or an array with the samples in the last
#'   dimension.
#' @param label The labels, one per sample.
#' @param batch.size The batch size.
#' @param shuffle Whether `reset()` shuffles the order.
#' @return An `MXArrayIter`.
#' @examples
#' it <- mx.io.arrayiter(matrix(1:20, 2, 10), 1:10, batch.size = 4)
#' it$reset()
#' it$iter.next()
#' dim(it$value()$data)
#' @export
mx.io.arrayiter <- function(data, label, batch.size = 128, shuffle = FALSE) {
  d <- dim(data)
  if (is.null(d)) d <- c(1, length(data))
  n <- d[length(d)]
  if (length(label) != n) {
    stop(sprintf("mx.io.arrayiter: %d labels for %d samples (the last dimension of data)", length(label), n), call. = FALSE)
  }
  it <- new.env(parent = emptyenv())
  it$data <- array(as.numeric(data), dim = d)
  it$label <- as.numeric(label)
  it$batch.size <- batch.size
  it$shuffle <- shuffle
  it$cursor <- 0
  it$order <- seq_len(n)
  it$n <- n
  it$reset <- function() {
    it$cursor <- 0
    if (it$shuffle) it$order <- sample.int(it$n)
  }
  it$iter.next <- function() {
    it$cursor <- it$cursor + it$batch.size
    it$cursor - it$batch.size < it$n
  }
  it$num.pad <- function() max(0, it$cursor - it$n)
  it$value <- function() {
    idx <- it$order[((it$cursor - it$batch.size):(it$cursor - 1)) %% it$n + 1]
    slab <- prod(d[-length(d)])
    x <- array(matrix(it$data, nrow = slab)[, idx], dim = c(d[-length(d)], it$batch.size))
    list(data = mx.nd.array(x), label = mx.nd.array(it$label[idx]))
  }
  class(it) <- "MXArrayIter"
  it
}
