# Feed-forward training and prediction, as MXNet-R (mx.model.*; checkpoints are in checkpoint.R).
# The internal functions keep MXNet-R's names (mx.model.train, mx.model.extract.model, ...)
# because MXNet-R code reaches them with ':::' and callbacks see mx.model.train's variables
# through `env`.

# Splits a batch shape (or a named list of them) on the last dimension into nsplit parts.
mx.model.slice.shape <- function(shape, nsplit) {
  first <- if (is.list(shape)) shape[[1]] else shape
  if (is.null(first)) return(lapply(seq_len(nsplit), function(k) list(begin = 0, end = 0, shape = shape)))
  ndim <- length(first)
  batchsize <- first[[ndim]]
  step <- (batchsize + nsplit - 1) %/% nsplit
  lapply(seq_len(nsplit) - 1, function(k) {
    begin <- min(k * step, batchsize)
    end <- min((k + 1) * step, batchsize)
    resize <- function(s) {
      s[[length(s)]] <- end - begin
      s
    }
    list(begin = begin, end = end, shape = if (is.list(shape)) lapply(shape, resize) else resize(shape))
  })
}

# The arguments whose names end in "data" and "label" (MXNet-R's convention).
mx.model.check.arguments <- function(symbol) {
  args <- arguments(symbol)
  data <- args[endsWith(args, "data")]
  label <- args[endsWith(args, "label")]
  if (length(data) > 1) stop("Multiple fields contains suffix data: ", paste(data, collapse = ", "), call. = FALSE)
  if (length(label) > 1) stop("Multiple fields contains suffix label: ", paste(label, collapse = ", "), call. = FALSE)
  c(data, label)
}

# The trained model: the parameters that have gradients (averaged over the devices, as MXNet-R;
# with local aggregation they are equal) and the auxiliary states, copied to the CPU.
mx.model.extract.model <- function(symbol, train.execs) {
  mean.cpu <- function(arrays) {
    if (length(arrays) == 1) return(mx.nd.copyto(arrays[[1]], mx.cpu()))
    total <- Reduce(`+`, lapply(arrays, function(a) mx.nd.copyto(a, mx.cpu())))
    total / length(arrays)
  }
  first <- train.execs[[1]]
  with.grad <- names(first$arg.arrays)[!vapply(first$grad.arrays, is.null, TRUE)]
  arg.params <- lapply(with.grad, function(n) mx.nd.copyto(first$arg.arrays[[n]], mx.cpu()))
  names(arg.params) <- with.grad
  aux.params <- lapply(names(first$aux.arrays), function(n) {
    mean.cpu(lapply(train.execs, function(e) e$aux.arrays[[n]]))
  })
  names(aux.params) <- names(first$aux.arrays)
  structure(list(symbol = symbol, arg.params = arg.params, aux.params = aux.params), class = "MXFeedForwardModel")
}

mx.model.internal.is.kvstore <- function(kvstore) mx.io.internal.has.methods(kvstore, c("push", "pull", "init"))

# MXNet-R's choice of parameter synchronisation. One device needs none (NULL). Several devices
# with "local", "device" or NULL: the gradients are summed on the first device and one update is
# copied to the others, which is what MXNet's local KVStore computes ("local" is a real KVStore
# object once issue 13 lands; the arithmetic is the same). A KVStore object (push/pull/init, as
# MXNet-R's) is used as MXNet-R uses it.
mx.model.create.kvstore <- function(kvstore, arg.params, ndevice, verbose = TRUE) {
  if (mx.model.internal.is.kvstore(kvstore)) return(kvstore)
  if (!is.null(kvstore) && !(is.character(kvstore) && length(kvstore) == 1)) {
    stop("mx.model.FeedForward.create: 'kvstore' must be a KVStore object, a string such as \"local\", or NULL",
         call. = FALSE)
  }
  local <- c("local", "device", "local_update_cpu", "local_allreduce_cpu", "local_allreduce_device")
  if (!is.null(kvstore) && !kvstore %in% local) {
    stop(sprintf(paste("mx.model.FeedForward.create: kvstore '%s' is not available: distributed KVStores come",
                       "with issue 13; use one of %s"), kvstore, paste(local, collapse = ", ")), call. = FALSE)
  }
  if (ndevice == 1) return(NULL)
  if (verbose) message("Summing the gradients of ", ndevice, " devices locally (kvstore ",
                       if (is.null(kvstore)) "NULL" else kvstore, ")")
  "local"
}

