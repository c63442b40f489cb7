# The profiler, as MXNet-R: mx.profiler.config(params) and mx.profiler.state(state). Beyond
# MXNet-R, mx.profiler.dump() writes the trace file and mx.profiler.dumps() returns the
# aggregate statistics, as Python's mx.profiler.dump/dumps (docs/profiler.md).

MX.PROF.STATE <- list(STOP = 0L, RUN = 1L)

#' Configures the profiler: params is a named list of MXNet's set_config keys (filename,
#' profile_all, profile_symbolic, profile_imperative, profile_memory, profile_api,
#' continuous_dump, dump_period, aggregate_stats), e.g. list(filename = "p.json", profile_all = TRUE).
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

#' Starts (MX.PROF.STATE$RUN) or stops (MX.PROF.STATE$STOP) the profiler.
mx.profiler.state <- function(state = MX.PROF.STATE$STOP) {
  if (!(length(state) == 1 && state %in% c(0, 1)))
    stop("mx.profiler.state: 'state' must be MX.PROF.STATE$RUN or MX.PROF.STATE$STOP", call. = FALSE)
  MVProfilerSetState(as.integer(state))
  invisible(NULL)
}

#' Writes the trace file (Chrome trace JSON); with finished, the written events are forgotten.
mx.profiler.dump <- function(finished = TRUE) {
  MVProfilerDump(as.integer(isTRUE(finished)))
  invisible(NULL)
}

#' The aggregate statistics (needs aggregate_stats = TRUE) as a table or JSON string.
mx.profiler.dumps <- function(reset = FALSE, format = c("table", "json"),
                              sort.by = c("total", "avg", "min", "max", "count"), ascending = FALSE) {
  format <- match.arg(format)
  sort.by <- match.arg(sort.by)
  MVProfilerDumps(as.integer(isTRUE(reset)), match(format, c("table", "json")) - 1L,
                  match(sort.by, c("total", "avg", "min", "max", "count")) - 1L, as.integer(isTRUE(ascending)))
}
