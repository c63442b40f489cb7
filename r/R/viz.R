# graph.viz: MXNet-R's drawing of a symbol's computation graph. The graph description (nodes with
# MXNet-R's labels, colours and shapes; edges labelled with the shapes that flow along them when
# an input shape is given) is built here in plain R as Graphviz DOT text; DiagrammeR, when it is
# installed, renders it (as MXNet-R did). Without DiagrammeR graph.viz stops with a message that
# names the package.

# MXNet-R's colours and node shapes per operator.
mx.internal.viz.color <- function(op) {
  switch(op, data = "#8dd3c7", FullyConnected = , Convolution = "#fb8072", LeakyReLU = , Activation = "#ffffb3",
         BatchNorm = "#bebada", Pooling = "#80b1d3", Flatten = , Reshape = , Concat = "#fdb462",
         SoftmaxOutput = , Softmax = "#b3de69", "#fccde5")
}

mx.internal.viz.shape <- function(op) {
  switch(op, data = "oval", Pooling = "oval", Flatten = , Reshape = , Concat = "invtriangle", "box")
}

mx.internal.viz.label <- function(op, attrs) {
  nums <- function(s) if (is.null(s)) character(0) else regmatches(s, gregexpr("-?[0-9]+", s))[[1]]
  switch(op,
         FullyConnected = paste0("FullyConnected\n", attrs$num_hidden),
         Convolution = {
           k <- nums(attrs$kernel); s <- nums(attrs$stride)
           paste0("Convolution\n", paste(k, collapse = "x"), "/", if (length(s)) s[1] else "1", ", ", attrs$num_filter)
         },
         LeakyReLU = paste0("LeakyReLU\n", if (is.null(attrs$act_type)) "leaky" else attrs$act_type),
         Activation = paste0("Activation\n", attrs$act_type),
         Pooling = {
           k <- nums(attrs$kernel); s <- nums(attrs$stride)
           paste0("Pooling\n", if (is.null(attrs$pool_type)) "max" else attrs$pool_type, "\n",
                  paste(k, collapse = "x"), "/", if (length(s)) s[1] else "1")
         },
         op)
}

.mx.viz.param.suffix <- "(weight|bias|gamma|beta|moving_mean|moving_var|running_mean|running_var)$"

# The nodes and edges graph.viz draws: non-parameter variables (inputs such as data and labels) and
# every operator node; edge labels are the R-order shapes of the values when shape is given.
mx.internal.viz.description <- function(symbol, shape = NULL) {
  mx.internal.check.symbol(symbol, "graph.viz")
  g <- mx.internal.json(mx.symbol.save.json(symbol))
  nodes <- g$nodes
  n <- length(nodes)
  op <- vapply(nodes, function(x) x$op, "")
  name <- vapply(nodes, function(x) x$name, "")
  keep <- op != "null" | !grepl(.mx.viz.param.suffix, name)
  kind <- ifelse(op == "null", "data", op)
  label <- vapply(seq_len(n), function(i) {
    attrs <- if (is.null(nodes[[i]]$attrs)) list() else nodes[[i]]$attrs
    if (op[i] == "null") name[i] else mx.internal.viz.label(op[i], attrs)
  }, "")
  node.df <- data.frame(id = seq_len(n) - 1L, name = name, op = op, label = label,
                        color = vapply(kind, mx.internal.viz.color, ""),
                        shape = vapply(kind, mx.internal.viz.shape, ""), stringsAsFactors = FALSE)[keep, ]
  rownames(node.df) <- NULL
  out.shapes <- NULL
  if (!is.null(shape)) {
    if (is.numeric(shape)) shape <- list(data = shape)
    inferred <- do.call(mx.symbol.infer.shape, c(list(internals(symbol)), shape))
    if (is.null(inferred)) {
      stop(sprintf("graph.viz: cannot infer the shapes of the graph from %s", paste(names(shape), collapse = ", ")),
           call. = FALSE)
    }
    out.shapes <- inferred$out.shapes
  }
  # The internals list every output of every node in node order; row_ptr gives each node's first.
  row.ptr <- as.numeric(unlist(g$node_row_ptr))
  from <- integer(0); to <- integer(0); elabel <- character(0)
  for (i in which(keep & op != "null")) {
    for (inp in nodes[[i]]$inputs) {
      src <- as.integer(inp[[1]])
      if (!keep[src + 1L]) next
      from <- c(from, src); to <- c(to, i - 1L)
      s <- if (is.null(out.shapes) || length(row.ptr) != n + 1 || length(out.shapes) != row.ptr[n + 1]) {
        ""
      } else {
        paste(out.shapes[[row.ptr[src + 1L] + as.integer(inp[[2]]) + 1L]], collapse = "X")
      }
      elabel <- c(elabel, s)
    }
  }
  list(nodes = node.df, edges = data.frame(from = from, to = to, label = elabel, stringsAsFactors = FALSE))
}

