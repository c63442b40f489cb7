#' minerva: MXNet's R API on the Minerva deep-learning library
#'
#' Arrays (`mx.nd.*`), operators (`mx.nd.<op>`, `mx.symbol.<op>`, one help page each),
#' symbolic graphs and executors (`mx.symbol.*`, `mx.simple.bind`), feed-forward training
#' (`mx.model.FeedForward.create`, `mx.mlp`) and MXNet 1.x checkpoints (`mx.model.save`,
#' `mx.model.load`), with the names and conventions of MXNet's R package, on libminerva's C ABI.
#'
#' Dimension order is R's: an R array of `dim = c(28, 28, 1, N)` is the core's
#' `(N, 1, 28, 28)`, the same bytes with the dimensions reversed.
#'
#' @useDynLib minerva, .registration = TRUE, .fixes = "C_"
#' @importFrom stats predict
#' @keywords internal
"_PACKAGE"
