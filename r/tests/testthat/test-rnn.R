# Recurrent models as MXNet-R's char-RNN vignette (R-package/vignettes/CharRnnModel.Rmd) uses them:
# rnn.graph, mx.io.bucket.iter, mx.model.buckets, mx.infer.rnn, mx.infer.rnn.one.

rnn.text <- paste(
  "Shall I compare thee to a summer's day? Thou art more lovely and more temperate:",
  "Rough winds do shake the darling buds of May, and summer's lease hath all too short a date;",
  "Sometime too hot the eye of heaven shines, and often is his gold complexion dimm'd;",
  "And every fair from fair sometime declines, by chance or nature's changing course untrimm'd;",
  "But thy eternal summer shall not fade, nor lose possession of that fair thou ow'st;",
  "Nor shall death brag thou wander'st in his shade, when in eternal lines to time thou grow'st:",
  "So long as men can breathe or eyes can see, so long lives this, and this gives life to thee.")

# The vignette's make_data: features and next-character labels in columns of seq.len (ids from 1).
make.char.data <- function(text, seq.len) {
  chars <- strsplit(text, "")[[1]]
  dic <- seq_along(sort(unique(chars)))
  names(dic) <- sort(unique(chars))
  num.seq <- floor((length(chars) - 1) / seq.len)
  feats <- dic[chars[seq_len(seq.len * num.seq)]]
  labels <- dic[chars[seq_len(seq.len * num.seq) + 1]]
  list(X = array(feats, dim = c(seq.len, num.seq)), Y = array(labels, dim = c(seq.len, num.seq)), dic = dic)
}

# The vignette's perplexity metric on NDArrays (label and pred as mx.model.buckets passes them).
perplexity.metric <- local({
  m <- list(init = function() c(0, 0),
            update = function(label, pred, state) {
              label <- mx.nd.reshape(label, shape = -1)
              probs <- as.array(mx.nd.choose.element.0index(pred, label))
              c(state[1] + 1, state[2] + exp(-sum(log(pmax(1e-15, probs))) / length(probs)))
            },
            get = function(state) list(name = "Perplexity", value = state[2] / state[1]))
  class(m) <- "mx.metric"
  m
})

test_that("rnn.graph builds MXNet-R's graph for every cell type", {
  for (cell in c("lstm", "gru", "rnn_tanh", "rnn_relu")) {
    s <- rnn.graph(num_rnn_layer = 2, input_size = 10, num_embed = 4, num_hidden = 8, num_decode = 10,
                   cell_type = cell, config = "one-to-one", loss_output = "softmax")
    states <- if (cell == "lstm") c("rnn.state", "rnn.state.cell") else "rnn.state"
    expect_equal(arguments(s), c("data", "embed.weight", "rnn.params.weight", states, "cls.weight", "cls.bias",
                                 "label"))
    expect_equal(outputs(s), "loss_output")
    sh <- mx.symbol.infer.shape(s, data = c(5, 3), label = c(5, 3))
    expect_equal(sh$arg.shapes$rnn.state, c(8, 3, 2))        # (hidden, batch, layers) in R order
    expect_equal(sh$arg.shapes$embed.weight, c(4, 10))
    expect_equal(sh$out.shapes$loss_output, c(10, 15))        # one row per (sample, step)
  }
  gates <- c(lstm = 4, gru = 3, rnn_tanh = 1)
  for (cell in names(gates)) {
    s <- rnn.graph(num_rnn_layer = 1, input_size = 10, num_embed = 4, num_hidden = 8, num_decode = 2,
                   cell_type = cell, config = "seq-to-one", loss_output = "softmax")
    sh <- mx.symbol.infer.shape(s, data = c(5, 3), label = 3)
    # The fused parameter vector: gates * (hidden * (input + hidden) + 2 * hidden).
    expect_equal(sh$arg.shapes$rnn.params.weight, unname(gates[cell]) * (8 * (4 + 8) + 2 * 8))
    expect_equal(sh$out.shapes$loss_output, c(2, 3))
  }
  masked <- rnn.graph(num_rnn_layer = 1, input_size = 10, num_embed = 4, num_hidden = 8, num_decode = 2,
                      cell_type = "gru", config = "seq-to-one", loss_output = "softmax", masking = TRUE)
  expect_true("seq.mask" %in% arguments(masked))
  bare <- rnn.graph(num_rnn_layer = 1, num_hidden = 6, cell_type = "lstm", config = "one-to-one",
                    output_last_state = TRUE)
  expect_equal(mx.symbol.infer.shape(bare, data = c(3, 7, 2))$out.shapes[[1]], c(6, 7, 2))
  expect_true(all(c("RNN_state_output", "RNN_statecell_output") %in% outputs(minerva:::internals(bare))))
})

