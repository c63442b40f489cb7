# Devices, as MXNet-R: mx.cpu(), mx.gpu(), mx.ctx.default().

mx.internal.context <- function(device, device_id, typeid) {
  structure(list(device = device, device_id = as.integer(device_id), device_typeid = typeid), class = "MXContext")
}

mx.cpu <- function(dev.id = 0) mx.internal.context("cpu", dev.id, MV_DEV_CPU)

mx.gpu <- function(dev.id = 0) mx.internal.context("gpu", dev.id, MV_DEV_GPU)

is.mx.context <- function(x) inherits(x, "MXContext")

#' The default device; with new, sets it and returns the new one.
mx.ctx.default <- function(new = NULL) {
  if (!is.null(new)) {
    if (!is.mx.context(new)) stop("mx.ctx.default: 'new' must be a context such as mx.cpu()", call. = FALSE)
    assign("ctx", new, envir = .mx.env)
  }
  ctx <- .mx.env$ctx
  if (is.null(ctx)) mx.cpu() else ctx
}

print.MXContext <- function(x, ...) {
  cat(sprintf("%s(%d)\n", x$device, x$device_id))
  invisible(x)
}

as.character.MXContext <- function(x, ...) sprintf("%s(%d)", x$device, x$device_id)
