# MXNDArray: an R object around an NDArray handle (a tagged external pointer whose finalizer
# frees the handle). Dimension order is R's: an R array of dim c(28, 28, 1, N) is the core's
# (N, 1, 28, 28). R's column-major data is the core's row-major data with the dimensions
# reversed, so no transpose is ever needed: only the shape is reversed.

.mx.dtypes <- c(float32 = 0L, float64 = 1L, float16 = 2L, uint8 = 3L, int32 = 4L, int8 = 5L, int64 = 6L, bool = 7L)
.mx.itemsize <- c(4L, 8L, 2L, 1L, 4L, 1L, 8L, 1L)

mx.nd.internal.wrap <- function(ptr) structure(list(ptr = ptr), class = "MXNDArray")

#' Is an object an MXNDArray?
#'
#' @param x An object.
#' @return `TRUE` when `x` is an `MXNDArray`, else `FALSE`.
#' @export
is.mx.ndarray <- function(x) inherits(x, "MXNDArray")

mx.internal.dtype <- function(dtype) {
  if (is.numeric(dtype)) return(as.integer(dtype))
  code <- .mx.dtypes[as.character(dtype)]
  if (length(dtype) != 1 || is.na(code)) {
    stop(sprintf("unknown dtype '%s'; use one of %s", paste(dtype, collapse = " "),
                 paste(names(.mx.dtypes), collapse = ", ")), call. = FALSE)
  }
  unname(code)
}

mx.internal.shape <- function(x) MVNDArrayGetShape(x$ptr)  # the core's (row-major) shape

# Integer dtypes take whole values within their range: NA, NaN, Inf and values beyond the range
# are an error naming the dtype and the first such value (R's as.integer() would turn them into
# NA, written as INT_MIN, and writeBin(size = 1) would wrap them). Fractions are cut toward
# zero, as MXNet's cast does.
.mx.int.range <- list(int32 = c(-2^31, 2^31 - 1), uint8 = c(0, 255), int8 = c(-128, 127),
                      int64 = c(-2^63, 2^63 - 1))
.mx.int.range.text <- c(int32 = "-2147483648 to 2147483647", uint8 = "0 to 255", int8 = "-128 to 127",
                        int64 = "-9223372036854775808 to 9223372036854775807")

mx.internal.check.range <- function(values, dtype.name) {
  limits <- .mx.int.range[[dtype.name]]
  v <- trunc(as.double(values))
  bad <- is.na(v) | v < limits[1] | v > limits[2]
  if (dtype.name == "int64") bad <- bad | v >= 2^63  # 2^63 - 1 rounds up to 2^63 in a double
  if (any(bad)) {
    first <- which(bad)[1]
    stop(sprintf("mx.nd.array: value %s (element %d) does not fit dtype %s, whose range is %s",
                 format(values[first], digits = 17), first, dtype.name, .mx.int.range.text[[dtype.name]]),
         call. = FALSE)
  }
  v
}

# Whole doubles as little-endian two's-complement integers of `words` 16-bit words, exactly:
# R's integers cannot hold -2^31 (it is their NA), so every value goes through unsigned 16-bit
# words, which writeBin(size = 2) writes bit for bit.
mx.internal.encode.words <- function(v, words) {
  hi <- floor(v / 2^32)                # signed high 32 bits (0 or -1 for int32 values)
  lo <- v - hi * 2^32                  # unsigned low 32 bits
  hi <- ifelse(hi < 0, hi + 2^32, hi)  # as unsigned
  pieces <- rbind(lo %% 65536, lo %/% 65536, hi %% 65536, hi %/% 65536)[seq_len(words), , drop = FALSE]
  writeBin(as.integer(as.vector(pieces)), raw(), size = 2)
}

mx.internal.encode <- function(values, dtype) {
  name <- names(.mx.dtypes)[dtype + 1L]
  if (name %in% c("int32", "uint8", "int8")) values <- mx.internal.check.range(values, name)
  switch(name,
         float32 = writeBin(as.double(values), raw(), size = 4),
         float64 = writeBin(as.double(values), raw(), size = 8),
         int32 = mx.internal.encode.words(values, 2),
         uint8 = writeBin(as.integer(values), raw(), size = 1),
         int8 = writeBin(as.integer(values), raw(), size = 1),
         bool = writeBin(as.integer(values != 0), raw(), size = 1),
         int64 = mx.internal.encode.words(mx.internal.check.range(values, "int64"), 4),
         stop(sprintf("dtype code %d cannot be filled from R", dtype), call. = FALSE))
}

