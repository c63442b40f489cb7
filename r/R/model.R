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

mx.model.init.params <- function(symbol, input.shape, output.shape, initializer, ctx) {
  shapes <- do.call(mx.symbol.infer.shape, c(list(symbol), input.shape))
  if (is.null(shapes)) stop("mx.model.init.params: cannot infer the parameter shapes from the input shape", call. = FALSE)
  inputs <- c(names(input.shape), names(output.shape))
  arg <- shapes$arg.shapes[!names(shapes$arg.shapes) %in% inputs]
  list(arg.params = mx.init.create(initializer, arg, ctx), aux.params = mx.init.create(initializer, shapes$aux.shapes, ctx))
}

#' Trains symbol on X (matrix or array, samples in rows for "rowmajor") and labels y.
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

#' Predicts X with a trained model: a matrix with one column per sample (R order).
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

#' Writes prefix-symbol.json and prefix-%04d.params (MXNet's checkpoint files).
mx.model.save <- function(model, prefix, iteration) {
  mx.symbol.save(model$symbol, paste0(prefix, "-symbol.json"))
  arrays <- c(model$arg.params, model$aux.params)
  names(arrays) <- c(sprintf("arg:%s", names(model$arg.params)), sprintf("aux:%s", names(model$aux.params)))
  mx.nd.save(arrays, sprintf("%s-%04d.params", prefix, iteration))
}

#' Reads a checkpoint written by mx.model.save, MXNet or Minerva's Python API.
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

#' A multi-layer perceptron trained on data (samples in rows) and label.
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
