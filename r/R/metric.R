# Evaluation metrics as MXNet-R 1.9.1 (mx.metric.*): list(init, update, get) of class "mx.metric".
# The training loop calls update(label, pred, state) once per batch (and device) with the batch's
# label and the network's first output as MXNDArrays, padding included, and the value reported
# is the mean of the per-batch values. The built-in metrics compute in R (double precision) with
# MXNet-R's definitions; they accept MXNDArrays or R arrays.

#' Creates a custom evaluation metric, as MXNet-R
#'
#' \code{feval(label, pred)} receives what the training loop passes, as in MXNet-R 1.9.1: the
#' batch's label and the network's first output as MXNDArrays (the sample dimension last; call
#' \code{as.array()} for R arrays), and returns a number. The metric's value is the mean of the
#' per-batch numbers.
#'
#' @param name The metric's name, shown in the training log.
#' @param feval A function(label, pred) returning a number.
#' @return A metric: a list with \code{init()}, \code{update(label, pred, state)} and
#'   \code{get(state)} (which returns \code{list(name, value)}), of class \code{"mx.metric"}.
#' @export
mx.metric.custom <- function(name, feval) {
  if (!is.function(feval)) stop("mx.metric.custom: 'feval' must be a function(label, pred)", call. = FALSE)
  init <- function() c(0, 0)
  update <- function(label, pred, state) {
    m <- feval(label, pred)
    c(state[[1]] + 1, state[[2]] + m)
  }
  get <- function(state) list(name = name, value = state[[2]] / state[[1]])
  structure(list(init = init, update = update, get = get), class = "mx.metric")
}

mx.metric.internal.r <- function(x) if (is.mx.ndarray(x)) as.array(x) else x

# Flattened label and prediction of the same length (the metrics that reshape both to -1).
mx.metric.internal.flat <- function(label, pred, metric) {
  label <- as.numeric(mx.metric.internal.r(label))
  pred <- as.numeric(mx.metric.internal.r(pred))
  if (length(label) != length(pred)) {
    stop(sprintf("mx.metric.%s: %d labels but %d predictions", metric, length(label), length(pred)), call. = FALSE)
  }
  list(label = label, pred = pred)
}

# pred with the class dimension (the core's axis 1, R's second-to-last) first, as a matrix with
# one column per labelled element, in the order of as.vector(label).
mx.metric.internal.by.class <- function(pred, nlabel, metric) {
  pred <- mx.metric.internal.r(pred)
  d <- dim(pred)
  if (length(d) < 2) {
    stop(sprintf("mx.metric.%s: the prediction needs a class dimension; it has shape (%s)", metric,
                 paste(if (is.null(d)) length(pred) else d, collapse = ", ")), call. = FALSE)
  }
  nd <- length(d)
  if (nd > 2) pred <- aperm(pred, c(nd - 1L, seq_len(nd)[-(nd - 1L)]))
  m <- matrix(pred, nrow = d[nd - 1L])
  if (ncol(m) != nlabel) {
    stop(sprintf("mx.metric.%s: %d labels for %d predictions of %d classes", metric, nlabel, ncol(m), nrow(m)),
         call. = FALSE)
  }
  m
}

#' Accuracy metric for classification, as MXNet-R
#'
#' The share of samples whose label equals the predicted class (the first class of highest
#' score; the class dimension is the one before the sample dimension).
#'
#' @format A metric (see \code{\link{mx.metric.custom}}).
#' @export
mx.metric.accuracy <- mx.metric.custom("accuracy", function(label, pred) {
  label <- as.numeric(mx.metric.internal.r(label))
  scores <- mx.metric.internal.by.class(pred, length(label), "accuracy")
  mean(max.col(t(scores), ties.method = "first") - 1 == label)
})

