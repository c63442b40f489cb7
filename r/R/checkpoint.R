# Checkpoints (MXNet's prefix-symbol.json + prefix-%04d.params) and R-serializable models, as
# MXNet-R's mx.model.save/load and mx.serialize/unserialize.

#' Loads a checkpoint, as MXNet-R
#'
#' Reads \code{prefix-symbol.json} and \code{prefix-<iteration, 4 digits>.params}, the files of
#' MXNet's checkpoints (written by \code{mx.model.save}, by MXNet's or Minerva's Python
#' \code{save_checkpoint}, or by MXNet-R).
#'
#' @param prefix The file name prefix.
#' @param iteration The epoch number in the file name.
#' @return A model of class \code{"MXFeedForwardModel"}.
#' @export
mx.model.load <- function(prefix, iteration) {
  symbol <- mx.symbol.load(path.expand(paste0(prefix, "-symbol.json")))
  save.dict <- mx.nd.load(path.expand(sprintf("%s-%04d.params", prefix, as.integer(iteration))))
  nms <- names(save.dict)
  if (is.null(nms)) nms <- character(length(save.dict))
  part <- function(kind) {
    keep <- startsWith(nms, paste0(kind, ":"))
    out <- save.dict[keep]
    names(out) <- substring(nms[keep], 5)
    out
  }
  structure(list(symbol = symbol, arg.params = part("arg"), aux.params = part("aux")), class = "MXFeedForwardModel")
}

#' Saves a checkpoint, as MXNet-R
#'
#' Writes \code{prefix-symbol.json} and \code{prefix-<iteration, 4 digits>.params} (parameters
#' named \code{arg:<name>} and \code{aux:<name>}), which MXNet's and Minerva's Python
#' \code{load_checkpoint} read.
#'
#' @param model The model.
#' @param prefix The file name prefix.
#' @param iteration The epoch number for the file name.
#' @return NULL, invisibly.
#' @export
mx.model.save <- function(model, prefix, iteration) {
  if (is.serialized(model)) model <- mx.unserialize(model)
  arg.params <- model$arg.params
  aux.params <- model$aux.params
  names(arg.params) <- sprintf("arg:%s", names(arg.params))
  names(aux.params) <- sprintf("aux:%s", names(aux.params))
  mx.symbol.save(model$symbol, path.expand(paste0(prefix, "-symbol.json")))
  mx.nd.save(c(arg.params, aux.params), path.expand(sprintf("%s-%04d.params", prefix, as.integer(iteration))))
  invisible(NULL)
}

#' Tells whether a model is in its serialized (RData-compatible) form, as MXNet-R
#'
#' @param model A model.
#' @return TRUE when the model came from \code{mx.serialize}.
#' @export
is.serialized <- function(model) {
  isTRUE(model[["is.serialized"]])
}

#' Serializes a model into plain R objects, as MXNet-R
#'
#' The result holds the symbol as JSON and the parameters as R arrays, so \code{saveRDS} and
#' \code{save} keep it across sessions (MXNDArrays are handles that do not survive).
#'
#' @param model A model.
#' @return The serialized model (class \code{"MXFeedForwardModel"}, \code{is.serialized = TRUE}).
#' @export
mx.serialize <- function(model) {
  if (is.serialized(model)) return(model)
  structure(list(symbol_json = MVSymbolSaveToJSON(model$symbol$ptr),
                 arg.params = lapply(model$arg.params, as.array),
                 aux.params = lapply(model$aux.params, as.array),
                 is.serialized = TRUE), class = "MXFeedForwardModel")
}

#' Restores a model serialized by mx.serialize, as MXNet-R
#'
#' @param model A serialized model (returned unchanged when it is not serialized).
#' @return The model with its symbol and MXNDArray parameters.
#' @export
mx.unserialize <- function(model) {
  if (!is.serialized(model)) return(model)
  structure(list(symbol = mx.symbol.load.json(model$symbol_json),
                 arg.params = lapply(model$arg.params, mx.nd.array),
                 aux.params = lapply(model$aux.params, mx.nd.array)), class = "MXFeedForwardModel")
}
