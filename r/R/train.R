# Initializers and optimizers, as MXNet-R names them (metrics: metric.R; iterators: io.R).

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

mx.init.uniform <- function(scale) {
  function(name, shape, ctx = mx.ctx.default(), allow.unknown = FALSE) {
    fixed <- mx.internal.init.fixed(name, shape, ctx)
    if (!is.null(fixed)) return(fixed)
    mx.internal.random("_random_uniform", shape, ctx, c("low", "high"),
                       c(mx.internal.number(-scale), mx.internal.number(scale)))
  }
}

mx.init.normal <- function(sd) {
  function(name, shape, ctx = mx.ctx.default(), allow.unknown = FALSE) {
    fixed <- mx.internal.init.fixed(name, shape, ctx)
    if (!is.null(fixed)) return(fixed)
    mx.internal.random("_random_normal", shape, ctx, c("loc", "scale"), c("0", mx.internal.number(sd)))
  }
}

#' Xavier: fan sizes from the core shape (out, in, k...): in R order the last dim is fan out.
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

#' An optimizer: list(create.state, update), as MXNet-R's.
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