# Updates the executor's weights in place from its gradients. Takes the optimizer forms MXNet-R
# code builds: MXNet-R 1.9's list(create_exec, update) whose update returns the new weight, and
# list(create.state, update) whose update returns either list(weight, state) (MXNet-R 0.x) or the
# new state after updating the weight in place (Minerva's update operators). Indices are the
# weights' positions among the symbol's arguments, as MXNet-R's updater numbers them.
mx.model.internal.updater <- function(optimizer, exec, ctx) {
  if (!is.list(optimizer) || !is.function(optimizer$update) ||
      !(is.function(optimizer$create_exec) || is.function(optimizer$create.state))) {
    stop("mx.model.FeedForward.create: 'optimizer' must be a name (\"sgd\", ...) or an optimizer from mx.opt.create",
         call. = FALSE)
  }
  index <- which(!vapply(exec$grad.arrays, is.null, TRUE))
  weights <- exec$arg.arrays
  grads <- exec$grad.arrays
  update <- optimizer$update
  store <- function(target, result) {
    if (is.mx.ndarray(result) && !identical(result$ptr, target$ptr)) MVNDArrayCopyTo(result$ptr, target$ptr)
  }
  if (is.function(optimizer$create_exec)) {
    execs <- lapply(index, function(i) optimizer$create_exec(index = i, weight_dim = dim(weights[[i]]), ctx = ctx))
    return(function() {
      for (k in seq_along(index)) {
        i <- index[k]
        store(weights[[i]], update(i, execs[[k]], weights[[i]], grads[[i]]))
      }
    })
  }
  states <- lapply(index, function(i) optimizer$create.state(i, weights[[i]]))
  function() {
    for (k in seq_along(index)) {
      i <- index[k]
      res <- update(i, weights[[i]], grads[[i]], states[[k]])
      if (is.list(res) && !is.mx.ndarray(res) && "weight" %in% names(res) && "state" %in% names(res)) {
        store(weights[[i]], res$weight)
        res <- res$state
      }
      # <<-: the states live in the enclosing function, across calls
      if (is.null(res)) states[k] <<- list(NULL) else states[[k]] <<- res
    }
  }
}

# Copies a batch (a named list of MXNDArrays) into an executor's arguments of the same names.
mx.model.internal.feed <- function(exec, arrays, what) {
  for (n in names(arrays)) {
    target <- exec$arg.arrays[[n]]
    if (is.null(target)) next
    src <- arrays[[n]]
    if (!is.mx.ndarray(src)) {
      stop(sprintf("mx.model: the %s iterator's value()$%s must be an MXNDArray, got %s", what, n, class(src)[1]),
           call. = FALSE)
    }
    tryCatch(MVNDArrayCopyTo(src$ptr, target$ptr), error = function(e) {
      stop(sprintf("mx.model: the %s batch's '%s' has shape (%s) but the network was bound for (%s): %s", what, n,
                   paste(dim(src), collapse = ", "), paste(dim(target), collapse = ", "), conditionMessage(e)),
           call. = FALSE)
    })
  }
}

# One batch as the executors see it: per device, the value() list sliced on the sample dimension,
# its label renamed to the network's label argument (MXNet-R's rule).
mx.model.internal.slices <- function(dlist, input_slice, output.names) {
  if (length(output.names) == 1 && endsWith(output.names, "label")) {
    names(dlist)[endsWith(names(dlist), "label")] <- output.names
  }
  if (length(input_slice) == 1) return(list(dlist))
  lapply(input_slice, function(s) lapply(dlist, function(a) mx.io.internal.slice(a, s$begin, s$end)))
}

