# MXNet's C++ data iterators under MXNet-R's names: mx.io.MNISTIter and mx.io.CSVIter. The C ABI
# has no iterator functions yet (Python's minerva.io implements these two in Python too), so they
# are written here in R with MXNet 1.9.1's behaviour: MNIST pixels scaled by 1/256, incomplete last
# MNIST batch dropped, the shuffle order of std::shuffle over std::mt19937(seed), CSVIter's
# round_batch padding. Arguments are key = value, with MXNet-R's dotted names or the underscored
# ones; shapes are in R's dimension order. Each iterator has MXNet-R's members reset(),
# iter.next(), value() (list(data, label) of MXNDArrays, the batch in the last R dimension) and
# num.pad().

# Arguments as MXNet-R passed them to the C++ iterators: dots become underscores.
mx.internal.iter.args <- function(args, fn) {
  if (length(args) && (is.null(names(args)) || any(names(args) == ""))) {
    stop(sprintf("%s: only key = value arguments are accepted", fn), call. = FALSE)
  }
  names(args) <- gsub(".", "_", names(args), fixed = TRUE)
  args
}

mx.internal.iter.int <- function(args, key, default, fn, min = 0) {
  v <- if (is.null(args[[key]])) default else args[[key]]
  if (is.logical(v)) v <- as.integer(v)
  if (!is.numeric(v) || length(v) != 1 || is.na(v) || v != round(v) || v < min) {
    stop(sprintf("%s: '%s' must be a whole number >= %d, got %s", fn, key, min, paste(format(v), collapse = " ")),
         call. = FALSE)
  }
  as.integer(v)
}

mx.internal.iter.bool <- function(args, key, default, fn) {
  v <- if (is.null(args[[key]])) default else args[[key]]
  if (is.character(v) && length(v) == 1 && v %in% c("True", "False", "true", "false", "1", "0")) {
    v <- v %in% c("True", "true", "1")
  }
  if ((!is.logical(v) && !is.numeric(v)) || length(v) != 1 || is.na(v)) {
    stop(sprintf("%s: '%s' must be TRUE or FALSE, got %s", fn, key, paste(format(v), collapse = " ")), call. = FALSE)
  }
  as.logical(v)
}

mx.internal.iter.path <- function(args, key, default, fn) {
  v <- if (is.null(args[[key]])) default else args[[key]]
  if (!is.character(v) || length(v) != 1 || is.na(v)) {
    stop(sprintf("%s: '%s' must be a file name", fn, key), call. = FALSE)
  }
  path.expand(v)
}

mx.internal.read.file <- function(path, fn) {
  if (!file.exists(path) || dir.exists(path)) stop(sprintf("%s: %s: no such file", fn, path), call. = FALSE)
  size <- file.size(path)
  con <- file(path, "rb")
  on.exit(close(con))
  raw <- readBin(con, "raw", n = size)
  if (length(raw) >= 2 && raw[1] == as.raw(0x1f) && raw[2] == as.raw(0x8b)) {
    # gzip, whatever the file is called (MXNet 1.9.1 reads raw files only; accepting both is kinder).
    # memDecompress can hang on a truncated stream, so read through gzcon: a cut stream gives fewer
    # bytes, which the format's own size checks then report.
    gz <- gzcon(rawConnection(raw))
    parts <- list()
    repeat {
      chunk <- readBin(gz, "raw", 1048576L)
      if (!length(chunk)) break
      parts[[length(parts) + 1L]] <- chunk
    }
    close(gz)
    raw <- if (length(parts)) unlist(parts) else raw(0)
    if (!length(raw)) stop(sprintf("%s: %s: corrupt or truncated gzip stream (no data decompressed)", fn,
                                   basename(path)), call. = FALSE)
  }
  raw
}

.mx.idx.types <- list("8" = list(what = "integer", size = 1L, signed = FALSE, name = "uint8"),
                      "9" = list(what = "integer", size = 1L, signed = TRUE, name = "int8"),
                      "11" = list(what = "integer", size = 2L, signed = TRUE, name = "int16"),
                      "12" = list(what = "integer", size = 4L, signed = TRUE, name = "int32"),
                      "13" = list(what = "double", size = 4L, signed = TRUE, name = "float32"),
                      "14" = list(what = "double", size = 8L, signed = TRUE, name = "float64"))

