# Data iterators as MXNet-R: mx.io.arrayiter over R arrays, the reference classes custom
# iterators extend, is.mx.dataiter and mx.io.extract.
#
# An iterator is anything with reset(), iter.next(), value() (a named list of MXNDArrays with the
# sample dimension last, the label last) and num.pad(). MXNet-R users write their own as
#   setRefClass("MyIter", contains = "Rcpp_MXArrayDataIter", methods = list(...))
# so the base classes keep MXNet-R's names. They declare no fields: a subclass may use any field
# name (MXNet-R's own vignette declares "batch.size").

#' The base class of MXNet-R data iterators
#'
#' A reference class with the methods every iterator has: \code{reset()}, \code{iter.next()},
#' \code{value()}, \code{num.pad()} and \code{finalize()}. Custom iterators extend
#' \code{"Rcpp_MXArrayDataIter"} (or this class) and override the methods, as in MXNet-R.
#'
#' @name Rcpp_MXDataIter-class
#' @exportClass Rcpp_MXDataIter
#' @importFrom methods setRefClass new is
NULL

mx.io.internal.abstract <- function(method) {
  function(...) stop(sprintf("this data iterator does not define %s()", method), call. = FALSE)
}

methods::setRefClass("Rcpp_MXDataIter", methods = list(
  reset = mx.io.internal.abstract("reset"),
  iter.next = mx.io.internal.abstract("iter.next"),
  value = mx.io.internal.abstract("value"),
  num.pad = function() 0L,
  finalize = function() invisible(NULL)))

#' The class of array iterators, the one MXNet-R custom iterators extend
#'
#' \code{mx.io.arrayiter} returns an object of a subclass of this class. Extend it with
#' \code{setRefClass(..., contains = "Rcpp_MXArrayDataIter")} to write a custom iterator.
#'
#' @name Rcpp_MXArrayDataIter-class
#' @exportClass Rcpp_MXArrayDataIter
NULL

methods::setRefClass("Rcpp_MXArrayDataIter", contains = "Rcpp_MXDataIter")

#' The class of iterators implemented by the core (MNIST, CSV, image records)
#'
#' @name Rcpp_MXNativeDataIter-class
#' @exportClass Rcpp_MXNativeDataIter
NULL

methods::setRefClass("Rcpp_MXNativeDataIter", contains = "Rcpp_MXDataIter")

# The iterator mx.io.arrayiter returns. data.nd and label.nd hold every batch back to back
# (num.batch * batch.size samples, already shuffled and padded), so value() is a view of one
# batch: nothing is copied per batch. The views are made once and kept (as MXNet-R returns the
# same NDArrays every epoch). Fields are untyped: typed fields check every assignment.
mx.io.internal.ArrayIter <- methods::setRefClass("MXArrayIter", contains = "Rcpp_MXArrayDataIter",
  fields = c("data.nd", "label.nd", "batch.size", "num.data", "num.batch", "pad", "counter", "views"),
  methods = list(
    reset = function() {
      counter <<- 0L
      invisible(NULL)
    },
    iter.next = function() {
      if (counter < num.batch) {
        counter <<- counter + 1L
        TRUE
      } else {
        FALSE
      }
    },
    value = function() {
      if (counter == 0L || counter > num.batch) {
        stop("mx.io.arrayiter: value() needs a batch: call iter.next() first (and not past the last batch)",
             call. = FALSE)
      }
      batch <- views[[counter]]
      if (is.null(batch)) {
        begin <- (counter - 1L) * batch.size
        batch <- list(data = mx.io.internal.slice(data.nd, begin, begin + batch.size),
                      label = mx.io.internal.slice(label.nd, begin, begin + batch.size))
        views[[counter]] <<- batch
      }
      batch
    },
    num.pad = function() if (counter == num.batch) pad else 0L
  ))

# A view of samples [begin, end) of an MXNDArray (its last R dimension, the core's first axis).
mx.io.internal.slice <- function(nd, begin, end) mx.nd.internal.wrap(MVNDArraySlice(nd$ptr, begin, end))

mx.io.internal.as.array <- function(x, what) {
  if (is.mx.ndarray(x)) x <- as.array(x)
  if (is.data.frame(x)) x <- data.matrix(x)
  if (!(is.numeric(x) || is.logical(x))) {
    stop(sprintf("mx.io.arrayiter: '%s' must be a numeric vector, matrix or array, got %s", what, class(x)[1]),
         call. = FALSE)
  }
  if (is.null(dim(x))) dim(x) <- length(x)
  x
}