test_that("rnn.graph rejects bad arguments by name", {
  expect_error(rnn.graph(1, 10, 4, 8, 10, cell_type = "lstmm", config = "one-to-one"), "'cell_type' must be one of")
  expect_error(rnn.graph(1, 10, 4, 8, 10, cell_type = "gru", config = "many"), "'config'")
  expect_error(rnn.graph(0, 10, 4, 8, 10, cell_type = "gru", config = "one-to-one"), "'num_rnn_layer'")
  expect_error(rnn.graph(1, 10, 4, 8, 10, cell_type = "gru", config = "one-to-one", loss_output = "hinge"),
               "'loss_output'")
})

test_that("mx.io.bucket.iter plans batches, pads from the bucket start and computes seq.mask", {
  b5 <- matrix(c(1, 2, 0, 3, 4, 5, 6, 0, 0), 3, 3)           # 3 samples of length 3 (0 pads)
  b2 <- matrix(1:10, 2, 5)                                    # 5 samples of length 2
  it <- mx.io.bucket.iter(list("3" = list(data = b5, label = 1:3), "2" = list(data = b2, label = 11:15)),
                          batch.size = 2)
  expect_false(it$iter.next())                                # no plan before reset(), as MXNet-R
  it$reset()
  expect_equal(it$batch.per.epoch, 2 + 3)
  seen <- list()
  while (it$iter.next()) {
    v <- it$value()
    seen[[length(seen) + 1]] <- list(bucket = names(it$bucketID), label = as.vector(as.array(v$label)),
                                     mask = as.vector(as.array(v$seq.mask)), pad = it$num.pad(),
                                     dim = dim(v$data))
  }
  expect_equal(vapply(seen, `[[`, "", "bucket"), c("3", "3", "2", "2", "2"))
  expect_equal(seen[[1]]$mask, c(2, 3))
  expect_equal(seen[[2]]$label, c(3, 1))                      # the last batch refills from the start
  expect_equal(seen[[2]]$pad, 1)
  expect_equal(seen[[5]]$label, c(15, 11))
  expect_equal(seen[[5]]$pad, 1)
  expect_equal(seen[[3]]$pad, 0)
  expect_equal(seen[[3]]$dim, c(2, 2))
  sh <- mx.io.bucket.iter(list("3" = list(data = b5, label = 1:3), "2" = list(data = b2, label = 11:15)),
                          batch.size = 2, shuffle = TRUE, seed = 7)
  sh$reset()
  sh2 <- mx.io.bucket.iter(list("3" = list(data = b5, label = 1:3), "2" = list(data = b2, label = 11:15)),
                           batch.size = 2, shuffle = TRUE, seed = 7)
  sh2$reset()
  expect_equal(sh$bucket.plan, sh2$bucket.plan)              # the seed fixes the plan
  expect_setequal(names(sh$bucket.plan), c("3", "3", "2", "2", "2"))
  expect_error(mx.io.bucket.iter(list(list(data = b5, label = 1:3)), 2), "named by sequence length")
  expect_error(mx.io.bucket.iter(list("3" = list(data = b5, label = 1:2)), 2), "3 samples of data but 2 of labels")
  expect_error(mx.io.bucket.iter(list("3" = list(data = b5, label = 1:3)), 0), "'batch.size'")
})