#' Reads an IDX file (MNIST's format), raw or gzipped, checking every header field first.
#'
#' @param path The file.
#' @return A list: \code{dims} (the header's dimensions, first = records), \code{type} (its element
#'   type name) and \code{values} (the payload in the file's row-major order).
#' @export
mx.io.internal.read.idx <- function(path) {
  fn <- "mx.io.internal.read.idx"
  raw <- mx.internal.read.file(path, fn)
  name <- basename(path)
  if (length(raw) < 4) stop(sprintf("%s: file has %d bytes, shorter than the 4-byte IDX header", name, length(raw)),
                            call. = FALSE)
  if (raw[1] != as.raw(0) || raw[2] != as.raw(0)) {
    stop(sprintf("%s: bad magic: the first two bytes must be zero, got 0x%s 0x%s", name, raw[1], raw[2]), call. = FALSE)
  }
  code <- as.integer(raw[3])
  type <- .mx.idx.types[[as.character(code)]]
  if (is.null(type)) {
    stop(sprintf("%s: unknown IDX type code 0x%02x; expected one of 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e", name, code),
         call. = FALSE)
  }
  ndim <- as.integer(raw[4])
  if (ndim < 1 || ndim > 4) stop(sprintf("%s: header says %d dimensions; expected 1 to 4", name, ndim), call. = FALSE)
  header <- 4 + 4 * ndim
  if (length(raw) < header) {
    stop(sprintf("%s: truncated header: %d dimensions need %d bytes, file has %d", name, ndim, header, length(raw)),
         call. = FALSE)
  }
  # Big-endian uint32 dimensions, read as four bytes each (R's integers are signed).
  b <- matrix(as.numeric(raw[5:header]), nrow = 4)
  dims <- colSums(b * c(2^24, 2^16, 2^8, 1))
  if (any(dims == 0)) stop(sprintf("%s: header has a zero dimension (%s)", name, paste(dims, collapse = ", ")),
                           call. = FALSE)
  expected <- prod(dims) * type$size
  got <- length(raw) - header
  if (got != expected) {
    stop(sprintf("%s: %s: header says %s = %.0f bytes, file has %d", name,
                 if (got < expected) "truncated" else "has trailing bytes", paste(dims, collapse = "x"),
                 expected, got), call. = FALSE)
  }
  payload <- raw[(header + 1):length(raw)]
  values <- if (type$size == 1 && !type$signed) {
    as.integer(payload)
  } else {
    readBin(payload, type$what, n = prod(dims), size = type$size, signed = type$signed, endian = "big")
  }
  list(dims = dims, type = type$name, values = values)
}

# The raw 32-bit outputs of std::mt19937(seed) come from R's own Mersenne Twister, whose state is
# set to init_genrand(seed); R's unif_rand() returns each output y as y / 2^32 exactly.
mx.internal.mt19937.state <- function(seed) {
  mul.mod32 <- function(a, x) {  # (a * x) mod 2^32 without losing bits in doubles
    a.hi <- a %/% 65536; a.lo <- a %% 65536
    x.hi <- x %/% 65536; x.lo <- x %% 65536
    (((a.hi * x.lo + a.lo * x.hi) %% 65536) * 65536 + a.lo * x.lo) %% 2^32
  }
  mt <- numeric(624)
  mt[1] <- seed %% 2^32
  for (i in 2:624) {
    x <- mt[i - 1]
    shifted <- x %/% 2^30
    x <- (x %/% 65536) * 65536 + bitwXor(as.integer(x %% 65536), as.integer(shifted))
    mt[i] <- (mul.mod32(1812433253, x) + (i - 1)) %% 2^32
  }
  as.integer(ifelse(mt >= 2^31, mt - 2^32, mt))
}

# The permutation MXNet's iterators draw: inst = 0..n-1; std::shuffle(inst, std::mt19937(seed))
# as libstdc++ does it (one uniform_int_distribution(0, i) draw per position, by rejection).
mx.internal.std.shuffle <- function(n, seed) {
  order <- seq_len(n) - 1L
  if (n < 2) return(order)
  had.seed <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  old <- if (had.seed) get(".Random.seed", envir = globalenv()) else NULL
  on.exit(if (had.seed) assign(".Random.seed", old, envir = globalenv())
          else rm(".Random.seed", envir = globalenv()))
  # Kind 10403: Mersenne-Twister, Inversion, Rejection; position 624 makes the next draw regenerate.
  assign(".Random.seed", c(10403L, 624L, mx.internal.mt19937.state(seed)), envir = globalenv())
  pool <- numeric(0)
  pos <- 0L
  draw <- function() {
    if (pos == length(pool)) {
      pool <<- round(stats::runif(4096) * 2^32)
      pos <<- 0L
    }
    pos <<- pos + 1L
    pool[pos]
  }
  urng.max <- 2^32 - 1
  for (i in 1:(n - 1)) {
    scaling <- urng.max %/% (i + 1)
    past <- (i + 1) * scaling
    repeat {
      r <- draw()
      if (r < past) break
    }
    j <- r %/% scaling
    tmp <- order[i + 1]; order[i + 1] <- order[j + 1]; order[j + 1] <- tmp
  }
  order
}

