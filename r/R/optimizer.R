# Optimizers as MXNet-R's R/optimizer.R (1.9.1): an optimizer is list(create_exec, update).
# create_exec(index, weight_dim, ctx) binds a small update graph for one weight (the core's update
# operators for sgd, rmsprop and adam; MXNet-R's own formulas as symbol arithmetic for adagrad,
# adadelta and nag); update(index, exec_w, weight, grad) runs it and returns the new weight (an
# MXNDArray owned by the executor). The optimizer's state (momentum, moving averages) lives in the
# executor and persists across calls. mx.opt.get.updater wraps this for lists of weights.
#
# Two deliberate differences from MXNet-R 1.9.1, both where its code defeats its documentation:
# the learning rate an lr_scheduler sets is used (MXNet-R binds the initial rate into the graph
# once, so its schedulers never change an update), and update() also takes the
# (index, weight, grad, state) form, updating weight in place and returning state, which
# Minerva's feed-forward trainer used before mx.opt.get.updater.

mx.internal.opt.grad <- function(grad, rescale.grad, clip_gradient) {
  grad <- grad * rescale.grad
  if (!is.null(clip_gradient) && clip_gradient >= 0) {
    grad <- mx.symbol.clip(data = grad, a.min = -clip_gradient, a.max = clip_gradient)
  }
  grad
}

mx.internal.opt.check <- function(fn, ...) {
  args <- list(...)
  for (k in names(args)) {
    v <- args[[k]]
    if (!is.null(v) && (!is.numeric(v) || length(v) != 1 || is.na(v))) {
      stop(sprintf("%s: '%s' must be a single number, got %s", fn, k,
                   if (is.numeric(v)) sprintf("%d values", length(v)) else class(v)[1]), call. = FALSE)
    }
  }
}

# Moves every binding of executor `from` into executor `to` (both environments), so that callers
# holding `to` see the freshly bound graph.
mx.internal.opt.transplant <- function(to, from) {
  for (k in ls(from, all.names = TRUE)) assign(k, get(k, envir = from), envir = to)
}

# The common optimizer object. build(lr) returns the update symbol (output "w_output" plus the
# outputs named in carry); carry maps a state argument to the output copied back into it after
# every update.
mx.internal.optimizer <- function(name, learning.rate, lr_scheduler, build, carry = character(0)) {
  env <- new.env()
  env$lr <- learning.rate
  env$count <- 0
  env$num_update <- 0
  env$legacy <- new.env(parent = emptyenv())

  create_exec <- function(index, weight_dim, ctx) {
    exec <- mx.simple.bind(build(env$lr), ctx = if (is.null(ctx)) mx.ctx.default() else ctx, grad.req = "null",
                           weight = weight_dim)
    exec$opt.lr <- env$lr
    exec
  }

  # MXNet-R's bookkeeping: the scheduler sees num_update, the largest per-weight update count.
  count.update <- function(index) {
    key <- paste0("ik", index)
    if (!exists(key, envir = env, inherits = FALSE)) {
      assign(key, 0, envir = env)
    } else {
      n <- get(key, envir = env) + 1
      assign(key, n, envir = env)
      env$num_update <- max(env$num_update, n)
    }
  }

  rebind <- function(index, exec_w, weight) {
    fresh <- create_exec(index, dim(weight), ctx(weight))
    # Every state array moves to the new graph: the aux arrays, and the arguments besides weight and
    # grad (sgd's mom, adam's mean/var, rmsprop's n/g/delta, which the update operators change in
    # place, and the carried ones of the other optimizers).
    keep <- c(names(exec_w$ref.aux.arrays), setdiff(names(exec_w$ref.arg.arrays), c("weight", "grad")))
    for (k in keep) {
      old <- if (k %in% names(exec_w$ref.aux.arrays)) exec_w$ref.aux.arrays[[k]] else exec_w$ref.arg.arrays[[k]]
      new <- if (k %in% names(fresh$ref.aux.arrays)) fresh$ref.aux.arrays[[k]] else fresh$ref.arg.arrays[[k]]
      MVNDArrayCopyTo(old$ptr, new$ptr)
    }
    mx.internal.opt.transplant(exec_w, fresh)
  }

  legacy <- function(index, weight, grad, state) {
    key <- paste0("exec:", index)
    exec <- env$legacy[[key]]
    if (is.null(exec)) {
      exec <- create_exec(index, dim(weight), ctx(weight))
      assign(key, exec, envir = env$legacy)
    }
    MVNDArrayCopyTo(update(index, exec, weight, grad)$ptr, weight$ptr)
    state
  }

  update <- function(index, exec_w, weight, grad) {
    if (!is.mx.executor(exec_w)) return(legacy(index, exec_w, weight, grad))
    if (!is.null(lr_scheduler)) {
      lr_scheduler(env)
      count.update(index)
    }
    if (!identical(exec_w$opt.lr, env$lr)) rebind(index, exec_w, weight)
    mx.exec.update.arg.arrays(exec_w, list(weight = weight, grad = grad), match.name = TRUE)
    mx.exec.forward(exec_w, is.train = FALSE)
    for (k in names(carry)) {
      MVNDArrayCopyTo(exec_w$ref.outputs[[carry[[k]]]]$ptr, exec_w$ref.arg.arrays[[k]]$ptr)
    }
    exec_w$ref.outputs$w_output
  }

  structure(list(create_exec = create_exec, update = update, create.state = function(index, weight) NULL,
                 name = name, env = env), class = "MXOptimizer")
}