test_that("a char-level LSTM trains over two buckets with shared weights; perplexity falls", {
  d8 <- make.char.data(rnn.text, 8)
  d12 <- make.char.data(rnn.text, 12)
  vocab <- length(d8$dic)
  stopifnot(identical(d8$dic, d12$dic))
  train <- mx.io.bucket.iter(list("8" = list(data = d8$X[, 1:40], label = d8$Y[, 1:40]),
                                  "12" = list(data = d12$X[, 1:30], label = d12$Y[, 1:30])),
                             batch.size = 10, shuffle = TRUE)
  eval <- mx.io.bucket.iter(list("8" = list(data = d8$X[, 41:60], label = d8$Y[, 41:60])), batch.size = 10)
  symbol <- rnn.graph(num_rnn_layer = 1, num_hidden = 48, input_size = vocab + 1, num_embed = 16,
                      num_decode = vocab + 1, cell_type = "lstm", config = "one-to-one", loss_output = "softmax",
                      ignore_label = 0, output_last_state = TRUE)
  logged <- list()
  mx.set.seed(3)
  model <- mx.model.buckets(symbol, train.data = train, eval.data = eval, num.round = 12, ctx = mx.cpu(),
                            metric = perplexity.metric, initializer = mx.init.Xavier(),
                            optimizer = mx.opt.create("adam", learning.rate = 0.01, rescale.grad = 1 / 10),
                            epoch.end.callback = function(iteration, nbatch, env, verbose = TRUE) {
                              logged[[iteration]] <<- c(train = env$metric$get(env$train.metric)$value,
                                                        eval = env$metric$get(env$eval.metric)$value)
                              TRUE
                            }, verbose = FALSE)
  train.ppl <- vapply(logged, `[[`, 1, "train")
  if (nzchar(Sys.getenv("MINERVA_TEST_VERBOSE"))) print(do.call(rbind, logged))
  eval.ppl <- vapply(logged, `[[`, 1, "eval")
  expect_length(train.ppl, 12)
  expect_gt(train.ppl[1], 15)                 # near-uniform guessing over ~35 characters at first
  expect_lt(train.ppl[12], train.ppl[1] / 2)
  # held-out perplexity improves (a text this small is then overfitted, so not at every epoch)
  expect_lt(min(eval.ppl), 0.75 * eval.ppl[1])
  expect_setequal(names(model$arg.params), c("embed.weight", "rnn.params.weight", "cls.weight", "cls.bias"))

  # mx.infer.rnn: predictions for the 20 evaluation sequences (8 steps each), padding removed.
  pred <- mx.infer.rnn(eval, model)
  expect_equal(dim(pred), c(vocab + 1, 20 * 8))
  expect_equal(colSums(as.array(pred)), rep(1, 160), tolerance = 1e-4)
  # The model is an MXFeedForwardModel: it round-trips through MXNet's checkpoint files.
  prefix <- file.path(tempdir(), "char-rnn")
  mx.model.save(model, prefix, 12)
  expect_equal(as.array(mx.infer.rnn(eval, mx.model.load(prefix, 12))), as.array(pred), tolerance = 1e-6)

  # mx.infer.rnn.one: the whole prefix at once equals feeding it one character at a time with the
  # states carried through input.params (the vignette's generation loop).
  internals <- minerva:::internals(model$symbol)
  sym <- mx.symbol.Group(internals[["loss_output"]], internals[["RNN_state_output"]],
                         internals[["RNN_statecell_output"]])
  prefix <- unname(d8$dic[strsplit("Thou art", "")[[1]]])
  iter.of <- function(ids) {
    b <- list(list(data = matrix(ids, ncol = 1), label = matrix(ids, ncol = 1)))
    names(b) <- as.character(length(ids))
    mx.io.bucket.iter(b, batch.size = 1)
  }
  whole <- mx.infer.rnn.one(iter.of(prefix), sym, model$arg.params, model$aux.params)
  expect_equal(names(whole), c("loss_output", "RNN_state_output", "RNN_statecell_output"))
  expect_equal(dim(whole$loss_output), c(vocab + 1, length(prefix)))
  expect_equal(dim(whole[[2]]), c(48, 1, 1))
  state <- NULL
  for (ch in prefix) {
    step <- mx.infer.rnn.one(iter.of(ch), sym, model$arg.params, model$aux.params,
                             input.params = state)
    state <- list(rnn.state = step[[2]], rnn.state.cell = step[[3]])
  }
  last <- as.array(whole$loss_output)[, length(prefix)]
  expect_equal(as.vector(as.array(step$loss_output)), last, tolerance = 1e-5)
  expect_equal(as.array(step[[2]]), as.array(whole[[2]]), tolerance = 1e-5)
  expect_error(mx.infer.rnn.one(iter.of(prefix), sym, model$arg.params, model$aux.params,
                                input.params = list(rnn.state = mx.nd.zeros(c(3, 1, 1)))), "'rnn.state' has shape")
})

