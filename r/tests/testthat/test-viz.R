# graph.viz as MXNet-R's (R-package/R/viz.graph.R): DiagrammeR draws it; the graph description
# (nodes, MXNet-R's labels, edges with shapes) is built without it.

mlp.symbol <- function() {
  data <- mx.symbol.Variable("data")
  fc1 <- mx.symbol.FullyConnected(data, num_hidden = 16, name = "fc1")
  act <- mx.symbol.Activation(fc1, act_type = "relu", name = "relu1")
  fc2 <- mx.symbol.FullyConnected(act, num_hidden = 3, name = "fc2")
  mx.symbol.SoftmaxOutput(fc2, name = "sm")
}

test_that("the graph description keeps inputs and operators with MXNet-R's labels", {
  d <- minerva:::mx.internal.viz.description(mlp.symbol())
  expect_equal(d$nodes$name, c("data", "fc1", "relu1", "fc2", "sm_label", "sm"))
  expect_equal(d$nodes$label, c("data", "FullyConnected\n16", "Activation\nrelu", "FullyConnected\n3", "sm_label",
                                "SoftmaxOutput"))
  expect_equal(d$nodes$color[d$nodes$name == "fc1"], "#fb8072")
  expect_equal(d$nodes$shape[d$nodes$name == "data"], "oval")
  ids <- setNames(d$nodes$id, d$nodes$name)
  expect_equal(d$edges$from, unname(ids[c("data", "fc1", "relu1", "fc2", "sm_label")]))
  expect_equal(d$edges$to, unname(ids[c("fc1", "relu1", "fc2", "sm", "sm")]))
  expect_true(all(d$edges$label == ""))
})

test_that("with an input shape, edges carry the R-order shapes that flow along them", {
  d <- minerva:::mx.internal.viz.description(mlp.symbol(), shape = c(10, 32))
  expect_equal(d$edges$label, c("10X32", "16X32", "16X32", "3X32", "32"))
  conv <- mx.symbol.Pooling(mx.symbol.Convolution(mx.symbol.Variable("data"), kernel = c(3, 3), num_filter = 8,
                                                  name = "conv"), kernel = c(2, 2), stride = c(2, 2),
                            pool_type = "max", name = "pool")
  d <- minerva:::mx.internal.viz.description(conv, shape = list(data = c(28, 28, 1, 4)))
  expect_equal(d$nodes$label, c("data", "Convolution\n3x3/1, 8", "Pooling\nmax\n2x2/2"))
  expect_equal(d$edges$label, c("28X28X1X4", "26X26X8X4"))
  dot <- minerva:::mx.internal.viz.dot(d, "LR")
  expect_match(dot, "rankdir = LR", fixed = TRUE)
  expect_match(dot, "n3 -> n4 [label = \"26X26X8X4\"]", fixed = TRUE)
  expect_match(dot, "label = \"Pooling\\nmax\\n2x2/2\"", fixed = TRUE)
})

test_that("graph.viz names DiagrammeR when it is missing, and checks its arguments", {
  s <- mlp.symbol()
  expect_error(graph.viz(s, direction = "UP"), "'direction' must be")
  expect_error(graph.viz(s, type = "svg"), "'type' must be")
  expect_error(graph.viz("net"), "MXSymbol")
  if (!requireNamespace("DiagrammeR", quietly = TRUE)) {
    expect_error(graph.viz(s, shape = c(10, 32)), "graph.viz needs the R package 'DiagrammeR'")
  } else {
    w <- graph.viz(s, shape = c(10, 32), direction = "LR", graph.height.px = 180)
    expect_s3_class(w, "htmlwidget")
  }
})