# MXNet-R's shuffle: a Fisher-Yates pass driven by uniform draws from the core's generator, so
# mx.set.seed makes it reproducible. Returns a 0-based order.
mx.io.internal.shuffled.order <- function(n) {
  order <- seq_len(n) - 1L
  if (n < 2) return(order)
  u <- as.array(mx.internal.call("_random_uniform", list(), c("low", "high", "shape"),
                                 c("0", "1", sprintf("(%d,)", n))))
  for (i in (n - 1L):1L) {
    j <- as.integer(u[i + 1L] * (i + 1L))
    if (j < i) {
      tmp <- order[i + 1L]
      order[i + 1L] <- order[j + 1L]
      order[j + 1L] <- tmp
    }
  }
  order
}

# The samples of every batch in order (0-based; NA is a zero sample): MXNet-R fills the last
# batch's missing places with what the batch before left in its buffer (the samples at those
# places of the previous batch), or with zeros when there is only one batch.
mx.io.internal.batch.order <- function(order, batch.size) {
  n <- length(order)
  num.batch <- (n + batch.size - 1L) %/% batch.size
  pad <- num.batch * batch.size - n
  if (pad == 0L) return(order)
  if (num.batch < 2L) return(c(order, rep(NA_integer_, pad)))
  tail.from <- (num.batch - 2L) * batch.size + (batch.size - pad)
  c(order, order[tail.from + seq_len(pad)])
}

# The whole array as one float32 MXNDArray holding the samples `slots` names, back to back. It
# is filled a chunk of about a million values at a time, so the only full-size copy is the
# array itself (no temporary double or raw copy of the data set).
mx.io.internal.batched <- function(x, slots) {
  d <- dim(x)
  slab <- prod(d[-length(d)])
  nd <- mx.nd.internal.wrap(MVNDArrayCreate(rev(c(d[-length(d)], length(slots))), 0L, MV_DEV_CPU, 0L))
  per.chunk <- max(1L, as.integer(2^20 %/% max(slab, 1)))
  for (first in (seq_len(ceiling(length(slots) / per.chunk)) - 1L) * per.chunk) {
    chunk <- slots[first + seq_len(min(per.chunk, length(slots) - first))]
    index <- rep(chunk * slab, each = slab) + seq_len(slab)
    values <- x[index]
    values[is.na(index)] <- 0
    view <- mx.io.internal.slice(nd, first, first + length(chunk))
    MVNDArraySyncCopyFromCPU(view$ptr, writeBin(as.double(values), raw(), size = 4))
  }
  nd
}

#' Creates a data iterator over an R array, as MXNet-R
#'
#' The last dimension of \code{data} and of \code{label} counts the samples (R's column-major
#' convention: a matrix holds one sample per column). The iterator yields batches of
#' \code{batch.size} samples; when the sample count is not a multiple of \code{batch.size}, the
#' last batch is filled up as MXNet-R does (with the samples at the same places of the batch
#' before, or with zeros when there is a single batch) and \code{num.pad()} tells how many
#' places are padding. With \code{shuffle = TRUE} the order is drawn once, at creation, from the
#' generator \code{mx.set.seed} seeds; \code{reset()} keeps it. Values are stored as float32.
#'
#' @param data A numeric vector, matrix or array; the last dimension is the sample dimension.
#' @param label A numeric vector, matrix or array of labels with as many samples (last dimension).
#' @param batch.size The number of samples per batch.
#' @param shuffle Whether to shuffle the samples (once).
#' @return An iterator (class \code{"MXArrayIter"}, a \code{"Rcpp_MXArrayDataIter"}) with the
#'   methods \code{reset()}, \code{iter.next()}, \code{value()} (a list with \code{data} and
#'   \code{label} MXNDArrays) and \code{num.pad()}.
#' @export
mx.io.arrayiter <- function(data, label, batch.size = 128, shuffle = FALSE) {
  data <- mx.io.internal.as.array(data, "data")
  label <- mx.io.internal.as.array(label, "label")
  if (!is.numeric(batch.size) || length(batch.size) != 1 || is.na(batch.size) || batch.size < 1 ||
      batch.size != round(batch.size)) {
    stop(sprintf("mx.io.arrayiter: 'batch.size' must be a positive whole number, got %s",
                 paste(format(batch.size), collapse = " ")), call. = FALSE)
  }
  dshape <- dim(data)
  lshape <- dim(label)
  n <- dshape[length(dshape)]
  if (n != lshape[length(lshape)]) {
    if (dshape[1] == lshape[1]) {
      stop(sprintf(paste("mx.io.arrayiter: data has %d samples (its last dimension) but label has %d;",
                         "the first dimensions match, so X seems to hold one sample per row: MXNet-R",
                         "takes samples in columns, pass t(X)"), n, lshape[length(lshape)]), call. = FALSE)
    }
    stop(sprintf("mx.io.arrayiter: data has %d samples (its last dimension) but label has %d",
                 n, lshape[length(lshape)]), call. = FALSE)
  }
  batch.size <- as.integer(batch.size)
  order <- if (isTRUE(shuffle)) mx.io.internal.shuffled.order(n) else seq_len(n) - 1L
  num.batch <- (n + batch.size - 1L) %/% batch.size
  pad <- num.batch * batch.size - n
  slots <- mx.io.internal.batch.order(order, batch.size)
  mx.io.internal.ArrayIter$new(
    data.nd = mx.io.internal.batched(data, slots),
    label.nd = mx.io.internal.batched(label, slots),
    batch.size = batch.size, num.data = n, num.batch = num.batch, pad = as.integer(pad), counter = 0L,
    views = vector("list", num.batch))
}

