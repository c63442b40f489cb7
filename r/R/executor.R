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

is.mx.executor <- function(x) inherits(x, "MXExecutor")

.mx.grad.req <- c(null = 0L, write = 1L, add = 3L)

#' Binds symbol with shapes (R order) given by name in ...; allocates every array.
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

mx.exec.forward <- function(exec, is.train = TRUE) invisible(MVExecutorForward(exec$ptr, as.integer(is.train)))

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

mx.exec.update.arg.arrays <- function(exec, arg.arrays, match.name = FALSE, skip.null = FALSE) {
  mx.internal.update.arrays(exec$arg.arrays, arg.arrays, match.name, "mx.exec.update.arg.arrays")
}

mx.exec.update.aux.arrays <- function(exec, arg.arrays, match.name = FALSE, skip.null = FALSE) {
  mx.internal.update.arrays(exec$aux.arrays, arg.arrays, match.name, "mx.exec.update.aux.arrays")
}

mx.exec.update.grad.arrays <- function(exec, arg.arrays, match.name = FALSE, skip.null = FALSE) {
  mx.internal.update.arrays(exec$grad.arrays, arg.arrays, match.name, "mx.exec.update.grad.arrays")
}
