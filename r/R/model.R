# Feed-forward training, prediction and MXNet checkpoints (mx.model.*), as MXNet-R.

mx.internal.as.iter <- function(X, y, batch.size, layout, shuffle) {
  if (inherits(X, "MXArrayIter")) return(X)
  if (is.data.frame(X)) X <- as.matrix(X)
  if (!is.numeric(X)) stop(sprintf("mx.model: 'X' must be a numeric matrix or array, got %s", class(X)[1]), call. = FALSE)
  if (is.null(dim(X))) X <- matrix(X, nrow = 1)
  if (length(dim(X)) == 2) {
    if (layout == "auto") layout <- if (!is.null(y) && nrow(X) == length(y) && ncol(X) != length(y)) "rowmajor" else "colmajor"
    if (layout == "rowmajor") X <- t(X)
  }
  if (is.null(y)) y <- rep(0, dim(X)[length(dim(X))])
  mx.io.arrayiter(X, y, batch.size, shuffle)
}

mx.internal.label.name <- function(symbol) {
  args <- arguments(symbol)
  lab <- args[grepl("label$", args)]
  if (length(lab)) lab[1] else NULL
}

mx.internal.bind.for <- function(symbol, it, ctx, grad.req) {
  it$reset()
  it$iter.next()
  b <- it$value()
  shapes <- list(data = dim(b$data))
  lab <- mx.internal.label.name(symbol)
  if (!is.null(lab)) shapes[[lab]] <- dim(b$label)
  do.call(mx.simple.bind, c(list(symbol = symbol, ctx = ctx, grad.req = grad.req), shapes))
}

#' Initialize a model's parameters
#'
#' Infers the parameter shapes of `symbol` from its input shapes and creates each parameter with
#' `initializer`, as MXNet-R's `mx.model.init.params`.
#'
#' @param symbol An `MXSymbol`.
#' @param input.shape A named list of input shapes in R's dimension order (`list(data = c(4, 32))`).
#' @param output.shape A named list of label shapes (excluded from the parameters), or `NULL`.
#' @param initializer An initializer such as [mx.init.uniform()].
#' @param ctx The device of the new arrays.
#' @return A list with `arg.params` and `aux.params`, named lists of `MXNDArray`s.
#' @export
mx.model.init.params <- function(symbol, input.shape, output.shape, initializer, ctx) {
  shapes <- do.call(mx.symbol.infer.shape, c(list(symbol), input.shape))
  if (is.null(shapes)) stop("mx.model.init.params: cannot infer the parameter shapes from the input shape", call. = FALSE)
  inputs <- c(names(input.shape), names(output.shape))
  arg <- shapes$arg.shapes[!names(shapes$arg.shapes) %in% inputs]
  list(arg.params = mx.init.create(initializer, arg, ctx), aux.params = mx.init.create(initializer, shapes$aux.shapes, ctx))
}