mx.model.internal.sum.grads <- function(train.execs, params.index, scratch) {
  first <- train.execs[[1]]
  for (k in seq_along(params.index)) {
    i <- params.index[k]
    g <- first$grad.arrays[[i]]
    for (d in seq_along(train.execs)[-1]) {
      MVNDArrayCopyTo(train.execs[[d]]$grad.arrays[[i]]$ptr, scratch[[k]]$ptr)
      mx.model.internal.add.to(g, scratch[[k]])
    }
  }
}

# A CPU copy of an executor output (MXNet-R hands metrics a copy): the shape and dtype are the
# output's, known in advance, so only the allocation and the copy reach the core.
mx.model.internal.cpu.copier <- function(nd) {
  shape <- MVNDArrayGetShape(nd$ptr)
  dtype <- MVNDArrayGetDType(nd$ptr)
  src <- nd$ptr
  function() {
    out <- MVNDArrayCreate(shape, dtype, MV_DEV_CPU, 0L)
    MVNDArrayCopyTo(src, out)
    mx.nd.internal.wrap(out)
  }
}

mx.model.internal.add.to <- function(target, other) {
  op <- "elemwise_add"
  MVImperativeInvoke(mx.internal.op(op), mx.internal.params.handle(op, list(keys = character(0), vals = character(0))),
                     list(target$ptr, other$ptr), list(target$ptr))
  invisible(target)
}