mx.internal.viz.dot <- function(desc, direction) {
  q <- function(s) paste0("\"", gsub("\n", "\\\\n", gsub("\"", "\\\\\"", s, fixed = TRUE)), "\"")
  nd <- desc$nodes
  ed <- desc$edges
  node.lines <- sprintf("  n%d [label = %s, shape = %s, style = filled, fillcolor = %s]", nd$id, q(nd$label),
                        nd$shape, q(nd$color))
  edge.lines <- if (nrow(ed)) {
    sprintf("  n%d -> n%d%s", ed$from, ed$to, ifelse(nzchar(ed$label), paste0(" [label = ", q(ed$label), "]"), ""))
  } else character(0)
  paste(c("digraph mxnet {", sprintf("  graph [rankdir = %s]", direction),
          "  node [fontname = Helvetica, width = 1.3, height = 0.8034]",
          "  edge [color = gray20, arrowsize = 0.8, arrowhead = vee]", node.lines, edge.lines, "}"), collapse = "\n")
}

#' Draws a symbol's computation graph, as MXNet-R's \code{graph.viz}.
#'
#' Needs the R package DiagrammeR (and visNetwork for \code{type = "vis"}); without it, it stops
#' with a message saying so. Nodes are the operators and the inputs (parameters are left out),
#' labelled, coloured and shaped as MXNet-R did; with \code{shape}, edges carry the shapes (R order)
#' of the values they carry.
#'
#' @param symbol An MXSymbol.
#' @param shape The input shape (R order) of "data", or a named list of input shapes; NULL for no
#'   edge labels.
#' @param direction "TD" (top-down), "LR", "BT" or "RL".
#' @param type "graph" (Graphviz through DiagrammeR) or "vis" (visNetwork through DiagrammeR).
#' @param graph.width.px Width in pixels, or NULL.
#' @param graph.height.px Height in pixels, or NULL.
#' @return An htmlwidget that prints as the graph.
#' @export
graph.viz <- function(symbol, shape = NULL, direction = "TD", type = "graph", graph.width.px = NULL,
                      graph.height.px = NULL) {
  if (!direction %in% c("TD", "LR", "BT", "RL")) {
    stop(sprintf("graph.viz: 'direction' must be \"TD\", \"LR\", \"BT\" or \"RL\", got '%s'", direction), call. = FALSE)
  }
  if (!type %in% c("graph", "vis")) {
    stop(sprintf("graph.viz: 'type' must be \"graph\" or \"vis\", got '%s'", type), call. = FALSE)
  }
  desc <- mx.internal.viz.description(symbol, shape)
  if (!requireNamespace("DiagrammeR", quietly = TRUE)) {
    stop(paste("graph.viz needs the R package 'DiagrammeR' to draw the graph;",
               "install it with install.packages(\"DiagrammeR\")"), call. = FALSE)
  }
  if (type == "graph") {
    return(DiagrammeR::grViz(mx.internal.viz.dot(desc, if (direction == "TD") "TB" else direction),
                             width = graph.width.px, height = graph.height.px))
  }
  nd <- desc$nodes
  nodes <- DiagrammeR::create_node_df(n = nrow(nd), label = nd$label, style = "filled", fillcolor = nd$color,
                                      shape = nd$shape, data = nd$id)
  ids <- stats::setNames(nodes$id, nd$id)
  edges <- DiagrammeR::create_edge_df(from = unname(ids[as.character(desc$edges$from)]),
                                      to = unname(ids[as.character(desc$edges$to)]), label = desc$edges$label)
  graph <- DiagrammeR::create_graph(nodes_df = nodes, edges_df = edges)
  DiagrammeR::render_graph(graph, output = "visNetwork", width = graph.width.px, height = graph.height.px)
}
