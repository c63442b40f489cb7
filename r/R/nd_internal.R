# mx.nd.internal.*: the runtime of MXNet-R's names for the core's underscore operators (MXNet-R
# turned "_op_name" into mx.nd.internal.op.name; mx.nd.internal.plus.scalar(x, 1, out = x),
# mx.nd.internal.crop.assign) and the few internal NDArray helpers MXNet-R's R code and demos call
# (set.value, copyto, empty, load/save, as.array, dispatch.Ops) plus mx.nd.arraypacker (rnn
# inference, io extract). The operator functions themselves are generated from the registry into
# r/R/ops_internal.R by tools/codegen/r_ops.py (their help page and exports by r_docs.py), so a new
# underscore operator gets its function from `make codegen`, as every other operator function does.
#
# As in MXNet-R, inputs go first (positionally or by input name), unnamed numbers after them fill
# the operator's parameters in declaration order (so plus.scalar(x, 1) sets scalar = 1), named
# arguments are parameters (MXNet-R's dotted names too), and `out` receives the result in place.
# Tuple parameters (shapes, begin/end, axes) are in R's order and reversed for the core, by the same
# mx.internal.format the generated mx.nd.* functions use (r/R/invoke.R), as MXNet-R did.

mx.internal.op.schema <- function(op) {
  key <- paste0("schema:", op)
  s <- .mx.env[[key]]
  if (is.null(s)) {
    s <- mx.internal.json(MVOpGetSchemaJSON(mx.internal.op(op)))
    s$param.names <- vapply(s$params, function(p) p$name, "")
    s$param.types <- vapply(s$params, function(p) p$type, "")
    s$input.names <- as.character(unlist(s$inputs))
    assign(key, s, envir = .mx.env)
  }
  s
}

# Runs core operator op the way MXNet-R's generated mx.nd.internal.* functions took arguments.
mx.internal.nd.internal.invoke <- function(called, op, args, out) {
  s <- mx.internal.op.schema(op)
  given <- if (is.null(names(args))) rep("", length(args)) else names(args)
  inputs <- list()
  keys <- character(0)
  vals <- character(0)
  positional.params <- integer(0)
  add.param <- function(k, v) {
    if (!k %in% s$param.names) {
      alt <- gsub(".", "_", k, fixed = TRUE)  # MXNet-R's dotted parameter names
      if (alt %in% s$param.names) k <- alt
    }
    type <- if (k %in% s$param.names) s$param.types[match(k, s$param.names)] else "string"
    keys <<- c(keys, k)
    vals <<- c(vals, mx.internal.format(called, k, v, type))
  }
  for (i in seq_along(args)) {
    a <- args[[i]]
    k <- given[i]
    if (k == "") {
      if (is.mx.ndarray(a)) {
        inputs[[length(inputs) + 1L]] <- a
      } else if (is.list(a) && length(a) && all(vapply(a, is.mx.ndarray, TRUE))) {
        inputs <- c(inputs, a)
      } else {
        positional.params <- c(positional.params, i)
      }
    } else if (k %in% s$input.names || (is.mx.ndarray(a) && !k %in% s$param.names)) {
      if (!is.mx.ndarray(a)) {
        stop(sprintf("%s: input '%s' must be an MXNDArray, got %s", called, k, class(a)[1]), call. = FALSE)
      }
      inputs[[length(inputs) + 1L]] <- a
    } else if (!is.null(a)) {
      add.param(k, a)
    }
  }
  free <- setdiff(s$param.names, keys)
  if (length(positional.params) > length(free)) {
    stop(sprintf("%s: %d unnamed values given but the operator has %d parameters left (%s)", called,
                 length(positional.params), length(free), paste(free, collapse = ", ")), call. = FALSE)
  }
  for (j in seq_along(positional.params)) add.param(free[j], args[[positional.params[j]]])
  if (nzchar(s$variadic) && !s$variadic %in% keys) {
    keys <- c(keys, s$variadic)
    vals <- c(vals, as.character(length(inputs)))
  }
  if (!is.null(out) && !is.mx.ndarray(out) &&
      !(is.list(out) && all(vapply(out, is.mx.ndarray, TRUE)))) {
    stop(sprintf("%s: 'out' must be an MXNDArray or a list of them, got %s", called, class(out)[1]), call. = FALSE)
  }
  out.list <- if (is.null(out)) NULL else if (is.mx.ndarray(out)) list(out) else out
  res <- MVImperativeInvoke(mx.internal.op(op), mx.internal.params.handle(op, list(keys = keys, vals = vals)),
                            lapply(inputs, function(x) x$ptr),
                            if (is.null(out.list)) NULL else lapply(out.list, function(o) o$ptr))
  if (!is.null(out)) return(invisible(out))
  arrays <- lapply(res, mx.nd.internal.wrap)
  if (length(arrays) == 1) arrays[[1]] else arrays
}

#' Fills \code{out} with a scalar (MXNet-R's \code{mx.nd.internal.set.value}).
#'
#' @param src The value.
#' @param out The MXNDArray to fill.
#' @return out, invisibly.
#' @export
mx.nd.internal.set.value <- function(src, out) {
  if (!is.mx.ndarray(out)) stop("mx.nd.internal.set.value: 'out' must be an MXNDArray", call. = FALSE)
  if (!is.numeric(src) || length(src) != 1) stop("mx.nd.internal.set.value: 'src' must be one number", call. = FALSE)
  if (length(out) == 0) return(invisible(out))
  mx.internal.nd.internal.invoke("mx.nd.internal.set.value", "_plus_scalar", list(mx.nd.zeros.like(out), scalar = src),
                                 out)
}

