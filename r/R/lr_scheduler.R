# Learning-rate schedulers as MXNet-R's R/lr_scheduler.R: a scheduler is a function of the
# optimizer's environment (fields lr, count, num_update), called before every update; it lowers
# env$lr when num_update passes the next step.

mx.internal.lr.message <- function(verbose, num.update, lr, floor.hit) {
  if (!verbose) return(invisible(NULL))
  if (floor.hit) {
    message(sprintf("Update[%d]: learning rate reached its floor %g and will not change again", num.update, lr))
  } else {
    message(sprintf("Update[%d]: learning rate is changed to %g", num.update, lr))
  }
}

#' A scheduler multiplying the learning rate by factor_val every step updates.
#'
#' @param step Updates between reductions (>= 1).
#' @param factor_val The factor (<= 1).
#' @param stop_factor_lr The learning rate never goes below this.
#' @param verbose Print a message at every change.
#' @return A scheduler: \code{function(optimizerEnv)}.
#' @export
mx.lr_scheduler.FactorScheduler <- function(step, factor_val, stop_factor_lr = 1e-8, verbose = TRUE) {
  if (step < 1) stop("mx.lr_scheduler.FactorScheduler: 'step' must be at least 1", call. = FALSE)
  if (factor_val > 1) stop("mx.lr_scheduler.FactorScheduler: 'factor_val' must be at most 1 (the rate only decreases)", call. = FALSE)
  function(optimizerEnv) {
    if (optimizerEnv$num_update > optimizerEnv$count + step) {
      optimizerEnv$count <- optimizerEnv$count + step
      lr <- optimizerEnv$lr * factor_val
      floor.hit <- lr < stop_factor_lr
      if (floor.hit) lr <- stop_factor_lr
      optimizerEnv$lr <- lr
      mx.internal.lr.message(verbose, optimizerEnv$num_update, lr, floor.hit)
    }
  }
}

#' A scheduler multiplying the learning rate by factor_val when the update count passes each of
#' the given steps.
#'
#' @param step An increasing vector of update counts (each >= 1).
#' @param factor_val The factor (<= 1).
#' @param stop_factor_lr The learning rate never goes below this.
#' @param verbose Print a message at every change.
#' @return A scheduler: \code{function(optimizerEnv)}.
#' @export
mx.lr_scheduler.MultiFactorScheduler <- function(step, factor_val, stop_factor_lr = 1e-8, verbose = TRUE) {
  if (!all(step == cummax(step))) stop("mx.lr_scheduler.MultiFactorScheduler: 'step' must be increasing", call. = FALSE)
  if (any(step < 1)) stop("mx.lr_scheduler.MultiFactorScheduler: every step must be at least 1", call. = FALSE)
  if (factor_val > 1) stop("mx.lr_scheduler.MultiFactorScheduler: 'factor_val' must be at most 1", call. = FALSE)
  function(optimizerEnv) {
    i <- if (is.null(optimizerEnv$cur_step_ind)) 1 else optimizerEnv$cur_step_ind
    # Every step applies, the last one too (MXNet-R 1.9.1 compares i < length(step) and so never
    # applies the last step, unlike the documented behaviour and MXNet's Python scheduler).
    if (i <= length(step) && optimizerEnv$num_update > step[i]) {
      optimizerEnv$count <- step[i]
      optimizerEnv$cur_step_ind <- i + 1
      lr <- optimizerEnv$lr * factor_val
      floor.hit <- lr < stop_factor_lr
      if (floor.hit) lr <- stop_factor_lr
      optimizerEnv$lr <- lr
      mx.internal.lr.message(verbose, optimizerEnv$num_update, lr, floor.hit)
    }
  }
}
