# MXSymbol: symbolic graphs, as MXNet-R (mx.symbol.Variable, mx.symbol.<op>, arguments(),
# mx.symbol.infer.shape). Shapes are in R's dimension order.

mx.symbol.internal.wrap <- function(ptr) structure(list(ptr = ptr), class = "MXSymbol")

is.mx.symbol <- function(x) inherits(x, "MXSymbol")

mx.internal.check.symbol <- function(x, fn) {
  if (!is.mx.symbol(x)) stop(sprintf("%s: 'symbol' must be an MXSymbol, got %s", fn, class(x)[1]), call. = FALSE)
}

mx.symbol.Variable <- function(name, attr = NULL, ...) {
  s <- mx.symbol.internal.wrap(MVSymbolCreateVariable(name))
  for (k in names(attr)) MVSymbolSetAttr(s$ptr, k, as.character(attr[[k]]))
  s
}

mx.symbol.Group <- function(...) {
  syms <- list(...)
  if (length(syms) == 1 && is.list(syms[[1]]) && !is.mx.symbol(syms[[1]])) syms <- syms[[1]]
  mx.symbol.internal.wrap(MVSymbolCreateGroup(lapply(syms, function(s) s$ptr)))
}

arguments <- function(x) { mx.internal.check.symbol(x, "arguments"); MVSymbolListArguments(x$ptr) }
outputs <- function(x) { mx.internal.check.symbol(x, "outputs"); MVSymbolListOutputs(x$ptr) }
auxiliary.states <- function(x) MVSymbolListAuxiliaryStates(x$ptr)
internals <- function(x) mx.symbol.internal.wrap(MVSymbolGetInternals(x$ptr))
children <- function(x) mx.symbol.internal.wrap(MVSymbolGetChildren(x$ptr))

"[[.MXSymbol" <- function(x, i) {
  if (is.character(i)) {
    idx <- match(i, outputs(x))
    if (is.na(idx)) stop(sprintf("the symbol has no output named '%s'", i), call. = FALSE)
    i <- idx
  }
  mx.symbol.internal.wrap(MVSymbolGetOutput(x$ptr, i - 1))
}

print.MXSymbol <- function(x, ...) {
  cat("MXSymbol with outputs:", paste(outputs(x), collapse = ", "), "\n")
  invisible(x)
}

mx.symbol.save <- function(symbol, filename) invisible(MVSymbolSaveToFile(symbol$ptr, path.expand(filename)))
mx.symbol.load <- function(filename) mx.symbol.internal.wrap(MVSymbolCreateFromFile(path.expand(filename)))
mx.symbol.load.json <- function(str) mx.symbol.internal.wrap(MVSymbolCreateFromJSON(str))
mx.symbol.save.json <- function(symbol) MVSymbolSaveToJSON(symbol$ptr)

# R shapes (named list of dims in R order) -> the (keys, ndims, dims) triple of the C ABI.
mx.internal.shape.args <- function(shapes, fn) {
  if (length(shapes) && (is.null(names(shapes)) || any(names(shapes) == ""))) {
    stop(sprintf("%s: input shapes must be named (data = c(...))", fn), call. = FALSE)
  }
  for (k in names(shapes)) {
    if (!is.numeric(shapes[[k]])) {
      stop(sprintf("%s: the shape of '%s' must be numeric, got %s", fn, k, class(shapes[[k]])[1]), call. = FALSE)
    }
  }
  list(keys = names(shapes), ndims = vapply(shapes, length, 1L),
       dims = unlist(lapply(shapes, function(s) rev(s)), use.names = FALSE))
}

#' Infers argument, output and auxiliary shapes from named input shapes (R order), or NULL
#' when some stay unknown.
mx.symbol.infer.shape <- function(symbol, ...) {
  mx.internal.check.symbol(symbol, "mx.symbol.infer.shape")
  a <- mx.internal.shape.args(list(...), "mx.symbol.infer.shape")
  res <- mx.internal.json(MVSymbolInferShape(symbol$ptr, a$keys, a$ndims, if (is.null(a$dims)) numeric(0) else a$dims, 1L))
  if (!isTRUE(res$complete)) return(NULL)
  to.r <- function(shapes, names) {
    out <- lapply(shapes, function(s) rev(as.numeric(unlist(s))))
    names(out) <- names
    out
  }
  list(arg.shapes = to.r(res$arg_shapes, arguments(symbol)), out.shapes = to.r(res$out_shapes, outputs(symbol)),
       aux.shapes = to.r(res$aux_shapes, auxiliary.states(symbol)))
}

.mx.symbol.binary <- list("+" = c("elemwise_add", "_plus_scalar", "_plus_scalar"),
                          "-" = c("elemwise_sub", "_minus_scalar", "_rminus_scalar"),
                          "*" = c("elemwise_mul", "_mul_scalar", "_mul_scalar"),
                          "/" = c("elemwise_div", "_div_scalar", "_rdiv_scalar"),
                          "^" = c("_power", "_power_scalar", "_rpower_scalar"))

Ops.MXSymbol <- function(e1, e2) {
  ops <- .mx.symbol.binary[[.Generic]]
  if (is.null(ops) || missing(e2)) stop(sprintf("operator %s is not defined for MXSymbol", .Generic), call. = FALSE)
  make <- function(op, inputs, keys = character(0), vals = character(0)) {
    p <- MVOpParamsCreate(mx.internal.op(op), keys, vals)
    s <- mx.symbol.internal.wrap(MVSymbolCreateOp(p, NULL, NULL, lapply(inputs, function(s) s$ptr)))
    MVOpParamsFree(p)
    s
  }
  if (is.mx.symbol(e1) && is.mx.symbol(e2)) return(make(ops[1], list(e1, e2)))
  if (is.mx.symbol(e1)) return(make(ops[2], list(e1), "scalar", mx.internal.number(e2)))
  make(ops[3], list(e2), "scalar", mx.internal.number(e1))
}
