# MXSymbol: symbolic graphs, as MXNet-R (mx.symbol.Variable, mx.symbol.<op>, arguments(),
# mx.symbol.infer.shape). Shapes are in R's dimension order.

mx.symbol.internal.wrap <- function(ptr) structure(list(ptr = ptr), class = "MXSymbol")

#' Is an object an MXSymbol?
#'
#' @param x An object.
#' @return `TRUE` when `x` is an `MXSymbol`, else `FALSE`.
#' @export
is.mx.symbol <- function(x) inherits(x, "MXSymbol")

mx.internal.check.symbol <- function(x, fn) {
  if (!is.mx.symbol(x)) stop(sprintf("%s: 'symbol' must be an MXSymbol, got %s", fn, class(x)[1]), call. = FALSE)
}

#' A symbolic variable
#'
#' An input or parameter of a symbolic graph.
#'
#' @param name The variable's name.
#' @param attr A named list of attributes (values are converted with `as.character`).
#' @param ... Unused.
#' @return An `MXSymbol`.
#' @examples
#' data <- mx.symbol.Variable("data")
#' net <- mx.symbol.FullyConnected(data, num_hidden = 10, name = "fc1")
#' arguments(net)
#' @export
mx.symbol.Variable <- function(name, attr = NULL, ...) {
  s <- mx.symbol.internal.wrap(MVSymbolCreateVariable(name))
  for (k in names(attr)) MVSymbolSetAttr(s$ptr, k, as.character(attr[[k]]))
  s
}

#' Group symbols into one with several outputs
#'
#' @param ... `MXSymbol`s, or one list of them.
#' @return An `MXSymbol` whose outputs are those of the given symbols, in order.
#' @export
mx.symbol.Group <- function(...) {
  syms <- list(...)
  if (length(syms) == 1 && is.list(syms[[1]]) && !is.mx.symbol(syms[[1]])) syms <- syms[[1]]
  mx.symbol.internal.wrap(MVSymbolCreateGroup(lapply(syms, function(s) s$ptr)))
}

#' A symbol's argument and output names
#'
#' `arguments()` lists the inputs and parameters a symbol needs, `outputs()` its outputs.
#'
#' @param x An `MXSymbol`.
#' @return A character vector.
#' @export
arguments <- function(x) { mx.internal.check.symbol(x, "arguments"); MVSymbolListArguments(x$ptr) }
#' @rdname arguments
#' @export
outputs <- function(x) { mx.internal.check.symbol(x, "outputs"); MVSymbolListOutputs(x$ptr) }
auxiliary.states <- function(x) MVSymbolListAuxiliaryStates(x$ptr)
internals <- function(x) mx.symbol.internal.wrap(MVSymbolGetInternals(x$ptr))
children <- function(x) mx.symbol.internal.wrap(MVSymbolGetChildren(x$ptr))

#' One output of a symbol
#'
#' @param x An `MXSymbol`.
#' @param i The output's number (from 1) or name.
#' @return An `MXSymbol` with that one output.
#' @method [[ MXSymbol
#' @export
"[[.MXSymbol" <- function(x, i) {
  if (is.character(i)) {
    idx <- match(i, outputs(x))
    if (is.na(idx)) stop(sprintf("the symbol has no output named '%s'", i), call. = FALSE)
    i <- idx
  }
  mx.symbol.internal.wrap(MVSymbolGetOutput(x$ptr, i - 1))
}

#' Print a symbol
#'
#' @param x An `MXSymbol`.
#' @param ... Unused.
#' @return `x`, invisibly.
#' @method print MXSymbol
#' @export
print.MXSymbol <- function(x, ...) {
  cat("MXSymbol with outputs:", paste(outputs(x), collapse = ", "), "\n")
  invisible(x)
}

#' Save or load a symbol
#'
#' `mx.symbol.save()` and `mx.symbol.load()` write and read a symbol's JSON file (MXNet's
#' `-symbol.json` format); `mx.symbol.save.json()` and `mx.symbol.load.json()` do the same with a
#' string.
#'
#' @param symbol An `MXSymbol`.
#' @param filename The file's path.
#' @param str A JSON string.
#' @return `mx.symbol.save()`: called for its effect. `mx.symbol.save.json()`: a string. The
#'   loaders: an `MXSymbol`.
#' @examples
#' net <- mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 2, name = "fc")
#' arguments(mx.symbol.load.json(mx.symbol.save.json(net)))
#' @export
mx.symbol.save <- function(symbol, filename) invisible(MVSymbolSaveToFile(symbol$ptr, path.expand(filename)))
#' @rdname mx.symbol.save
#' @export
mx.symbol.load <- function(filename) mx.symbol.internal.wrap(MVSymbolCreateFromFile(path.expand(filename)))
#' @rdname mx.symbol.save
#' @export
mx.symbol.load.json <- function(str) mx.symbol.internal.wrap(MVSymbolCreateFromJSON(str))
#' @rdname mx.symbol.save
#' @export
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

#' Infer a symbol's shapes
#'
#' Infers the shapes of every argument, output and auxiliary state from the input shapes.
#'
#' @param symbol An `MXSymbol`.
#' @param ... Input shapes by name, in R's dimension order (`data = c(10, 32)`).
#' @return A list with `arg.shapes`, `out.shapes` and `aux.shapes` (named lists of shapes in R's
#'   order), or `NULL` when some shape stays unknown.
#' @examples
#' net <- mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 3, name = "fc")
#' mx.symbol.infer.shape(net, data = c(10, 32))$arg.shapes
#' @export
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

#' Arithmetic on symbols
#'
#' `+ - * / ^` between two symbols (element-wise) or a symbol and a number, giving a new node.
#'
#' @param e1,e2 `MXSymbol`s or numbers.
#' @return An `MXSymbol`.
#' @method Ops MXSymbol
#' @export
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
