# MXSymbol: symbolic graphs, as MXNet-R (mx.symbol.Variable, mx.symbol.<op>, arguments(),
# mx.symbol.infer.shape). Shapes are in R's dimension order.

mx.symbol.internal.wrap <- function(ptr) structure(list(ptr = ptr), class = "MXSymbol")

#' Whether x is an MXSymbol.
#'
#' @param x Any R object.
#' @return TRUE or FALSE.
#' @export
is.mx.symbol <- function(x) inherits(x, "MXSymbol")

mx.internal.check.symbol <- function(x, fn) {
  if (!is.mx.symbol(x)) stop(sprintf("%s: 'symbol' must be an MXSymbol, got %s", fn, class(x)[1]), call. = FALSE)
}

#' Creates a symbolic variable (a free input of a graph).
#'
#' @param name The variable's name.
#' @param attr A named list of attributes to attach (values are stored as strings), or NULL.
#' @param ... Further attributes by name (e.g. \code{lr_mult = 2}), merged with \code{attr}.
#' @return An MXSymbol.
#' @export
mx.symbol.Variable <- function(name, attr = NULL, ...) {
  if (!is.character(name) || length(name) != 1 || is.na(name)) {
    stop("mx.symbol.Variable: 'name' must be a single string", call. = FALSE)
  }
  attr <- c(attr, list(...))
  if (length(attr) && (is.null(names(attr)) || any(names(attr) == ""))) {
    stop("mx.symbol.Variable: attributes must be named (attr = list(key = value))", call. = FALSE)
  }
  s <- mx.symbol.internal.wrap(MVSymbolCreateVariable(name))
  for (k in names(attr)) MVSymbolSetAttr(s$ptr, k, as.character(attr[[k]]))
  s
}

#' Groups symbols into one symbol whose outputs are all of theirs.
#'
#' @param ... Symbols, or one list of symbols (as \code{c()} of symbols returns).
#' @return An MXSymbol with the outputs of every symbol, in order.
#' @export
mx.symbol.Group <- function(...) {
  syms <- list(...)
  if (length(syms) == 1 && is.list(syms[[1]]) && !is.mx.symbol(syms[[1]])) syms <- syms[[1]]
  for (i in seq_along(syms)) {
    if (!is.mx.symbol(syms[[i]])) {
      stop(sprintf("mx.symbol.Group: element %d is %s, not an MXSymbol", i, class(syms[[i]])[1]), call. = FALSE)
    }
  }
  mx.symbol.internal.wrap(MVSymbolCreateGroup(lapply(syms, function(s) s$ptr)))
}

#' The argument (free input and parameter) names of a symbol.
#'
#' @param x An MXSymbol.
#' @return A character vector.
#' @export
arguments <- function(x) { mx.internal.check.symbol(x, "arguments"); MVSymbolListArguments(x$ptr) }

#' The output names of a symbol.
#'
#' @param x An MXSymbol.
#' @return A character vector.
#' @export
outputs <- function(x) { mx.internal.check.symbol(x, "outputs"); MVSymbolListOutputs(x$ptr) }

#' The auxiliary state names of a symbol (BatchNorm's moving_mean ...).
#'
#' @param x An MXSymbol.
#' @return A character vector.
auxiliary.states <- function(x) { mx.internal.check.symbol(x, "auxiliary.states"); MVSymbolListAuxiliaryStates(x$ptr) }

#' A symbol whose outputs are every internal output of x (every node's output, in graph order).
#'
#' @param x An MXSymbol.
#' @return An MXSymbol; \code{outputs()} names its outputs.
#' @export
internals <- function(x) { mx.internal.check.symbol(x, "internals"); mx.symbol.internal.wrap(MVSymbolGetInternals(x$ptr)) }

#' A symbol grouping the inputs of x's output nodes.
#'
#' @param x An MXSymbol.
#' @return An MXSymbol (with no outputs for a variable).
#' @export
children <- function(x) { mx.internal.check.symbol(x, "children"); mx.symbol.internal.wrap(MVSymbolGetChildren(x$ptr)) }

# The index-th output (1-based, as MXNet-R's get.output(which(outputs == ...))) or the named one.
mx.internal.symbol.output <- function(x, i) {
  n <- length(outputs(x))
  if (is.character(i)) {
    idx <- match(i, outputs(x))
    if (is.na(idx)) stop(sprintf("the symbol has no output named '%s'", i), call. = FALSE)
    i <- idx
  }
  if (!is.numeric(i) || length(i) != 1 || is.na(i) || i < 1 || i > n || i != round(i)) {
    stop(sprintf("get.output: index must be a whole number in 1..%d, got %s", n, paste(format(i), collapse = " ")),
         call. = FALSE)
  }
  mx.symbol.internal.wrap(MVSymbolGetOutput(x$ptr, i - 1))
}

