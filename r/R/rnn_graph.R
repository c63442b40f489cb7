# rnn.graph: MXNet-R's recurrent network symbol (R-package/R/rnn.graph.R of MXNet 1.9.1), built on
# the fused RNN operator. Data are token ids of R shape c(seq.len, batch); the graph embeds them,
# runs num_rnn_layer layers of the chosen cell over time (the core's TNC layout after swapping the
# first two axes) and decodes either the last step ("seq-to-one") or every step ("one-to-one").
# Names are MXNet-R's: inputs data, label, seq.mask; parameters embed.weight, rnn.params.weight,
# cls.weight, cls.bias; states rnn.state (and rnn.state.cell for lstm); the RNN node is
# <prefix>RNN (outputs RNN_output, RNN_state, RNN_state_cell) and the loss node is "loss".

.mx.rnn.cell.types <- c("lstm", "gru", "rnn_tanh", "rnn_relu")
.mx.rnn.configs <- c("seq-to-one", "one-to-one")
.mx.rnn.losses <- c("softmax", "linear", "logistic", "MAE")

mx.internal.rnn.check.count <- function(value, what, allow.null = FALSE) {
  if (allow.null && is.null(value)) return(invisible(NULL))
  if (!is.numeric(value) || length(value) != 1 || is.na(value) || value < 1 || value != round(value)) {
    stop(sprintf("rnn.graph: '%s' must be a positive whole number, got %s", what,
                 paste(format(value), collapse = " ")), call. = FALSE)
  }
}

mx.internal.rnn.loss <- function(loss_output, decode, label, ignore_label, name) {
  switch(loss_output,
         softmax = mx.symbol.SoftmaxOutput(data = decode, label = label, use_ignore = ignore_label != -1,
                                           ignore_label = ignore_label, name = name),
         linear = mx.symbol.LinearRegressionOutput(data = decode, label = label, name = name),
         logistic = mx.symbol.LogisticRegressionOutput(data = decode, label = label, name = name),
         MAE = mx.symbol.MAERegressionOutput(data = decode, label = label, name = name),
         stop(sprintf("rnn.graph: 'loss_output' must be NULL or one of %s, got '%s'",
                      paste(sprintf("\"%s\"", .mx.rnn.losses), collapse = ", "), loss_output), call. = FALSE))
}

