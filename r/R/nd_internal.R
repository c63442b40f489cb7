# mx.nd.internal.*: MXNet-R's names for the core's underscore operators (MXNet-R turned "_op_name"
# into mx.nd.internal.op.name) and the few internal NDArray helpers MXNet-R's R code and demos call
# (mx.nd.internal.plus.scalar(x, 1, out = x), mx.nd.internal.crop.assign, set.value, copyto,
# empty, load/save, as.array, dispatch.Ops) plus mx.nd.arraypacker (rnn inference, io extract).
#
# As in MXNet-R, inputs go first (positionally or by input name), unnamed numbers after them fill
# the operator's parameters in declaration order (so plus.scalar(x, 1) sets scalar = 1), named
# arguments are parameters (MXNet-R's dotted names too), and `out` receives the result in place.
# Tuple parameters (shapes, begin/end, axes) are in R's order and reversed for the core, by the same
# mx.internal.format the generated mx.nd.* functions use (r/R/invoke.R), as MXNet-R did.

# The registry's underscore operators and aliases (test-nd-internal.R checks this list against the
# loaded library, so it cannot go stale silently). After adding an underscore operator, print the
# new list with: n <- unlist(lapply(MVListOps(), function(o) { s <- mx.internal.op.schema(o);
# c(s$name, unlist(s$aliases)) })); sort(unique(n[startsWith(n, "_") & !startsWith(n, "_backward")]))
.mx.nd.internal.ops <- c(
  "_adamw_update", "_add", "_arange", "_broadcast_reduced", "_broadcast_to_like", "_cast_like",
  "_contrib_AdaptiveAvgPooling2D", "_contrib_arange_like", "_contrib_BilinearResize2D",
  "_contrib_bipartite_matching", "_contrib_box_decode", "_contrib_box_encode", "_contrib_box_iou",
  "_contrib_box_nms", "_contrib_box_non_maximum_suppression", "_contrib_ctc_loss", "_contrib_CTCLoss",
  "_contrib_DeformableConvolution", "_contrib_DeformablePSROIPooling", "_contrib_div_sqrt_dim",
  "_contrib_gradientmultiplier", "_contrib_index_array", "_contrib_index_copy",
  "_contrib_interleaved_matmul_encdec_qk", "_contrib_interleaved_matmul_encdec_valatt",
  "_contrib_interleaved_matmul_selfatt_qk", "_contrib_interleaved_matmul_selfatt_valatt",
  "_contrib_ModulatedDeformableConvolution", "_contrib_MultiBoxDetection", "_contrib_MultiBoxPrior",
  "_contrib_MultiBoxTarget", "_contrib_MultiProposal", "_contrib_Proposal", "_contrib_PSROIPooling",
  "_contrib_quadratic", "_contrib_ROIAlign", "_contrib_round_ste", "_contrib_RROIAlign", "_contrib_sign_ste",
  "_copy", "_crop_assign", "_crop_assign_scalar", "_div", "_Div", "_div_scalar", "_DivScalar", "_equal", "_Equal",
  "_equal_scalar", "_EqualScalar", "_eye", "_full", "_greater", "_Greater", "_greater_equal", "_Greater_Equal",
  "_greater_equal_scalar", "_greater_scalar", "_GreaterEqualScalar", "_GreaterScalar", "_histogram", "_hypot",
  "_Hypot", "_hypot_scalar", "_HypotScalar", "_image_adjust_lighting", "_image_crop", "_image_flip_left_right",
  "_image_flip_top_bottom", "_image_normalize", "_image_random_brightness", "_image_random_color_jitter",
  "_image_random_contrast", "_image_random_flip_left_right", "_image_random_flip_top_bottom", "_image_random_hue",
  "_image_random_lighting", "_image_random_saturation", "_image_resize", "_image_to_tensor", "_lesser", "_Lesser",
  "_lesser_equal", "_Lesser_Equal", "_lesser_equal_scalar", "_lesser_scalar", "_LesserEqualScalar", "_LesserScalar",
  "_linalg_det", "_linalg_extractdiag", "_linalg_extracttrian", "_linalg_gelqf", "_linalg_gemm", "_linalg_gemm2",
  "_linalg_inverse", "_linalg_makediag", "_linalg_maketrian", "_linalg_potrf", "_linalg_potri", "_linalg_slogdet",
  "_linalg_sumlogdiag", "_linalg_syevd", "_linalg_syrk", "_linalg_trmm", "_linalg_trsm", "_linspace", "_logical_and",
  "_Logical_And", "_logical_and_scalar", "_logical_or", "_Logical_Or", "_logical_or_scalar", "_logical_xor",
  "_Logical_Xor", "_logical_xor_scalar", "_LogicalAndScalar", "_LogicalOrScalar", "_LogicalXorScalar", "_maximum",
  "_Maximum", "_maximum_scalar", "_MaximumScalar", "_minimum", "_Minimum", "_minimum_scalar", "_MinimumScalar",
  "_minus", "_Minus", "_minus_scalar", "_MinusScalar", "_mod", "_Mod", "_mod_scalar", "_ModScalar",
  "_mp_adamw_update", "_mul", "_Mul", "_mul_scalar", "_MulScalar", "_multi_adamw_update", "_multi_lamb_update",
  "_multi_mp_adamw_update", "_multi_mp_lamb_update", "_not_equal", "_Not_Equal", "_not_equal_scalar",
  "_NotEqualScalar", "_np_cumsum", "_ones", "_plus", "_Plus", "_plus_scalar", "_PlusScalar", "_power", "_Power",
  "_power_scalar", "_PowerScalar", "_random_exponential", "_random_exponential_like", "_random_gamma",
  "_random_gamma_like", "_random_generalized_negative_binomial", "_random_generalized_negative_binomial_like",
  "_random_negative_binomial", "_random_negative_binomial_like", "_random_normal", "_random_normal_like",
  "_random_pdf_dirichlet", "_random_pdf_exponential", "_random_pdf_gamma",
  "_random_pdf_generalized_negative_binomial", "_random_pdf_negative_binomial", "_random_pdf_normal",
  "_random_pdf_poisson", "_random_pdf_uniform", "_random_poisson", "_random_poisson_like", "_random_randint",
  "_random_uniform", "_random_uniform_like", "_ravel_multi_index", "_rdiv_scalar", "_RDivScalar", "_reduce_sum_like",
  "_rminus_scalar", "_RMinusScalar", "_rmod_scalar", "_RModScalar", "_rpower_scalar", "_RPowerScalar",
  "_sample_exponential", "_sample_gamma", "_sample_generalized_negative_binomial", "_sample_multinomial",
  "_sample_negative_binomial", "_sample_normal", "_sample_poisson", "_sample_uniform", "_sample_unique_zipfian",
  "_scatter_set_nd", "_shuffle", "_slice_assign", "_slice_assign_scalar", "_split_v2", "_sub", "_unravel_index",
  "_zeros"
)

