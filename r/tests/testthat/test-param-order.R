# Operator parameters in R's order, as MXNet-R writes them (R-package/src/base.h, toPyString):
# every numeric vector for a tuple parameter reaches the core reversed, because an R array of
# dim c(W, H, C, N) is the core's (N, C, H, W); scalars (an int axis) pass unchanged.

json <- function(text) minerva:::mx.internal.json(text)
node_attrs <- function(sym) {
  nodes <- json(mx.symbol.save.json(sym))$nodes
  nodes[[length(nodes)]]$attrs
}
# A sample's parameter string as the R value a caller writes (tuples stay MXNet strings).
r_value <- function(text, type) {
  if (type %in% c("int", "float")) return(as.numeric(text))
  if (type == "bool") return(text %in% c("True", "true", "1"))
  text
}
core_tuple <- function(v) paste0("(", paste(rev(v), collapse = ", "), if (length(v) == 1) "," else "", ")")

test_that("every tuple parameter of every operator reaches the core reversed", {
  # Iterates the registry: each public operator's tuple-typed parameters (registry type "shape",
  # whatever their kind), given in R order as mx.symbol.<op>(p = c(...)), must appear in the
  # node the core built as the reversed tuple. Other required parameters come from the
  # operator's first declared sample, as the core's own strings (passed through unchanged).
  info <- minerva:::.mx.op.info
  checked <- character(0)
  for (op in names(info)) {
    types <- info[[op]]$params
    tuples <- names(types)[types == "shape"]
    if (!length(tuples)) next
    schema <- json(minerva:::MVOpGetSchemaJSON(minerva:::mx.internal.op(op)))
    public <- Filter(function(n) !startsWith(n, "_"), c(schema$name, unlist(schema$aliases)))
    fname <- Find(function(n) exists(paste0("mx.symbol.", n)), gsub("_", ".", public))
    if (is.null(fname)) next  # mx.symbol.zeros/ones are hand-written (their own tests)
    fn <- get(paste0("mx.symbol.", fname))
    sample <- if (length(schema$samples)) schema$samples[[1]]$params else list()
    required <- Filter(function(p) isTRUE(p$required), schema$params)
    for (p in tuples) {
      args <- list()
      for (q in required) if (q$name != p) args[[q$name]] <- r_value(sample[[q$name]], q$type)
      value <- c(1, 2, 3)[seq_len(if (p == "pad_width") 2 else 3)]
      if (p == "pad_width") value <- c(0, 0, 0, 0, 1, 2)
      args[[p]] <- value
      if (nzchar(info[[op]]$variadic)) args$data <- list(mx.symbol.Variable("x"))
      sym <- do.call(fn, args)
      expect_identical(node_attrs(sym)[[p]], core_tuple(value), info = sprintf("%s(%s)", fname, p))
      checked <- c(checked, paste0(op, ".", p))
    }
  }
  expect_true(all(c("Convolution.kernel", "Pooling.stride", "slice.begin", "transpose.axes", "Crop.h_w",
                    "Pad.pad_width", "sum.axis", "Reshape.shape", "tile.reps") %in% checked))
  expect_gt(length(checked), 50)
})

test_that("a Convolution kernel c(3, 1) gives MXNet-R's c(3, 1, 1, 4) weight", {
  conv <- mx.symbol.Convolution(mx.symbol.Variable("data"), kernel = c(3, 1), stride = c(2, 1), pad = c(1, 0),
                                num_filter = 4, name = "conv")
  s <- mx.symbol.infer.shape(conv, data = c(9, 6, 1, 2))
  expect_equal(s$arg.shapes$conv_weight, c(3, 1, 1, 4))
  # width (9 + 2 * 1 - 3) / 2 + 1 = 5, height (6 - 1) / 1 + 1 = 6
  expect_equal(s$out.shapes[[1]], c(5, 6, 4, 2))
  expect_identical(node_attrs(conv)$pad, "(0, 1)")
})

test_that("Pooling kernel and stride are (width, height) in R", {
  x <- array(seq_len(8 * 6), dim = c(8, 6, 1, 1))
  out <- as.array(mx.nd.Pooling(mx.nd.array(x), kernel = c(2, 3), stride = c(2, 3), pool_type = "max"))
  expect_equal(dim(out), c(4, 2, 1, 1))
  want <- array(0, c(4, 2, 1, 1))
  for (i in 1:4) for (j in 1:2) want[i, j, 1, 1] <- max(x[(2 * i - 1):(2 * i), (3 * j - 2):(3 * j), 1, 1])
  expect_equal(out, want)
})