#' Copies \code{src} into \code{out} (MXNet-R's \code{mx.nd.internal.copyto}).
#'
#' @param src The source MXNDArray.
#' @param out The destination MXNDArray, of the same shape.
#' @return out, invisibly.
#' @export
mx.nd.internal.copyto <- function(src, out) {
  if (!is.mx.ndarray(src) || !is.mx.ndarray(out)) {
    stop("mx.nd.internal.copyto: 'src' and 'out' must be MXNDArrays", call. = FALSE)
  }
  if (!identical(dim(src), dim(out))) {
    stop(sprintf("mx.nd.internal.copyto: 'src' has shape (%s) but 'out' has shape (%s)",
                 paste(dim(src), collapse = ", "), paste(dim(out), collapse = ", ")), call. = FALSE)
  }
  MVNDArrayCopyTo(src$ptr, out$ptr)
  invisible(out)
}

#' An array of the given shape (R order) on ctx (MXNet-R's \code{mx.nd.internal.empty}; zero-filled here).
#'
#' @param shape The dimensions, R order.
#' @param ctx The device; NULL for the default.
#' @return An MXNDArray.
#' @export
mx.nd.internal.empty <- function(shape, ctx = NULL) mx.nd.zeros(shape, ctx)

#' An array of the given shape (R order) on ctx (MXNet-R's \code{mx.nd.internal.empty.array}).
#'
#' @param shape The dimensions, R order.
#' @param ctx The device.
#' @return An MXNDArray.
#' @export
mx.nd.internal.empty.array <- function(shape, ctx) mx.nd.zeros(shape, ctx)

#' An MXNDArray from an R array (MXNet-R's \code{mx.nd.internal.array}).
#'
#' @param src An R numeric array.
#' @param ctx The device.
#' @return An MXNDArray.
#' @export
mx.nd.internal.array <- function(src, ctx = NULL) mx.nd.array(src, ctx)

#' Loads an NDArray file (MXNet-R's \code{mx.nd.internal.load}).
#'
#' @param filename The file.
#' @return A list of MXNDArrays.
#' @export
mx.nd.internal.load <- function(filename) mx.nd.load(filename)

#' Saves NDArrays (MXNet-R's \code{mx.nd.internal.save}).
#'
#' @param ndarray An MXNDArray or a list of them.
#' @param filename The file.
#' @return NULL, invisibly.
#' @export
mx.nd.internal.save <- function(ndarray, filename) mx.nd.save(ndarray, filename)

#' The dimensions of an MXNDArray, R order (MXNet-R's \code{mx.nd.internal.dim}).
#'
#' @param src An MXNDArray.
#' @return An integer vector.
#' @export
mx.nd.internal.dim <- function(src) dim(src)

#' The device of an MXNDArray (MXNet-R's \code{mx.nd.internal.ctx}).
#'
#' @param src An MXNDArray.
#' @return An MXContext.
#' @export
mx.nd.internal.ctx <- function(src) ctx(src)

#' The number of elements of an MXNDArray (MXNet-R's \code{mx.nd.internal.length}).
#'
#' @param src An MXNDArray.
#' @return A number.
#' @export
mx.nd.internal.length <- function(src) length(src)

#' The values of an MXNDArray as a plain numeric vector (MXNet-R's \code{mx.nd.internal.as.array}).
#'
#' @param src An MXNDArray.
#' @return A numeric vector.
#' @export
mx.nd.internal.as.array <- function(src) as.vector(as.array(src))

#' The arithmetic MXNet-R dispatched from its operators (\code{+ - * /}) on NDArrays and numbers.
#'
#' @param op One of "+", "-", "*", "/".
#' @param lhs An MXNDArray or a number.
#' @param rhs An MXNDArray or a number.
#' @return An MXNDArray.
#' @export
mx.nd.internal.dispatch.Ops <- function(op, lhs, rhs) {
  if (!op %in% c("+", "-", "*", "/")) {
    stop(sprintf("mx.nd.internal.dispatch.Ops: operator '%s' is not supported (use +, -, * or /)", op), call. = FALSE)
  }
  if (!is.mx.ndarray(lhs) && !is.mx.ndarray(rhs)) {
    stop("mx.nd.internal.dispatch.Ops: one operand must be an MXNDArray", call. = FALSE)
  }
  do.call(op, list(lhs, rhs))
}

#' Collects MXNDArrays and concatenates them along their last R dimension (MXNet-R's packer).
#'
#' @return An object with \code{$push(array)} and \code{$get()}; get returns one MXNDArray.
#' @export
mx.nd.arraypacker <- function() {
  p <- new.env(parent = emptyenv())
  p$parts <- list()
  p$push <- function(x) {
    if (!is.mx.ndarray(x)) stop("mx.nd.arraypacker: push takes an MXNDArray", call. = FALSE)
    if (length(p$parts)) {
      d0 <- dim(p$parts[[1]])
      d <- dim(x)
      if (length(d) != length(d0) || any(d[-length(d)] != d0[-length(d0)])) {
        stop(sprintf("mx.nd.arraypacker: pushed shape (%s) does not match (%s) but in the last dimension",
                     paste(d, collapse = ", "), paste(d0, collapse = ", ")), call. = FALSE)
      }
    }
    p$parts[[length(p$parts) + 1L]] <- x
    invisible(NULL)
  }
  p$get <- function() {
    if (!length(p$parts)) stop("mx.nd.arraypacker: nothing was pushed", call. = FALSE)
    if (length(p$parts) == 1) return(p$parts[[1]])
    mx.internal.call("Concat", p$parts, c("num_args", "dim"), c(as.character(length(p$parts)), "0"))
  }
  class(p) <- "MXNDArrayPacker"
  p
}