mx.internal.op.schema <- function(op) {
  key <- paste0("schema:", op)
  s <- .mx.env[[key]]
  if (is.null(s)) {
    s <- mx.internal.json(MVOpGetSchemaJSON(mx.internal.op(op)))
    s$param.names <- vapply(s$params, function(p) p$name, "")
    s$param.types <- vapply(s$params, function(p) p$type, "")
    s$input.names <- as.character(unlist(s$inputs))
    assign(key, s, envir = .mx.env)
  }
  s
}

# Runs core operator op the way MXNet-R's generated mx.nd.internal.* functions took arguments.
mx.internal.nd.internal.invoke <- function(called, op, args, out) {
  s <- mx.internal.op.schema(op)
  given <- if (is.null(names(args))) rep("", length(args)) else names(args)
  inputs <- list()
  keys <- character(0)
  vals <- character(0)
  positional.params <- integer(0)
  add.param <- function(k, v) {
    if (!k %in% s$param.names) {
      alt <- gsub(".", "_", k, fixed = TRUE)  # MXNet-R's dotted parameter names
      if (alt %in% s$param.names) k <- alt
    }
    type <- if (k %in% s$param.names) s$param.types[match(k, s$param.names)] else "string"
    keys <<- c(keys, k)
    vals <<- c(vals, mx.internal.format(called, k, v, type))
  }
  for (i in seq_along(args)) {
    a <- args[[i]]
    k <- given[i]
    if (k == "") {
      if (is.mx.ndarray(a)) {
        inputs[[length(inputs) + 1L]] <- a
      } else if (is.list(a) && length(a) && all(vapply(a, is.mx.ndarray, TRUE))) {
        inputs <- c(inputs, a)
      } else {
        positional.params <- c(positional.params, i)
      }
    } else if (k %in% s$input.names || (is.mx.ndarray(a) && !k %in% s$param.names)) {
      if (!is.mx.ndarray(a)) {
        stop(sprintf("%s: input '%s' must be an MXNDArray, got %s", called, k, class(a)[1]), call. = FALSE)
      }
      inputs[[length(inputs) + 1L]] <- a
    } else if (!is.null(a)) {
      add.param(k, a)
    }
  }
  free <- setdiff(s$param.names, keys)
  if (length(positional.params) > length(free)) {
    stop(sprintf("%s: %d unnamed values given but the operator has %d parameters left (%s)", called,
                 length(positional.params), length(free), paste(free, collapse = ", ")), call. = FALSE)
  }
  for (j in seq_along(positional.params)) add.param(free[j], args[[positional.params[j]]])
  if (nzchar(s$variadic) && !s$variadic %in% keys) {
    keys <- c(keys, s$variadic)
    vals <- c(vals, as.character(length(inputs)))
  }
  if (!is.null(out) && !is.mx.ndarray(out) &&
      !(is.list(out) && all(vapply(out, is.mx.ndarray, TRUE)))) {
    stop(sprintf("%s: 'out' must be an MXNDArray or a list of them, got %s", called, class(out)[1]), call. = FALSE)
  }
  out.list <- if (is.null(out)) NULL else if (is.mx.ndarray(out)) list(out) else out
  res <- MVImperativeInvoke(mx.internal.op(op), mx.internal.params.handle(op, list(keys = keys, vals = vals)),
                            lapply(inputs, function(x) x$ptr),
                            if (is.null(out.list)) NULL else lapply(out.list, function(o) o$ptr))
  if (!is.null(out)) return(invisible(out))
  arrays <- lapply(res, mx.nd.internal.wrap)
  if (length(arrays) == 1) arrays[[1]] else arrays
}

