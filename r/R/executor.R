# MXExecutor: a symbol bound to arrays (mx.simple.bind, mx.exec.forward/backward). The arrays
# are MXNDArrays on the executor's memory: writing into arg.arrays feeds the next forward.

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
  class(e) <- "MXExecutor"
  e
}

#' Is an object an executor?
#'
#' @param x An object.
#' @return `TRUE` when `x` is an `MXExecutor` (made by [mx.simple.bind()]), else `FALSE`.
#' @export
is.mx.executor <- function(x) inherits(x, "MXExecutor")

.mx.grad.req <- c(null = 0L, write = 1L, add = 3L)

#' Bind a symbol to new arrays
#'
#' Infers every shape from the input shapes given in `...`, allocates the arguments, gradients,
#' auxiliary states and outputs, and returns an executor, as MXNet-R's `mx.simple.bind`.
#'
#' @param symbol An `MXSymbol`.
#' @param ctx The device; `NULL` for [mx.ctx.default()].
#' @param grad.req How gradients are stored: `"null"` (none), `"write"` or `"add"`; one value
#'   for every argument, or a vector named by argument. Inputs named in `...` and those in
#'   `fixed.param` get `"null"`.
#' @param fixed.param Names of arguments that get no gradient.
#' @param ... Input shapes by name, in R's dimension order (`data = c(28, 28, 1, 64)`).
#' @return An `MXExecutor`, an environment with the lists `arg.arrays`, `grad.arrays`,
#'   `aux.arrays` and `outputs` of `MXNDArray`s (also as `ref.arg.arrays` and so on, MXNet-R's
#'   names), named after the symbol's arguments, auxiliary states and outputs.
#' @examples
#' net <- mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 3, name = "fc")
#' exe <- mx.simple.bind(net, data = c(4, 2), grad.req = "write")
#' names(exe$arg.arrays)
#' mx.exec.forward(exe, is.train = FALSE)
#' dim(exe$outputs[[1]])
#' @export
mx.simple.bind <- function(symbol, ctx = NULL, grad.req = "null", fixed.param = NULL, ...) {
  mx.internal.check.symbol(symbol, "mx.simple.bind")
  ctx <- if (is.null(ctx)) mx.ctx.default() else ctx
  a <- mx.internal.shape.args(list(...), "mx.simple.bind")
  args <- arguments(symbol)
  if (length(grad.req) == 1) {
    req <- rep(grad.req, length(args))
  } else {
    req <- grad.req[args]
  }
  names(req) <- args
  req[names(req) %in% c(names(list(...)), fixed.param)] <- "null"
  codes <- .mx.grad.req[req]
  if (any(is.na(codes))) stop(sprintf("mx.simple.bind: grad.req must be one of %s", paste(names(.mx.grad.req), collapse = ", ")), call. = FALSE)
  ptr <- MVExecutorSimpleBind(symbol$ptr, ctx$device_typeid, ctx$device_id, a$keys, a$ndims,
                              if (is.null(a$dims)) numeric(0) else a$dims, character(0), integer(0),
                              args, unname(codes), 0L)
  mx.internal.executor(ptr, symbol)
}

#' Run an executor forward or backward
#'
#' `mx.exec.forward()` computes the outputs from the current argument arrays;
#' `mx.exec.backward()` then computes the gradients into `exec$grad.arrays`.
#'
#' @param exec An `MXExecutor` from [mx.simple.bind()].
#' @param is.train Whether this is a training pass (dropout and batch statistics act).
#' @param out.grads The gradients of the outputs, an `MXNDArray` or a list of them; `NULL` for
#'   loss outputs, which supply their own.
#' @return Called for their effect; return invisibly.
#' @export
mx.exec.forward <- function(exec, is.train = TRUE) invisible(MVExecutorForward(exec$ptr, as.integer(is.train)))

#' @rdname mx.exec.forward
#' @export
mx.exec.backward <- function(exec, out.grads = NULL, is.train = TRUE) {
  grads <- if (is.null(out.grads)) NULL else lapply(if (is.mx.ndarray(out.grads)) list(out.grads) else out.grads, function(g) g$ptr)
  invisible(MVExecutorBackward(exec$ptr, grads, as.integer(is.train)))
}

mx.internal.update.arrays <- function(targets, arrays, match.name, fn) {
  if (match.name && !is.null(names(arrays))) {
    for (k in names(arrays)) {
      if (!k %in% names(targets)) stop(sprintf("%s: the executor has no array named '%s'", fn, k), call. = FALSE)
      if (!is.null(arrays[[k]])) MVNDArrayCopyTo(arrays[[k]]$ptr, targets[[k]]$ptr)
    }
  } else {
    for (i in seq_along(arrays)) if (!is.null(arrays[[i]])) MVNDArrayCopyTo(arrays[[i]]$ptr, targets[[i]]$ptr)
  }
}

#' Copy arrays into an executor
#'
#' Copies the given arrays into the executor's argument, auxiliary-state or gradient arrays, as
#' MXNet-R's functions of the same names.
#'
#' @param exec An `MXExecutor`.
#' @param arg.arrays A list of `MXNDArray`s; `NULL` entries are skipped.
#' @param match.name Whether to match the list's names to the executor's array names (an
#'   unknown name is an error); otherwise the list is taken in the executor's order.
#' @param skip.null Accepted for MXNet-R compatibility; `NULL` entries are always skipped.
#' @return Called for their effect.
#' @export
mx.exec.update.arg.arrays <- function(exec, arg.arrays, match.name = FALSE, skip.null = FALSE) {
  mx.internal.update.arrays(exec$arg.arrays, arg.arrays, match.name, "mx.exec.update.arg.arrays")
}

#' @rdname mx.exec.update.arg.arrays
#' @export
mx.exec.update.aux.arrays <- function(exec, arg.arrays, match.name = FALSE, skip.null = FALSE) {
  mx.internal.update.arrays(exec$aux.arrays, arg.arrays, match.name, "mx.exec.update.aux.arrays")
}

#' @rdname mx.exec.update.arg.arrays
#' @export
mx.exec.update.grad.arrays <- function(exec, arg.arrays, match.name = FALSE, skip.null = FALSE) {
  mx.internal.update.arrays(exec$grad.arrays, arg.arrays, match.name, "mx.exec.update.grad.arrays")
}
