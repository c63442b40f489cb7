# MXExecutor: a symbol bound to arrays (mx.simple.bind, mx.symbol.bind, mx.exec.forward/backward),
# with MXNet-R's members ($arg.arrays, $ref.arg.arrays, $forward(), $update.arg.arrays() ...). The
# arrays are MXNDArrays on the executor's memory: writing into them (mx.exec.update.*) feeds the
# next forward. MXNet-R's non-"ref" lists are copies; here both names give the live arrays.

mx.internal.named.arrays <- function(ptrs, names) {
  out <- lapply(ptrs, function(p) if (is.null(p)) NULL else mx.nd.internal.wrap(p))
  names(out) <- names
  out
}

mx.internal.executor <- function(ptr, symbol) {
  e <- new.env(parent = emptyenv())
  e$ptr <- ptr
  e$symbol <- symbol
  e$arg.arrays <- mx.internal.named.arrays(MVExecutorArgArrays(ptr), arguments(symbol))
  e$grad.arrays <- mx.internal.named.arrays(MVExecutorGradArrays(ptr), arguments(symbol))
  e$aux.arrays <- mx.internal.named.arrays(MVExecutorAuxArrays(ptr), auxiliary.states(symbol))
  e$outputs <- mx.internal.named.arrays(MVExecutorOutputs(ptr), outputs(symbol))
  # MXNet-R's names for the same lists.
  e$ref.arg.arrays <- e$arg.arrays
  e$ref.grad.arrays <- e$grad.arrays
  e$ref.aux.arrays <- e$aux.arrays
  e$ref.outputs <- e$outputs
  # MXNet-R's methods.
  e$forward <- function(is.train = TRUE, kwargs = list()) {
    if (length(kwargs)) mx.exec.update.arg.arrays(e, kwargs, match.name = TRUE)
    mx.exec.forward(e, is.train)
  }
  e$backward <- function(out.grads = list()) mx.exec.backward(e, if (length(out.grads)) out.grads else NULL)
  e$update.arg.arrays <- function(arg.arrays, match.name = FALSE, skip.null = FALSE) {
    mx.exec.update.arg.arrays(e, arg.arrays, match.name, skip.null)
  }
  e$update.aux.arrays <- function(arg.arrays, match.name = FALSE, skip.null = FALSE) {
    mx.exec.update.aux.arrays(e, arg.arrays, match.name, skip.null)
  }
  e$update.grad.arrays <- function(arg.arrays, match.name = FALSE, skip.null = FALSE) {
    mx.exec.update.grad.arrays(e, arg.arrays, match.name, skip.null)
  }
  class(e) <- "MXExecutor"
  e
}

#' Whether x is an executor (from mx.simple.bind or mx.symbol.bind).
#'
#' @param x Any R object.
#' @return TRUE or FALSE.
#' @export
is.mx.executor <- function(x) inherits(x, "MXExecutor")

.mx.grad.req <- c(null = 0L, write = 1L, add = 3L)

mx.internal.grad.codes <- function(req, fn) {
  req <- unlist(req)
  codes <- .mx.grad.req[as.character(req)]
  if (any(is.na(codes))) {
    stop(sprintf("%s: grad.req must be one of %s, got '%s'", fn, paste(names(.mx.grad.req), collapse = ", "),
                 as.character(req)[is.na(codes)][1]), call. = FALSE)
  }
  unname(codes)
}

#' Binds a symbol, allocating every array from the input shapes given by name (R order).
#'
#' As MXNet-R: arguments whose names end in \code{data} or \code{label}, and those in
#' \code{fixed.param}, get no gradient; the others get \code{grad.req}.
#'
#' @param symbol An MXSymbol.
#' @param ctx The device (default \code{mx.ctx.default()}).
#' @param grad.req "null", "write" or "add"; or a vector of them named by argument.
#' @param fixed.param Names of arguments that get no gradient.
#' @param ... Input shapes by name, in R order (\code{data = c(784, 100)}).
#' @return An MXExecutor.
#' @export
mx.simple.bind <- function(symbol, ctx = NULL, grad.req = "null", fixed.param = NULL, ...) {
  mx.internal.check.symbol(symbol, "mx.simple.bind")
  ctx <- if (is.null(ctx)) mx.ctx.default() else ctx
  a <- mx.internal.shape.args(list(...), "mx.simple.bind")
  args <- arguments(symbol)
  if (length(grad.req) == 1 && is.null(names(grad.req))) {
    req <- rep(grad.req, length(args))
    names(req) <- args
    req[endsWith(args, "data") | endsWith(args, "label")] <- "null"
  } else {
    req <- ifelse(args %in% names(grad.req), grad.req[args], "null")
    names(req) <- args
  }
  req[names(req) %in% fixed.param] <- "null"
  codes <- mx.internal.grad.codes(req, "mx.simple.bind")
  ptr <- MVExecutorSimpleBind(symbol$ptr, ctx$device_typeid, ctx$device_id, a$keys, a$ndims,
                              if (is.null(a$dims)) numeric(0) else a$dims, character(0), integer(0),
                              args, codes, 0L)
  mx.internal.executor(ptr, symbol)
}