#' Stochastic gradient descent, with momentum when momentum > 0 (the core's sgd_update and
#' sgd_mom_update).
#'
#' @param learning.rate The initial learning rate.
#' @param momentum The momentum (0: plain SGD).
#' @param wd The L2 regularization coefficient.
#' @param rescale.grad The factor the gradient is multiplied by first.
#' @param clip_gradient Clip the rescaled gradient to \[-clip_gradient, clip_gradient\]; < 0: no clipping.
#' @param lr_scheduler A scheduler such as \code{mx.lr_scheduler.FactorScheduler(...)}, or NULL.
#' @return An optimizer: \code{list(create_exec, update)}.
#' @export
mx.opt.sgd <- function(learning.rate = 0.01, momentum = 0, wd = 0, rescale.grad = 1, clip_gradient = -1,
                       lr_scheduler = NULL) {
  mx.internal.opt.check("mx.opt.sgd", learning.rate = learning.rate, momentum = momentum, wd = wd,
                        rescale.grad = rescale.grad, clip_gradient = clip_gradient)
  clip <- if (is.null(clip_gradient)) -1 else clip_gradient
  build <- function(lr) {
    weight <- mx.symbol.Variable("weight")
    grad <- mx.symbol.Variable("grad")
    if (momentum == 0) {
      return(mx.symbol.sgd.update(weight, grad, lr = lr, wd = wd, rescale_grad = rescale.grad, clip_gradient = clip,
                                  name = "w"))
    }
    mx.symbol.sgd.mom.update(weight, grad, mx.symbol.Variable("mom"), lr = lr, momentum = momentum, wd = wd,
                             rescale_grad = rescale.grad, clip_gradient = clip, name = "w")
  }
  mx.internal.optimizer("sgd", learning.rate, lr_scheduler, build)
}

#' RMSProp: centered (Graves 2013; the core's rmspropalex_update) or not (Tieleman and Hinton;
#' rmsprop_update).
#'
#' @param learning.rate The initial learning rate.
#' @param centered Use the centered variant (with gamma2 and the mean gradient).
#' @param gamma1 Decay of the moving averages of the gradient and its square.
#' @param gamma2 The momentum factor of the centered variant.
#' @param epsilon Added to the denominator.
#' @param wd The L2 regularization coefficient.
#' @param rescale.grad The factor the gradient is multiplied by first.
#' @param clip_gradient Clip the rescaled gradient to \[-clip_gradient, clip_gradient\]; < 0: no clipping.
#' @param lr_scheduler A scheduler, or NULL.
#' @return An optimizer: \code{list(create_exec, update)}.
#' @export
mx.opt.rmsprop <- function(learning.rate = 0.002, centered = TRUE, gamma1 = 0.95, gamma2 = 0.9, epsilon = 1e-4,
                           wd = 0, rescale.grad = 1, clip_gradient = -1, lr_scheduler = NULL) {
  mx.internal.opt.check("mx.opt.rmsprop", learning.rate = learning.rate, gamma1 = gamma1, gamma2 = gamma2,
                        epsilon = epsilon, wd = wd, rescale.grad = rescale.grad, clip_gradient = clip_gradient)
  clip <- if (is.null(clip_gradient)) -1 else clip_gradient
  build <- function(lr) {
    weight <- mx.symbol.Variable("weight")
    grad <- mx.symbol.Variable("grad")
    n <- mx.symbol.Variable("n")
    if (isTRUE(centered)) {
      return(mx.symbol.rmspropalex.update(weight, grad, n, mx.symbol.Variable("g"), mx.symbol.Variable("delta"),
                                          lr = lr, gamma1 = gamma1, gamma2 = gamma2, epsilon = epsilon, wd = wd,
                                          rescale_grad = rescale.grad, clip_gradient = clip, name = "w"))
    }
    mx.symbol.rmsprop.update(weight, grad, n, lr = lr, gamma1 = gamma1, epsilon = epsilon, wd = wd,
                             rescale_grad = rescale.grad, clip_gradient = clip, name = "w")
  }
  mx.internal.optimizer("rmsprop", learning.rate, lr_scheduler, build)
}

