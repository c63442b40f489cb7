# Bucketed training of recurrent models, as MXNet-R (R-package/R/mx.io.bucket.iter.R and
# model.rnn.R): mx.io.bucket.iter serves batches from buckets of sequences of one length each;
# mx.model.buckets trains one symbol (or one per bucket) whose executors, one per bucket, share
# the same parameter and gradient arrays, so every bucket trains the same weights.

#' An iterator over buckets of sequences, as MXNet-R's \code{mx.io.bucket.iter}.
#'
#' Each bucket is \code{list(data = matrix(seq.len x samples), label = vector or matrix)} and is
#' named by its sequence length. \code{reset()} plans the epoch: batches of each bucket in turn,
#' or, with shuffle, in random bucket order with the samples shuffled (seeding R's generator with
#' \code{seed}, as MXNet-R does). \code{value()} gives \code{data}, \code{seq.mask} (the length of
#' each sequence: the bucket length less the \code{data.mask.element} entries) and \code{label};
#' the last batch of a bucket is filled from the bucket's first samples and \code{num.pad()} says
#' how many. \code{$bucketID} names the current bucket.
#'
#' @param buckets A named list of buckets.
#' @param batch.size Samples per batch.
#' @param data.mask.element The token that pads sequences.
#' @param shuffle Whether to shuffle batches and samples at each reset.
#' @param seed The seed set before shuffling.
#' @return An iterator (an environment of class MXBucketIter).
#' @export
mx.io.bucket.iter <- function(buckets, batch.size, data.mask.element = 0, shuffle = FALSE, seed = 123) {
  if (!is.list(buckets) || !length(buckets) || is.null(names(buckets)) || any(names(buckets) == "")) {
    stop("mx.io.bucket.iter: 'buckets' must be a list named by sequence length, e.g. list(\"20\" = list(data, label))",
         call. = FALSE)
  }
  if (!is.numeric(batch.size) || length(batch.size) != 1 || batch.size < 1 || batch.size != round(batch.size)) {
    stop(sprintf("mx.io.bucket.iter: 'batch.size' must be a positive whole number, got %s",
                 paste(format(batch.size), collapse = " ")), call. = FALSE)
  }
  for (b in names(buckets)) {
    x <- buckets[[b]]
    if (!is.list(x) || is.null(x$data) || is.null(x$label) || length(dim(x$data)) != 2) {
      stop(sprintf("mx.io.bucket.iter: bucket '%s' must be list(data = <seq.len x samples matrix>, label = ...)", b),
           call. = FALSE)
    }
    n <- ncol(x$data)
    nl <- if (length(dim(x$label)) == 0) length(x$label) else dim(x$label)[length(dim(x$label))]
    if (nl != n) {
      stop(sprintf("mx.io.bucket.iter: bucket '%s' has %d samples of data but %d of labels", b, n, nl), call. = FALSE)
    }
    if (is.na(suppressWarnings(as.integer(b)))) {
      stop(sprintf("mx.io.bucket.iter: bucket names are sequence lengths; '%s' is not a number", b), call. = FALSE)
    }
  }
  it <- new.env(parent = emptyenv())
  it$buckets <- buckets
  it$bucket.names <- names(buckets)
  it$batch.size <- as.integer(batch.size)
  it$data.mask.element <- data.mask.element
  it$shuffle <- shuffle
  it$seed <- seed
  it$epoch <- 0
  it$batch <- 0
  it$batch.per.bucket <- 0
  it$batch.per.epoch <- 0
  it$last.batch.pad <- NULL
  it$bucket.plan <- NULL
  it$bucketID <- NULL

  it$reset <- function() {
    sizes <- vapply(it$buckets, function(x) ncol(x$data), 1)
    it$batch.per.bucket <- ceiling(sizes / it$batch.size)
    # The number of real samples in each bucket's last batch (0: the last batch is full).
    it$last.batch.pad <- sizes %% it$batch.size
    it$batch.per.epoch <- sum(it$batch.per.bucket)
    it$epoch <- it$epoch + 1
    it$batch <- 0
    plan.names <- rep(names(it$batch.per.bucket), times = it$batch.per.bucket)
    if (it$shuffle) {
      set.seed(it$seed)
      plan.names <- sample(plan.names)
      it$buckets <- lapply(it$buckets, function(x) {
        order <- sample(ncol(x$data))
        list(data = x$data[, order, drop = FALSE],
             label = if (length(dim(x$label)) == 0) x$label[order] else x$label[, order, drop = FALSE])
      })
    }
    # The k-th batch of a bucket in the plan is that bucket's batch k.
    plan <- stats::ave(rep(1, length(plan.names)), plan.names, FUN = cumsum)
    names(plan) <- plan.names
    it$bucket.plan <- plan
    it$bucketID <- plan[1]
    invisible(NULL)
  }

  it$iter.next <- function() {
    it$batch <- it$batch + 1
    if (it$batch > it$batch.per.epoch) return(FALSE)
    it$bucketID <- it$bucket.plan[it$batch]
    TRUE
  }

  last.partial <- function() {
    b <- names(it$bucketID)
    it$bucketID == it$batch.per.bucket[b] && it$last.batch.pad[b] != 0
  }

  it$value <- function() {
    if (is.null(it$bucketID) || it$batch < 1 || it$batch > it$batch.per.epoch) {
      stop("mx.io.bucket.iter: value() needs a batch: call reset() and iter.next() first", call. = FALSE)
    }
    b <- names(it$bucketID)
    idx <- (it$bucketID - 1) * it$batch.size + seq_len(it$batch.size)
    if (last.partial()) {
      real <- it$last.batch.pad[b]
      idx <- c(idx[seq_len(real)], seq_len(it$batch.size - real))  # fill from the bucket's start
    }
    bucket <- it$buckets[[b]]
    data <- bucket$data[, idx, drop = FALSE]
    seq.mask <- as.integer(b) - colSums(data == it$data.mask.element)
    label <- if (length(dim(bucket$label)) == 0) bucket$label[idx] else bucket$label[, idx, drop = FALSE]
    list(data = mx.nd.array(data), seq.mask = mx.nd.array(seq.mask), label = mx.nd.array(label))
  }

  it$num.pad <- function() {
    if (is.null(it$bucketID) || !last.partial()) return(0)
    it$batch.size - unname(it$last.batch.pad[names(it$bucketID)])
  }

  class(it) <- "MXBucketIter"
  it
}