#' A recurrent network symbol, as MXNet-R's \code{rnn.graph}.
#'
#' Token ids of R shape \code{c(seq.len, batch)} go through an embedding (when \code{num_embed} is
#' given), \code{num_rnn_layer} layers of the fused RNN operator, and a dense decoder with a loss.
#'
#' @param num_rnn_layer Number of stacked recurrent layers.
#' @param input_size Number of token ids (the embedding's input dimension); used with num_embed.
#' @param num_embed Embedding size, or NULL for data that are already vectors (R shape
#'   \code{c(features, seq.len, batch)}).
#' @param num_hidden Size of each layer's state.
#' @param num_decode Number of outputs of the decoder (the vocabulary for a language model).
#' @param dropout Dropout between layers (the RNN operator's \code{p}).
#' @param ignore_label A label value the softmax loss ignores; -1 ignores nothing.
#' @param bidirectional Whether the layers run in both directions.
#' @param loss_output NULL (no decoder: the RNN outputs are returned), "softmax", "linear",
#'   "logistic" or "MAE".
#' @param config "seq-to-one" (decode the last step) or "one-to-one" (decode every step).
#' @param cell_type "lstm", "gru", "rnn_tanh" or "rnn_relu".
#' @param masking Whether \code{seq.mask} (lengths per sample) masks padded steps.
#' @param output_last_state Whether the symbol also outputs the last states (RNN_state,
#'   RNN_state_cell), for inference step by step.
#' @param rnn.state A symbol for the initial state, or NULL for the variable "rnn.state".
#' @param rnn.state.cell A symbol for the initial lstm cell state, or NULL for "rnn.state.cell".
#' @param prefix A prefix for the names of the RNN, swap and decode nodes.
#' @return An MXSymbol.
#' @export
rnn.graph <- function(num_rnn_layer, input_size = NULL, num_embed = NULL, num_hidden, num_decode, dropout = 0,
                      ignore_label = -1, bidirectional = FALSE, loss_output = NULL, config, cell_type,
                      masking = FALSE, output_last_state = FALSE, rnn.state = NULL, rnn.state.cell = NULL,
                      prefix = "") {
  mx.internal.rnn.check.count(num_rnn_layer, "num_rnn_layer")
  mx.internal.rnn.check.count(num_hidden, "num_hidden")
  mx.internal.rnn.check.count(num_embed, "num_embed", allow.null = TRUE)
  if (!is.character(cell_type) || length(cell_type) != 1 || !cell_type %in% .mx.rnn.cell.types) {
    stop(sprintf("rnn.graph: 'cell_type' must be one of %s, got '%s'",
                 paste(sprintf("\"%s\"", .mx.rnn.cell.types), collapse = ", "), paste(cell_type, collapse = " ")),
         call. = FALSE)
  }
  if (!is.character(config) || length(config) != 1 || !config %in% .mx.rnn.configs) {
    stop(sprintf("rnn.graph: 'config' must be \"seq-to-one\" or \"one-to-one\", got '%s'",
                 paste(config, collapse = " ")), call. = FALSE)
  }
  if (!is.null(num_embed)) mx.internal.rnn.check.count(input_size, "input_size")
  if (!is.null(loss_output)) mx.internal.rnn.check.count(num_decode, "num_decode")

  data <- mx.symbol.Variable("data")
  label <- mx.symbol.Variable("label")
  seq.mask <- mx.symbol.Variable("seq.mask")
  if (is.null(rnn.state)) rnn.state <- mx.symbol.Variable("rnn.state")
  if (cell_type == "lstm" && is.null(rnn.state.cell)) rnn.state.cell <- mx.symbol.Variable("rnn.state.cell")
  cls.weight <- mx.symbol.Variable("cls.weight")
  cls.bias <- mx.symbol.Variable("cls.bias")

  if (!is.null(num_embed)) {
    data <- mx.symbol.Embedding(data = data, weight = mx.symbol.Variable("embed.weight"), input_dim = input_size,
                                output_dim = num_embed, name = "embed")
  }
  # (batch, seq, features) -> the RNN operator's (seq, batch, features).
  data <- mx.symbol.swapaxes(data = data, dim1 = 0, dim2 = 1, name = paste0(prefix, "swap_pre"))
  rnn <- mx.symbol.RNN(data = data, parameters = mx.symbol.Variable("rnn.params.weight"), state = rnn.state,
                       state_cell = if (cell_type == "lstm") rnn.state.cell else NULL, state_size = num_hidden,
                       num_layers = num_rnn_layer, bidirectional = bidirectional, mode = cell_type,
                       state_outputs = output_last_state, p = dropout, name = paste0(prefix, "RNN"))
  seq <- if (output_last_state) rnn[[1]] else rnn

  if (config == "seq-to-one") {
    mask <- if (masking) {
      mx.symbol.SequenceLast(data = seq, sequence_length = seq.mask, use_sequence_length = TRUE, name = "mask")
    } else {
      mx.symbol.SequenceLast(data = seq, use_sequence_length = FALSE, name = "mask")
    }
    if (is.null(loss_output)) return(mask)
    decode <- mx.symbol.FullyConnected(data = mask, weight = cls.weight, bias = cls.bias, num_hidden = num_decode,
                                       name = "decode")
    out <- mx.internal.rnn.loss(loss_output, decode, label, ignore_label, "loss")
  } else {
    mask <- if (masking) {
      mx.symbol.SequenceMask(data = seq, sequence_length = seq.mask, use_sequence_length = TRUE, value = 0,
                             name = "mask")
    } else {
      mx.symbol.identity(data = seq, name = "mask")
    }
    mask <- mx.symbol.swapaxes(data = mask, dim1 = 0, dim2 = 1, name = paste0(prefix, "swap_post"))
    if (is.null(loss_output)) return(mask)
    # (batch, seq, hidden) -> (batch * seq, hidden): one decoded row per step, batch-major like the labels.
    mask <- mx.symbol.Reshape(data = mask, shape = c(0, -1), reverse = TRUE)
    label <- mx.symbol.Reshape(data = label, shape = c(-1))
    decode <- mx.symbol.FullyConnected(data = mask, weight = cls.weight, bias = cls.bias, num_hidden = num_decode,
                                       flatten = TRUE, name = paste0(prefix, "decode"))
    out <- mx.internal.rnn.loss(loss_output, decode, label, ignore_label, "loss")
  }
  # With output_last_state the states are outputs of the RNN node (RNN_state, RNN_state_cell), which
  # MXNet-R code reads from the symbol's internals for step-by-step inference.
  out
}