mx.internal.nd.internal.make <- function(op) {
  called <- paste0("mx.nd.internal.", gsub("_", ".", substring(op, 2L), fixed = TRUE))
  force(op)
  f <- function(..., out = NULL) mx.internal.nd.internal.invoke(called, op, list(...), out)
  f
}

for (.op in .mx.nd.internal.ops) {
  assign(paste0("mx.nd.internal.", gsub("_", ".", substring(.op, 2L), fixed = TRUE)), mx.internal.nd.internal.make(.op))
}
rm(.op)

#' MXNet-R's internal NDArray functions.
#'
#' \code{mx.nd.internal.<name>} runs the core's operator \code{_<name>} (dots for underscores), as
#' MXNet-R's generated internal functions did: NDArray inputs first, then unnamed numbers filling the
#' operator's parameters in order, named parameters (underscored or dotted), and \code{out} to write
#' the result into an existing array, e.g. \code{mx.nd.internal.plus.scalar(x, 1, out = x)} or
#' \code{mx.nd.internal.crop.assign(x, y, begin = c(0, 0), end = c(2, 2))} (shapes in R order).
#' The helpers \code{set.value}, \code{copyto}, \code{empty}, \code{empty.array}, \code{array},
#' \code{load}, \code{save}, \code{dim}, \code{ctx}, \code{length}, \code{as.array} and
#' \code{dispatch.Ops} are MXNet-R's helpers of the same names.
#'
#' @name mx.nd.internal
#' @param ... NDArray inputs and operator parameters.
#' @param out An MXNDArray (or list of them) that receives the result; NULL for a new array.
#' @return The result MXNDArray (a list of them for several outputs), or \code{out}, invisibly.
#' @aliases mx.nd.internal.adamw.update mx.nd.internal.add mx.nd.internal.arange mx.nd.internal.broadcast.reduced
#' @aliases mx.nd.internal.broadcast.to.like mx.nd.internal.cast.like mx.nd.internal.contrib.AdaptiveAvgPooling2D
#' @aliases mx.nd.internal.contrib.arange.like mx.nd.internal.contrib.BilinearResize2D
#' @aliases mx.nd.internal.contrib.bipartite.matching mx.nd.internal.contrib.box.decode
#' @aliases mx.nd.internal.contrib.box.encode mx.nd.internal.contrib.box.iou mx.nd.internal.contrib.box.nms
#' @aliases mx.nd.internal.contrib.box.non.maximum.suppression mx.nd.internal.contrib.ctc.loss
#' @aliases mx.nd.internal.contrib.CTCLoss mx.nd.internal.contrib.DeformableConvolution
#' @aliases mx.nd.internal.contrib.DeformablePSROIPooling mx.nd.internal.contrib.div.sqrt.dim
#' @aliases mx.nd.internal.contrib.gradientmultiplier mx.nd.internal.contrib.index.array
#' @aliases mx.nd.internal.contrib.index.copy mx.nd.internal.contrib.interleaved.matmul.encdec.qk
#' @aliases mx.nd.internal.contrib.interleaved.matmul.encdec.valatt
#' @aliases mx.nd.internal.contrib.interleaved.matmul.selfatt.qk
#' @aliases mx.nd.internal.contrib.interleaved.matmul.selfatt.valatt
#' @aliases mx.nd.internal.contrib.ModulatedDeformableConvolution mx.nd.internal.contrib.MultiBoxDetection
#' @aliases mx.nd.internal.contrib.MultiBoxPrior mx.nd.internal.contrib.MultiBoxTarget
#' @aliases mx.nd.internal.contrib.MultiProposal mx.nd.internal.contrib.Proposal mx.nd.internal.contrib.PSROIPooling
#' @aliases mx.nd.internal.contrib.quadratic mx.nd.internal.contrib.ROIAlign mx.nd.internal.contrib.round.ste
#' @aliases mx.nd.internal.contrib.RROIAlign mx.nd.internal.contrib.sign.ste mx.nd.internal.copy
#' @aliases mx.nd.internal.crop.assign mx.nd.internal.crop.assign.scalar mx.nd.internal.div mx.nd.internal.Div
#' @aliases mx.nd.internal.div.scalar mx.nd.internal.DivScalar mx.nd.internal.equal mx.nd.internal.Equal
#' @aliases mx.nd.internal.equal.scalar mx.nd.internal.EqualScalar mx.nd.internal.eye mx.nd.internal.full
#' @aliases mx.nd.internal.greater mx.nd.internal.Greater mx.nd.internal.greater.equal mx.nd.internal.Greater.Equal
#' @aliases mx.nd.internal.greater.equal.scalar mx.nd.internal.greater.scalar mx.nd.internal.GreaterEqualScalar
#' @aliases mx.nd.internal.GreaterScalar mx.nd.internal.histogram mx.nd.internal.hypot mx.nd.internal.Hypot
#' @aliases mx.nd.internal.hypot.scalar mx.nd.internal.HypotScalar mx.nd.internal.image.adjust.lighting
#' @aliases mx.nd.internal.image.crop mx.nd.internal.image.flip.left.right mx.nd.internal.image.flip.top.bottom
#' @aliases mx.nd.internal.image.normalize mx.nd.internal.image.random.brightness
#' @aliases mx.nd.internal.image.random.color.jitter mx.nd.internal.image.random.contrast
#' @aliases mx.nd.internal.image.random.flip.left.right mx.nd.internal.image.random.flip.top.bottom
#' @aliases mx.nd.internal.image.random.hue mx.nd.internal.image.random.lighting
#' @aliases mx.nd.internal.image.random.saturation mx.nd.internal.image.resize mx.nd.internal.image.to.tensor
#' @aliases mx.nd.internal.lesser mx.nd.internal.Lesser mx.nd.internal.lesser.equal mx.nd.internal.Lesser.Equal
#' @aliases mx.nd.internal.lesser.equal.scalar mx.nd.internal.lesser.scalar mx.nd.internal.LesserEqualScalar
#' @aliases mx.nd.internal.LesserScalar mx.nd.internal.linalg.det mx.nd.internal.linalg.extractdiag
#' @aliases mx.nd.internal.linalg.extracttrian mx.nd.internal.linalg.gelqf mx.nd.internal.linalg.gemm
#' @aliases mx.nd.internal.linalg.gemm2 mx.nd.internal.linalg.inverse mx.nd.internal.linalg.makediag
#' @aliases mx.nd.internal.linalg.maketrian mx.nd.internal.linalg.potrf mx.nd.internal.linalg.potri
#' @aliases mx.nd.internal.linalg.slogdet mx.nd.internal.linalg.sumlogdiag mx.nd.internal.linalg.syevd
#' @aliases mx.nd.internal.linalg.syrk mx.nd.internal.linalg.trmm mx.nd.internal.linalg.trsm mx.nd.internal.linspace
#' @aliases mx.nd.internal.logical.and mx.nd.internal.Logical.And mx.nd.internal.logical.and.scalar
#' @aliases mx.nd.internal.logical.or mx.nd.internal.Logical.Or mx.nd.internal.logical.or.scalar
#' @aliases mx.nd.internal.logical.xor mx.nd.internal.Logical.Xor mx.nd.internal.logical.xor.scalar
#' @aliases mx.nd.internal.LogicalAndScalar mx.nd.internal.LogicalOrScalar mx.nd.internal.LogicalXorScalar
#' @aliases mx.nd.internal.maximum mx.nd.internal.Maximum mx.nd.internal.maximum.scalar mx.nd.internal.MaximumScalar
#' @aliases mx.nd.internal.minimum mx.nd.internal.Minimum mx.nd.internal.minimum.scalar mx.nd.internal.MinimumScalar
#' @aliases mx.nd.internal.minus mx.nd.internal.Minus mx.nd.internal.minus.scalar mx.nd.internal.MinusScalar
#' @aliases mx.nd.internal.mod mx.nd.internal.Mod mx.nd.internal.mod.scalar mx.nd.internal.ModScalar
#' @aliases mx.nd.internal.mp.adamw.update mx.nd.internal.mul mx.nd.internal.Mul mx.nd.internal.mul.scalar
#' @aliases mx.nd.internal.MulScalar mx.nd.internal.multi.adamw.update mx.nd.internal.multi.lamb.update
#' @aliases mx.nd.internal.multi.mp.adamw.update mx.nd.internal.multi.mp.lamb.update mx.nd.internal.not.equal
#' @aliases mx.nd.internal.Not.Equal mx.nd.internal.not.equal.scalar mx.nd.internal.NotEqualScalar
#' @aliases mx.nd.internal.np.cumsum mx.nd.internal.ones mx.nd.internal.plus mx.nd.internal.Plus
#' @aliases mx.nd.internal.plus.scalar mx.nd.internal.PlusScalar mx.nd.internal.power mx.nd.internal.Power
#' @aliases mx.nd.internal.power.scalar mx.nd.internal.PowerScalar mx.nd.internal.random.exponential
#' @aliases mx.nd.internal.random.exponential.like mx.nd.internal.random.gamma mx.nd.internal.random.gamma.like
#' @aliases mx.nd.internal.random.generalized.negative.binomial
#' @aliases mx.nd.internal.random.generalized.negative.binomial.like mx.nd.internal.random.negative.binomial
#' @aliases mx.nd.internal.random.negative.binomial.like mx.nd.internal.random.normal
#' @aliases mx.nd.internal.random.normal.like mx.nd.internal.random.pdf.dirichlet
#' @aliases mx.nd.internal.random.pdf.exponential mx.nd.internal.random.pdf.gamma
#' @aliases mx.nd.internal.random.pdf.generalized.negative.binomial mx.nd.internal.random.pdf.negative.binomial
#' @aliases mx.nd.internal.random.pdf.normal mx.nd.internal.random.pdf.poisson mx.nd.internal.random.pdf.uniform
#' @aliases mx.nd.internal.random.poisson mx.nd.internal.random.poisson.like mx.nd.internal.random.randint
#' @aliases mx.nd.internal.random.uniform mx.nd.internal.random.uniform.like mx.nd.internal.ravel.multi.index
#' @aliases mx.nd.internal.rdiv.scalar mx.nd.internal.RDivScalar mx.nd.internal.reduce.sum.like
#' @aliases mx.nd.internal.rminus.scalar mx.nd.internal.RMinusScalar mx.nd.internal.rmod.scalar
#' @aliases mx.nd.internal.RModScalar mx.nd.internal.rpower.scalar mx.nd.internal.RPowerScalar
#' @aliases mx.nd.internal.sample.exponential mx.nd.internal.sample.gamma
#' @aliases mx.nd.internal.sample.generalized.negative.binomial mx.nd.internal.sample.multinomial
#' @aliases mx.nd.internal.sample.negative.binomial mx.nd.internal.sample.normal mx.nd.internal.sample.poisson
#' @aliases mx.nd.internal.sample.uniform mx.nd.internal.sample.unique.zipfian mx.nd.internal.scatter.set.nd
#' @aliases mx.nd.internal.shuffle mx.nd.internal.slice.assign mx.nd.internal.slice.assign.scalar
#' @aliases mx.nd.internal.split.v2 mx.nd.internal.sub mx.nd.internal.unravel.index mx.nd.internal.zeros
#' @rawNamespace
#'   export(mx.nd.internal.adamw.update, mx.nd.internal.add, mx.nd.internal.arange, mx.nd.internal.broadcast.reduced,
#'     mx.nd.internal.broadcast.to.like, mx.nd.internal.cast.like, mx.nd.internal.contrib.AdaptiveAvgPooling2D,
#'     mx.nd.internal.contrib.arange.like, mx.nd.internal.contrib.BilinearResize2D,
#'     mx.nd.internal.contrib.bipartite.matching, mx.nd.internal.contrib.box.decode,
#'     mx.nd.internal.contrib.box.encode, mx.nd.internal.contrib.box.iou, mx.nd.internal.contrib.box.nms,
#'     mx.nd.internal.contrib.box.non.maximum.suppression, mx.nd.internal.contrib.ctc.loss,
#'     mx.nd.internal.contrib.CTCLoss, mx.nd.internal.contrib.DeformableConvolution,
#'     mx.nd.internal.contrib.DeformablePSROIPooling, mx.nd.internal.contrib.div.sqrt.dim,
#'     mx.nd.internal.contrib.gradientmultiplier, mx.nd.internal.contrib.index.array,
#'     mx.nd.internal.contrib.index.copy, mx.nd.internal.contrib.interleaved.matmul.encdec.qk,
#'     mx.nd.internal.contrib.interleaved.matmul.encdec.valatt, mx.nd.internal.contrib.interleaved.matmul.selfatt.qk,
#'     mx.nd.internal.contrib.interleaved.matmul.selfatt.valatt,
#'     mx.nd.internal.contrib.ModulatedDeformableConvolution, mx.nd.internal.contrib.MultiBoxDetection,
#'     mx.nd.internal.contrib.MultiBoxPrior, mx.nd.internal.contrib.MultiBoxTarget,
#'     mx.nd.internal.contrib.MultiProposal, mx.nd.internal.contrib.Proposal, mx.nd.internal.contrib.PSROIPooling,
#'     mx.nd.internal.contrib.quadratic, mx.nd.internal.contrib.ROIAlign, mx.nd.internal.contrib.round.ste,
#'     mx.nd.internal.contrib.RROIAlign, mx.nd.internal.contrib.sign.ste, mx.nd.internal.copy,
#'     mx.nd.internal.crop.assign, mx.nd.internal.crop.assign.scalar, mx.nd.internal.div, mx.nd.internal.Div,
#'     mx.nd.internal.div.scalar, mx.nd.internal.DivScalar, mx.nd.internal.equal, mx.nd.internal.Equal,
#'     mx.nd.internal.equal.scalar, mx.nd.internal.EqualScalar, mx.nd.internal.eye, mx.nd.internal.full,
#'     mx.nd.internal.greater, mx.nd.internal.Greater, mx.nd.internal.greater.equal, mx.nd.internal.Greater.Equal,
#'     mx.nd.internal.greater.equal.scalar, mx.nd.internal.greater.scalar, mx.nd.internal.GreaterEqualScalar,
#'     mx.nd.internal.GreaterScalar, mx.nd.internal.histogram, mx.nd.internal.hypot, mx.nd.internal.Hypot,
#'     mx.nd.internal.hypot.scalar, mx.nd.internal.HypotScalar, mx.nd.internal.image.adjust.lighting,
#'     mx.nd.internal.image.crop, mx.nd.internal.image.flip.left.right, mx.nd.internal.image.flip.top.bottom,
#'     mx.nd.internal.image.normalize, mx.nd.internal.image.random.brightness,
#'     mx.nd.internal.image.random.color.jitter, mx.nd.internal.image.random.contrast,
#'     mx.nd.internal.image.random.flip.left.right, mx.nd.internal.image.random.flip.top.bottom,
#'     mx.nd.internal.image.random.hue, mx.nd.internal.image.random.lighting, mx.nd.internal.image.random.saturation,
#'     mx.nd.internal.image.resize, mx.nd.internal.image.to.tensor, mx.nd.internal.lesser, mx.nd.internal.Lesser,
#'     mx.nd.internal.lesser.equal, mx.nd.internal.Lesser.Equal, mx.nd.internal.lesser.equal.scalar,
#'     mx.nd.internal.lesser.scalar, mx.nd.internal.LesserEqualScalar, mx.nd.internal.LesserScalar,
#'     mx.nd.internal.linalg.det, mx.nd.internal.linalg.extractdiag, mx.nd.internal.linalg.extracttrian,
#'     mx.nd.internal.linalg.gelqf, mx.nd.internal.linalg.gemm, mx.nd.internal.linalg.gemm2,
#'     mx.nd.internal.linalg.inverse, mx.nd.internal.linalg.makediag, mx.nd.internal.linalg.maketrian,
#'     mx.nd.internal.linalg.potrf, mx.nd.internal.linalg.potri, mx.nd.internal.linalg.slogdet,
#'     mx.nd.internal.linalg.sumlogdiag, mx.nd.internal.linalg.syevd, mx.nd.internal.linalg.syrk,
#'     mx.nd.internal.linalg.trmm, mx.nd.internal.linalg.trsm, mx.nd.internal.linspace, mx.nd.internal.logical.and,
#'     mx.nd.internal.Logical.And, mx.nd.internal.logical.and.scalar, mx.nd.internal.logical.or,
#'     mx.nd.internal.Logical.Or, mx.nd.internal.logical.or.scalar, mx.nd.internal.logical.xor,
#'     mx.nd.internal.Logical.Xor, mx.nd.internal.logical.xor.scalar, mx.nd.internal.LogicalAndScalar,
#'     mx.nd.internal.LogicalOrScalar, mx.nd.internal.LogicalXorScalar, mx.nd.internal.maximum,
#'     mx.nd.internal.Maximum, mx.nd.internal.maximum.scalar, mx.nd.internal.MaximumScalar, mx.nd.internal.minimum,
#'     mx.nd.internal.Minimum, mx.nd.internal.minimum.scalar, mx.nd.internal.MinimumScalar, mx.nd.internal.minus,
#'     mx.nd.internal.Minus, mx.nd.internal.minus.scalar, mx.nd.internal.MinusScalar, mx.nd.internal.mod,
#'     mx.nd.internal.Mod, mx.nd.internal.mod.scalar, mx.nd.internal.ModScalar, mx.nd.internal.mp.adamw.update,
#'     mx.nd.internal.mul, mx.nd.internal.Mul, mx.nd.internal.mul.scalar, mx.nd.internal.MulScalar,
#'     mx.nd.internal.multi.adamw.update, mx.nd.internal.multi.lamb.update, mx.nd.internal.multi.mp.adamw.update,
#'     mx.nd.internal.multi.mp.lamb.update, mx.nd.internal.not.equal, mx.nd.internal.Not.Equal,
#'     mx.nd.internal.not.equal.scalar, mx.nd.internal.NotEqualScalar, mx.nd.internal.np.cumsum, mx.nd.internal.ones,
#'     mx.nd.internal.plus, mx.nd.internal.Plus, mx.nd.internal.plus.scalar, mx.nd.internal.PlusScalar,
#'     mx.nd.internal.power, mx.nd.internal.Power, mx.nd.internal.power.scalar, mx.nd.internal.PowerScalar,
#'     mx.nd.internal.random.exponential, mx.nd.internal.random.exponential.like, mx.nd.internal.random.gamma,
#'     mx.nd.internal.random.gamma.like, mx.nd.internal.random.generalized.negative.binomial,
#'     mx.nd.internal.random.generalized.negative.binomial.like, mx.nd.internal.random.negative.binomial,
#'     mx.nd.internal.random.negative.binomial.like, mx.nd.internal.random.normal, mx.nd.internal.random.normal.like,
#'     mx.nd.internal.random.pdf.dirichlet, mx.nd.internal.random.pdf.exponential, mx.nd.internal.random.pdf.gamma,
#'     mx.nd.internal.random.pdf.generalized.negative.binomial, mx.nd.internal.random.pdf.negative.binomial,
#'     mx.nd.internal.random.pdf.normal, mx.nd.internal.random.pdf.poisson, mx.nd.internal.random.pdf.uniform,
#'     mx.nd.internal.random.poisson, mx.nd.internal.random.poisson.like, mx.nd.internal.random.randint,
#'     mx.nd.internal.random.uniform, mx.nd.internal.random.uniform.like, mx.nd.internal.ravel.multi.index,
#'     mx.nd.internal.rdiv.scalar, mx.nd.internal.RDivScalar, mx.nd.internal.reduce.sum.like,
#'     mx.nd.internal.rminus.scalar, mx.nd.internal.RMinusScalar, mx.nd.internal.rmod.scalar,
#'     mx.nd.internal.RModScalar, mx.nd.internal.rpower.scalar, mx.nd.internal.RPowerScalar,
#'     mx.nd.internal.sample.exponential, mx.nd.internal.sample.gamma,
#'     mx.nd.internal.sample.generalized.negative.binomial, mx.nd.internal.sample.multinomial,
#'     mx.nd.internal.sample.negative.binomial, mx.nd.internal.sample.normal, mx.nd.internal.sample.poisson,
#'     mx.nd.internal.sample.uniform, mx.nd.internal.sample.unique.zipfian, mx.nd.internal.scatter.set.nd,
#'     mx.nd.internal.shuffle, mx.nd.internal.slice.assign, mx.nd.internal.slice.assign.scalar,
#'     mx.nd.internal.split.v2, mx.nd.internal.sub, mx.nd.internal.unravel.index, mx.nd.internal.zeros)
NULL