#' Train a feed-forward model
#'
#' Trains `symbol` on the data `X` and labels `y` with mini-batches, as MXNet-R's
#' `mx.model.FeedForward.create`.
#'
#' @param symbol The network, an `MXSymbol` ending in a loss output such as
#'   `mx.symbol.SoftmaxOutput`; its label argument is the one whose name ends in `label`.
#' @param X The training data: a matrix, an array with the samples in the last dimension, or an
#'   iterator from [mx.io.arrayiter()].
#' @param y The labels, one per sample (unused when `X` is an iterator).
#' @param ctx The device; `NULL` for [mx.ctx.default()].
#' @param begin.round,num.round The first and last epoch numbers.
#' @param optimizer An optimizer name for [mx.opt.create()] (which also gets `...`) or an
#'   optimizer it made.
#' @param initializer An initializer such as [mx.init.uniform()] or [mx.init.Xavier()].
#' @param eval.data Validation data, `list(data = , label = )`, scored after each epoch.
#' @param eval.metric A metric such as [mx.metric.accuracy], reported after each epoch.
#' @param epoch.end.callback,batch.end.callback Functions called as `f(iteration, nbatch, env)`
#'   after each epoch and each batch.
#' @param array.batch.size The batch size.
#' @param array.layout For a matrix `X`: `"rowmajor"` (one sample per row), `"colmajor"` (one
#'   per column) or `"auto"` (decided from the number of labels).
#' @param kvstore Accepted for MXNet-R compatibility (training is on one device).
#' @param verbose Whether to print the metric after each epoch.
#' @param arg.params,aux.params Named lists of `MXNDArray`s to start from instead of the
#'   initializer's values (for example a loaded model's).
#' @param ... Passed to [mx.opt.create()] when `optimizer` is a name (`learning.rate`,
#'   `momentum`, `wd`, ...).
#' @return An `MXFeedForwardModel`: a list with `symbol`, `arg.params` and `aux.params`.
#' @examples
#' x <- matrix(runif(200), 100, 2)
#' y <- as.numeric(x[, 1] > x[, 2])
#' net <- mx.symbol.SoftmaxOutput(mx.symbol.FullyConnected(mx.symbol.Variable("data"),
#'                                num_hidden = 2), name = "softmax")
#' model <- mx.model.FeedForward.create(net, X = x, y = y, num.round = 2, array.batch.size = 20,
#'                                      learning.rate = 0.1, verbose = FALSE)
#' dim(predict(model, x))
#' @export
mx.model.FeedForward.create <- function(symbol, X, y = NULL, ctx = NULL, begin.round = 1, num.round = 10,
                                        optimizer = "sgd", initializer = mx.init.uniform(0.01), eval.data = NULL,
                                        eval.metric = NULL, epoch.end.callback = NULL, batch.end.callback = NULL,
                                        array.batch.size = 128, array.layout = "auto", kvstore = "local",
                                        verbose = TRUE, arg.params = NULL, aux.params = NULL, ...) {
  mx.internal.check.symbol(symbol, "mx.model.FeedForward.create")
  ctx <- if (is.null(ctx)) mx.ctx.default() else ctx
  if (is.character(optimizer)) optimizer <- mx.opt.create(optimizer, rescale.grad = 1 / array.batch.size, ...)
  it <- mx.internal.as.iter(X, y, array.batch.size, array.layout, TRUE)
  exec <- mx.internal.bind.for(symbol, it, ctx, "write")
  lab <- mx.internal.label.name(symbol)
  inputs <- c("data", lab)
  shapes <- lapply(exec$arg.arrays, dim)
  params <- mx.model.init.params(symbol, shapes["data"], if (is.null(lab)) NULL else shapes[lab], initializer, ctx)
  if (!is.null(arg.params)) params$arg.params[names(arg.params)] <- arg.params
  if (!is.null(aux.params)) params$aux.params[names(aux.params)] <- aux.params
  mx.exec.update.arg.arrays(exec, params$arg.params, match.name = TRUE)
  mx.exec.update.aux.arrays(exec, params$aux.params, match.name = TRUE)
  names.w <- setdiff(names(exec$arg.arrays), inputs)
  states <- lapply(names.w, function(n) optimizer$create.state(n, exec$arg.arrays[[n]]))
  names(states) <- names.w
  for (round in begin.round:num.round) {
    it$reset()
    metric.state <- if (is.null(eval.metric)) NULL else eval.metric$init()
    while (it$iter.next()) {
      b <- it$value()
      MVNDArrayCopyTo(b$data$ptr, exec$arg.arrays$data$ptr)
      if (!is.null(lab)) MVNDArrayCopyTo(b$label$ptr, exec$arg.arrays[[lab]]$ptr)
      mx.exec.forward(exec, is.train = TRUE)
      mx.exec.backward(exec)
      for (n in names.w) {
        g <- exec$grad.arrays[[n]]
        if (!is.null(g)) states[n] <- list(optimizer$update(n, exec$arg.arrays[[n]], g, states[[n]]))
      }
      if (!is.null(eval.metric)) {
        keep <- seq_len(it$batch.size - it$num.pad())
        pred <- as.array(exec$outputs[[1]])
        pred <- matrix(pred, ncol = dim(pred)[length(dim(pred))])[, keep, drop = FALSE]
        metric.state <- eval.metric$update(as.array(b$label)[keep], pred, metric.state)
      }
      if (!is.null(batch.end.callback)) batch.end.callback(round, it$cursor / it$batch.size, environment())
    }
    if (!is.null(eval.metric) && verbose) {
      r <- eval.metric$get(metric.state)
      message(sprintf("[%d] Train-%s=%g", round, r$name, r$value))
    }
    if (!is.null(eval.data) && !is.null(eval.metric)) {
      model <- mx.internal.model(symbol, exec, names.w, lab)
      ev <- eval.data
      pred <- predict(model, ev$data, ctx = ctx, array.batch.size = array.batch.size, array.layout = array.layout)
      r <- eval.metric$get(eval.metric$update(ev$label, pred, eval.metric$init()))
      if (verbose) message(sprintf("[%d] Validation-%s=%g", round, r$name, r$value))
    }
    if (!is.null(epoch.end.callback)) epoch.end.callback(round, 0, environment())
  }
  mx.internal.model(symbol, exec, names.w, lab)
}

