# Package start-up and small shared helpers.

.onLoad <- function(libname, pkgname) {
  level <- MVGetABIVersion()
  if (level < MV_ABI_VERSION) {
    stop(sprintf("minerva: the loaded libminerva has ABI level %d, but this package needs level %d or later",
                 level, MV_ABI_VERSION), call. = FALSE)
  }
}

#' Seeds the core's random number generators (initializers, dropout, mx.runif).
mx.set.seed <- function(seed) {
  invisible(MVRandomSeed(seed))
}

#' Allocator statistics (bytes_in_use, peak_bytes, ...) as a named list.
mx.storage.stats <- function() {
  json <- MVStorageGetStats()
  fields <- regmatches(json, gregexpr('"[a-z_]+"\\s*:\\s*[0-9.eE+-]+', json))[[1]]
  out <- lapply(fields, function(f) as.numeric(sub('.*:\\s*', "", f)))
  names(out) <- sub('^"([a-z_]+)".*$', "\\1", fields)
  out
}

#' Blocks until every queued operation has finished.
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
