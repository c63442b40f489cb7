# The generic operator call behind every generated mx.nd.<op> and mx.symbol.<op> (r/R/ops.R).
# Parameters the caller gave are formatted as MXNet parameter strings and parsed once by the
# core (MVOpParamsCreate, cached); parameters left at their defaults are not sent, so the
# core's defaults apply. Tuple values are written in R's dimension order and reversed here, as
# MXNet-R does (mx.internal.format).

.mx.env <- new.env(parent = emptyenv())

mx.internal.op <- function(name) {
  key <- paste0("op:", name)
  h <- .mx.env[[key]]
  if (is.null(h)) {
    h <- MVOpGetHandle(name)
    assign(key, h, envir = .mx.env)
  }
  h
}

mx.internal.number <- function(v) {
  if (is.na(v)) stop("NA is not a valid parameter value", call. = FALSE)
  if (is.infinite(v)) return(if (v > 0) "inf" else "-inf")
  if (v == round(v) && abs(v) < 1e15) return(format(v, scientific = FALSE))
  as.character(v)
}

# An R value as an MXNet parameter string ("True", "(3, 3)", "0.1", "relu"). The order rule is
# MXNet-R's (R-package/src/base.h, toPyString): a numeric vector for a tuple parameter (registry
# type "shape", whatever its kind: per_dim, axes, permutation, pad_pairs, list) is in R's order and
# reaches the core reversed, so kernel = c(3, 1) is the core's (1, 3) and a c(3, 1, 1, 4) weight;
# one number is a 1-tuple either way. A numeric vector of several values for a string parameter
# (the float tuples: MultiBoxPrior's sizes, normalize's mean) is reversed the same way. Scalars,
# an int axis included, pass unchanged: MXNet-R's axis = 1 is the core's axis 1.
mx.internal.format <- function(op, pname, value, type) {
  what <- sprintf("%s: parameter '%s'", op, pname)
  if (inherits(value, "MXContext")) return(sprintf("%s(%d)", value$device, value$device_id))
  if (is.factor(value)) value <- as.character(value)
  if (is.character(value)) {
    if (type %in% c("int", "float")) {
      stop(sprintf("%s must be a number, got the string \"%s\"", what, paste(value, collapse = " ")), call. = FALSE)
    }
    if (length(value) != 1 || is.na(value)) stop(sprintf("%s must be a single string", what), call. = FALSE)
    return(value)
  }
  if (is.logical(value) && type != "shape") {
    if (length(value) != 1 || is.na(value)) stop(sprintf("%s must be TRUE or FALSE", what), call. = FALSE)
    return(if (value) "True" else "False")
  }
  if (is.numeric(value) || is.logical(value)) {
    tuple <- type == "shape" || (type == "string" && length(value) != 1)
    if (!tuple && length(value) != 1) {
      stop(sprintf("%s must be a single number, got %d values", what, length(value)), call. = FALSE)
    }
    s <- vapply(as.numeric(value), mx.internal.number, "")
    if (tuple) return(paste0("(", paste(rev(s), collapse = ", "), if (length(s) == 1) "," else "", ")"))
    return(s)
  }
  stop(sprintf("%s must be a number, string or logical, got %s", what, class(value)[1]), call. = FALSE)
}

# (keys, vals) of the parameters given in a wrapper's frame env, plus extra named arguments.
mx.internal.params <- function(called, op, env, extra) {
  info <- .mx.op.info[[op]]
  keys <- character(0)
  vals <- character(0)
  for (p in names(info$params)) {
    if (eval(call("missing", as.name(p)), env)) {
      if (p == info$variadic) {
        keys <- c(keys, p)
        vals <- c(vals, as.character(length(get("data", envir = env))))
      }
      next
    }
    v <- get(p, envir = env)
    if (is.null(v)) next
    keys <- c(keys, p)
    vals <- c(vals, mx.internal.format(called, p, v, info$params[[p]]))
  }
  if (length(extra)) {
    if (is.null(names(extra)) || any(names(extra) == "")) {
      stop(sprintf("%s: unexpected unnamed argument; inputs are %s and parameters go by name", called,
                   paste(if (nzchar(info$variadic)) "data (a list)" else info$inputs, collapse = ", ")), call. = FALSE)
    }
    for (k in names(extra)) {
      keys <- c(keys, k)
      vals <- c(vals, mx.internal.format(called, k, extra[[k]], "string"))
    }
  }
  list(keys = keys, vals = vals)
}

