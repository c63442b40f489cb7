# R training speed: seconds per epoch of mx.model.FeedForward.create at several N (linear in N?)
# and the same MLP (784-128-64-10, SGD with momentum, batch 100, accuracy metric) trained by
# Python Module on the same data (bench/r_training.py), interleaved round by round; the fastest
# epoch after the first of each is kept. Prints a markdown table with the R/Python ratios of wall
# time and of CPU time (all threads; steadier than wall time when the machine is shared).
#   R_LIBS=build/rlib Rscript bench/r_training.R [N,N,...] [ROUNDS]
# Environment: MINERVA_PYTHON (default .venv/bin/python), PYTHONPATH and MINERVA_LIBRARY_PATH
# as the Python package needs them (defaults: python/ and build/libminerva.so of this checkout).
suppressMessages(library(minerva))
args <- commandArgs(trailingOnly = TRUE)
file.arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
root <- normalizePath(file.path(dirname(sub("^--file=", "", file.arg)), ".."))
sizes <- if (length(args) >= 1) as.integer(strsplit(args[1], ",")[[1]]) else c(6000L, 12000L, 24000L, 48000L)
rounds <- if (length(args) >= 2) as.integer(args[2]) else 3L
batch <- 100L
epochs <- 3L
python <- Sys.getenv("MINERVA_PYTHON", file.path(root, ".venv/bin/python"))
if (Sys.getenv("PYTHONPATH") == "") Sys.setenv(PYTHONPATH = file.path(root, "python"))
if (Sys.getenv("MINERVA_LIBRARY_PATH") == "") Sys.setenv(MINERVA_LIBRARY_PATH = file.path(root, "build/libminerva.so"))

mlp <- function() {
  net <- mx.symbol.FullyConnected(mx.symbol.Variable("data"), num_hidden = 128, name = "fc1")
  net <- mx.symbol.Activation(net, act_type = "relu", name = "relu1")
  net <- mx.symbol.FullyConnected(net, num_hidden = 64, name = "fc2")
  net <- mx.symbol.Activation(net, act_type = "relu", name = "relu2")
  net <- mx.symbol.FullyConnected(net, num_hidden = 10, name = "fc3")
  mx.symbol.SoftmaxOutput(net, name = "softmax")
}

r.epochs <- function(x, y) {
  wall <- numeric(0)
  cpu <- numeric(0)
  stamp <- function(iteration, nbatch, env, verbose = TRUE) {
    t <- proc.time()
    wall <<- c(wall, t[["elapsed"]])
    cpu <<- c(cpu, t[["user.self"]] + t[["sys.self"]])
    TRUE
  }
  model <- mx.model.FeedForward.create(mlp(), X = x, y = y, num.round = epochs, array.batch.size = batch,
                                       array.layout = "colmajor", learning.rate = 0.1, momentum = 0.9,
                                       eval.metric = mx.metric.accuracy, initializer = mx.init.Xavier(),
                                       epoch.end.callback = stamp, verbose = FALSE)
  predict.s <- system.time(predict(model, x, array.layout = "colmajor", array.batch.size = batch))[["elapsed"]]
  list(epoch = min(diff(wall)), cpu = min(diff(cpu)), predict = predict.s)
}

py.epochs <- function(path, n) {
  # R's LD_LIBRARY_PATH can hand the interpreter the system's libpython: run it without.
  out <- system2(python, c(file.path(root, "bench/r_training.py"), path, n, batch, epochs), stdout = TRUE,
                 env = "LD_LIBRARY_PATH=''")
  got <- as.numeric(strsplit(out[length(out)], " ")[[1]])
  list(epoch = got[1], cpu = got[2])
}

rows <- list()
for (n in sizes) {
  set.seed(n)
  x <- matrix(runif(784 * n), 784, n)
  y <- sample(0:9, n, replace = TRUE)
  path <- tempfile(fileext = ".f32")
  writeBin(c(as.numeric(x), as.numeric(y)), path, size = 4)
  r <- list(epoch = Inf, cpu = Inf, predict = Inf)
  py <- list(epoch = Inf, cpu = Inf)
  for (k in seq_len(rounds)) {
    r <- Map(min, r, r.epochs(x, y))
    py <- Map(min, py, py.epochs(path, n))
  }
  unlink(path)
  rows[[length(rows) + 1]] <- sprintf("| %d | %.3f | %.1f | %.3f | %.3f | %.2f | %.3f | %.3f | %.2f |", n, r$epoch,
                                      1e6 * r$epoch / n, r$predict, py$epoch, r$epoch / py$epoch, r$cpu, py$cpu,
                                      r$cpu / py$cpu)
}
cat("| N | R s/epoch | R us/sample | R predict s | Python Module s/epoch | R / Python | R CPU s/epoch |",
    "Python CPU s/epoch | R / Python (CPU) |\n")
cat("|---|---|---|---|---|---|---|---|---|\n")
cat(paste0(unlist(rows), "\n"), sep = "")