# A list of arrays in the order of want (names), from a named list (by name) or an unnamed one
# (by position); checks each is an MXNDArray.
mx.internal.order.arrays <- function(arrays, want, what, fn) {
  if (is.mx.ndarray(arrays)) arrays <- list(arrays)
  if (!is.list(arrays)) stop(sprintf("%s: '%s' must be a list of MXNDArrays", fn, what), call. = FALSE)
  if (!is.null(names(arrays)) && all(names(arrays) != "")) {
    missing.names <- setdiff(want, names(arrays))
    if (length(missing.names)) {
      stop(sprintf("%s: '%s' has no array for '%s'", fn, what, missing.names[1]), call. = FALSE)
    }
    arrays <- arrays[want]
  } else if (length(arrays) != length(want)) {
    stop(sprintf("%s: '%s' has %d arrays, the symbol needs %d (%s)", fn, what, length(arrays), length(want),
                 paste(want, collapse = ", ")), call. = FALSE)
  }
  for (i in seq_along(arrays)) {
    if (!is.mx.ndarray(arrays[[i]])) {
      stop(sprintf("%s: '%s' entry '%s' is %s, not an MXNDArray", fn, what, want[i], class(arrays[[i]])[1]),
           call. = FALSE)
    }
  }
  arrays
}

#' Binds a symbol to given arrays (MXNet-R's mx.symbol.bind). The executor works on copies of
#' the arrays, so later changes to them do not reach it (use mx.exec.update.arg.arrays).
#'
#' @param symbol An MXSymbol.
#' @param ctx The device.
#' @param arg.arrays The arguments' MXNDArrays: a list named by argument, or in \code{arguments(symbol)} order.
#' @param aux.arrays The auxiliary states' MXNDArrays, likewise (\code{list()} when there are none).
#' @param grad.reqs One of "null", "write", "add" per argument (a list or vector, named or in order),
#'   or a single one for all.
#' @return An MXExecutor.
#' @export
mx.symbol.bind <- function(symbol, ctx, arg.arrays, aux.arrays, grad.reqs) {
  mx.internal.check.symbol(symbol, "mx.symbol.bind")
  if (!is.mx.context(ctx)) stop("mx.symbol.bind: 'ctx' must be a context such as mx.cpu()", call. = FALSE)
  args <- arguments(symbol)
  args.in <- mx.internal.order.arrays(arg.arrays, args, "arg.arrays", "mx.symbol.bind")
  aux.in <- mx.internal.order.arrays(if (is.null(aux.arrays)) list() else aux.arrays, auxiliary.states(symbol),
                                     "aux.arrays", "mx.symbol.bind")
  if (length(grad.reqs) == 1) grad.reqs <- rep(unlist(grad.reqs), length(args))
  if (!is.null(names(grad.reqs)) && all(names(grad.reqs) != "")) {
    if (length(setdiff(args, names(grad.reqs)))) {
      stop(sprintf("mx.symbol.bind: 'grad.reqs' has no entry for '%s'", setdiff(args, names(grad.reqs))[1]),
           call. = FALSE)
    }
    grad.reqs <- grad.reqs[args]
  }
  if (length(grad.reqs) != length(args)) {
    stop(sprintf("mx.symbol.bind: 'grad.reqs' has %d entries, the symbol has %d arguments", length(grad.reqs),
                 length(args)), call. = FALSE)
  }
  codes <- mx.internal.grad.codes(grad.reqs, "mx.symbol.bind")
  copy <- function(a) mx.nd.copyto(a, ctx)
  args.own <- lapply(args.in, copy)
  aux.own <- lapply(aux.in, copy)
  grads <- lapply(seq_along(args.own), function(i) {
    if (codes[i] == 0L) NULL else mx.nd.zeros(dim(args.own[[i]]), ctx, dtype = MVNDArrayGetDType(args.own[[i]]$ptr))
  })
  ptr <- MVExecutorBind(symbol$ptr, ctx$device_typeid, ctx$device_id, lapply(args.own, function(a) a$ptr),
                        lapply(grads, function(g) if (is.null(g)) NULL else g$ptr), codes,
                        lapply(aux.own, function(a) a$ptr))
  mx.internal.executor(ptr, symbol)
}

#' Runs the executor forward; outputs are in \code{exec$ref.outputs}.
#'
#' @param exec An MXExecutor.
#' @param is.train TRUE for training-mode operators (dropout, batch statistics).
#' @return NULL, invisibly.
#' @export
mx.exec.forward <- function(exec, is.train = TRUE) invisible(MVExecutorForward(exec$ptr, as.integer(is.train)))