# Signed integers of `words` 16-bit words as doubles, read through unsigned words (readBin()
# would read the bit pattern of -2^31 as NA). Exact up to 2^53 in magnitude; int64 values beyond
# are rounded to the nearest double, with a warning.
mx.internal.decode.words <- function(bytes, n, words) {
  w <- matrix(as.double(readBin(bytes, "integer", n = words * n, size = 2, signed = FALSE)), nrow = words)
  lo <- w[1, ] + w[2, ] * 65536
  if (words == 2) return(ifelse(lo >= 2^31, lo - 2^32, lo))
  hi <- w[3, ] + w[4, ] * 65536
  hi <- ifelse(hi >= 2^31, hi - 2^32, hi)
  if (any(hi > 2^21 | (hi == 2^21 & lo > 0) | hi < -2^21)) {
    warning("as.array: int64 values beyond 2^53 in magnitude are rounded to the nearest double", call. = FALSE)
  }
  hi * 2^32 + lo
}

# int32 as R integers, except that -2^31 (R's integer NA) makes the result double: never an NA.
mx.internal.decode.int32 <- function(bytes, n) {
  v <- readBin(bytes, "integer", n = n, size = 4)
  if (anyNA(v)) v <- mx.internal.decode.words(bytes, n, 2)
  v
}

mx.internal.decode <- function(bytes, dtype, n) {
  switch(names(.mx.dtypes)[dtype + 1L],
         float32 = readBin(bytes, "double", n = n, size = 4),
         float64 = readBin(bytes, "double", n = n, size = 8),
         int32 = mx.internal.decode.int32(bytes, n),
         uint8 = readBin(bytes, "integer", n = n, size = 1, signed = FALSE),
         int8 = readBin(bytes, "integer", n = n, size = 1),
         bool = readBin(bytes, "integer", n = n, size = 1) != 0,
         int64 = mx.internal.decode.words(bytes, n, 4),  # doubles, as MXNet-R's as.array
         stop(sprintf("dtype code %d cannot be read into R", dtype), call. = FALSE))
}

#' Create an MXNDArray from R data
#'
#' Copies an R vector, matrix or array into a new `MXNDArray` with the same dimensions as R
#' shows them (the core sees them reversed; see the package's dimension-order convention).
#'
#' @param src.array A numeric or logical vector, matrix or array, or an `MXNDArray` (copied).
#' @param ctx The device; `NULL` for [mx.ctx.default()].
#' @param dtype The element type: `"float32"`, `"float64"`, `"float16"`, `"uint8"`, `"int8"`,
#'   `"int32"`, `"int64"` or `"bool"`.
#' @return An `MXNDArray`.
#' @examples
#' a <- mx.nd.array(matrix(1:6, 2, 3))
#' dim(a)
#' as.array(a * 2)
#' @export
mx.nd.array <- function(src.array, ctx = NULL, dtype = "float32") {
  if (is.mx.ndarray(src.array)) return(mx.nd.copyto(src.array, if (is.null(ctx)) mx.ctx.default() else ctx))
  if (!(is.numeric(src.array) || is.logical(src.array))) {
    stop(sprintf("mx.nd.array: 'src.array' must be numeric or logical, got %s", class(src.array)[1]), call. = FALSE)
  }
  ctx <- if (is.null(ctx)) mx.ctx.default() else ctx
  code <- mx.internal.dtype(dtype)
  d <- dim(src.array)
  if (is.null(d)) d <- length(src.array)
  h <- MVNDArrayCreate(rev(d), code, ctx$device_typeid, ctx$device_id)
  if (length(src.array)) MVNDArraySyncCopyFromCPU(h, mx.internal.encode(src.array, code))
  mx.nd.internal.wrap(h)
}

mx.internal.fill <- function(shape, ctx, dtype, op) {
  ctx <- if (is.null(ctx)) mx.ctx.default() else ctx
  if (!is.numeric(shape)) stop(sprintf("%s: 'shape' must be numeric, got %s", op, class(shape)[1]), call. = FALSE)
  h <- MVNDArrayCreate(rev(shape), mx.internal.dtype(dtype), ctx$device_typeid, ctx$device_id)
  mx.nd.internal.wrap(h)
}