#' Adam (Kingma and Ba), as MXNet-R's: the core's adam_update with the learning rate as given (no
#' bias correction of the moment estimates).
#'
#' @param learning.rate The initial learning rate.
#' @param beta1 Decay of the first moment estimate.
#' @param beta2 Decay of the second moment estimate.
#' @param epsilon Added to the denominator.
#' @param wd The L2 regularization coefficient.
#' @param rescale.grad The factor the gradient is multiplied by first.
#' @param clip_gradient Clip the rescaled gradient to \[-clip_gradient, clip_gradient\]; < 0: no clipping.
#' @param lr_scheduler A scheduler, or NULL.
#' @return An optimizer: \code{list(create_exec, update)}.
#' @export
mx.opt.adam <- function(learning.rate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, wd = 0, rescale.grad = 1,
                        clip_gradient = -1, lr_scheduler = NULL) {
  mx.internal.opt.check("mx.opt.adam", learning.rate = learning.rate, beta1 = beta1, beta2 = beta2, epsilon = epsilon,
                        wd = wd, rescale.grad = rescale.grad, clip_gradient = clip_gradient)
  clip <- if (is.null(clip_gradient)) -1 else clip_gradient
  build <- function(lr) {
    mx.symbol.adam.update(mx.symbol.Variable("weight"), mx.symbol.Variable("grad"), mx.symbol.Variable("mean"),
                          mx.symbol.Variable("var"), lr = lr, beta1 = beta1, beta2 = beta2, epsilon = epsilon, wd = wd,
                          rescale_grad = rescale.grad, clip_gradient = clip, name = "w")
  }
  mx.internal.optimizer("adam", learning.rate, lr_scheduler, build)
}

#' AdaGrad (Duchi et al.): history += g^2; weight -= lr * (g / sqrt(history + epsilon) + wd * weight),
#' g the rescaled, clipped gradient.
#'
#' @param learning.rate The initial learning rate.
#' @param epsilon Added inside the square root.
#' @param wd The L2 regularization coefficient.
#' @param rescale.grad The factor the gradient is multiplied by first.
#' @param clip_gradient Clip the rescaled gradient to \[-clip_gradient, clip_gradient\]; < 0: no clipping.
#' @param lr_scheduler A scheduler, or NULL.
#' @return An optimizer: \code{list(create_exec, update)}.
#' @export
mx.opt.adagrad <- function(learning.rate = 0.05, epsilon = 1e-8, wd = 0, rescale.grad = 1, clip_gradient = -1,
                           lr_scheduler = NULL) {
  mx.internal.opt.check("mx.opt.adagrad", learning.rate = learning.rate, epsilon = epsilon, wd = wd,
                        rescale.grad = rescale.grad, clip_gradient = clip_gradient)
  build <- function(lr) {
    weight <- mx.symbol.Variable("weight")
    grad <- mx.internal.opt.grad(mx.symbol.Variable("grad"), rescale.grad, clip_gradient)
    history <- mx.symbol.Variable("history") + grad * grad
    weight <- weight - lr * (grad / mx.symbol.sqrt(history + epsilon) + wd * weight)
    mx.symbol.Group(mx.symbol.identity(weight, name = "w"), mx.symbol.identity(history, name = "h"))
  }
  mx.internal.optimizer("adagrad", learning.rate, lr_scheduler, build, carry = c(history = "h_output"))
}

#' AdaDelta (Zeiler 2012), which has no learning rate.
#'
#' @param rho Decay of the accumulated squared gradients and updates.
#' @param epsilon Added inside the square roots.
#' @param wd The L2 regularization coefficient.
#' @param rescale.grad The factor the gradient is multiplied by first.
#' @param clip_gradient Clip the rescaled gradient to \[-clip_gradient, clip_gradient\]; < 0: no clipping.
#' @return An optimizer: \code{list(create_exec, update)}.
#' @export
mx.opt.adadelta <- function(rho = 0.90, epsilon = 1e-5, wd = 0, rescale.grad = 1, clip_gradient = -1) {
  mx.internal.opt.check("mx.opt.adadelta", rho = rho, epsilon = epsilon, wd = wd, rescale.grad = rescale.grad,
                        clip_gradient = clip_gradient)
  build <- function(lr) {
    weight <- mx.symbol.Variable("weight")
    grad <- mx.internal.opt.grad(mx.symbol.Variable("grad"), rescale.grad, clip_gradient)
    acc.g <- rho * mx.symbol.Variable("acc.g") + (1 - rho) * (grad * grad)
    acc.delta.old <- mx.symbol.Variable("acc.delta")
    delta <- mx.symbol.sqrt(acc.delta.old + epsilon) / mx.symbol.sqrt(acc.g + epsilon) * grad
    acc.delta <- rho * acc.delta.old + (1 - rho) * (delta * delta)
    weight <- weight - delta - wd * weight
    mx.symbol.Group(mx.symbol.identity(weight, name = "w"), mx.symbol.identity(acc.g, name = "g"),
                    mx.symbol.identity(acc.delta, name = "delta"))
  }
  mx.internal.optimizer("adadelta", 0, NULL, build, carry = c(acc.g = "g_output", acc.delta = "delta_output"))
}

