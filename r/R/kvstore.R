# mx.kv.create: MXNet-R's key-value store, kept in R for now (issue 13 moves the KVStore into
# the core). Semantics as MXNet's local store: init stores a copy per key; push sums the arrays
# given for a key (one per device) and, with an optimizer set, applies it to the stored weight,
# otherwise the sum replaces the stored value; pull copies the stored value into every array.

# "local" and "device" as users write them; the local_* names are those MXNet-R's
# mx.model.create.kvstore chooses for several devices.
.mx.kv.local.types <- c("local", "device", "local_update_cpu", "local_allreduce_cpu", "local_allreduce_device")

#' Creates a key-value store, as MXNet-R's \code{mx.kv.create}.
#'
#' Only single-process stores exist for now: \code{"local"} and \code{"device"} (the same here:
#' both merge on the CPU), and MXNet's names \code{"local_update_cpu"}, \code{"local_allreduce_cpu"}
#' and \code{"local_allreduce_device"}. The store is an environment with MXNet-R's members:
#' \code{$init(keys, weights)}, \code{$push(keys, weight.lists, priority)},
#' \code{$pull(keys, out.lists, priority)}, \code{$set.optimizer(optimizer)}, and the values
#' \code{$type}, \code{$rank} (0), \code{$num.workers} (1) and \code{$update.on.kvstore}.
#'
#' @param type The store type: "local", "device" or one of MXNet's local_* names.
#' @return An object of class MXKVStore.
#' @export
mx.kv.create <- function(type = "local") {
  if (!is.character(type) || length(type) != 1 || is.na(type)) {
    stop("mx.kv.create: 'type' must be a single string such as \"local\"", call. = FALSE)
  }
  if (!type %in% .mx.kv.local.types) {
    if (startsWith(type, "dist")) {
      stop(sprintf("mx.kv.create: the distributed store '%s' is not available yet; use \"local\" or \"device\"",
                   type), call. = FALSE)
    }
    stop(sprintf("mx.kv.create: unknown store type '%s'; expected one of %s", type,
                 paste(sprintf("\"%s\"", .mx.kv.local.types), collapse = ", ")), call. = FALSE)
  }
  kv <- new.env(parent = emptyenv())
  kv$type <- type
  kv$rank <- 0L
  kv$num.workers <- 1L
  # MXNet-R updates on the store for every type but the allreduce ones.
  kv$update.on.kvstore <- !type %in% c("local_allreduce_cpu", "local_allreduce_device")
  store <- new.env(parent = emptyenv())
  states <- new.env(parent = emptyenv())
  updater <- NULL

  key.names <- function(keys, what) {
    if (!(is.numeric(keys) || is.character(keys)) || anyNA(keys)) {
      stop(sprintf("MXKVStore$%s: 'keys' must be integers (or strings), got %s", what, class(keys)[1]), call. = FALSE)
    }
    as.character(keys)
  }
  check.array <- function(x, what, i) {
    if (!is.mx.ndarray(x)) {
      stop(sprintf("MXKVStore$%s: element %d must be an MXNDArray, got %s", what, i, class(x)[1]), call. = FALSE)
    }
  }
  per.device <- function(keys, lists, what, arg) {
    if (is.mx.ndarray(lists)) lists <- list(lists)
    if (!is.list(lists)) {
      stop(sprintf("MXKVStore$%s: '%s' must be a list of lists of MXNDArrays", what, arg), call. = FALSE)
    }
    # One list of arrays (one device) may be given without the outer list.
    if (length(lists) && is.mx.ndarray(lists[[1]])) lists <- list(lists)
    for (d in seq_along(lists)) {
      if (!is.list(lists[[d]]) || length(lists[[d]]) != length(keys)) {
        stop(sprintf("MXKVStore$%s: each element of '%s' must be a list of %d MXNDArrays (one per key), got %d",
                     what, arg, length(keys), length(lists[[d]])), call. = FALSE)
      }
      for (i in seq_along(lists[[d]])) check.array(lists[[d]][[i]], what, i)
    }
    lists
  }
  stored <- function(k, what) {
    v <- store[[k]]
    if (is.null(v)) {
      stop(sprintf("MXKVStore$%s: key %s has not been initialized (call $init first)", what, k), call. = FALSE)
    }
    v
  }

  kv$init <- function(keys, weights) {
    k <- key.names(keys, "init")
    if (is.mx.ndarray(weights)) weights <- list(weights)
    if (length(weights) != length(k)) {
      stop(sprintf("MXKVStore$init: %d keys but %d weights; the lengths must match", length(k), length(weights)),
           call. = FALSE)
    }
    for (i in seq_along(k)) {
      check.array(weights[[i]], "init", i)
      if (!is.null(store[[k[i]]])) stop(sprintf("MXKVStore$init: key %s is already initialized", k[i]), call. = FALSE)
      assign(k[i], mx.nd.copyto(weights[[i]], ctx(weights[[i]])), envir = store)
    }
    invisible(NULL)
  }

  kv$push <- function(keys, weight.lists, priority = 0) {
    k <- key.names(keys, "push")
    lists <- per.device(k, weight.lists, "push", "weight.lists")
    for (i in seq_along(k)) {
      target <- stored(k[i], "push")
      merged <- NULL
      for (d in seq_along(lists)) {
        v <- lists[[d]][[i]]
        if (!identical(dim(v), dim(target))) {
          stop(sprintf("MXKVStore$push: key %s holds shape (%s) but the pushed array has shape (%s)", k[i],
                       paste(dim(target), collapse = ", "), paste(dim(v), collapse = ", ")), call. = FALSE)
        }
        v <- if (identical(ctx(v), ctx(target))) v else mx.nd.copyto(v, ctx(target))
        merged <- if (is.null(merged)) mx.nd.copyto(v, ctx(target)) else merged + v
      }
      if (is.null(updater)) {
        MVNDArrayCopyTo(merged$ptr, target$ptr)
      } else {
        updater(k[i], merged, target)
      }
    }
    invisible(NULL)
  }

  kv$pull <- function(keys, out.lists, priority = 0) {
    k <- key.names(keys, "pull")
    lists <- per.device(k, out.lists, "pull", "out.lists")
    for (i in seq_along(k)) {
      src <- stored(k[i], "pull")
      for (d in seq_along(lists)) {
        dst <- lists[[d]][[i]]
        if (!identical(dim(dst), dim(src))) {
          stop(sprintf("MXKVStore$pull: key %s holds shape (%s) but the output array has shape (%s)", k[i],
                       paste(dim(src), collapse = ", "), paste(dim(dst), collapse = ", ")), call. = FALSE)
        }
        MVNDArrayCopyTo(src$ptr, dst$ptr)
      }
    }
    invisible(lists)
  }

  kv$set.optimizer <- function(optimizer) {
    if (!is.list(optimizer) || !is.function(optimizer$create.state) || !is.function(optimizer$update)) {
      stop("MXKVStore$set.optimizer: 'optimizer' must be an optimizer from mx.opt.create (create.state and update)",
           call. = FALSE)
    }
    updater <<- function(key, grad, weight) {
      index <- suppressWarnings(as.integer(key))
      if (is.na(index)) index <- key
      if (!exists(key, envir = states, inherits = FALSE)) {
        assign(key, list(optimizer$create.state(index, weight)), envir = states)
      }
      res <- optimizer$update(index, weight, grad, states[[key]][[1]])
      # MXNet-R's optimizers return list(weight, state); the package's in-place ones return the state.
      if (is.list(res) && all(c("weight", "state") %in% names(res))) {
        if (!identical(res$weight$ptr, weight$ptr)) MVNDArrayCopyTo(res$weight$ptr, weight$ptr)
        res <- res$state
      }
      assign(key, list(res), envir = states)
    }
    invisible(NULL)
  }

  class(kv) <- "MXKVStore"
  kv
}

#' Whether x is a key-value store made by mx.kv.create.
#'
#' @param x Any R object.
#' @return TRUE or FALSE.
#' @export
is.MXKVStore <- function(x) inherits(x, "MXKVStore")

#' Prints a key-value store's type.
#'
#' @param x An MXKVStore.
#' @param ... Ignored.
#' @return x, invisibly.
#' @export
print.MXKVStore <- function(x, ...) {
  cat(sprintf("MXKVStore type=%s rank=%d num.workers=%d\n", x$type, x$rank, x$num.workers))
  invisible(x)
}