test_that("slice begin and end are 0-based positions in R's dimension order", {
  x <- matrix(as.numeric(1:20), 4, 5)
  got <- as.array(mx.nd.slice(mx.nd.array(x), begin = c(1, 0), end = c(3, 2)))
  expect_equal(got, x[2:3, 1:2])
  sym <- mx.symbol.slice(mx.symbol.Variable("x"), begin = c(1, 0), end = c(3, 2))
  expect_identical(node_attrs(sym)$begin, "(0, 1)")
})

test_that("transpose axes are reversed without renumbering, as MXNet-R does", {
  # MXNet-R sends axes = c(0, 2, 1) as the core's (1, 2, 0): R dims c(2, 3, 4) (the core's
  # (4, 3, 2)) become the core's (3, 2, 4), R's c(4, 2, 3), which is aperm(x, c(3, 1, 2)).
  x <- array(as.numeric(1:24), dim = c(2, 3, 4))
  got <- as.array(mx.nd.transpose(mx.nd.array(x), axes = c(0, 2, 1)))
  expect_equal(got, aperm(x, c(3, 1, 2)))
  # The default (no axes) reverses every dimension in both orders.
  expect_equal(as.array(mx.nd.transpose(mx.nd.array(x))), aperm(x))
})

test_that("Crop's h_w and offset are (width, height) and (x, y) in R", {
  x <- array(as.numeric(1:30), dim = c(6, 5, 1, 1))
  got <- as.array(mx.nd.Crop(data = list(mx.nd.array(x)), h_w = c(3, 2), offset = c(1, 2)))
  expect_equal(got, x[2:4, 3:4, , , drop = FALSE])
})

test_that("Pad's pad_width is reversed as a whole: (after, before) per R dimension", {
  # MXNet-R reverses the whole vector, so c(1, 2, 0, 0, ...) is the core's (..., 2, 1): R's first
  # dimension gets 2 before and 1 after.
  x <- array(as.numeric(1:6), dim = c(3, 2, 1, 1))
  got <- as.array(mx.nd.Pad(mx.nd.array(x), mode = "constant", pad_width = c(1, 2, 0, 1, 0, 0, 0, 0)))
  want <- array(0, dim = c(6, 3, 1, 1))
  want[3:5, 2:3, 1, 1] <- x[, , 1, 1]
  expect_equal(got, want)
})

test_that("scalar axes keep the core's numbering and tuple axes are only reordered", {
  x <- array(as.numeric(1:24), dim = c(2, 3, 4))
  # Core axis 0 is R's last dimension.
  expect_equal(as.array(mx.nd.sum(mx.nd.array(x), axis = 0)), apply(x, c(1, 2), sum))
  expect_equal(as.vector(as.array(mx.nd.sum(mx.nd.array(x), axis = c(0, 1)))), apply(x, 1, sum))
  expect_identical(node_attrs(mx.symbol.sum(mx.symbol.Variable("x"), axis = c(0, 1)))$axis, "(1, 0)")
  expect_equal(dim(as.array(mx.nd.softmax(mx.nd.array(x), axis = 2))), c(2, 3, 4))
  expect_error(mx.nd.softmax(mx.nd.array(x), axis = c(0, 1)), "single number")
})

test_that("a numeric vector for a float-tuple string parameter is reversed too", {
  # MultiBoxPrior's sizes and normalize's mean are string parameters holding float tuples (no R
  # function reaches them yet), so the formatter is checked directly; a string is MXNet's own
  # syntax and passes unchanged.
  fmt <- minerva:::mx.internal.format
  expect_identical(fmt("MultiBoxPrior", "sizes", c(0.5, 0.25), "string"), "(0.25, 0.5)")
  expect_identical(fmt("MultiBoxPrior", "sizes", 0.5, "string"), "0.5")
  expect_identical(fmt("MultiBoxPrior", "sizes", "(0.5, 0.25)", "string"), "(0.5, 0.25)")
  expect_identical(fmt("Convolution", "kernel", 3, "shape"), "(3,)")
  expect_identical(fmt("Convolution", "kernel", c(5, 3, 1), "shape"), "(1, 3, 5)")
  expect_error(fmt("Convolution", "kernel", c(2.5, 1), "shape"), NA)  # the core rejects it, naming the op
  expect_error(mx.symbol.Convolution(kernel = c(2.5, 1), num_filter = 1), "kernel")
})