mx.internal.native.iter <- function(kind) {
  it <- new.env(parent = emptyenv())
  class(it) <- c("MXNativeDataIter", "MXDataIter")
  it$kind <- kind
  it
}

#' MXNet's MNIST iterator: batches of IDX images and labels.
#'
#' Arguments (key = value, dotted or underscored): \code{image}, \code{label} (file names; raw or
#' gzipped IDX), \code{batch_size} (128), \code{shuffle} (TRUE: once, in MXNet's order for
#' \code{seed}), \code{flat} (FALSE), \code{seed} (0), \code{silent} (FALSE), \code{num_parts} (1) and
#' \code{part_index} (0). Other arguments MXNet accepts (\code{input_shape}, \code{prefetch_buffer},
#' \code{ctx}, \code{dtype} ...) are accepted and have no effect. Pixels are scaled by 1/256, as
#' MXNet does; an incomplete last batch is dropped. \code{value()$data} has R dims
#' \code{c(28, 28, 1, batch)}, or \code{c(784, batch)} when flat; labels \code{c(batch)}.
#'
#' @param ... The iterator's arguments.
#' @return An iterator with reset(), iter.next(), value() and num.pad().
#' @export
mx.io.MNISTIter <- function(...) {
  fn <- "mx.io.MNISTIter"
  args <- mx.internal.iter.args(list(...), fn)
  image <- mx.internal.iter.path(args, "image", "./train-images-idx3-ubyte", fn)
  label <- mx.internal.iter.path(args, "label", "./train-labels-idx1-ubyte", fn)
  batch.size <- mx.internal.iter.int(args, "batch_size", 128, fn, min = 1)
  shuffle <- mx.internal.iter.bool(args, "shuffle", TRUE, fn)
  flat <- mx.internal.iter.bool(args, "flat", FALSE, fn)
  silent <- mx.internal.iter.bool(args, "silent", FALSE, fn)
  seed <- mx.internal.iter.int(args, "seed", 0, fn)
  num.parts <- mx.internal.iter.int(args, "num_parts", 1, fn, min = 1)
  part.index <- mx.internal.iter.int(args, "part_index", 0, fn)
  if (part.index >= num.parts) {
    stop(sprintf("%s: 'part_index' must be in [0, num_parts = %d), got %d", fn, num.parts, part.index), call. = FALSE)
  }
  img <- mx.io.internal.read.idx(image)
  lab <- mx.io.internal.read.idx(label)
  if (length(img$dims) != 3 || img$type != "uint8") {
    stop(sprintf("%s: %s: expected uint8 images of 3 dimensions (N, rows, cols), got %s of (%s)", fn,
                 basename(image), img$type, paste(img$dims, collapse = ", ")), call. = FALSE)
  }
  if (length(lab$dims) != 1 || lab$type != "uint8") {
    stop(sprintf("%s: %s: expected uint8 labels of 1 dimension (N), got %s of (%s)", fn, basename(label),
                 lab$type, paste(lab$dims, collapse = ", ")), call. = FALSE)
  }
  n <- img$dims[1]
  if (lab$dims[1] != n) {
    stop(sprintf("%s: count mismatch: %s has %.0f images, %s has %.0f labels", fn, basename(image), n,
                 basename(label), lab$dims[1]), call. = FALSE)
  }
  # This reader's part of the records, computed in double precision as MXNet does.
  lo <- floor(n / num.parts * part.index)
  hi <- floor(n / num.parts * (part.index + 1))
  count <- hi - lo
  if (count < batch.size) {
    stop(sprintf("%s: batch_size %d is larger than the %.0f images of this part; no full batch can be made", fn,
                 batch.size, count), call. = FALSE)
  }
  pixels <- img$dims[2] * img$dims[3]
  # Row-major (rows, cols) per image is R's column-major c(cols, rows): one column per image.
  # Kept as integers (half the memory of doubles); scaled per batch.
  data <- matrix(img$values[(lo * pixels + 1):(hi * pixels)], nrow = pixels)
  labels <- as.numeric(lab$values[(lo + 1):hi])
  order <- if (shuffle) mx.internal.std.shuffle(count, seed) + 1L else seq_len(count)
  if (!silent) {
    message(sprintf("MNISTIter: load %.0f images, shuffle=%d, shape=(%d,%s)", count, as.integer(shuffle), batch.size,
                    if (flat) sprintf("%.0f", pixels) else sprintf("1,%.0f,%.0f", img$dims[2], img$dims[3])))
  }
  it <- mx.internal.native.iter("MNISTIter")
  it$batch.size <- batch.size
  cursor <- 0
  batch <- NULL
  data.dim <- if (flat) c(pixels, batch.size) else c(img$dims[3], img$dims[2], 1, batch.size)
  it$reset <- function() {
    cursor <<- 0  # the order was drawn once, at creation: every epoch sees it
    batch <<- NULL
    invisible(NULL)
  }
  it$iter.next <- function() {
    if (cursor + batch.size > count) return(FALSE)
    batch <<- order[(cursor + 1):(cursor + batch.size)]
    cursor <<- cursor + batch.size
    TRUE
  }
  it$value <- function() {
    if (is.null(batch)) stop("mx.io.MNISTIter: value() needs a batch: call iter.next() first", call. = FALSE)
    list(data = mx.nd.array(array(data[, batch, drop = FALSE] / 256, dim = data.dim)),
         label = mx.nd.array(labels[batch]))
  }
  it$num.pad <- function() 0L
  it
}