# Binds symbol to the given arrays (named lists in the symbol's argument / auxiliary order); the
# executor uses these arrays themselves, so executors given the same arrays share them.
mx.internal.bind.arrays <- function(symbol, ctx, arg.arrays, grad.arrays, grad.req, aux.arrays) {
  args <- arguments(symbol)
  aux.names <- auxiliary.states(symbol)
  missing <- setdiff(args, names(arg.arrays))
  if (length(missing)) {
    stop(sprintf("binding: no array for argument(s) %s", paste(missing, collapse = ", ")), call. = FALSE)
  }
  codes <- unname(.mx.grad.req[grad.req[args]])
  grads <- lapply(args, function(n) if (is.null(grad.arrays[[n]])) NULL else grad.arrays[[n]]$ptr)
  ptr <- MVExecutorBind(symbol$ptr, ctx$device_typeid, ctx$device_id, lapply(args, function(n) arg.arrays[[n]]$ptr),
                        grads, codes, lapply(aux.names, function(n) aux.arrays[[n]]$ptr))
  mx.internal.executor(ptr, symbol)
}

# The names MXNet-R's default initializer gives values to (mx.init.internal.default with
# skip.unknown): other arguments (inputs, states) stay zero and get no gradient.
mx.internal.initialized.names <- function(names) names[grepl("(weight|bias|gamma|beta|moving_mean|moving_var)$", names)]

# One optimizer step on weight; MXNet-R's optimizers return list(weight, state), the package's
# in-place ones return the new state.
mx.internal.apply.update <- function(optimizer, index, weight, grad, state) {
  res <- optimizer$update(index, weight, grad, state)
  if (is.list(res) && all(c("weight", "state") %in% names(res))) {
    if (!is.null(res$weight) && !identical(res$weight$ptr, weight$ptr)) MVNDArrayCopyTo(res$weight$ptr, weight$ptr)
    return(res$state)
  }
  res
}