mx.internal.model <- function(symbol, exec, names.w, lab) {
  copy <- function(arrays) lapply(arrays, function(a) mx.nd.copyto(a, mx.cpu()))
  structure(list(symbol = symbol, arg.params = copy(exec$arg.arrays[names.w]), aux.params = copy(exec$aux.arrays)),
            class = "MXFeedForwardModel")
}

#' Predict with a trained model
#'
#' @param object An `MXFeedForwardModel` from [mx.model.FeedForward.create()] or
#'   [mx.model.load()].
#' @param X The data: a matrix, an array with the samples in the last dimension, or an iterator.
#' @param ctx The device; `NULL` for [mx.ctx.default()].
#' @param array.batch.size The batch size.
#' @param array.layout For a matrix `X`: `"rowmajor"`, `"colmajor"` or `"auto"` (one sample per
#'   row when the column count matches the model's input size).
#' @param ... Unused.
#' @return The first output for every sample: a matrix with one column per sample.
#' @export
predict.MXFeedForwardModel <- function(object, X, ctx = NULL, array.batch.size = 128, array.layout = "auto", ...) {
  ctx <- if (is.null(ctx)) mx.ctx.default() else ctx
  if (!inherits(X, "MXArrayIter") && length(dim(X)) == 2 && array.layout == "auto") {
    # A matrix whose column count matches the model's input size holds one sample per row.
    data.shape <- NULL
    arg.names <- names(object$arg.params)
    w <- object$arg.params[[arg.names[grepl("weight$", arg.names)][1]]]
    if (!is.null(w) && length(dim(w)) == 2 && ncol(X) == dim(w)[1] && nrow(X) != dim(w)[1]) array.layout <- "rowmajor"
  }
  it <- mx.internal.as.iter(X, NULL, array.batch.size, array.layout, FALSE)
  exec <- mx.internal.bind.for(object$symbol, it, ctx, "null")
  mx.exec.update.arg.arrays(exec, object$arg.params, match.name = TRUE)
  mx.exec.update.aux.arrays(exec, object$aux.params, match.name = TRUE)
  it$reset()
  out <- NULL
  while (it$iter.next()) {
    b <- it$value()
    MVNDArrayCopyTo(b$data$ptr, exec$arg.arrays$data$ptr)
    mx.exec.forward(exec, is.train = FALSE)
    pred <- as.array(exec$outputs[[1]])
    pred <- matrix(pred, ncol = dim(pred)[length(dim(pred))])
    keep <- seq_len(it$batch.size - it$num.pad())
    out <- cbind(out, pred[, keep, drop = FALSE])
  }
  dimnames(out) <- NULL
  out
}