#' Top-k accuracy metric for classification, as MXNet-R
#'
#' The share of samples whose label is among the 5 classes of highest score (MXNet-R's
#' \code{top_k = 5}).
#'
#' @format A metric (see \code{\link{mx.metric.custom}}).
#' @export
mx.metric.top_k_accuracy <- mx.metric.custom("top_k_accuracy", function(label, pred, top_k = 5) {
  label <- as.numeric(mx.metric.internal.r(label))
  scores <- mx.metric.internal.by.class(pred, length(label), "top_k_accuracy")
  truth <- scores[cbind(pmin(pmax(label, 0), nrow(scores) - 1) + 1, seq_along(label))]
  higher <- colSums(scores > rep(truth, each = nrow(scores)))
  mean(higher < top_k & label >= 0 & label < nrow(scores))
})

#' MSE (mean squared error) metric for regression, as MXNet-R
#'
#' @format A metric (see \code{\link{mx.metric.custom}}).
#' @export
mx.metric.mse <- mx.metric.custom("mse", function(label, pred) {
  f <- mx.metric.internal.flat(label, pred, "mse")
  mean((f$label - f$pred)^2)
})

#' RMSE (root mean squared error) metric for regression, as MXNet-R
#'
#' @format A metric (see \code{\link{mx.metric.custom}}).
#' @export
mx.metric.rmse <- mx.metric.custom("rmse", function(label, pred) {
  f <- mx.metric.internal.flat(label, pred, "rmse")
  sqrt(mean((f$label - f$pred)^2))
})

#' MAE (mean absolute error) metric for regression, as MXNet-R
#'
#' @format A metric (see \code{\link{mx.metric.custom}}).
#' @export
mx.metric.mae <- mx.metric.custom("mae", function(label, pred) {
  f <- mx.metric.internal.flat(label, pred, "mae")
  mean(abs(f$label - f$pred))
})

#' RMSLE (root mean squared logarithmic error) metric for regression, as MXNet-R
#'
#' \code{sqrt(mean((log1p(pred) - log1p(label))^2))}.
#'
#' @format A metric (see \code{\link{mx.metric.custom}}).
#' @export
mx.metric.rmsle <- mx.metric.custom("rmsle", function(label, pred) {
  f <- mx.metric.internal.flat(label, pred, "rmsle")
  sqrt(mean((log1p(f$pred) - log1p(f$label))^2))
})

#' Perplexity metric for language models, as MXNet-R
#'
#' \code{exp} of the mean negative log-probability the prediction gives each label; labels equal
#' to -1 (MXNet-R's \code{mask_element}) are left out. Labels outside the classes are clipped
#' to the nearest class, as MXNet's \code{pick}.
#'
#' @format A metric (see \code{\link{mx.metric.custom}}).
#' @export
mx.metric.Perplexity <- mx.metric.custom("Perplexity", function(label, pred, mask_element = -1) {
  label <- as.numeric(mx.metric.internal.r(label))
  probs <- mx.metric.internal.by.class(pred, length(label), "Perplexity")
  picked <- probs[cbind(pmin(pmax(label, 0), nrow(probs) - 1) + 1, seq_along(label))]
  keep <- label != mask_element
  exp(-sum(log(picked[keep])) / sum(keep))
})

#' LogLoss metric for logistic regression, as MXNet-R
#'
#' The mean binary cross-entropy, predictions clipped to \code{[1e-15, 1 - 1e-15]}.
#'
#' @format A metric (see \code{\link{mx.metric.custom}}).
#' @export
mx.metric.logloss <- mx.metric.custom("logloss", function(label, pred) {
  f <- mx.metric.internal.flat(label, pred, "logloss")
  p <- pmin(pmax(f$pred, 1e-15), 1 - 1e-15)
  -mean(f$label * log(p) + (1 - f$label) * log(1 - p))
})

#' Accuracy metric for logistic regression, as MXNet-R
#'
#' The share of samples whose label equals \code{pred > 0.5}; the metric is named "accuracy".
#'
#' @format A metric (see \code{\link{mx.metric.custom}}).
#' @export
mx.metric.logistic_acc <- mx.metric.custom("accuracy", function(label, pred) {
  f <- mx.metric.internal.flat(label, pred, "logistic_acc")
  mean(f$label == (f$pred > 0.5))
})