#' Runs the executor backward, writing gradients into \code{exec$ref.grad.arrays}.
#'
#' @param exec An MXExecutor.
#' @param out.grads Gradients of the outputs (an MXNDArray or a list), or NULL for loss outputs.
#' @param is.train As in the preceding forward.
#' @return NULL, invisibly.
#' @export
mx.exec.backward <- function(exec, out.grads = NULL, is.train = TRUE) {
  grads <- if (is.null(out.grads)) NULL else lapply(if (is.mx.ndarray(out.grads)) list(out.grads) else out.grads, function(g) g$ptr)
  invisible(MVExecutorBackward(exec$ptr, grads, as.integer(is.train)))
}

# Copies arrays into the executor's targets: by name (match.name) or by position. NULL entries
# are skipped with skip.null and an error otherwise, as MXNet-R.
mx.internal.update.arrays <- function(targets, arrays, match.name, skip.null, fn) {
  if (is.mx.ndarray(arrays)) arrays <- list(arrays)
  if (!is.list(arrays)) stop(sprintf("%s: the arrays must be a list of MXNDArrays", fn), call. = FALSE)
  if (match.name) {
    if (length(arrays) && (is.null(names(arrays)) || any(names(arrays) == ""))) {
      stop(sprintf("%s: with match.name = TRUE every array must be named", fn), call. = FALSE)
    }
    keys <- names(arrays)
  } else {
    if (length(arrays) != length(targets)) {
      stop(sprintf("%s: %d arrays given, the executor has %d (%s)", fn, length(arrays), length(targets),
                   paste(names(targets), collapse = ", ")), call. = FALSE)
    }
    keys <- names(targets)
  }
  for (i in seq_along(arrays)) {
    k <- keys[i]
    if (!k %in% names(targets)) stop(sprintf("%s: the executor has no array named '%s'", fn, k), call. = FALSE)
    a <- arrays[[i]]
    if (is.null(a)) {
      if (skip.null) next
      stop(sprintf("%s: the array for '%s' is NULL (use skip.null = TRUE to leave it unchanged)", fn, k), call. = FALSE)
    }
    if (!is.mx.ndarray(a)) stop(sprintf("%s: the array for '%s' is %s, not an MXNDArray", fn, k, class(a)[1]), call. = FALSE)
    target <- targets[[k]]
    if (is.null(target)) {
      if (skip.null) next
      stop(sprintf("%s: the executor holds no array for '%s'", fn, k), call. = FALSE)
    }
    if (!identical(as.numeric(dim(a)), as.numeric(dim(target)))) {
      stop(sprintf("%s: '%s' has shape (%s), the executor's is (%s)", fn, k, paste(dim(a), collapse = ", "),
                   paste(dim(target), collapse = ", ")), call. = FALSE)
    }
    MVNDArrayCopyTo(a$ptr, target$ptr)
  }
  invisible(NULL)
}

#' Copies arrays into the executor's arguments (this changes the executor).
#'
#' @param exec An MXExecutor.
#' @param arg.arrays A list of MXNDArrays: named (with match.name) or one per argument in order.
#' @param match.name Match the arrays to arguments by name.
#' @param skip.null Leave arguments whose entry is NULL unchanged (an error otherwise).
#' @return NULL, invisibly.
#' @export
mx.exec.update.arg.arrays <- function(exec, arg.arrays, match.name = FALSE, skip.null = FALSE) {
  mx.internal.update.arrays(exec$ref.arg.arrays, arg.arrays, match.name, skip.null, "mx.exec.update.arg.arrays")
}

#' Copies arrays into the executor's auxiliary states (this changes the executor).
#'
#' @param exec An MXExecutor.
#' @param arg.arrays A list of MXNDArrays: named (with match.name) or one per state in order.
#' @param match.name Match the arrays to states by name.
#' @param skip.null Leave states whose entry is NULL unchanged (an error otherwise).
#' @return NULL, invisibly.
#' @export
mx.exec.update.aux.arrays <- function(exec, arg.arrays, match.name = FALSE, skip.null = FALSE) {
  mx.internal.update.arrays(exec$ref.aux.arrays, arg.arrays, match.name, skip.null, "mx.exec.update.aux.arrays")
}

#' Copies arrays into the executor's gradient arrays (this changes the executor).
#'
#' @param exec An MXExecutor.
#' @param arg.arrays A list of MXNDArrays: named (with match.name) or one per argument in order.
#' @param match.name Match the arrays to arguments by name.
#' @param skip.null Leave gradients whose entry is NULL unchanged (an error otherwise).
#' @return NULL, invisibly.
#' @export
mx.exec.update.grad.arrays <- function(exec, arg.arrays, match.name = FALSE, skip.null = FALSE) {
  mx.internal.update.arrays(exec$ref.grad.arrays, arg.arrays, match.name, skip.null, "mx.exec.update.grad.arrays")
}