mx.internal.csv.rows <- function(path, width, fn, what) {
  files <- if (dir.exists(path)) sort(list.files(path, full.names = TRUE)) else path
  files <- files[!dir.exists(files)]
  if (!length(files)) stop(sprintf("%s: %s '%s' is a directory with no files", fn, what, path), call. = FALSE)
  rows <- list()
  for (f in files) {
    if (!file.exists(f)) stop(sprintf("%s: %s '%s': no such file or directory", fn, what, f), call. = FALSE)
    lines <- trimws(readLines(f, warn = FALSE))
    for (k in seq_along(lines)) {
      if (!nzchar(lines[k])) next
      fields <- strsplit(lines[k], ",", fixed = TRUE)[[1]]
      if (length(fields) != width) {
        stop(sprintf("%s: %s line %d has %d values, but the %s needs %d", fn, basename(f), k, length(fields),
                     sub("_csv$", "_shape", what), width), call. = FALSE)
      }
      v <- suppressWarnings(as.numeric(fields))
      if (anyNA(v)) stop(sprintf("%s: %s line %d: '%s' is not %d numbers", fn, basename(f), k, lines[k], width),
                         call. = FALSE)
      rows[[length(rows) + 1L]] <- v
    }
  }
  if (!length(rows)) stop(sprintf("%s: %s holds no records", fn, path), call. = FALSE)
  matrix(unlist(rows), nrow = width)  # one column per record
}

mx.internal.iter.shape <- function(args, key, default, fn) {
  v <- if (is.null(args[[key]])) default else args[[key]]
  if (!is.numeric(v) || !length(v) || anyNA(v) || any(v < 1) || any(v != round(v))) {
    stop(sprintf("%s: '%s' must be a non-empty vector of positive sizes, got %s", fn, key,
                 paste(format(v), collapse = " ")), call. = FALSE)
  }
  as.numeric(v)
}