#' Fills \code{out} with a scalar (MXNet-R's \code{mx.nd.internal.set.value}).
#'
#' @param src The value.
#' @param out The MXNDArray to fill.
#' @return out, invisibly.
#' @export
mx.nd.internal.set.value <- function(src, out) {
  if (!is.mx.ndarray(out)) stop("mx.nd.internal.set.value: 'out' must be an MXNDArray", call. = FALSE)
  if (!is.numeric(src) || length(src) != 1) stop("mx.nd.internal.set.value: 'src' must be one number", call. = FALSE)
  if (length(out) == 0) return(invisible(out))
  mx.internal.nd.internal.invoke("mx.nd.internal.set.value", "_plus_scalar", list(mx.nd.zeros.like(out), scalar = src),
                                 out)
}

#' Copies \code{src} into \code{out} (MXNet-R's \code{mx.nd.internal.copyto}).
#'
#' @param src The source MXNDArray.
#' @param out The destination MXNDArray, of the same shape.
#' @return out, invisibly.
#' @export
mx.nd.internal.copyto <- function(src, out) {
  if (!is.mx.ndarray(src) || !is.mx.ndarray(out)) {
    stop("mx.nd.internal.copyto: 'src' and 'out' must be MXNDArrays", call. = FALSE)
  }
  if (!identical(dim(src), dim(out))) {
    stop(sprintf("mx.nd.internal.copyto: 'src' has shape (%s) but 'out' has shape (%s)",
                 paste(dim(src), collapse = ", "), paste(dim(out), collapse = ", ")), call. = FALSE)
  }
  MVNDArrayCopyTo(src$ptr, out$ptr)
  invisible(out)
}

