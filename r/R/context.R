# Devices, as MXNet-R: mx.cpu(), mx.gpu(), mx.ctx.default().

mx.internal.context <- function(device, device_id, typeid) {
  structure(list(device = device, device_id = as.integer(device_id), device_typeid = typeid), class = "MXContext")
}

#' Devices
#'
#' `mx.cpu()` and `mx.gpu()` name a device (a context) for arrays, executors and training, as
#' in MXNet-R. `is.mx.context()` tells whether an object is one.
#'
#' @param dev.id The device number.
#' @param x An object.
#' @return `mx.cpu()`, `mx.gpu()`: an `MXContext`. `is.mx.context()`: `TRUE` or `FALSE`.
#' @examples
#' a <- mx.nd.ones(c(2, 2), ctx = mx.cpu())
#' ctx(a)
#' is.mx.context(mx.cpu())
#' @export
mx.cpu <- function(dev.id = 0) mx.internal.context("cpu", dev.id, MV_DEV_CPU)

#' @rdname mx.cpu
#' @export
mx.gpu <- function(dev.id = 0) mx.internal.context("gpu", dev.id, MV_DEV_GPU)

#' @rdname mx.cpu
#' @export
is.mx.context <- function(x) inherits(x, "MXContext")

#' The default device
#'
#' The device used when a function's `ctx` is `NULL` (initially `mx.cpu()`).
#'
#' @param new A context to make the default, or `NULL` to leave it.
#' @return The default context (the new one when `new` is given).
#' @examples
#' mx.ctx.default()
#' @export
mx.ctx.default <- function(new = NULL) {
  if (!is.null(new)) {
    if (!is.mx.context(new)) stop("mx.ctx.default: 'new' must be a context such as mx.cpu()", call. = FALSE)
    assign("ctx", new, envir = .mx.env)
  }
  ctx <- .mx.env$ctx
  if (is.null(ctx)) mx.cpu() else ctx
}

#' Print or format a device
#'
#' @param x An `MXContext`.
#' @param ... Unused.
#' @return `print()`: `x`, invisibly. `as.character()`: a string such as `"cpu(0)"`.
#' @export
print.MXContext <- function(x, ...) {
  cat(sprintf("%s(%d)\n", x$device, x$device_id))
  invisible(x)
}

#' @rdname print.MXContext
#' @export
as.character.MXContext <- function(x, ...) sprintf("%s(%d)", x$device, x$device_id)
