# The profiler, as MXNet-R: mx.profiler.config(params) and mx.profiler.state(state). Beyond
# MXNet-R, mx.profiler.dump() writes the trace file and mx.profiler.dumps() returns the
# aggregate statistics, as Python's mx.profiler.dump/dumps (docs/profiler.md).

#' Profiler states
#'
#' The states [mx.profiler.state()] takes, as in MXNet-R.
#'
#' @format A list: `STOP` (0) and `RUN` (1).
#' @export
MX.PROF.STATE <- list(STOP = 0L, RUN = 1L)

#' Configure the profiler
#'
#' As MXNet-R's `mx.profiler.config`.
#'
#' @param params A named list of MXNet's profiler settings: `filename`, `profile_all`,
#'   `profile_symbolic`, `profile_imperative`, `profile_memory`, `profile_api`,
#'   `continuous_dump`, `dump_period`, `aggregate_stats`; for example
#'   `list(filename = "profile.json", profile_all = TRUE)`.
#' @return `NULL`, invisibly.
#' @examples
#' f <- file.path(tempdir(), "profile.json")
#' mx.profiler.config(list(filename = f, profile_all = TRUE, aggregate_stats = TRUE))
#' mx.profiler.state(MX.PROF.STATE$RUN)
#' b <- mx.nd.ones(c(8, 8)) * 2
#' mx.nd.waitall()
#' mx.profiler.state(MX.PROF.STATE$STOP)
#' mx.profiler.dump()
#' file.exists(f)
#' @export
mx.profiler.config <- function(params) {
  if (!is.list(params) || (length(params) > 0 && (is.null(names(params)) || any(names(params) == ""))))
    stop("mx.profiler.config: 'params' must be a named list such as list(filename = \"profile.json\")", call. = FALSE)
  as.value <- function(v) {
    if (length(v) != 1) stop("mx.profiler.config: every value must be a single value", call. = FALSE)
    if (is.logical(v)) return(if (isTRUE(v)) "True" else "False")
    as.character(v)
  }
  MVProfilerSetConfig(names(params), vapply(params, as.value, "", USE.NAMES = FALSE))
  invisible(NULL)
}

#' Start or stop the profiler
#'
#' @param state `MX.PROF.STATE$RUN` or `MX.PROF.STATE$STOP`.
#' @return `NULL`, invisibly.
#' @export
mx.profiler.state <- function(state = MX.PROF.STATE$STOP) {
  if (!(length(state) == 1 && state %in% c(0, 1)))
    stop("mx.profiler.state: 'state' must be MX.PROF.STATE$RUN or MX.PROF.STATE$STOP", call. = FALSE)
  MVProfilerSetState(as.integer(state))
  invisible(NULL)
}

#' Write the profiler's trace file
#'
#' Writes the events recorded so far as a Chrome trace (JSON) to the configured `filename`, as
#' Python's `mx.profiler.dump`.
#'
#' @param finished Whether profiling is over: the written events are then forgotten.
#' @return `NULL`, invisibly.
#' @export
mx.profiler.dump <- function(finished = TRUE) {
  MVProfilerDump(as.integer(isTRUE(finished)))
  invisible(NULL)
}

#' The profiler's aggregate statistics
#'
#' The per-operator statistics collected with `aggregate_stats = TRUE`, as Python's
#' `mx.profiler.dumps`.
#'
#' @param reset Whether to clear the statistics afterwards.
#' @param format `"table"` (text) or `"json"`.
#' @param sort.by The column to sort by: `"total"`, `"avg"`, `"min"`, `"max"` or `"count"`.
#' @param ascending Whether to sort in ascending order.
#' @return A string.
#' @export
mx.profiler.dumps <- function(reset = FALSE, format = c("table", "json"),
                              sort.by = c("total", "avg", "min", "max", "count"), ascending = FALSE) {
  format <- match.arg(format)
  sort.by <- match.arg(sort.by)
  MVProfilerDumps(as.integer(isTRUE(reset)), match(format, c("table", "json")) - 1L,
                  match(sort.by, c("total", "avg", "min", "max", "count")) - 1L, as.integer(isTRUE(ascending)))
}