test_that("seq-to-one GRU with masking learns the last real token, updating on a kvstore, symbols per bucket", {
  set.seed(11)
  make.bucket <- function(len, n) {
    lengths <- sample(2:len, n, replace = TRUE)
    data <- matrix(0, len, n)                          # 0 pads the end of shorter sequences
    for (j in seq_len(n)) data[seq_len(lengths[j]), j] <- sample(1:4, lengths[j], replace = TRUE)
    list(data = data, label = data[cbind(lengths, seq_len(n))] - 1)
  }
  buckets <- list("6" = make.bucket(6, 160), "4" = make.bucket(4, 160))
  train <- mx.io.bucket.iter(buckets, batch.size = 32, data.mask.element = 0, shuffle = TRUE)
  sym <- rnn.graph(num_rnn_layer = 1, input_size = 5, num_embed = 8, num_hidden = 24, num_decode = 4,
                   cell_type = "gru", config = "seq-to-one", loss_output = "softmax", masking = TRUE)
  kv <- mx.kv.create("local")
  mx.set.seed(5)
  model <- mx.model.buckets(list("6" = sym, "4" = sym), train.data = train, num.round = 25, ctx = mx.cpu(),
                            initializer = mx.init.Xavier(), kvstore = kv, verbose = FALSE,
                            optimizer = mx.opt.create("adam", learning.rate = 0.02, rescale.grad = 1 / 32))
  test <- list("6" = make.bucket(6, 64))
  pred <- as.array(mx.infer.rnn(mx.io.bucket.iter(test, batch.size = 32), model))
  expect_equal(dim(pred), c(4, 64))
  expect_gt(mean(max.col(t(pred)) - 1 == test[["6"]]$label), 0.9)
  # The store holds the trained weights (keys are the parameters in order).
  keys <- seq_along(model$arg.params)
  outs <- list(lapply(model$arg.params, function(a) mx.nd.zeros(dim(a))))
  kv$pull(keys, outs)
  for (i in keys) expect_equal(as.array(outs[[1]][[i]]), as.array(model$arg.params[[i]]))
  # An allreduce store sums the gradients and leaves the update to mx.model.buckets: the same training.
  # (Fresh iterators: a shuffling iterator reshuffles its stored buckets at every reset, as MXNet-R's.)
  train1 <- mx.io.bucket.iter(buckets, batch.size = 32, data.mask.element = 0, shuffle = TRUE)
  mx.set.seed(5)
  again <- mx.model.buckets(list("6" = sym, "4" = sym), train.data = train1, num.round = 25, ctx = mx.cpu(),
                            initializer = mx.init.Xavier(), kvstore = mx.kv.create("local_allreduce_cpu"),
                            verbose = FALSE,
                            optimizer = mx.opt.create("adam", learning.rate = 0.02, rescale.grad = 1 / 32))
  train2 <- mx.io.bucket.iter(buckets, batch.size = 32, data.mask.element = 0, shuffle = TRUE)
  mx.set.seed(5)
  plain <- mx.model.buckets(list("6" = sym, "4" = sym), train.data = train2, num.round = 25, ctx = mx.cpu(),
                            initializer = mx.init.Xavier(), verbose = FALSE,
                            optimizer = mx.opt.create("adam", learning.rate = 0.02, rescale.grad = 1 / 32))
  expect_equal(as.array(again$arg.params$cls.weight), as.array(plain$arg.params$cls.weight), tolerance = 1e-5)
  expect_error(mx.model.buckets(list("9" = sym), train.data = train, verbose = FALSE), "no symbol for bucket")
  expect_error(mx.model.buckets(sym, train.data = train, ctx = list(mx.cpu(), mx.cpu()), verbose = FALSE),
               "2 devices")
})
