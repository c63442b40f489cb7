# Inference with recurrent models, as MXNet-R (R-package/R/rnn.infer.R): mx.infer.rnn predicts a
# whole iterator with a model from mx.model.buckets; mx.infer.rnn.one runs one step (or a short
# sequence) of a symbol that also outputs the RNN states, taking the states of the previous call
# through input.params, for generating text character by character.

mx.internal.infer.ctx <- function(ctx, fn) {
  if (is.null(ctx)) ctx <- mx.ctx.default()
  if (is.mx.context(ctx)) ctx <- list(ctx)
  if (!is.list(ctx) || !length(ctx) || !all(vapply(ctx, is.mx.context, TRUE))) {
    stop(sprintf("%s: 'ctx' must be a context or a list of contexts", fn), call. = FALSE)
  }
  ctx[[1]]
}

# Binds symbol for inference on the iterator's inputs: parameters from arg.params, fixed arrays
# (states) from input.params, zeros for any other argument.
mx.internal.infer.exec <- function(symbol, value, arg.params, aux.params, input.params, ctx, fn) {
  args <- arguments(symbol)
  input.names <- intersect(names(value), args)
  shapes <- do.call(mx.symbol.infer.shape, c(list(symbol), lapply(value[input.names], dim)))
  if (is.null(shapes)) {
    stop(sprintf("%s: cannot infer the argument shapes from the inputs %s", fn, paste(input.names, collapse = ", ")),
         call. = FALSE)
  }
  arrays <- lapply(args, function(n) {
    given <- if (!is.null(input.params[[n]])) input.params[[n]] else if (!n %in% input.names) arg.params[[n]] else NULL
    if (!is.null(given)) {
      if (!identical(as.numeric(dim(given)), as.numeric(shapes$arg.shapes[[n]]))) {
        stop(sprintf("%s: '%s' has shape (%s) but the symbol needs (%s) for these inputs", fn, n,
                     paste(dim(given), collapse = ", "), paste(shapes$arg.shapes[[n]], collapse = ", ")), call. = FALSE)
      }
      return(mx.nd.copyto(given, ctx))
    }
    mx.nd.zeros(shapes$arg.shapes[[n]], ctx)
  })
  names(arrays) <- args
  aux <- lapply(names(shapes$aux.shapes), function(n) {
    if (is.null(aux.params[[n]])) {
      stop(sprintf("%s: aux.params has no '%s'", fn, n), call. = FALSE)
    }
    mx.nd.copyto(aux.params[[n]], ctx)
  })
  names(aux) <- names(shapes$aux.shapes)
  req <- rep("null", length(args))
  names(req) <- args
  list(exec = mx.internal.bind.arrays(symbol, ctx, arrays, list(), req, aux), inputs = input.names)
}

#' Predicts with a recurrent model over an iterator, as MXNet-R's \code{mx.infer.rnn}.
#'
#' @param infer.data An iterator, e.g. from \code{mx.io.bucket.iter}.
#' @param model A model from \code{mx.model.buckets} (symbol, arg.params, aux.params).
#' @param ctx The device.
#' @return One MXNDArray: the first output of every batch, concatenated along the last R dimension,
#'   with the last \code{num.pad()} columns of each batch dropped.
#' @export
mx.infer.rnn <- function(infer.data, model, ctx = mx.cpu()) {
  fn <- "mx.infer.rnn"
  ctx <- mx.internal.infer.ctx(ctx, fn)
  if (is.null(model$symbol) || is.null(model$arg.params)) {
    stop(sprintf("%s: 'model' must have symbol and arg.params (as mx.model.buckets returns)", fn), call. = FALSE)
  }
  infer.data$reset()
  packer <- mx.nd.arraypacker()
  execs <- list()
  while (infer.data$iter.next()) {
    value <- infer.data$value()
    symbol <- if (is.mx.symbol(model$symbol)) model$symbol else model$symbol[[names(infer.data$bucketID)]]
    key <- paste(vapply(value, function(v) paste(dim(v), collapse = "x"), ""), collapse = "/")
    if (is.null(execs[[key]])) {
      execs[[key]] <- mx.internal.infer.exec(symbol, value, model$arg.params, model$aux.params, NULL, ctx, fn)
    }
    b <- execs[[key]]
    for (n in b$inputs) MVNDArrayCopyTo(value[[n]]$ptr, b$exec$arg.arrays[[n]]$ptr)
    mx.exec.forward(b$exec, is.train = FALSE)
    out <- mx.nd.copyto(b$exec$outputs[[1]], mx.cpu())
    d <- dim(out)
    packer$push(mx.nd.slice.axis(out, axis = 0, begin = 0, end = d[length(d)] - infer.data$num.pad()))
  }
  infer.data$reset()
  packer$get()
}

#' One inference pass of a recurrent symbol that outputs its states, as MXNet-R's
#' \code{mx.infer.rnn.one}.
#'
#' @param infer.data An iterator whose \code{value()} gives the inputs (data, label ...).
#' @param symbol A symbol whose outputs are the prediction and the RNN states, e.g.
#'   \code{mx.symbol.Group(loss, RNN_state_output, RNN_statecell_output)} from the internals.
#' @param arg.params The trained parameters.
#' @param aux.params The trained auxiliary states.
#' @param input.params Arrays for other arguments, such as the states the previous call returned
#'   (\code{list(rnn.state = out[[2]], rnn.state.cell = out[[3]])}); NULL starts from zero states.
#' @param ctx The device.
#' @return The outputs of the last batch, copied to the CPU, named by the symbol's outputs.
#' @export
mx.infer.rnn.one <- function(infer.data, symbol, arg.params, aux.params, input.params = NULL, ctx = mx.cpu()) {
  fn <- "mx.infer.rnn.one"
  mx.internal.check.symbol(symbol, fn)
  ctx <- mx.internal.infer.ctx(ctx, fn)
  infer.data$reset()
  if (!infer.data$iter.next()) stop(sprintf("%s: infer.data is empty", fn), call. = FALSE)
  b <- mx.internal.infer.exec(symbol, infer.data$value(), arg.params, aux.params, input.params, ctx, fn)
  infer.data$reset()
  out <- NULL
  while (infer.data$iter.next()) {
    value <- infer.data$value()
    for (n in b$inputs) MVNDArrayCopyTo(value[[n]]$ptr, b$exec$arg.arrays[[n]]$ptr)
    mx.exec.forward(b$exec, is.train = FALSE)
    out <- lapply(b$exec$outputs, mx.nd.copyto, mx.cpu())
    names(out) <- outputs(symbol)
  }
  infer.data$reset()
  out
}
