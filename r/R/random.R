# Random arrays as MXNet-R's R/random.R: mx.runif and mx.rnorm draw from the core's generators,
# which mx.set.seed (r/R/base.R) seeds, so the same seed gives the same numbers.

mx.internal.check.number <- function(x, what, fn) {
  if (!is.numeric(x) || length(x) != 1 || is.na(x)) {
    stop(sprintf("%s: '%s' must be a single number, got %s", fn, what,
                 if (is.numeric(x)) sprintf("%d values", length(x)) else class(x)[1]), call. = FALSE)
  }
}

mx.internal.check.shape <- function(shape, fn) {
  if (!is.numeric(shape) || !length(shape) || any(is.na(shape)) || any(shape < 0) || any(shape != round(shape))) {
    stop(sprintf("%s: 'shape' must be a vector of whole numbers >= 0 (R order), got %s", fn,
                 paste(format(shape), collapse = " ")), call. = FALSE)
  }
}

#' Uniformly distributed random numbers in [min, max) of a given shape.
#'
#' @param shape The dimensions, in R order.
#' @param min The lower bound.
#' @param max The upper bound.
#' @param ctx The device (default \code{mx.ctx.default()}).
#' @return An MXNDArray (float32).
#' @examples
#' \dontrun{
#' mx.set.seed(0)
#' as.array(mx.runif(c(2, 3)))
#' }
#' @export
mx.runif <- function(shape, min = 0, max = 1, ctx = NULL) {
  mx.internal.check.number(min, "min", "mx.runif")
  mx.internal.check.number(max, "max", "mx.runif")
  mx.internal.check.shape(shape, "mx.runif")
  if (max < min) stop(sprintf("mx.runif: 'max' (%g) is below 'min' (%g)", max, min), call. = FALSE)
  mx.nd.random.uniform(low = min, high = max, shape = shape, ctx = if (is.null(ctx)) mx.ctx.default() else ctx)
}

#' Normally distributed random numbers of a given shape.
#'
#' @param shape The dimensions, in R order.
#' @param mean The mean.
#' @param sd The standard deviation (>= 0).
#' @param ctx The device (default \code{mx.ctx.default()}).
#' @return An MXNDArray (float32).
#' @export
mx.rnorm <- function(shape, mean = 0, sd = 1, ctx = NULL) {
  mx.internal.check.number(mean, "mean", "mx.rnorm")
  mx.internal.check.number(sd, "sd", "mx.rnorm")
  mx.internal.check.shape(shape, "mx.rnorm")
  if (sd < 0) stop(sprintf("mx.rnorm: 'sd' must be >= 0, got %g", sd), call. = FALSE)
  mx.nd.random.normal(loc = mean, scale = sd, shape = shape, ctx = if (is.null(ctx)) mx.ctx.default() else ctx)
}