mx.internal.call.callback <- function(callback, iteration, nbatch, env, verbose) {
  if ("verbose" %in% names(formals(callback)) || "..." %in% names(formals(callback))) {
    callback(iteration, nbatch, env, verbose = verbose)
  } else {
    callback(iteration, nbatch, env)
  }
}

#' Trains a recurrent model over bucketed data, as MXNet-R's \code{mx.model.buckets}.
#'
#' One executor per bucket is bound to the same parameter and gradient arrays, so sequences of
#' every length train the same weights. Parameters are the arguments whose names end in weight,
#' bias, gamma or beta; other arguments that are not inputs (such as \code{rnn.state}) stay zero.
#'
#' @param symbol An MXSymbol, or a list of them named by bucket.
#' @param train.data An iterator from \code{mx.io.bucket.iter} (or one with the same members).
#' @param eval.data An optional iterator for validation.
#' @param metric A metric (\code{init}, \code{update}, \code{get}); update receives the label and the
#'   first output as MXNDArrays on the CPU.
#' @param arg.params Optional starting values of parameters (a named list of MXNDArrays).
#' @param aux.params Optional starting values of auxiliary states.
#' @param fixed.params Names of parameters not to train.
#' @param num.round The last epoch.
#' @param begin.round The first epoch.
#' @param initializer An initializer such as \code{mx.init.uniform(0.01)}.
#' @param optimizer An optimizer from \code{mx.opt.create} or its name.
#' @param ctx A context, or a list of one.
#' @param batch.end.callback Called as \code{f(iteration, nbatch, env)} after every batch.
#' @param epoch.end.callback Called as \code{f(iteration, 0, env, verbose)} after every epoch;
#'   returning FALSE stops training.
#' @param kvstore "local" (no store with one device, as MXNet-R) or an MXKVStore: gradients are pushed
#'   to it and the weights pulled (or, for the allreduce types, the summed gradients pulled and the
#'   update made here).
#' @param verbose Whether to print progress.
#' @param metric_cpu Kept for MXNet-R compatibility: outputs are always copied to the CPU for the metric.
#' @param ... Passed to \code{mx.opt.create} when optimizer is a name.
#' @return An MXFeedForwardModel (symbol, arg.params, aux.params).
#' @export
mx.model.buckets <- function(symbol, train.data, eval.data = NULL, metric = NULL, arg.params = NULL,
                             aux.params = NULL, fixed.params = NULL, num.round = 1, begin.round = 1,
                             initializer = mx.init.uniform(0.01), optimizer = "sgd", ctx = NULL,
                             batch.end.callback = NULL, epoch.end.callback = NULL, kvstore = "local",
                             verbose = TRUE, metric_cpu = TRUE, ...) {
  fn <- "mx.model.buckets"
  if (!is.environment(train.data) || !is.function(train.data$iter.next) || !is.function(train.data$value)) {
    stop(sprintf("%s: 'train.data' must be an iterator such as mx.io.bucket.iter()", fn), call. = FALSE)
  }
  if (!train.data$iter.next()) {
    train.data$reset()
    if (!train.data$iter.next()) stop(sprintf("%s: train.data is empty", fn), call. = FALSE)
  }
  if (!is.null(eval.data) && !eval.data$iter.next()) {
    eval.data$reset()
    if (!eval.data$iter.next()) stop(sprintf("%s: eval.data is empty", fn), call. = FALSE)
  }
  if (is.null(ctx)) ctx <- mx.ctx.default()
  if (is.mx.context(ctx)) ctx <- list(ctx)
  if (!is.list(ctx) || !all(vapply(ctx, is.mx.context, TRUE))) {
    stop(sprintf("%s: 'ctx' must be a context or a list of contexts", fn), call. = FALSE)
  }
  if (length(ctx) != 1) {
    stop(sprintf("%s: training on %d devices at once is not available yet; give one context", fn, length(ctx)),
         call. = FALSE)
  }
  ctx <- ctx[[1]]
  symbol.for <- function(it) {
    if (is.mx.symbol(symbol)) return(symbol)
    s <- symbol[[names(it$bucketID)]]
    if (is.null(s)) stop(sprintf("%s: no symbol for bucket '%s'", fn, names(it$bucketID)), call. = FALSE)
    s
  }
  if (!is.mx.symbol(symbol) && !(is.list(symbol) && length(symbol) && all(vapply(symbol, is.mx.symbol, TRUE)))) {
    stop(sprintf("%s: 'symbol' must be an MXSymbol or a list of them named by bucket", fn), call. = FALSE)
  }
  sym.ini <- symbol.for(train.data)
  args <- arguments(sym.ini)
  first <- train.data$value()
  input.names <- intersect(names(first), args)
  input.shapes <- lapply(first[input.names], dim)
  shapes <- do.call(mx.symbol.infer.shape, c(list(sym.ini), input.shapes))
  if (is.null(shapes)) {
    stop(sprintf("%s: cannot infer the shapes of the arguments from the inputs %s", fn,
                 paste(sprintf("%s (%s)", input.names, vapply(input.shapes, paste, "", collapse = ", ")),
                       collapse = ", ")), call. = FALSE)
  }
  if (is.character(optimizer)) {
    batch <- input.shapes[[1]][length(input.shapes[[1]])]
    optimizer <- mx.opt.create(optimizer, rescale.grad = 1 / batch, ...)
  }

  # Shared parameters: initialized ones train (unless fixed); the other non-inputs stay zero.
  param.names <- setdiff(mx.internal.initialized.names(args), input.names)
  init <- mx.init.create(initializer, shapes$arg.shapes[param.names], ctx = mx.cpu(), skip.unknown = TRUE)
  params <- lapply(param.names, function(n) {
    v <- if (!is.null(arg.params[[n]])) arg.params[[n]] else init[[n]]
    if (is.null(v)) v <- mx.nd.zeros(shapes$arg.shapes[[n]], mx.cpu())
    mx.nd.copyto(v, ctx)
  })
  names(params) <- param.names
  train.names <- setdiff(param.names, fixed.params)
  grads <- lapply(train.names, function(n) mx.nd.zeros(shapes$arg.shapes[[n]], ctx))
  names(grads) <- train.names
  aux <- lapply(names(shapes$aux.shapes), function(n) {
    v <- aux.params[[n]]
    if (is.null(v)) {
      # MXNet-R's default: moving variances start at one, other auxiliary states at zero.
      fill <- if (grepl("moving_var$", n)) mx.nd.ones else mx.nd.zeros
      v <- fill(shapes$aux.shapes[[n]], mx.cpu())
    }
    mx.nd.copyto(v, ctx)
  })
  names(aux) <- names(shapes$aux.shapes)

  # One executor per bucket: its own inputs and zero states, the shared parameters and gradients.
  execs <- new.env(parent = emptyenv())
  exec.for <- function(it) {
    key <- if (is.null(names(it$bucketID))) "default" else names(it$bucketID)
    e <- execs[[key]]
    if (!is.null(e)) return(e)
    sym <- symbol.for(it)
    value <- it$value()
    in.shapes <- lapply(value[intersect(names(value), arguments(sym))], dim)
    sh <- do.call(mx.symbol.infer.shape, c(list(sym), in.shapes))
    if (is.null(sh)) stop(sprintf("%s: cannot infer the shapes of bucket '%s'", fn, key), call. = FALSE)
    sym.args <- arguments(sym)
    arrays <- lapply(sym.args, function(n) {
      if (n %in% param.names) params[[n]] else mx.nd.zeros(sh$arg.shapes[[n]], ctx)
    })
    names(arrays) <- sym.args
    req <- ifelse(sym.args %in% train.names, "write", "null")
    names(req) <- sym.args
    e <- mx.internal.bind.arrays(sym, ctx, arrays, grads, req, aux)
    assign(key, e, envir = execs)
    e
  }

  # A store type with one device means no store, as MXNet-R's mx.model.create.kvstore decides.
  use.kvstore <- is.MXKVStore(kvstore)
  if (!use.kvstore && !(is.character(kvstore) || is.null(kvstore))) {
    stop(sprintf("%s: 'kvstore' must be a store type (such as \"local\") or an MXKVStore", fn), call. = FALSE)
  }
  update.on.kvstore <- use.kvstore && isTRUE(kvstore$update.on.kvstore)
  keys <- seq_along(train.names)
  if (update.on.kvstore) kvstore$set.optimizer(optimizer)
  if (use.kvstore) kvstore$init(keys, params[train.names])
  states <- lapply(seq_along(train.names), function(i) optimizer$create.state(i, params[[train.names[i]]]))

  feed <- function(e, value) {
    for (n in intersect(names(value), names(e$arg.arrays))) {
      if (!identical(dim(value[[n]]), dim(e$arg.arrays[[n]]))) {
        stop(sprintf("%s: input '%s' has shape (%s) but the bucket's executor expects (%s)", fn, n,
                     paste(dim(value[[n]]), collapse = ", "), paste(dim(e$arg.arrays[[n]]), collapse = ", ")),
             call. = FALSE)
      }
      MVNDArrayCopyTo(value[[n]]$ptr, e$arg.arrays[[n]]$ptr)
    }
  }
  label.name <- input.names[length(input.names)]
  model <- NULL
  if (verbose) message("Start training with 1 devices")
  for (iteration in begin.round:num.round) {
    nbatch <- 0
    train.metric <- if (is.null(metric)) NULL else metric$init()
    train.data$reset()
    while (train.data$iter.next()) {
      value <- train.data$value()
      e <- exec.for(train.data)
      feed(e, value)
      mx.exec.forward(e, is.train = TRUE)
      mx.exec.backward(e)
      if (use.kvstore) kvstore$push(keys, list(grads[train.names]), -keys)
      if (update.on.kvstore) {
        kvstore$pull(keys, list(params[train.names]), -keys)
      } else {
        # Without updates on the store, pull back the summed gradients and update here.
        if (use.kvstore) kvstore$pull(keys, list(grads[train.names]), -keys)
        for (i in seq_along(train.names)) {
          n <- train.names[i]
          states[i] <- list(mx.internal.apply.update(optimizer, i, params[[n]], grads[[n]], states[[i]]))
        }
      }
      if (!is.null(metric)) {
        train.metric <- metric$update(label = mx.nd.copyto(e$arg.arrays[[label.name]], mx.cpu()),
                                      pred = mx.nd.copyto(e$outputs[[1]], mx.cpu()), state = train.metric)
      }
      nbatch <- nbatch + 1
      if (!is.null(batch.end.callback)) batch.end.callback(iteration, nbatch, environment())
    }
    if (!is.null(metric)) {
      result <- metric$get(train.metric)
      if (verbose) message("[", iteration, "] Train-", result$name, "=", result$value)
    }
    eval.metric <- NULL
    if (!is.null(eval.data)) {
      if (!is.null(metric)) eval.metric <- metric$init()
      eval.data$reset()
      while (eval.data$iter.next()) {
        value <- eval.data$value()
        e <- exec.for(eval.data)
        feed(e, value)
        mx.exec.forward(e, is.train = FALSE)
        if (!is.null(metric)) {
          eval.metric <- metric$update(label = mx.nd.copyto(e$arg.arrays[[label.name]], mx.cpu()),
                                       pred = mx.nd.copyto(e$outputs[[1]], mx.cpu()), state = eval.metric)
        }
      }
      if (!is.null(metric)) {
        result <- metric$get(eval.metric)
        if (verbose) message("[", iteration, "] Validation-", result$name, "=", result$value)
      }
    }
    model <- structure(list(symbol = sym.ini, arg.params = lapply(params[train.names], mx.nd.copyto, mx.cpu()),
                            aux.params = lapply(aux, mx.nd.copyto, mx.cpu())), class = "MXFeedForwardModel")
    if (!is.null(epoch.end.callback)) {
      if (identical(mx.internal.call.callback(epoch.end.callback, iteration, 0, environment(), verbose), FALSE)) break
    }
  }
  model
}