#' MXNet's CSV iterator: batches of the rows of CSV files.
#'
#' Arguments (key = value, dotted or underscored): \code{data_csv} (a file, or a directory whose
#' files are read in name order), \code{data_shape} (of one row, R order), \code{label_csv}
#' ("NULL": labels are zeros), \code{label_shape} (1), \code{batch_size} and \code{round_batch}
#' (TRUE: the last batch wraps around to the first rows, counted by num.pad(), and the next epoch
#' continues after them, as MXNet; FALSE: the unfilled slots keep the previous batch's rows).
#' \code{value()$data} has R dims \code{c(data_shape, batch)}; labels \code{c(batch)} for one value
#' per row, else \code{c(label_shape, batch)}.
#'
#' @param ... The iterator's arguments.
#' @return An iterator with reset(), iter.next(), value() and num.pad().
#' @export
mx.io.CSVIter <- function(...) {
  fn <- "mx.io.CSVIter"
  args <- mx.internal.iter.args(list(...), fn)
  if (is.null(args$data_csv)) stop(sprintf("%s: 'data_csv' is required", fn), call. = FALSE)
  if (is.null(args$data_shape)) stop(sprintf("%s: 'data_shape' is required", fn), call. = FALSE)
  if (is.null(args$batch_size)) stop(sprintf("%s: 'batch_size' is required", fn), call. = FALSE)
  data.csv <- mx.internal.iter.path(args, "data_csv", NULL, fn)
  data.shape <- mx.internal.iter.shape(args, "data_shape", NULL, fn)
  label.shape <- mx.internal.iter.shape(args, "label_shape", 1, fn)
  label.csv <- if (is.null(args$label_csv)) "NULL" else mx.internal.iter.path(args, "label_csv", NULL, fn)
  batch.size <- mx.internal.iter.int(args, "batch_size", NULL, fn, min = 1)
  round.batch <- mx.internal.iter.bool(args, "round_batch", TRUE, fn)
  if (!is.null(args$dtype) && !args$dtype %in% c("float32", "int32", "int64")) {
    stop(sprintf("%s: 'dtype' must be float32, int32 or int64, got %s", fn, args$dtype), call. = FALSE)
  }
  dtype <- if (is.null(args$dtype)) "float32" else args$dtype
  data <- mx.internal.csv.rows(data.csv, prod(data.shape), fn, "data_csv")
  count <- ncol(data)
  if (label.csv == "NULL") {
    label <- matrix(0, nrow = prod(label.shape), ncol = count)
  } else {
    label <- mx.internal.csv.rows(label.csv, prod(label.shape), fn, "label_csv")
    if (ncol(label) < count) {
      stop(sprintf("%s: label_csv has %d records, data_csv has %d", fn, ncol(label), count), call. = FALSE)
    }
    label <- label[, seq_len(count), drop = FALSE]
  }
  label.dim <- if (prod(label.shape) == 1) batch.size else c(label.shape, batch.size)
  # Column count + 1 is all zeros: the slots a first, incomplete batch leaves unfilled (MXNet's zeroed buffer).
  data <- cbind(data, 0)
  label <- cbind(label, 0)
  it <- mx.internal.native.iter("CSVIter")
  it$batch.size <- batch.size
  cursor <- 0
  num.overflow <- 0
  rows <- rep(count + 1, batch.size)  # the slots of the current batch (record numbers)
  pad <- 0L
  have <- FALSE
  it$reset <- function() {
    # After a wrapped batch the next epoch continues where the wrap stopped (MXNet's round_batch).
    if (!round.batch || num.overflow == 0) cursor <<- 0 else num.overflow <<- 0
    have <<- FALSE
    invisible(NULL)
  }
  it$iter.next <- function() {
    if (num.overflow > 0) return(FALSE)
    top <- 0
    while (top < batch.size && cursor < count) {
      top <- top + 1; cursor <<- cursor + 1; rows[top] <<- cursor
    }
    if (top == 0) return(FALSE)
    pad <<- 0L
    if (top < batch.size) {
      if (round.batch) {
        cursor <<- 0
        while (top < batch.size) {
          if (cursor >= count) {
            stop(sprintf("%s: batch_size %d is larger than the %d records twice over; round_batch cannot fill a batch",
                         fn, batch.size, count), call. = FALSE)
          }
          top <- top + 1; cursor <<- cursor + 1; rows[top] <<- cursor
          num.overflow <<- num.overflow + 1
        }
        pad <<- as.integer(num.overflow)
      } else {
        pad <<- as.integer(batch.size - top)  # the unfilled slots keep the previous batch's rows
      }
    }
    have <<- TRUE
    TRUE
  }
  it$value <- function() {
    if (!have) stop("mx.io.CSVIter: value() needs a batch: call iter.next() first", call. = FALSE)
    list(data = mx.nd.array(array(data[, rows, drop = FALSE], dim = c(data.shape, batch.size)), dtype = dtype),
         label = mx.nd.array(array(label[, rows, drop = FALSE], dim = label.dim), dtype = dtype))
  }
  it$num.pad <- function() pad
  it
}

#' MXNet's RecordIO image iterator: not available yet.
#'
#' Minerva's core does not read RecordIO files yet, so this stops with an error that says so.
#'
#' @param ... The iterator's arguments (unused).
#' @return Never returns.
#' @export
mx.io.ImageRecordIter <- function(...) {
  stop(paste("mx.io.ImageRecordIter is not available yet: Minerva's core does not read RecordIO (.rec) files.",
             "Read images into R arrays and use mx.io.arrayiter, or use mx.io.MNISTIter / mx.io.CSVIter."),
       call. = FALSE)
}