#' Save or load a model checkpoint
#'
#' `mx.model.save()` writes MXNet's checkpoint files, `<prefix>-symbol.json` and
#' `<prefix>-<iteration>.params` (four digits); `mx.model.load()` reads them, including those
#' MXNet or Minerva's Python API wrote.
#'
#' @param model An `MXFeedForwardModel`.
#' @param prefix The file name prefix.
#' @param iteration The epoch number in the parameter file's name.
#' @return `mx.model.save()`: called for its effect. `mx.model.load()`: an `MXFeedForwardModel`.
#' @examples
#' net <- mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 2, name = "fc")
#' p <- mx.model.init.params(net, list(data = c(3, 1)), NULL, mx.init.uniform(0.1), mx.cpu())
#' model <- structure(list(symbol = net, arg.params = p$arg.params, aux.params = p$aux.params),
#'                    class = "MXFeedForwardModel")
#' prefix <- file.path(tempdir(), "fc")
#' mx.model.save(model, prefix, 1)
#' names(mx.model.load(prefix, 1)$arg.params)
#' @export
mx.model.save <- function(model, prefix, iteration) {
  mx.symbol.save(model$symbol, paste0(prefix, "-symbol.json"))
  arrays <- c(model$arg.params, model$aux.params)
  names(arrays) <- c(sprintf("arg:%s", names(model$arg.params)), sprintf("aux:%s", names(model$aux.params)))
  mx.nd.save(arrays, sprintf("%s-%04d.params", prefix, iteration))
}

#' @rdname mx.model.save
#' @export
mx.model.load <- function(prefix, iteration) {
  symbol <- mx.symbol.load(paste0(prefix, "-symbol.json"))
  arrays <- mx.nd.load(sprintf("%s-%04d.params", prefix, iteration))
  kind <- sub(":.*$", "", names(arrays))
  short <- sub("^[a-z]+:", "", names(arrays))
  arg <- arrays[kind == "arg"]
  names(arg) <- short[kind == "arg"]
  aux <- arrays[kind == "aux"]
  names(aux) <- short[kind == "aux"]
  structure(list(symbol = symbol, arg.params = arg, aux.params = aux), class = "MXFeedForwardModel")
}

#' Train a multi-layer perceptron
#'
#' Builds fully connected layers with activations and trains them with
#' [mx.model.FeedForward.create()], as MXNet-R's `mx.mlp`.
#'
#' @param data The training data, one sample per row.
#' @param label The labels.
#' @param hidden_node The sizes of the hidden layers.
#' @param out_node The size of the output layer (the number of classes).
#' @param dropout A dropout probability after each hidden layer, or `NULL`.
#' @param activation The hidden layers' activation (`act_type` of `mx.symbol.Activation`), one
#'   or one per layer.
#' @param out_activation The output: `"softmax"` or `"rmse"` (linear regression).
#' @param ctx The device; `NULL` for [mx.ctx.default()].
#' @param ... Passed to [mx.model.FeedForward.create()] (`num.round`, `array.batch.size`,
#'   `learning.rate`, ...).
#' @return An `MXFeedForwardModel`.
#' @export
mx.mlp <- function(data, label, hidden_node = 1, out_node, dropout = NULL, activation = "tanh",
                   out_activation = "softmax", ctx = NULL, ...) {
  net <- mx.symbol.Variable("data")
  activation <- rep(activation, length.out = length(hidden_node))
  for (i in seq_along(hidden_node)) {
    net <- mx.symbol.FullyConnected(net, num_hidden = hidden_node[i], name = paste0("fc", i))
    net <- mx.symbol.Activation(net, act_type = activation[i], name = paste0(activation[i], i))
    if (!is.null(dropout)) net <- mx.symbol.Dropout(net, p = dropout)
  }
  net <- mx.symbol.FullyConnected(net, num_hidden = out_node, name = paste0("fc", length(hidden_node) + 1))
  net <- switch(out_activation,
                softmax = mx.symbol.SoftmaxOutput(net, name = "softmax"),
                rmse = mx.symbol.LinearRegressionOutput(net, name = "linreg"),
                stop(sprintf("mx.mlp: out_activation '%s' is not supported (softmax)", out_activation), call. = FALSE))
  mx.model.FeedForward.create(net, X = data, y = label, ctx = ctx, ...)
}