#' The output of a symbol by 1-based index or by output name.
#'
#' @param x An MXSymbol.
#' @param i A whole number in \code{1..length(outputs(x))}, or an output name.
#' @return An MXSymbol with that single output.
#' @export
"[[.MXSymbol" <- function(x, i) mx.internal.symbol.output(x, i)

# The node's own attributes as a named list of strings (operator parameters and user attributes).
mx.internal.symbol.attributes <- function(x) {
  kv <- MVSymbolListAttr(x$ptr, 0L)
  if (!length(kv)) return(list())
  keys <- kv[c(TRUE, FALSE)]
  out <- as.list(kv[c(FALSE, TRUE)])
  names(out) <- keys
  out
}

.mx.symbol.members <- c("arguments", "outputs", "auxiliary.states", "attributes", "get.internals", "get.output",
                        "get.children", "as.json", "save", "infer.shape", "apply", "debug.str")

#' MXNet-R's members of a symbol: \code{$arguments}, \code{$outputs}, \code{$auxiliary.states},
#' \code{$attributes}, \code{$get.internals()}, \code{$get.output(i)}, \code{$get.children()},
#' \code{$as.json()}, \code{$save(filename)}, \code{$infer.shape(list(...))}, \code{$apply(list(...))},
#' \code{$debug.str()}.
#'
#' @param x An MXSymbol.
#' @param name The member's name.
#' @return The member's value, or a function for the method members.
#' @export
"$.MXSymbol" <- function(x, name) {
  ptr <- .subset2(x, "ptr")
  switch(name,
         ptr = ptr,
         arguments = MVSymbolListArguments(ptr),
         outputs = MVSymbolListOutputs(ptr),
         auxiliary.states = MVSymbolListAuxiliaryStates(ptr),
         attributes = mx.internal.symbol.attributes(x),
         get.internals = function() internals(x),
         get.output = function(index) mx.internal.symbol.output(x, index),
         get.children = function() children(x),
         as.json = function() MVSymbolSaveToJSON(ptr),
         save = function(filename) mx.symbol.save(x, filename),
         infer.shape = function(kwargs) do.call(mx.symbol.infer.shape, c(list(x), as.list(kwargs))),
         apply = function(kwargs) do.call(mx.apply, c(list(x), as.list(kwargs))),
         debug.str = function() mx.internal.symbol.debug.str(x),
         stop(sprintf("MXSymbol has no member '%s'; members are %s", name,
                      paste(.mx.symbol.members, collapse = ", ")), call. = FALSE))
}

mx.internal.symbol.debug.str <- function(x) {
  paste(c(sprintf("Symbol Outputs: %s", paste(outputs(x), collapse = ", ")),
          sprintf("Arguments: %s", paste(arguments(x), collapse = ", ")),
          sprintf("Auxiliary states: %s", paste(auxiliary.states(x), collapse = ", "))), collapse = "\n")
}

#' Applies a symbol to inputs: a copy of x with its free variables replaced by symbols, by
#' argument name (\code{data = s}) or by position in \code{arguments(x)}.
#'
#' @param x An MXSymbol.
#' @param ... Symbols, all named or all positional. A \code{name} argument is accepted and ignored
#'   (the core cannot rename a composed node).
#' @return The composed MXSymbol.
#' @export
mx.apply <- function(x, ...) {
  mx.internal.check.symbol(x, "mx.apply")
  kwargs <- list(...)
  kwargs$name <- NULL
  keys <- names(kwargs)
  positional <- is.null(keys) || all(keys == "")
  if (!positional && any(keys == "")) {
    stop("mx.apply: input symbols must be either all positional or all key=value, not both", call. = FALSE)
  }
  for (i in seq_along(kwargs)) {
    if (!is.mx.symbol(kwargs[[i]])) {
      stop(sprintf("mx.apply: input %s is %s, not an MXSymbol", if (positional) i else sprintf("'%s'", keys[i]),
                   class(kwargs[[i]])[1]), call. = FALSE)
    }
  }
  unknown <- setdiff(keys, arguments(x))
  if (!positional && length(unknown)) {
    stop(sprintf("mx.apply: the symbol has no argument named '%s'; its arguments are %s", unknown[1],
                 paste(arguments(x), collapse = ", ")), call. = FALSE)
  }
  mx.symbol.internal.wrap(MVSymbolCompose(x$ptr, if (positional) NULL else keys, lapply(kwargs, function(s) s$ptr)))
}

#' Concatenates MXSymbols into a list of them (as MXNet-R's \code{c()}), e.g. for
#' \code{mx.symbol.Group(c(a, b))}.
#'
#' @param ... MXSymbols or lists of them.
#' @return A list of MXSymbols.
#' @export
c.MXSymbol <- function(...) mx.internal.c(list(...))

#' Prints a symbol's outputs.
#'
#' @param x An MXSymbol.
#' @param ... Ignored.
#' @return x, invisibly.
#' @export
print.MXSymbol <- function(x, ...) {
  cat("MXSymbol with outputs:", paste(outputs(x), collapse = ", "), "\n")
  invisible(x)
}

