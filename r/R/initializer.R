# Initializers as MXNet-R's R/initializer.R: function(name, shape, ctx, allow.unknown) -> MXNDArray
# (shape in R order). Only names ending in "weight" are drawn at random; biases, BatchNorm's gamma,
# beta and moving statistics get their fixed values (mx.init.internal.default).

#' The fixed initial value of a non-weight parameter, chosen by the end of its name: bias, beta
#' and moving_mean are zeros; gamma and moving_var are ones.
#'
#' @param name The parameter's name.
#' @param shape Its shape, in R order.
#' @param ctx The device (default \code{mx.ctx.default()}).
#' @param allow.unknown Return NULL for any other name instead of an error.
#' @return An MXNDArray, or NULL for an unknown name with allow.unknown.
#' @export
mx.init.internal.default <- function(name, shape, ctx = NULL, allow.unknown = FALSE) {
  if (endsWith(name, "bias") || endsWith(name, "beta") || endsWith(name, "moving_mean")) return(mx.nd.zeros(shape, ctx))
  if (endsWith(name, "gamma") || endsWith(name, "moving_var")) return(mx.nd.ones(shape, ctx))
  if (allow.unknown) return(NULL)
  stop(sprintf("mx.init.internal.default: no initialization pattern for '%s' (bias, gamma, beta, moving_mean, moving_var)",
               name), call. = FALSE)
}

#' An initializer drawing weights uniformly from \[-scale, scale\].
#'
#' @param scale The bound of the uniform distribution.
#' @return An initializer: \code{function(name, shape, ctx, allow.unknown = FALSE)}.
#' @export
mx.init.uniform <- function(scale) {
  mx.internal.check.number(scale, "scale", "mx.init.uniform")
  function(name, shape, ctx = NULL, allow.unknown = FALSE) {
    if (!endsWith(name, "weight")) return(mx.init.internal.default(name, shape, ctx, allow.unknown))
    mx.runif(shape, -scale, scale, ctx)
  }
}

#' An initializer drawing weights from a normal distribution with mean 0.
#'
#' @param sd The standard deviation.
#' @return An initializer: \code{function(name, shape, ctx, allow.unknown = FALSE)}.
#' @export
mx.init.normal <- function(sd) {
  mx.internal.check.number(sd, "sd", "mx.init.normal")
  function(name, shape, ctx = NULL, allow.unknown = FALSE) {
    if (!endsWith(name, "weight")) return(mx.init.internal.default(name, shape, ctx, allow.unknown))
    mx.rnorm(shape, 0, sd, ctx)
  }
}

#' The Xavier initializer with MXNet-R's fan sizes: in R order the last dimension is fan_out and
#' the product of the others is fan_in (an FC weight c(in, out); a convolution weight
#' c(kw, kh, in, out) has fan_in kw*kh*in, fan_out out).
#'
#' @param rnd_type "uniform" (in \[-s, s\]) or "gaussian" (sd s), where s = sqrt(magnitude / factor).
#' @param factor_type "avg" ((fan_in + fan_out) / 2), "in" (fan_in) or "out" (fan_out).
#' @param magnitude The scale numerator.
#' @return An initializer: \code{function(name, shape, ctx, allow.unknown = FALSE)}.
#' @export
mx.init.Xavier <- function(rnd_type = "uniform", factor_type = "avg", magnitude = 3) {
  if (!rnd_type %in% c("uniform", "gaussian")) {
    stop(sprintf("mx.init.Xavier: rnd_type must be \"uniform\" or \"gaussian\", got \"%s\"", rnd_type), call. = FALSE)
  }
  if (!factor_type %in% c("avg", "in", "out")) {
    stop(sprintf("mx.init.Xavier: factor_type must be \"avg\", \"in\" or \"out\", got \"%s\"", factor_type), call. = FALSE)
  }
  mx.internal.check.number(magnitude, "magnitude", "mx.init.Xavier")
  function(name, shape, ctx = NULL, allow.unknown = FALSE) {
    if (!endsWith(name, "weight")) return(mx.init.internal.default(name, shape, ctx, allow.unknown))
    fan.out <- shape[length(shape)]
    fan.in <- prod(shape[-length(shape)])
    factor <- switch(factor_type, avg = (fan.in + fan.out) / 2, "in" = fan.in, out = fan.out)
    scale <- sqrt(magnitude / factor)
    switch(rnd_type,
           uniform = mx.runif(shape, -scale, scale, ctx),
           gaussian = mx.rnorm(shape, 0, scale, ctx))
  }
}

#' Initial values for named shapes (as \code{mx.symbol.infer.shape}'s arg.shapes) from an initializer.
#'
#' @param initializer An initializer such as \code{mx.init.uniform(0.01)}.
#' @param shape.array A named list of shapes (R order).
#' @param ctx The device (default \code{mx.ctx.default()}).
#' @param skip.unknown Leave out names the initializer does not know instead of an error.
#' @return A named list of MXNDArrays.
#' @export
mx.init.create <- function(initializer, shape.array, ctx = NULL, skip.unknown = TRUE) {
  if (!is.function(initializer)) stop("mx.init.create: 'initializer' must be an initializer function", call. = FALSE)
  if (length(shape.array) == 0) return(list())
  keys <- names(shape.array)
  if (is.null(keys) || any(keys == "")) stop("mx.init.create: 'shape.array' must be a named list of shapes", call. = FALSE)
  out <- lapply(seq_along(keys), function(i) initializer(keys[i], shape.array[[i]], ctx, allow.unknown = skip.unknown))
  names(out) <- keys
  if (skip.unknown) out <- out[!vapply(out, is.null, TRUE)]
  out
}