#' An array of the given shape (R order) on ctx (MXNet-R's \code{mx.nd.internal.empty}; zero-filled here).
#'
#' @param shape The dimensions, R order.
#' @param ctx The device; NULL for the default.
#' @return An MXNDArray.
#' @export
mx.nd.internal.empty <- function(shape, ctx = NULL) mx.nd.zeros(shape, ctx)

#' An array of the given shape (R order) on ctx (MXNet-R's \code{mx.nd.internal.empty.array}).
#'
#' @param shape The dimensions, R order.
#' @param ctx The device.
#' @return An MXNDArray.
#' @export
mx.nd.internal.empty.array <- function(shape, ctx) mx.nd.zeros(shape, ctx)

#' An MXNDArray from an R array (MXNet-R's \code{mx.nd.internal.array}).
#'
#' @param src An R numeric array.
#' @param ctx The device.
#' @return An MXNDArray.
#' @export
mx.nd.internal.array <- function(src, ctx = NULL) mx.nd.array(src, ctx)

#' Loads an NDArray file (MXNet-R's \code{mx.nd.internal.load}).
#'
#' @param filename The file.
#' @return A list of MXNDArrays.
#' @export
mx.nd.internal.load <- function(filename) mx.nd.load(filename)

#' Saves NDArrays (MXNet-R's \code{mx.nd.internal.save}).
#'
#' @param ndarray An MXNDArray or a list of them.
#' @param filename The file.
#' @return NULL, invisibly.
#' @export
mx.nd.internal.save <- function(ndarray, filename) mx.nd.save(ndarray, filename)