#' Arrays of zeros or ones
#'
#' @param shape The dimensions, in R's order.
#' @param ctx The device; `NULL` for [mx.ctx.default()].
#' @param dtype The element type, as for [mx.nd.array()].
#' @return An `MXNDArray`.
#' @examples
#' as.array(mx.nd.ones(c(2, 3)))
#' @export
mx.nd.zeros <- function(shape, ctx = NULL, dtype = "float32") mx.internal.fill(shape, ctx, dtype, "mx.nd.zeros")

#' @rdname mx.nd.zeros
#' @export
mx.nd.ones <- function(shape, ctx = NULL, dtype = "float32") {
  a <- mx.internal.fill(shape, ctx, dtype, "mx.nd.ones")
  mx.nd.internal.fill.value(a, 1)
}

mx.nd.internal.fill.value <- function(a, value) {
  if (length(a) == 0) return(a)
  mx.nd.plus.scalar(mx.nd.zeros.like(a), scalar = value, out = a)
}

#' Add a scalar to an array
#'
#' @param data An `MXNDArray`.
#' @param scalar A number.
#' @param out An `MXNDArray` to write the result into, or `NULL` for a new one.
#' @return `data + scalar`: a new `MXNDArray`, or `out` (invisibly) when it is given.
#' @export
mx.nd.plus.scalar <- function(data, scalar, out = NULL) {
  env <- environment()
  h <- MVImperativeInvoke(mx.internal.op("_plus_scalar"),
                          mx.internal.params.handle("_plus_scalar", list(keys = "scalar", vals = mx.internal.number(scalar))),
                          list(data$ptr), if (is.null(out)) NULL else list(out$ptr))
  if (is.null(out)) mx.nd.internal.wrap(h[[1]]) else invisible(out)
}

#' Copy an array to a device
#'
#' @param src An `MXNDArray`.
#' @param ctx The device of the copy, such as `mx.cpu()`.
#' @return A new `MXNDArray` with the same values on `ctx`.
#' @export
mx.nd.copyto <- function(src, ctx) {
  if (!is.mx.ndarray(src)) stop("mx.nd.copyto: 'src' must be an MXNDArray", call. = FALSE)
  out <- MVNDArrayCreate(mx.internal.shape(src), MVNDArrayGetDType(src$ptr), ctx$device_typeid, ctx$device_id)
  MVNDArrayCopyTo(src$ptr, out)
  mx.nd.internal.wrap(out)
}

#' Convert, inspect and print an MXNDArray
#'
#' `dim()` gives the dimensions in R's order, `length()` the number of elements; `as.array()`,
#' `as.matrix()` and `as.vector()` copy the values into R; `print()` prints them.
#'
#' @param x An `MXNDArray`.
#' @param mode As for [base::as.vector()].
#' @param ... Passed to `print()` of the R array; otherwise unused.
#' @return `dim()`: an integer vector. `length()`: a number. `as.array()`: an R array with the same
#'   dimensions. `as.matrix()`: a matrix (an error unless `x` has two dimensions). `as.vector()`:
#'   a vector. `print()`: `x`, invisibly.
#' @examples
#' a <- mx.nd.array(array(1:24, c(2, 3, 4)))
#' dim(a)
#' length(a)
#' identical(as.array(a), array(as.numeric(1:24), c(2, 3, 4)))
#' @name MXNDArray
#' @method dim MXNDArray
#' @export
dim.MXNDArray <- function(x) rev(mx.internal.shape(x))

#' @rdname MXNDArray
#' @method length MXNDArray
#' @export
length.MXNDArray <- function(x) prod(mx.internal.shape(x))

#' The values of an MXNDArray as an R array with the same dimensions; a 1-D MXNDArray gives a
#' plain vector (no dim attribute), as MXNet-R's.
#'
#' @param x An MXNDArray.
#' @param ... Ignored.
#' @return An R array, or a vector for a 1-D MXNDArray.
#' @export
as.array.MXNDArray <- function(x, ...) {
  shape <- mx.internal.shape(x)
  dtype <- MVNDArrayGetDType(x$ptr)
  n <- prod(shape)
  values <- mx.internal.decode(MVNDArraySyncCopyToCPU(x$ptr, n * .mx.itemsize[dtype + 1L]), dtype, n)
  if (length(shape) == 1) return(values)
  array(values, dim = rev(shape))
}

