# mx.mlp: MXNet-R's one-call multi-layer perceptron.

#' Trains a multi-layer perceptron, as MXNet-R
#'
#' Builds FullyConnected + Activation layers (one per entry of \code{hidden_node}), an optional
#' Dropout after the last hidden layer, an output layer of \code{out_node} units with the output
#' loss, and trains it with \code{\link{mx.model.FeedForward.create}}.
#'
#' @param data The training data: an R matrix/array or a data iterator.
#' @param label The labels (with R arrays).
#' @param hidden_node The sizes of the hidden layers.
#' @param out_node The size of the output layer.
#' @param dropout A dropout ratio in [0, 1) after the last hidden layer, or NULL.
#' @param activation One activation name for every hidden layer, or one per layer.
#' @param out_activation "softmax", "rmse" (linear regression) or "logistic".
#' @param ctx The device (or a list of devices).
#' @param ... More arguments of \code{mx.model.FeedForward.create} (num.round,
#'   array.batch.size, learning.rate, eval.metric, ...).
#' @return A model of class \code{"MXFeedForwardModel"}.
#' @export
mx.mlp <- function(data, label, hidden_node = 1, out_node, dropout = NULL, activation = "tanh",
                   out_activation = "softmax", ctx = mx.ctx.default(), ...) {
  m <- length(hidden_node)
  if (!is.null(dropout)) {
    if (length(dropout) != 1) stop("mx.mlp: 'dropout' must be one ratio", call. = FALSE)
    dropout <- max(0, min(dropout, 1 - 1e-7))
  }
  if (length(activation) == 1) {
    activation <- rep(activation, m)
  } else if (length(activation) != m) {
    stop(sprintf("mx.mlp: %d activations for %d hidden layers (give one, or one per layer)", length(activation), m),
         call. = FALSE)
  }
  act <- mx.symbol.Variable("data")
  for (i in seq_len(m)) {
    fc <- mx.symbol.FullyConnected(act, num_hidden = hidden_node[i])
    act <- mx.symbol.Activation(fc, act_type = activation[i])
    if (i == m && !is.null(dropout)) act <- mx.symbol.Dropout(act, p = dropout)
  }
  fc <- mx.symbol.FullyConnected(act, num_hidden = out_node)
  out <- switch(out_activation,
                rmse = mx.symbol.LinearRegressionOutput(fc),
                softmax = mx.symbol.SoftmaxOutput(fc),
                logistic = mx.symbol.LogisticRegressionOutput(fc),
                stop(sprintf("mx.mlp: out_activation '%s' is not supported; use softmax, rmse or logistic",
                             out_activation), call. = FALSE))
  mx.model.FeedForward.create(out, X = data, y = label, ctx = ctx, ...)
}