# The training loop, as MXNet-R's (its variables are what callbacks find in `env`).
mx.model.train <- function(symbol, ctx, input.shape, output.shape, arg.params, aux.params, begin.round,
                           end.round, optimizer, train.data, eval.data, metric, epoch.end.callback,
                           batch.end.callback, kvstore, fixed.param = NULL, verbose = TRUE) {
  ndevice <- length(ctx)
  if (verbose) message("Start training with ", ndevice, " devices")
  input_slice <- mx.model.slice.shape(input.shape, ndevice)
  output_slice <- mx.model.slice.shape(output.shape, ndevice)
  arg_names <- arguments(symbol)
  output.names <- names(output.shape)
  # As MXNet-R: the inputs and labels are fixed parameters (no gradient) whatever their names.
  fixed <- unique(c(fixed.param, names(input.shape), names(output.shape)))
  train.execs <- lapply(seq_len(ndevice), function(i) {
    do.call(mx.simple.bind, c(list(symbol = symbol, ctx = ctx[[i]], grad.req = "write"), input_slice[[i]]$shape,
                              output_slice[[i]]$shape, list(fixed.param = fixed)))
  })
  for (texec in train.execs) {
    mx.exec.update.arg.arrays(texec, arg.params, match.name = TRUE)
    mx.exec.update.aux.arrays(texec, aux.params, match.name = TRUE)
  }
  params.index <- which(!vapply(train.execs[[1]]$grad.arrays, is.null, TRUE))
  local.sum <- identical(kvstore, "local")
  kvstore.object <- !is.null(kvstore) && !local.sum
  update.on.kvstore <- kvstore.object && isTRUE(kvstore$update.on.kvstore)
  if (update.on.kvstore) {
    kvstore$set.optimizer(optimizer)
  } else {
    updaters <- lapply(seq_len(if (local.sum) 1 else ndevice), function(i) {
      mx.model.internal.updater(optimizer, train.execs[[i]], ctx[[i]])
    })
  }
  if (kvstore.object) kvstore$init(params.index, train.execs[[1]]$arg.arrays[params.index])
  scratch <- if (local.sum) {
    lapply(params.index, function(i) mx.nd.zeros(dim(train.execs[[1]]$grad.arrays[[i]]), ctx[[1]]))
  }
  output.copiers <- lapply(train.execs, function(texec) mx.model.internal.cpu.copier(texec$outputs[[1]]))

  for (iteration in begin.round:end.round) {
    nbatch <- 0
    if (!is.null(metric)) train.metric <- metric$init()
    train.data$reset()
    while (train.data$iter.next()) {
      dlist <- train.data$value()
      slices <- mx.model.internal.slices(dlist, input_slice, output.names)
      for (i in seq_len(ndevice)) mx.model.internal.feed(train.execs[[i]], slices[[i]], "training")
      for (texec in train.execs) mx.exec.forward(texec, is.train = TRUE)
      out.preds <- lapply(output.copiers, function(copy) copy())
      for (texec in train.execs) mx.exec.backward(texec)
      if (kvstore.object) {
        kvstore$push(params.index, lapply(train.execs, function(e) e$grad.arrays[params.index]), -params.index)
        if (update.on.kvstore) {
          kvstore$pull(params.index, lapply(train.execs, function(e) e$arg.arrays[params.index]), -params.index)
        } else {
          kvstore$pull(params.index, lapply(train.execs, function(e) e$grad.arrays[params.index]), -params.index)
        }
      }
      if (local.sum) {
        mx.model.internal.sum.grads(train.execs, params.index, scratch)
        updaters[[1]]()
        for (texec in train.execs[-1]) {
          for (i in params.index) MVNDArrayCopyTo(train.execs[[1]]$arg.arrays[[i]]$ptr, texec$arg.arrays[[i]]$ptr)
        }
      } else if (!update.on.kvstore) {
        for (updater in updaters) updater()
      }
      if (!is.null(metric)) {
        for (i in seq_len(ndevice)) {
          train.metric <- metric$update(slices[[i]][[length(slices[[i]])]], out.preds[[i]], train.metric)
        }
      }
      nbatch <- nbatch + 1
      if (!is.null(batch.end.callback)) batch.end.callback(iteration, nbatch, environment())
    }
    train.data$reset()
    if (!is.null(metric)) {
      result <- metric$get(train.metric)
      if (verbose) message("[", iteration, "] Train-", result$name, "=", result$value)
    }
    if (!is.null(eval.data)) {
      if (!is.null(metric)) eval.metric <- metric$init()
      eval.data$reset()
      while (eval.data$iter.next()) {
        dlist <- eval.data$value()
        slices <- mx.model.internal.slices(dlist, input_slice, output.names)
        for (i in seq_len(ndevice)) mx.model.internal.feed(train.execs[[i]], slices[[i]], "validation")
        for (texec in train.execs) mx.exec.forward(texec, is.train = FALSE)
        out.preds <- lapply(output.copiers, function(copy) copy())
        if (!is.null(metric)) {
          for (i in seq_len(ndevice)) {
            eval.metric <- metric$update(slices[[i]][[length(slices[[i]])]], out.preds[[i]], eval.metric)
          }
        }
      }
      eval.data$reset()
      if (!is.null(metric)) {
        result <- metric$get(eval.metric)
        if (verbose) message("[", iteration, "] Validation-", result$name, "=", result$value)
      }
    } else {
      eval.metric <- NULL
    }
    model <- mx.model.extract.model(symbol, train.execs)
    epoch_continue <- TRUE
    if (!is.null(epoch.end.callback)) {
      epoch_continue <- epoch.end.callback(iteration, 0, environment(), verbose = verbose)
    }
    if (identical(epoch_continue, FALSE)) break
  }
  model
}