#' Saves a symbol as MXNet's JSON graph file.
#'
#' @param symbol An MXSymbol.
#' @param filename The file to write (\code{~} is expanded).
#' @return NULL, invisibly.
#' @export
mx.symbol.save <- function(symbol, filename) {
  mx.internal.check.symbol(symbol, "mx.symbol.save")
  invisible(MVSymbolSaveToFile(symbol$ptr, path.expand(filename)))
}

#' Loads a symbol from an MXNet JSON graph file.
#'
#' @param filename The file to read (\code{~} is expanded).
#' @return An MXSymbol.
#' @export
mx.symbol.load <- function(filename) mx.symbol.internal.wrap(MVSymbolCreateFromFile(path.expand(filename)))

#' Loads a symbol from an MXNet JSON graph string.
#'
#' @param json.str The JSON text.
#' @return An MXSymbol.
#' @export
mx.symbol.load.json <- function(json.str) mx.symbol.internal.wrap(MVSymbolCreateFromJSON(json.str))

#' A symbol as MXNet's JSON graph text.
#'
#' @param symbol An MXSymbol.
#' @return A string.
#' @export
mx.symbol.save.json <- function(symbol) { mx.internal.check.symbol(symbol, "mx.symbol.save.json"); MVSymbolSaveToJSON(symbol$ptr) }

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
  list(keys = if (length(shapes)) names(shapes) else character(0), ndims = vapply(shapes, length, 1L),
       dims = unlist(lapply(shapes, function(s) rev(s)), use.names = FALSE))
}

#' Infers argument, output and auxiliary shapes from named input shapes (R order).
#'
#' @param symbol An MXSymbol.
#' @param ... Input shapes by name, in R's dimension order (\code{data = c(28, 28, 1, 100)}).
#' @return \code{list(arg.shapes, out.shapes, aux.shapes)}, each a named list of R-order shapes, or
#'   NULL when some shape stays unknown.
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

# Arithmetic and comparison on symbols: symbol op symbol (elementwise, same shapes), symbol op
# number and number op symbol, as MXNet-R's methods (which its optimizers use: rho * acc.g).
.mx.symbol.binary <- list("+" = c("elemwise_add", "_plus_scalar", "_plus_scalar"),
                          "-" = c("elemwise_sub", "_minus_scalar", "_rminus_scalar"),
                          "*" = c("elemwise_mul", "_mul_scalar", "_mul_scalar"),
                          "/" = c("elemwise_div", "_div_scalar", "_rdiv_scalar"),
                          "^" = c("_power", "_power_scalar", "_rpower_scalar"),
                          "%%" = c("_mod", "_mod_scalar", "_rmod_scalar"),
                          "==" = c("_equal", "_equal_scalar", "_equal_scalar"),
                          "!=" = c("_not_equal", "_not_equal_scalar", "_not_equal_scalar"),
                          ">" = c("_greater", "_greater_scalar", "_lesser_scalar"),
                          ">=" = c("_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar"),
                          "<" = c("_lesser", "_lesser_scalar", "_greater_scalar"),
                          "<=" = c("_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar"))

mx.internal.symbol.op <- function(op, inputs, keys = character(0), vals = character(0)) {
  p <- MVOpParamsCreate(mx.internal.op(op), keys, vals)
  on.exit(MVOpParamsFree(p))
  mx.symbol.internal.wrap(MVSymbolCreateOp(p, NULL, NULL, lapply(inputs, function(s) s$ptr)))
}

#' Arithmetic and comparison operators on symbols (with another symbol or a number on either side).
#'
#' @param e1,e2 MXSymbols or single numbers.
#' @return An MXSymbol.
#' @export
Ops.MXSymbol <- function(e1, e2) {
  if (missing(e2)) {
    if (.Generic == "-") return(mx.internal.symbol.op("negative", list(e1)))
    if (.Generic == "+") return(e1)
    stop(sprintf("unary operator %s is not defined for MXSymbol", .Generic), call. = FALSE)
  }
  ops <- .mx.symbol.binary[[.Generic]]
  if (is.null(ops)) stop(sprintf("operator %s is not defined for MXSymbol", .Generic), call. = FALSE)
  if (is.mx.symbol(e1) && is.mx.symbol(e2)) return(mx.internal.symbol.op(ops[1], list(e1, e2)))
  scalar <- if (is.mx.symbol(e1)) e2 else e1
  if (!(is.numeric(scalar) || is.logical(scalar)) || length(scalar) != 1) {
    stop(sprintf("operator %s: an MXSymbol combines with another MXSymbol or a single number, not %s", .Generic,
                 if (is.numeric(scalar)) sprintf("%d numbers", length(scalar)) else class(scalar)[1]), call. = FALSE)
  }
  if (is.mx.symbol(e1)) return(mx.internal.symbol.op(ops[2], list(e1), "scalar", mx.internal.number(e2)))
  mx.internal.symbol.op(ops[3], list(e2), "scalar", mx.internal.number(e1))
}