#' Tells whether an object is a data iterator
#'
#' As MXNet-R, an object of one of the iterator classes (\code{"Rcpp_MXArrayDataIter"},
#' \code{"Rcpp_MXNativeDataIter"} and their subclasses); beyond MXNet-R, also any other object
#' (an environment, a list, another reference class) with \code{reset}, \code{iter.next} and
#' \code{value} functions, since the training loop needs nothing more.
#'
#' @param x An object.
#' @return TRUE or FALSE.
#' @export
is.mx.dataiter <- function(x) {
  if (methods::is(x, "Rcpp_MXDataIter")) return(TRUE)
  mx.io.internal.has.methods(x, c("reset", "iter.next", "value"))
}

# Whether x (a list, an environment or a reference class object) has these functions. `$`, not
# `[[`: a reference class object installs a method on its first `$` access.
mx.io.internal.has.methods <- function(x, methods) {
  if (!(is.environment(x) || is.list(x))) return(FALSE)
  all(vapply(methods, function(m) tryCatch(is.function(do.call("$", list(x, m))), error = function(e) FALSE), TRUE))
}

# MXNet-R's own name for the same test.
is.MXDataIter <- is.mx.dataiter

# Collects R arrays along their last dimension; get() concatenates once (linear in the total).
mx.io.internal.packer <- function() {
  chunks <- list()
  head <- NULL
  total <- 0
  push <- function(a) {
    d <- dim(a)
    if (is.null(d)) d <- length(a)
    if (is.null(head)) {
      head <<- d[-length(d)]
    } else if (!identical(as.numeric(head), as.numeric(d[-length(d)]))) {
      stop(sprintf("the batches have different shapes: (%s) after (%s)", paste(d, collapse = ", "),
                   paste(c(head, "n"), collapse = ", ")), call. = FALSE)
    }
    chunks[[length(chunks) + 1L]] <<- as.vector(a)
    total <<- total + d[length(d)]
  }
  get <- function() {
    if (is.null(head)) return(array(numeric(0), dim = 0))
    array(unlist(chunks, use.names = FALSE), dim = c(head, total))
  }
  list(push = push, get = get)
}

#' Extracts one field of every batch of an iterator into an R array
#'
#' Runs the iterator from its start and concatenates \code{value()[[field]]} of each batch
#' along the last (sample) dimension, without the padding of the last batch; then resets it.
#'
#' @param iter A data iterator.
#' @param field The name of the field, such as \code{"data"} or \code{"label"}.
#' @return An R array whose last dimension counts the samples.
#' @export
mx.io.extract <- function(iter, field) {
  if (!is.mx.dataiter(iter)) stop("mx.io.extract: 'iter' must be a data iterator", call. = FALSE)
  packer <- mx.io.internal.packer()
  iter$reset()
  while (iter$iter.next()) {
    dlist <- iter$value()
    nd <- dlist[[field]]
    if (is.null(nd)) {
      stop(sprintf("mx.io.extract: the iterator's batches have no field '%s' (they have %s)", field,
                   paste(names(dlist), collapse = ", ")), call. = FALSE)
    }
    d <- dim(nd)
    keep <- d[length(d)] - iter$num.pad()
    packer$push(as.array(mx.io.internal.slice(nd, 0, keep)))
  }
  iter$reset()
  packer$get()
}
