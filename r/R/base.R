# Package start-up and small shared helpers.

.onLoad <- function(libname, pkgname) {
  level <- MVGetABIVersion()
  if (level < MV_ABI_VERSION) {
    stop(sprintf("minerva: the loaded libminerva has ABI level %d, but this package needs level %d or later",
                 level, MV_ABI_VERSION), call. = FALSE)
  }
}

#' Seed the random number generators
#'
#' Seeds the core's random number generators, which the initializers, dropout and the random
#' operators draw from, as MXNet-R's `mx.set.seed`. R's own generator is not affected.
#'
#' @param seed An integer seed.
#' @return Called for its effect; returns invisibly.
#' @examples
#' mx.set.seed(42)
#' a <- mx.nd.random.uniform(shape = c(2, 2))
#' mx.set.seed(42)
#' identical(as.array(a), as.array(mx.nd.random.uniform(shape = c(2, 2))))
#' @export
mx.set.seed <- function(seed) {
  invisible(MVRandomSeed(seed))
}

#' Memory allocator statistics
#'
#' The core allocator's counters, such as `bytes_in_use` and `peak_bytes`.
#'
#' @return A named list of numbers.
#' @examples
#' mx.storage.stats()$bytes_in_use
#' @export
mx.storage.stats <- function() {
  json <- MVStorageGetStats()
  fields <- regmatches(json, gregexpr('"[a-z_]+"\\s*:\\s*[0-9.eE+-]+', json))[[1]]
  out <- lapply(fields, function(f) as.numeric(sub('.*:\\s*', "", f)))
  names(out) <- sub('^"([a-z_]+)".*$', "\\1", fields)
  out
}

#' Wait for all pending operations
#'
#' Blocks until every operation queued on the core's engine has finished.
#'
#' @return Called for its effect; returns invisibly.
#' @export
mx.nd.waitall <- function() invisible(MVNDArrayWaitAll())

# Tiny JSON reader for the core's flat documents (numbers, strings, nested lists of numbers).
mx.internal.json <- function(text) {
  pos <- 1L
  chars <- strsplit(text, "")[[1]]
  n <- length(chars)
  skip <- function() while (pos <= n && chars[pos] %in% c(" ", "\n", "\t", "\r")) pos <<- pos + 1L
  value <- function() {
    skip()
    ch <- chars[pos]
    if (ch == "{") {
      pos <<- pos + 1L
      out <- list()
      skip()
      if (chars[pos] == "}") { pos <<- pos + 1L; return(out) }
      repeat {
        skip(); key <- value(); skip(); pos <<- pos + 1L  # ':'
        out[key] <- list(value())
        skip()
        if (chars[pos] == ",") { pos <<- pos + 1L; next }
        pos <<- pos + 1L
        return(out)
      }
    }
    if (ch == "[") {
      pos <<- pos + 1L
      out <- list()
      skip()
      if (chars[pos] == "]") { pos <<- pos + 1L; return(out) }
      repeat {
        out[[length(out) + 1L]] <- value()
        skip()
        if (chars[pos] == ",") { pos <<- pos + 1L; next }
        pos <<- pos + 1L
        return(out)
      }
    }
    if (ch == '"') {
      start <- pos + 1L
      pos <<- pos + 1L
      while (chars[pos] != '"') pos <<- pos + (if (chars[pos] == "\\") 2L else 1L)
      pos <<- pos + 1L
      return(paste(chars[start:(pos - 2L)][start <= pos - 2L], collapse = ""))
    }
    start <- pos
    while (pos <= n && !(chars[pos] %in% c(",", "}", "]", " ", "\n"))) pos <<- pos + 1L
    word <- paste(chars[start:(pos - 1L)], collapse = "")
    if (word == "true") return(TRUE)
    if (word == "false") return(FALSE)
    if (word == "null") return(NULL)
    as.numeric(word)
  }
  value()
}