# c() of MXNDArrays or MXSymbols is a list of them (MXNet-R's objects are references, so R's c()
# lists them); plain lists among the arguments are spliced in, as c() does with lists.
mx.internal.c <- function(args) {
  pieces <- lapply(args, function(a) if (is.mx.ndarray(a) || is.mx.symbol(a)) list(a) else as.list(a))
  keys <- names(args)
  if (!is.null(keys)) {
    for (i in seq_along(pieces)) if (keys[i] != "" && length(pieces[[i]]) == 1) names(pieces[[i]]) <- keys[i]
  }
  do.call(c, unname(pieces))
}

#' Concatenates MXNDArrays into a list of them (as MXNet-R's \code{c()}).
#'
#' @param ... MXNDArrays or lists of them.
#' @return A list of MXNDArrays.
#' @export
c.MXNDArray <- function(...) mx.internal.c(list(...))

#' @rdname MXNDArray
#' @method as.matrix MXNDArray
#' @export
as.matrix.MXNDArray <- function(x, ...) {
  if (length(dim(x)) != 2) stop(sprintf("as.matrix: the MXNDArray has %d dimensions, not 2", length(dim(x))), call. = FALSE)
  as.array(x)
}

#' @rdname MXNDArray
#' @method as.vector MXNDArray
#' @export
as.vector.MXNDArray <- function(x, mode = "any") as.vector(as.array(x), mode)

#' @rdname MXNDArray
#' @method print MXNDArray
#' @export
print.MXNDArray <- function(x, ...) {
  print(as.array(x), ...)
  invisible(x)
}

#' The device of an array
#'
#' @param x An `MXNDArray`.
#' @return Its device, an `MXContext` such as `mx.cpu(0)`.
#' @export
ctx <- function(x) {
  if (!is.mx.ndarray(x)) stop("ctx: 'x' must be an MXNDArray", call. = FALSE)
  c <- MVNDArrayGetContext(x$ptr)
  if (c$out_dev_type == MV_DEV_GPU) mx.gpu(c$out_dev_id) else mx.cpu(c$out_dev_id)
}

#' Free an array's memory now
#'
#' Releases the array's native memory at once instead of when R collects the object. Using the
#' array afterwards is an error ("already freed"); freeing it again does nothing.
#'
#' @param x An `MXNDArray`.
#' @return Called for its effect; returns invisibly.
#' @export
mx.nd.free <- function(x) invisible(MVNDArrayFree(x$ptr))

#' Save or load arrays in MXNet's file format
#'
#' `mx.nd.save()` writes an `MXNDArray` or a list of them (a named list gives a file of named
#' arrays, as MXNet's dict files) in MXNet's NDArray format, which MXNet and Minerva's Python API
#' read; `mx.nd.load()` reads such a file.
#'
#' @param ndarray An `MXNDArray` or a list of them.
#' @param filename The file's path.
#' @return `mx.nd.save()`: called for its effect. `mx.nd.load()`: a list of `MXNDArray`s, named
#'   when the file holds names.
#' @examples
#' f <- file.path(tempdir(), "w.params")
#' mx.nd.save(list(w = mx.nd.ones(c(2, 2))), f)
#' names(mx.nd.load(f))
#' @export
mx.nd.save <- function(ndarray, filename) {
  if (is.mx.ndarray(ndarray)) ndarray <- list(ndarray)
  if (!is.list(ndarray) || !all(vapply(ndarray, is.mx.ndarray, TRUE))) {
    stop("mx.nd.save: 'ndarray' must be an MXNDArray or a list of them", call. = FALSE)
  }
  keys <- names(ndarray)
  invisible(MVNDArraySave(path.expand(filename), lapply(ndarray, function(a) a$ptr),
                          if (is.null(keys)) NULL else keys))
}

#' @rdname mx.nd.save
#' @export
mx.nd.load <- function(filename) {
  res <- MVNDArrayLoad(path.expand(filename))
  out <- lapply(res$out_arrays, mx.nd.internal.wrap)
  if (length(res$out_names)) names(out) <- res$out_names
  out
}