# MXNet-R accepts every parameter (and input) name with '.' for '_' (num.hidden, no.bias, act.type):
# its wrappers turn the key's dots into underscores before the core sees it. A dotted name in the
# wrapper's ... that matches one of the operator's names is moved onto that formal in the wrapper's
# frame, so it is then treated exactly as the underscore spelling; the rest of ... is returned.
mx.internal.undot <- function(called, op, env, extra) {
  info <- .mx.op.info[[op]]
  known <- c(names(info$params), if (nzchar(info$variadic)) "data" else info$inputs)
  keys <- names(extra)
  if (is.null(keys)) return(extra)
  moved <- logical(length(extra))
  for (i in seq_along(extra)) {
    key <- gsub(".", "_", keys[i], fixed = TRUE)
    if (key == keys[i] || !(key %in% known)) next
    if (!eval(call("missing", as.name(key)), env) && !is.null(get(key, envir = env))) {
      stop(sprintf("%s: parameter '%s' is given twice, as '%s' and as '%s'", called, key, key, keys[i]), call. = FALSE)
    }
    assign(key, extra[[i]], envir = env)
    moved[i] <- TRUE
  }
  extra[!moved]
}

mx.internal.params.handle <- function(called, kv) {
  key <- paste0("params:", called, "\r", paste(kv$keys, kv$vals, sep = "=", collapse = "\r"))
  h <- .mx.env[[key]]
  if (is.null(h)) {
    h <- MVOpParamsCreate(mx.internal.op(called), kv$keys, kv$vals)
    if (length(ls(.mx.env, pattern = "^params:")) > 4096) rm(list = ls(.mx.env, pattern = "^params:"), envir = .mx.env)
    assign(key, h, envir = .mx.env)
  }
  h
}

mx.internal.inputs <- function(called, op, env, check) {
  info <- .mx.op.info[[op]]
  if (nzchar(info$variadic)) {
    data <- get("data", envir = env)
    if (!is.list(data) || check(data)) data <- list(data)
    names(data) <- NULL
    return(data)
  }
  given <- lapply(info$inputs, function(i) get(i, envir = env))
  names(given) <- info$inputs
  last <- max(c(0, which(!vapply(given, is.null, TRUE))))
  given <- given[seq_len(last)]
  missing_mid <- names(given)[vapply(given, is.null, TRUE)]
  if (length(missing_mid) && identical(check, is.mx.ndarray)) {
    stop(sprintf("%s: input '%s' is missing but a later input is given", called, missing_mid[1]), call. = FALSE)
  }
  given
}

mx.internal.nd.invoke <- function(called, op, env, extra) {
  extra <- mx.internal.undot(called, op, env, extra)
  kv <- mx.internal.params(called, op, env, extra)
  inputs <- mx.internal.inputs(called, op, env, is.mx.ndarray)
  handles <- lapply(seq_along(inputs), function(i) {
    x <- inputs[[i]]
    if (!is.mx.ndarray(x)) {
      nm <- if (is.null(names(inputs)) || names(inputs)[i] == "") sprintf("data[[%d]]", i) else names(inputs)[i]
      stop(sprintf("%s: input '%s' must be an MXNDArray, got %s", called, nm, class(x)[1]), call. = FALSE)
    }
    x$ptr
  })
  out <- get("out", envir = env)
  out.list <- if (is.null(out)) NULL else if (is.mx.ndarray(out)) list(out) else out
  res <- MVImperativeInvoke(mx.internal.op(called), mx.internal.params.handle(called, kv), handles,
                            if (is.null(out.list)) NULL else lapply(out.list, function(o) o$ptr))
  if (!is.null(out)) return(invisible(out))
  arrays <- lapply(res, mx.nd.internal.wrap)
  if (length(arrays) == 1) arrays[[1]] else arrays
}

mx.internal.symbol.invoke <- function(called, op, env, extra) {
  extra <- mx.internal.undot(called, op, env, extra)
  kv <- mx.internal.params(called, op, env, extra)
  info <- .mx.op.info[[op]]
  inputs <- mx.internal.inputs(called, op, env, is.mx.symbol)
  keep <- !vapply(inputs, is.null, TRUE)
  inputs <- inputs[keep]
  for (i in seq_along(inputs)) {
    if (!is.mx.symbol(inputs[[i]])) {
      stop(sprintf("%s: input '%s' must be an MXSymbol, got %s", called,
                   if (nzchar(info$variadic)) sprintf("data[[%d]]", i) else names(inputs)[i],
                   class(inputs[[i]])[1]), call. = FALSE)
    }
  }
  keys <- if (nzchar(info$variadic)) NULL else names(inputs)
  name <- get("name", envir = env)
  params <- MVOpParamsCreate(mx.internal.op(called), kv$keys, kv$vals)
  sym <- mx.symbol.internal.wrap(MVSymbolCreateOp(params, name, keys, lapply(inputs, function(s) s$ptr)))
  MVOpParamsFree(params)
  attr <- get("attr", envir = env)
  for (k in names(attr)) MVSymbolSetAttr(sym$ptr, k, as.character(attr[[k]]))
  sym
}