#' Creates the initial parameters of a network, as MXNet-R
#'
#' Infers every argument's and auxiliary state's shape from the input and output shapes and
#' draws them with the initializer. Inputs and outputs themselves are left out.
#'
#' @param symbol The network.
#' @param input.shape A named list of input shapes (R order, samples last), e.g.
#'   \code{list(data = c(784, 128))}.
#' @param output.shape A named list of label shapes, or NULL.
#' @param initializer An initializer such as \code{mx.init.uniform(0.01)}.
#' @param ctx The device of the arrays.
#' @return A list with \code{arg.params} and \code{aux.params}, named lists of MXNDArrays.
#' @export
mx.model.init.params <- function(symbol, input.shape, output.shape, initializer, ctx) {
  mx.internal.check.symbol(symbol, "mx.model.init.params")
  if (!is.list(input.shape)) input.shape <- list(data = input.shape)
  slist <- do.call(mx.symbol.infer.shape, c(list(symbol), input.shape, output.shape))
  if (is.null(slist)) {
    stop(sprintf("mx.model.init.params: the shapes of %s do not determine every argument's shape",
                 paste(names(c(input.shape, output.shape)), collapse = ", ")), call. = FALSE)
  }
  io <- c(names(input.shape), names(output.shape))
  arg.shapes <- slist$arg.shapes[!names(slist$arg.shapes) %in% io]
  drop.null <- function(x) x[!vapply(x, is.null, TRUE)]
  list(arg.params = drop.null(mx.init.create(initializer, arg.shapes, ctx, skip.unknown = TRUE)),
       aux.params = drop.null(mx.init.create(initializer, slist$aux.shapes, ctx, skip.unknown = FALSE)))
}

# The iterator over X (an iterator already, or an R array with labels y).
mx.model.init.iter <- function(X, y, batch.size, is.train) {
  if (is.mx.dataiter(X)) return(X)
  if (is.null(y)) {
    if (is.train) stop("Need to provide parameter y for training with R arrays.", call. = FALSE)
    shape <- dim(X)
    y <- rep.int(0, times = if (is.null(shape)) length(X) else shape[[length(shape)]])
  }
  ly <- dim(as.array(y))
  batch.size <- min(ly[length(ly)], batch.size)
  mx.io.arrayiter(X, y, batch.size = batch.size, shuffle = is.train)
}

# "rowmajor" when the matrix X holds one sample per row (its rows match the labels), "colmajor"
# when it holds one per column; an error when both or neither match. Arrays are colmajor.
mx.model.select.layout.train <- function(X, y) {
  if (is.null(y)) stop("Need to provide y for training", call. = FALSE)
  dimX <- dim(X)
  if (length(dimX) != 2) return("colmajor")
  dimy <- dim(as.array(y))
  rowmajor <- dimX[[1]] == dimy[[1]]
  colmajor <- dimX[[2]] == dimy[[length(dimy)]]
  if (rowmajor == colmajor) {
    stop(sprintf(paste("Cannot auto select array.layout, please specify this parameter: X is %d x %d and y has",
                       "%d samples"), dimX[1], dimX[2], dimy[length(dimy)]), call. = FALSE)
  }
  if (rowmajor) {
    warning("Auto detect layout of input matrix, use rowmajor..\n", call. = FALSE)
    "rowmajor"
  } else {
    warning("Auto detect layout input matrix, use colmajor..\n", call. = FALSE)
    "colmajor"
  }
}

# For prediction the model decides: the layout whose feature count gives the model's parameter
# shapes (a layout whose shapes cannot be inferred stays possible, as in MXNet-R).
mx.model.select.layout.predict <- function(X, model) {
  dimX <- dim(X)
  if (length(dimX) != 2) return("colmajor")
  fits <- function(features) {
    ret <- tryCatch(mx.symbol.infer.shape(model$symbol, data = c(features, 1)), error = function(e) FALSE)
    if (isFALSE(ret)) return(FALSE)
    if (is.null(ret)) return(TRUE)
    for (n in names(model$arg.params)) {
      s <- ret$arg.shapes[[n]]
      if (!is.null(s) && !identical(as.numeric(s), as.numeric(dim(model$arg.params[[n]])))) return(FALSE)
    }
    TRUE
  }
  rowmajor <- fits(dimX[[2]])
  colmajor <- fits(dimX[[1]])
  if (rowmajor == colmajor) {
    stop(sprintf("Cannot auto select array.layout, please specify this parameter: X is %d x %d", dimX[1], dimX[2]),
         call. = FALSE)
  }
  if (rowmajor) {
    warning("Auto detect layout of input matrix, use rowmajor..\n", call. = FALSE)
    "rowmajor"
  } else {
    warning("Auto detect layout input matrix, use colmajor..\n", call. = FALSE)
    "colmajor"
  }
}