# Arithmetic and comparison (S3 group generic Ops), broadcasting like MXNet's broadcast_*.
.mx.binary.ops <- list(
  "+" = c("broadcast_add", "_plus_scalar", "_plus_scalar"),
  "-" = c("broadcast_sub", "_minus_scalar", "_rminus_scalar"),
  "*" = c("broadcast_mul", "_mul_scalar", "_mul_scalar"),
  "/" = c("broadcast_div", "_div_scalar", "_rdiv_scalar"),
  "^" = c("broadcast_power", "_power_scalar", "_rpower_scalar"),
  "%%" = c("broadcast_mod", "_mod_scalar", "_rmod_scalar"),
  "==" = c("broadcast_equal", "_equal_scalar", "_equal_scalar"),
  "!=" = c("broadcast_not_equal", "_not_equal_scalar", "_not_equal_scalar"),
  ">" = c("broadcast_greater", "_greater_scalar", "_lesser_scalar"),
  ">=" = c("broadcast_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar"),
  "<" = c("broadcast_lesser", "_lesser_scalar", "_greater_scalar"),
  "<=" = c("broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar"))

mx.internal.call <- function(op, inputs, keys = character(0), vals = character(0)) {
  res <- MVImperativeInvoke(mx.internal.op(op), mx.internal.params.handle(op, list(keys = keys, vals = vals)),
                            lapply(inputs, function(a) a$ptr), NULL)
  mx.nd.internal.wrap(res[[1]])
}

#' Arithmetic on MXNDArrays
#'
#' `+ - * / ^ %%` and the comparisons broadcast like MXNet's `broadcast_*` operators, with a
#' number or an R array on either side; comparisons give 0/1 arrays. The `Math` group
#' (`exp`, `log`, `sqrt`, `abs`, `floor`, `tanh`, ...) applies element-wise.
#'
#' @param e1,e2 `MXNDArray`s or numbers (`e2` missing for unary minus and plus).
#' @param x An `MXNDArray`.
#' @param ... Unused.
#' @return A new `MXNDArray`.
#' @examples
#' a <- mx.nd.array(c(1, 4, 9))
#' as.array(sqrt(a) + 1)
#' as.array(a > 3)
#' @name MXNDArray-arith
#' @method Ops MXNDArray
#' @export
Ops.MXNDArray <- function(e1, e2) {
  if (missing(e2)) {
    if (.Generic == "-") return(mx.internal.call("negative", list(e1)))
    if (.Generic == "+") return(e1)
    stop(sprintf("unary operator %s is not defined for MXNDArray", .Generic), call. = FALSE)
  }
  ops <- .mx.binary.ops[[.Generic]]
  if (is.null(ops)) stop(sprintf("operator %s is not defined for MXNDArray", .Generic), call. = FALSE)
  scalar.ok <- function(s) (is.numeric(s) || is.logical(s)) && length(s) == 1
  if (is.mx.ndarray(e1) && is.mx.ndarray(e2)) return(mx.internal.call(ops[1], list(e1, e2)))
  if (is.mx.ndarray(e1) && scalar.ok(e2)) return(mx.internal.call(ops[2], list(e1), "scalar", mx.internal.number(e2)))
  if (is.mx.ndarray(e2) && scalar.ok(e1)) return(mx.internal.call(ops[3], list(e2), "scalar", mx.internal.number(e1)))
  other <- if (is.mx.ndarray(e1)) e2 else e1
  if (is.numeric(other) || is.logical(other)) {
    a <- if (is.mx.ndarray(e1)) e1 else mx.nd.array(e1)
    b <- if (is.mx.ndarray(e2)) e2 else mx.nd.array(e2)
    return(mx.internal.call(ops[1], list(a, b)))
  }
  stop(sprintf("operator %s: cannot combine an MXNDArray with %s", .Generic, class(other)[1]), call. = FALSE)
}

.mx.math.ops <- c(abs = "abs", sign = "sign", sqrt = "sqrt", floor = "floor", ceiling = "ceil", trunc = "trunc",
                  round = "round", exp = "exp", expm1 = "expm1", log = "log", log1p = "log1p", log2 = "log2",
                  log10 = "log10", cos = "cos", sin = "sin", tan = "tan", acos = "arccos", asin = "arcsin",
                  atan = "arctan", cosh = "cosh", sinh = "sinh", tanh = "tanh", acosh = "arccosh", asinh = "arcsinh",
                  atanh = "arctanh")

#' @rdname MXNDArray-arith
#' @method Math MXNDArray
#' @export
Math.MXNDArray <- function(x, ...) {
  op <- .mx.math.ops[.Generic]
  if (is.na(op)) stop(sprintf("%s is not defined for MXNDArray", .Generic), call. = FALSE)
  mx.internal.call(op, list(x))
}