#' The dimensions of an MXNDArray, R order (MXNet-R's \code{mx.nd.internal.dim}).
#'
#' @param src An MXNDArray.
#' @return An integer vector.
#' @export
mx.nd.internal.dim <- function(src) dim(src)

#' The device of an MXNDArray (MXNet-R's \code{mx.nd.internal.ctx}).
#'
#' @param src An MXNDArray.
#' @return An MXContext.
#' @export
mx.nd.internal.ctx <- function(src) ctx(src)

#' The number of elements of an MXNDArray (MXNet-R's \code{mx.nd.internal.length}).
#'
#' @param src An MXNDArray.
#' @return A number.
#' @export
mx.nd.internal.length <- function(src) length(src)

#' The values of an MXNDArray as a plain numeric vector (MXNet-R's \code{mx.nd.internal.as.array}).
#'
#' @param src An MXNDArray.
#' @return A numeric vector.
#' @export
mx.nd.internal.as.array <- function(src) as.vector(as.array(src))

#' The arithmetic MXNet-R dispatched from its operators (\code{+ - * /}) on NDArrays and numbers.
#'
#' @param op One of "+", "-", "*", "/".
#' @param lhs An MXNDArray or a number.
#' @param rhs An MXNDArray or a number.
#' @return An MXNDArray.
#' @export
mx.nd.internal.dispatch.Ops <- function(op, lhs, rhs) {
  if (!op %in% c("+", "-", "*", "/")) {
    stop(sprintf("mx.nd.internal.dispatch.Ops: operator '%s' is not supported (use +, -, * or /)", op), call. = FALSE)
  }
  if (!is.mx.ndarray(lhs) && !is.mx.ndarray(rhs)) {
    stop("mx.nd.internal.dispatch.Ops: one operand must be an MXNDArray", call. = FALSE)
  }
  do.call(op, list(lhs, rhs))
}