mx.model.internal.check.layout <- function(array.layout) {
  if (!(is.character(array.layout) && length(array.layout) == 1 &&
        array.layout %in% c("auto", "colmajor", "rowmajor"))) {
    stop(sprintf("'array.layout' must be \"auto\", \"colmajor\" or \"rowmajor\", got %s",
                 paste(format(array.layout), collapse = " ")), call. = FALSE)
  }
}

# X as MXNet-R takes it: samples in columns (transposed when the layout is rowmajor).
mx.model.internal.oriented <- function(X, layout) {
  if (is.data.frame(X)) X <- data.matrix(X)
  if (is.array(X) && layout == "rowmajor") {
    if (length(dim(X)) != 2) stop("array.layout = \"rowmajor\" is only for matrices", call. = FALSE)
    X <- t(X)
  }
  X
}

#' Trains a feed-forward network, as MXNet-R
#'
#' Trains \code{symbol} on an iterator or on R arrays with MXNet-R's arguments, defaults and
#' semantics. \code{...} goes to \code{mx.opt.create} when \code{optimizer} is a name
#' (\code{learning.rate}, \code{momentum}, \code{wd}, ...), with \code{rescale.grad = 1/batch size}.
#' On several devices (\code{ctx = list(...)}) each gets a slice of every batch and the gradients
#' are summed before one update (what MXNet's local KVStore computes; distributed KVStores come
#' with issue 13). Differences from MXNet-R: the first epoch starts at the first batch (MXNet-R
#' skips it after peeking at it), and \code{begin.round > num.round} is an error instead of
#' training backwards.
#'
#' @param symbol The network (its outputs end in a loss such as SoftmaxOutput).
#' @param X A data iterator, or an R array/matrix of training data.
#' @param y The labels, when X is an R array.
#' @param ctx A context (\code{mx.cpu()}) or a list of contexts; default \code{mx.ctx.default()}.
#' @param begin.round The first epoch's number (for resumed training).
#' @param num.round The last epoch's number.
#' @param optimizer An optimizer name ("sgd", "adam", ...) or an optimizer object.
#' @param initializer The initializer of the parameters not given in arg.params.
#' @param eval.data Validation data: an iterator or \code{list(data = , label = )}.
#' @param eval.metric A metric such as \code{mx.metric.accuracy}, or NULL.
#' @param epoch.end.callback A function(iteration, nbatch, env, verbose) called after each
#'   epoch; returning FALSE stops training.
#' @param batch.end.callback A function(iteration, nbatch, env) called after each batch.
#' @param array.batch.size The batch size for R arrays.
#' @param array.layout "auto", "colmajor" (samples in columns) or "rowmajor" (samples in rows).
#' @param kvstore "local" (default), "device", NULL or a KVStore object.
#' @param verbose Whether to print progress messages.
#' @param arg.params Initial parameters (a named list of MXNDArrays) replacing the initializer's.
#' @param aux.params Initial auxiliary states replacing the initializer's.
#' @param input.names The names of the iterator fields fed to the network (default "data").
#' @param output.names The names of the label arguments (default: the argument ending in "label").
#' @param fixed.param Names of parameters that are not trained.
#' @param allow.extra.params Whether arg.params/aux.params may hold names the network lacks.
#' @param ... Optimizer parameters when \code{optimizer} is a name.
#' @return A model of class \code{"MXFeedForwardModel"}: \code{symbol}, \code{arg.params},
#'   \code{aux.params}.
#' @export
mx.model.FeedForward.create <- function(symbol, X, y = NULL, ctx = NULL, begin.round = 1, num.round = 10,
                                        optimizer = "sgd", initializer = mx.init.uniform(0.01),
                                        eval.data = NULL, eval.metric = NULL, epoch.end.callback = NULL,
                                        batch.end.callback = NULL, array.batch.size = 128, array.layout = "auto",
                                        kvstore = "local", verbose = TRUE, arg.params = NULL, aux.params = NULL,
                                        input.names = NULL, output.names = NULL, fixed.param = NULL,
                                        allow.extra.params = FALSE, ...) {
  fn <- "mx.model.FeedForward.create"
  mx.internal.check.symbol(symbol, fn)
  mx.model.internal.check.layout(array.layout)
  if (!is.numeric(begin.round) || !is.numeric(num.round) || length(begin.round) != 1 || length(num.round) != 1 ||
      begin.round > num.round) {
    stop(sprintf("%s: need begin.round <= num.round, got %s and %s", fn, format(begin.round), format(num.round)),
         call. = FALSE)
  }
  if (is.data.frame(X)) X <- data.matrix(X)
  if (is.numeric(X) && is.null(dim(X))) X <- as.array(X)
  if (is.array(X)) {
    if (array.layout == "auto") array.layout <- mx.model.select.layout.train(X, y)
    X <- mx.model.internal.oriented(X, array.layout)
  } else if (!is.mx.dataiter(X)) {
    stop(sprintf("%s: 'X' must be a data iterator or an R array/matrix, got %s", fn, class(X)[1]), call. = FALSE)
  }
  X <- mx.model.init.iter(X, y, batch.size = array.batch.size, is.train = TRUE)
  X$reset()
  if (!X$iter.next()) stop(sprintf("%s: the training data is empty", fn), call. = FALSE)
  first <- X$value()
  if (is.null(input.names)) input.names <- "data"
  shape.of <- function(n) {
    if (is.null(first[[n]])) {
      stop(sprintf("%s: the iterator's batches have no field '%s' (they have %s)", fn, n,
                   paste(names(first), collapse = ", ")), call. = FALSE)
    }
    dim(first[[n]])
  }
  input.shape <- sapply(input.names, shape.of, simplify = FALSE)
  if (is.null(output.names)) {
    arg_names <- arguments(symbol)
    output.names <- arg_names[endsWith(arg_names, "label")]
    if (length(output.names) > 1) {
      stop(sprintf("%s: several arguments end in 'label' (%s): say which are labels with output.names", fn,
                   paste(output.names, collapse = ", ")), call. = FALSE)
    }
    output.shape <- list()
    if (length(output.names) == 1) output.shape[[output.names]] <- shape.of("label")
  } else {
    output.shape <- sapply(output.names, shape.of, simplify = FALSE)
  }
  X$reset()
  params <- mx.model.init.params(symbol, input.shape, output.shape, initializer, mx.cpu())
  if (!is.null(arg.params)) params$arg.params <- arg.params
  if (!is.null(aux.params)) params$aux.params <- aux.params
  if (allow.extra.params) {
    params$arg.params <- params$arg.params[names(params$arg.params) %in% arguments(symbol)]
    params$aux.params <- params$aux.params[names(params$aux.params) %in% auxiliary.states(symbol)]
  }
  if (is.null(ctx)) ctx <- mx.ctx.default()
  if (is.mx.context(ctx)) ctx <- list(ctx)
  if (!is.list(ctx) || !length(ctx) || !all(vapply(ctx, is.mx.context, TRUE))) {
    stop(sprintf("%s: 'ctx' must be a context or a list of contexts", fn), call. = FALSE)
  }
  if (is.character(optimizer)) {
    batchsize <- input.shape[[1]][[length(input.shape[[1]])]]
    optimizer <- mx.opt.create(optimizer, rescale.grad = 1 / batchsize, ...)
  }
  if (!is.null(eval.data) && !is.list(eval.data) && !is.mx.dataiter(eval.data)) {
    stop(sprintf("%s: 'eval.data' must be a data iterator or list(data = , label = )", fn), call. = FALSE)
  }
  if (!is.null(eval.data) && !is.mx.dataiter(eval.data)) {
    if (is.null(eval.data$data) || is.null(eval.data$label)) {
      stop(sprintf("%s: give the validation set as list(data = R.array, label = R.array)", fn), call. = FALSE)
    }
    eval.x <- eval.data$data
    if (is.data.frame(eval.x)) eval.x <- data.matrix(eval.x)
    if (is.array(eval.x)) {
      if (array.layout == "auto") array.layout <- mx.model.select.layout.train(eval.x, eval.data$label)
      eval.x <- mx.model.internal.oriented(eval.x, array.layout)
    }
    eval.data <- mx.model.init.iter(eval.x, eval.data$label, batch.size = array.batch.size, is.train = TRUE)
  }
  kvstore <- mx.model.create.kvstore(kvstore, params$arg.params, length(ctx), verbose = verbose)
  mx.model.train(symbol, ctx, input.shape, output.shape, params$arg.params, params$aux.params, begin.round,
                 num.round, optimizer = optimizer, train.data = X, eval.data = eval.data, metric = eval.metric,
                 epoch.end.callback = epoch.end.callback, batch.end.callback = batch.end.callback,
                 kvstore = kvstore, fixed.param = fixed.param, verbose = verbose)
}

