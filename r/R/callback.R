# Training callbacks as MXNet-R (mx.callback.*). A callback is function(iteration, nbatch, env,
# verbose): iteration is the epoch, nbatch the batch (0 at the end of an epoch), env the training
# loop's environment (metric, train.metric, eval.metric, model, train.execs, ...). An
# epoch.end.callback that returns FALSE stops training.

#' A logger of training and validation metric values, as MXNet-R
#'
#' A reference class with numeric fields \code{train} and \code{eval};
#' \code{mx.callback.log.train.metric(period, logger)} appends to them.
#'
#' @param ... Initial field values (\code{train}, \code{eval}); usually none.
#' @return A reference class generator: \code{mx.metric.logger$new()} creates a logger.
#' @rawNamespace export(mx.metric.logger)
#' @exportClass mx.metric.logger
mx.metric.logger <- methods::setRefClass("mx.metric.logger", fields = list(train = "numeric", eval = "numeric"))

#' Logs the training metric every period batches, as MXNet-R
#'
#' Prints \code{Batch [n] Train-<metric>=<value>} (and the validation value when there is one)
#' every \code{period} batches; with a logger, appends the values to \code{logger$train} and
#' \code{logger$eval}. Used as an epoch.end.callback (nbatch is 0 there), it only records.
#'
#' @param period Every how many batches to log.
#' @param logger An \code{mx.metric.logger}, or NULL.
#' @return A callback function(iteration, nbatch, env, verbose).
#' @export
mx.callback.log.train.metric <- function(period, logger = NULL) {
  if (!is.null(logger) && !methods::is(logger, "mx.metric.logger")) {
    stop("mx.callback.log.train.metric: 'logger' must be an mx.metric.logger (mx.metric.logger$new())",
         call. = FALSE)
  }
  function(iteration, nbatch, env, verbose = TRUE) {
    if (nbatch %% period == 0 && !is.null(env$metric)) {
      result <- env$metric$get(env$train.metric)
      if (nbatch != 0 && verbose) message("Batch [", nbatch, "] Train-", result$name, "=", result$value)
      if (!is.null(logger)) {
        logger$train <- c(logger$train, result$value)
        if (!is.null(env$eval.metric)) {
          result <- env$metric$get(env$eval.metric)
          if (nbatch != 0 && verbose) message("Batch [", nbatch, "] Validation-", result$name, "=", result$value)
          logger$eval <- c(logger$eval, result$value)
        }
      }
    }
    TRUE
  }
}

#' Logs the training speed, as MXNet-R
#'
#' Every \code{frequency} batches prints the samples per second since the last report and the
#' training metric. Use it as a batch.end.callback.
#'
#' @param batch.size The batch size (samples per batch).
#' @param frequency Every how many batches to report.
#' @return A callback function(iteration, nbatch, env, verbose).
#' @export
mx.callback.log.speedometer <- function(batch.size, frequency = 50) {
  function(iteration, nbatch, env, verbose = TRUE) {
    if (is.null(env$count)) env$count <- 0
    if (is.null(env$init)) env$init <- FALSE
    if (env$count > nbatch) env$init <- FALSE
    env$count <- nbatch
    if (env$init) {
      if (nbatch %% frequency == 0 && !is.null(env$metric)) {
        time <- as.double(difftime(Sys.time(), env$tic, units = "secs"))
        speed <- frequency * batch.size / time
        result <- env$metric$get(env$train.metric)
        if (nbatch != 0 && verbose) {
          message("Batch [", nbatch, "] Speed: ", speed, " samples/sec Train-", result$name, "=", result$value)
        }
        env$tic <- Sys.time()
      }
    } else {
      env$init <- TRUE
      env$tic <- Sys.time()
    }
    TRUE
  }
}

#' Saves a checkpoint every period epochs, as MXNet-R
#'
#' Writes \code{prefix-symbol.json} and \code{prefix-<epoch, 4 digits>.params} with
#' \code{\link{mx.model.save}}. Use it as an epoch.end.callback.
#'
#' @param prefix The file name prefix.
#' @param period Every how many epochs to save.
#' @return A callback function(iteration, nbatch, env, verbose).
#' @export
mx.callback.save.checkpoint <- function(prefix, period = 1) {
  function(iteration, nbatch, env, verbose = TRUE) {
    if (iteration %% period == 0) {
      mx.model.save(env$model, prefix, iteration)
      if (verbose) message(sprintf("Model checkpoint saved to %s-%04d.params\n", prefix, iteration))
    }
    TRUE
  }
}

#' Stops training early, as MXNet-R
#'
#' As an epoch.end.callback, returns FALSE (stop) when the training metric passes
#' \code{train.metric}, when the validation metric passes \code{eval.metric} ("passes" is
#' "exceeds" with \code{maximize = TRUE}, "falls below" otherwise), or when the validation metric
#' has not improved on its best for \code{bad.steps} epochs. The count starts again at epoch 1.
#' (MXNet-R keeps that count in the global variables \code{mx.best.iter} and
#' \code{mx.best.score}; here it lives in the callback.)
#'
#' @param train.metric A threshold for the training metric, or NULL.
#' @param eval.metric A threshold for the validation metric, or NULL.
#' @param bad.steps How many epochs without improvement to allow, or NULL.
#' @param maximize Whether a larger metric is better.
#' @param verbose Whether to print the best score when stopping for bad.steps.
#' @return A callback function(iteration, nbatch, env, verbose).
#' @export
mx.callback.early.stop <- function(train.metric = NULL, eval.metric = NULL, bad.steps = NULL, maximize = FALSE,
                                   verbose = FALSE) {
  best.iter <- 1
  best.score <- if (maximize) 0 else Inf
  say <- verbose
  function(iteration, nbatch, env, verbose = say) {
    passes <- function(value, threshold) (!maximize && value < threshold) || (maximize && value > threshold)
    if (!is.null(env$metric)) {
      if (!is.null(train.metric) && passes(env$metric$get(env$train.metric)$value, train.metric)) return(FALSE)
      if (!is.null(eval.metric) && !is.null(env$eval.metric) &&
          passes(env$metric$get(env$eval.metric)$value, eval.metric)) return(FALSE)
    }
    if (!is.null(bad.steps)) {
      if (iteration == 1) {
        best.iter <<- 1
        best.score <<- if (maximize) 0 else Inf
      }
      if (!is.null(env$eval.metric)) {
        value <- env$metric$get(env$eval.metric)$value
        if ((!maximize && value > best.score) || (maximize && value < best.score)) {
          if (best.iter == bad.steps) {
            if (verbose) message("Best score=", best.score, ", iteration [", iteration - bad.steps, "]")
            return(FALSE)
          }
          best.iter <<- best.iter + 1
        } else {
          best.score <<- value
          best.iter <<- 1
        }
      }
    }
    TRUE
  }
}