#' Collects MXNDArrays and concatenates them along their last R dimension (MXNet-R's packer).
#'
#' @return An object with \code{$push(array)} and \code{$get()}; get returns one MXNDArray.
#' @export
mx.nd.arraypacker <- function() {
  p <- new.env(parent = emptyenv())
  p$parts <- list()
  p$push <- function(x) {
    if (!is.mx.ndarray(x)) stop("mx.nd.arraypacker: push takes an MXNDArray", call. = FALSE)
    if (length(p$parts)) {
      d0 <- dim(p$parts[[1]])
      d <- dim(x)
      if (length(d) != length(d0) || any(d[-length(d)] != d0[-length(d0)])) {
        stop(sprintf("mx.nd.arraypacker: pushed shape (%s) does not match (%s) but in the last dimension",
                     paste(d, collapse = ", "), paste(d0, collapse = ", ")), call. = FALSE)
      }
    }
    p$parts[[length(p$parts) + 1L]] <- x
    invisible(NULL)
  }
  p$get <- function() {
    if (!length(p$parts)) stop("mx.nd.arraypacker: nothing was pushed", call. = FALSE)
    if (length(p$parts) == 1) return(p$parts[[1]])
    mx.internal.call("Concat", p$parts, c("num_args", "dim"), c(as.character(length(p$parts)), "0"))
  }
  class(p) <- "MXNDArrayPacker"
  p
}