#' Predicts with a feed-forward model, as MXNet-R
#'
#' Runs the network's forward pass over X and returns its first output for every sample.
#'
#' @param object A model from \code{mx.model.FeedForward.create}, \code{mx.model.load} or
#'   \code{mx.serialize}.
#' @param X A data iterator, or an R array/matrix.
#' @param ctx The device; default \code{mx.ctx.default()}.
#' @param array.batch.size The batch size for R arrays.
#' @param array.layout "auto", "colmajor" (samples in columns) or "rowmajor" (samples in rows).
#' @param allow.extra.params Whether the model may hold parameters the network lacks.
#' @param ... Unused.
#' @return An R array whose last dimension counts the samples (for a classifier, a matrix with
#'   one column of class scores per sample).
#' @importFrom stats predict
#' @export
predict.MXFeedForwardModel <- function(object, X, ctx = NULL, array.batch.size = 128, array.layout = "auto",
                                       allow.extra.params = FALSE, ...) {
  model <- object
  if (is.serialized(model)) model <- mx.unserialize(model)
  if (is.null(ctx)) ctx <- mx.ctx.default()
  mx.model.internal.check.layout(array.layout)
  if (is.data.frame(X)) X <- data.matrix(X)
  if (is.numeric(X) && is.null(dim(X))) X <- as.array(X)
  if (is.array(X)) {
    if (array.layout == "auto") array.layout <- mx.model.select.layout.predict(X, model)
    X <- mx.model.internal.oriented(X, array.layout)
  } else if (!is.mx.dataiter(X)) {
    stop(sprintf("predict: 'X' must be a data iterator or an R array/matrix, got %s", class(X)[1]), call. = FALSE)
  }
  X <- mx.model.init.iter(X, NULL, batch.size = array.batch.size, is.train = FALSE)
  X$reset()
  if (!X$iter.next()) stop("predict: cannot predict on an empty iterator", call. = FALSE)
  dlist <- X$value()
  pexec <- mx.simple.bind(model$symbol, ctx = ctx, data = dim(dlist$data), grad.req = "null")
  if (allow.extra.params) {
    model$arg.params <- model$arg.params[names(model$arg.params) %in% arguments(model$symbol)]
    model$aux.params <- model$aux.params[names(model$aux.params) %in% auxiliary.states(model$symbol)]
  }
  mx.exec.update.arg.arrays(pexec, model$arg.params, match.name = TRUE)
  mx.exec.update.aux.arrays(pexec, model$aux.params, match.name = TRUE)
  packer <- mx.io.internal.packer()
  X$reset()
  while (X$iter.next()) {
    dlist <- X$value()
    mx.model.internal.feed(pexec, list(data = dlist$data), "prediction")
    mx.exec.forward(pexec, is.train = FALSE)
    out <- pexec$outputs[[1]]
    oshape <- dim(out)
    packer$push(as.array(mx.io.internal.slice(out, 0, oshape[[length(oshape)]] - X$num.pad())))
  }
  X$reset()
  packer$get()
}