#' Nesterov accelerated SGD, as MXNet-R's: mom = momentum * mom + g + wd * weight;
#' weight -= lr * (momentum * mom + g), g the rescaled, clipped gradient (plain SGD when momentum is 0).
#'
#' @param learning.rate The initial learning rate.
#' @param momentum The momentum.
#' @param wd The L2 regularization coefficient.
#' @param rescale.grad The factor the gradient is multiplied by first.
#' @param clip_gradient Clip the rescaled gradient to \[-clip_gradient, clip_gradient\]; < 0: no clipping.
#' @param lr_scheduler A scheduler, or NULL.
#' @return An optimizer: \code{list(create_exec, update)}.
#' @export
mx.opt.nag <- function(learning.rate = 0.01, momentum = 0, wd = 0, rescale.grad = 1, clip_gradient = -1,
                       lr_scheduler = NULL) {
  mx.internal.opt.check("mx.opt.nag", learning.rate = learning.rate, momentum = momentum, wd = wd,
                        rescale.grad = rescale.grad, clip_gradient = clip_gradient)
  build <- function(lr) {
    weight <- mx.symbol.Variable("weight")
    grad <- mx.internal.opt.grad(mx.symbol.Variable("grad"), rescale.grad, clip_gradient)
    if (momentum == 0) {
      return(mx.symbol.Group(mx.symbol.identity(weight - lr * (grad + wd * weight), name = "w")))
    }
    mom <- momentum * mx.symbol.Variable("mom") + grad + wd * weight
    step <- momentum * mom + grad
    mx.symbol.Group(mx.symbol.identity(weight - lr * step, name = "w"), mx.symbol.identity(mom, name = "m"))
  }
  mx.internal.optimizer("nag", learning.rate, lr_scheduler, build, carry = if (momentum == 0) character(0) else c(mom = "m_output"))
}

#' Creates an optimizer by name: "sgd", "rmsprop", "adam", "adagrad", "adadelta" or "nag".
#'
#' @param name The optimizer's name.
#' @param ... Its parameters (see \code{mx.opt.sgd} and the others).
#' @return An optimizer: \code{list(create_exec, update)}.
#' @export
mx.opt.create <- function(name, ...) {
  switch(name,
         sgd = mx.opt.sgd(...),
         rmsprop = mx.opt.rmsprop(...),
         adam = mx.opt.adam(...),
         adagrad = mx.opt.adagrad(...),
         adadelta = mx.opt.adadelta(...),
         nag = mx.opt.nag(...),
         stop(sprintf("mx.opt.create: unknown optimizer '%s'; use sgd, rmsprop, adam, adagrad, adadelta or nag", name),
              call. = FALSE))
}

#' An updater for a list of weights: \code{updater(weights, grads)} returns the list of updated
#' weights (NULL where the gradient is NULL), keeping each weight's optimizer state between calls.
#'
#' @param optimizer An optimizer from \code{mx.opt.create}.
#' @param weights The list of weights (MXNDArrays; NULL entries are never updated).
#' @param ctx The device of the update graphs (default: each weight's own).
#' @return A function \code{(weight, grad)} of two parallel lists.
#' @export
mx.opt.get.updater <- function(optimizer, weights, ctx = NULL) {
  if (!is.function(optimizer$create_exec) || !is.function(optimizer$update)) {
    stop("mx.opt.get.updater: 'optimizer' must come from mx.opt.create (list(create_exec, update))", call. = FALSE)
  }
  execs <- vector("list", length(weights))
  function(weight, grad) {
    if (length(weight) != length(execs) || length(grad) != length(execs)) {
      stop(sprintf("mx.opt.get.updater: the updater was made for %d weights, got %d weights and %d gradients",
                   length(execs), length(weight), length(grad)), call. = FALSE)
    }
    out <- lapply(seq_along(weight), function(i) {
      if (is.null(grad[[i]]) || is.null(weights[[i]])) return(NULL)
      if (is.null(execs[[i]])) {
        execs[[i]] <<- optimizer$create_exec(index = i, weight_dim = dim(weights[[i]]),
                                             ctx = if (is.null(ctx)) ctx(weights[[i]]) else ctx)
      }
      optimizer$update(i, execs[[i]], weight[[i]], grad[[i]])
    })
    names(out) <- names(weight)
    out
  }
}
