# mx.io.MNISTIter and mx.io.CSVIter with MXNet 1.9.1's behaviour (its C++ iterators, as MXNet-R
# called them through mx.varg.io.*): the tests write tiny files in the real formats.

write.idx <- function(path, values, dims, code = 0x08, size = 1, gzip = FALSE) {
  header <- c(as.raw(c(0, 0, code, length(dims))), unlist(lapply(dims, function(d) {
    as.raw(c(d %/% 2^24, (d %/% 2^16) %% 256, (d %/% 2^8) %% 256, d %% 256))
  })))
  payload <- if (code == 0x08) as.raw(values) else if (code == 0x0D || code == 0x0E) {
    writeBin(as.numeric(values), raw(), size = size, endian = "big")
  } else {
    writeBin(as.integer(values), raw(), size = size, endian = "big")
  }
  con <- if (gzip) gzfile(path, "wb") else file(path, "wb")
  writeBin(c(header, payload), con)
  close(con)
  path
}

# n images of 2x3 pixels whose pixels all equal the image number; labels image number %% 10.
mnist.files <- function(n, gzip = FALSE) {
  dir <- tempfile("mnist")
  dir.create(dir)
  img <- write.idx(file.path(dir, "img"), rep(0:(n - 1), each = 6), c(n, 2, 3), gzip = gzip)
  lab <- write.idx(file.path(dir, "lab"), (0:(n - 1)) %% 10, n, gzip = gzip)
  list(image = img, label = lab)
}

test_that("MNISTIter reads IDX files with MXNet's shapes, 1/256 scaling and dropped last batch", {
  f <- mnist.files(23)
  it <- mx.io.MNISTIter(image = f$image, label = f$label, batch.size = 5, shuffle = FALSE, silent = TRUE)
  it$reset()
  n <- 0
  labels <- c()
  while (it$iter.next()) {
    v <- it$value()
    n <- n + 1
    expect_equal(dim(v$data), c(3, 2, 1, 5))
    expect_equal(it$num.pad(), 0L)
    labels <- c(labels, as.vector(as.array(v$label)))
    first <- as.array(v$data)[, , 1, 1]
    expect_equal(first, matrix((n - 1) * 5 / 256, 3, 2))
  }
  expect_equal(n, 4)                                   # 23 images: 4 full batches, the rest dropped
  expect_equal(labels, (0:19) %% 10)
  it$reset()
  expect_true(it$iter.next())
  flat <- mx.io.MNISTIter(image = f$image, label = f$label, batch_size = 4, shuffle = FALSE, flat = TRUE,
                          silent = TRUE, input_shape = c(2, 3, 1))
  flat$iter.next()
  expect_equal(dim(flat$value()$data), c(6, 4))
  # Pixel 255 becomes 0.99609375, as MXNet 1.9.1's iterator gives.
  g <- mnist.files(1)
  write.idx(g$image, c(255, 0, 0, 0, 0, 0), c(1, 2, 3))
  one <- mx.io.MNISTIter(image = g$image, label = g$label, batch.size = 1, shuffle = FALSE, silent = TRUE)
  one$iter.next()
  expect_equal(max(as.array(one$value()$data)), 0.99609375)
})

test_that("MNISTIter shuffles in MXNet 1.9.1's order for a seed", {
  f <- mnist.files(23)
  # The orders MXNet 1.9.1's mx.io.MNISTIter(shuffle=True, seed=s, batch_size=5) gave for these files.
  expected <- list("0" = c(16, 2, 3, 5, 14, 18, 13, 19, 4, 7, 20, 8, 9, 10, 15, 12, 0, 21, 22, 11),
                   "7" = c(18, 15, 5, 12, 17, 7, 11, 16, 0, 19, 3, 20, 10, 1, 21, 14, 13, 8, 2, 22))
  set.seed(42)
  before <- runif(1)
  set.seed(42)
  for (seed in names(expected)) {
    it <- mx.io.MNISTIter(image = f$image, label = f$label, batch.size = 5, seed = as.integer(seed), silent = TRUE,
                          flat = TRUE)
    got <- c()
    while (it$iter.next()) got <- c(got, round(as.array(it$value()$data)[1, ] * 256))
    expect_equal(got, expected[[seed]])
  }
  expect_equal(runif(1), before)                      # R's own random stream is left as it was
})

test_that("MNISTIter reads gzipped files and splits parts as MXNet", {
  f <- mnist.files(10, gzip = TRUE)
  it <- mx.io.MNISTIter(image = f$image, label = f$label, batch.size = 2, shuffle = FALSE, silent = TRUE,
                        num.parts = 3, part.index = 1)
  got <- c()
  while (it$iter.next()) got <- c(got, as.vector(as.array(it$value()$label)))
  expect_equal(got, c(3, 4))  # records [floor(10 / 3), floor(20 / 3)) = 3..5; the incomplete batch is dropped
})

test_that("IDX files are checked field by field", {
  dir <- tempfile("idx"); dir.create(dir)
  p <- file.path(dir, "x")
  write.idx(p, c(1.5, -2, 3), 3, code = 0x0D, size = 4)
  r <- mx.io.internal.read.idx(p)
  expect_equal(r$values, c(1.5, -2, 3))
  expect_equal(r$type, "float32")
  write.idx(p, c(-70000, 5), 2, code = 0x0C, size = 4)
  expect_equal(mx.io.internal.read.idx(p)$values, c(-70000, 5))
  writeBin(as.raw(c(1, 0, 8, 1, 0, 0, 0, 1, 7)), p)
  expect_error(mx.io.internal.read.idx(p), "x: bad magic")
  writeBin(as.raw(c(0, 0, 7, 1, 0, 0, 0, 1, 7)), p)
  expect_error(mx.io.internal.read.idx(p), "unknown IDX type code 0x07")
  writeBin(as.raw(c(0, 0, 8, 0)), p)
  expect_error(mx.io.internal.read.idx(p), "header says 0 dimensions")
  writeBin(as.raw(c(0, 0, 8, 255)), p)
  expect_error(mx.io.internal.read.idx(p), "header says 255 dimensions")
  writeBin(as.raw(c(0, 0, 8, 2, 0, 0, 0, 2)), p)
  expect_error(mx.io.internal.read.idx(p), "truncated header")
  writeBin(as.raw(c(0, 0, 8, 1, 0, 0, 0, 3, 1, 2)), p)
  expect_error(mx.io.internal.read.idx(p), "truncated: header says 3 = 3 bytes, file has 2")
  writeBin(as.raw(c(0, 0, 8, 1, 0, 0, 0, 1, 1, 2)), p)
  expect_error(mx.io.internal.read.idx(p), "has trailing bytes")
  writeBin(raw(0), p)
  expect_error(mx.io.internal.read.idx(p), "file has 0 bytes")
  gz <- file.path(dir, "g.gz")
  write.idx(gz, 1:100, 100, gzip = TRUE)
  bytes <- readBin(gz, "raw", file.size(gz))
  writeBin(bytes[1:(length(bytes) - 30)], gz)
  expect_error(mx.io.internal.read.idx(gz), "g.gz: truncated: header says 100 = 100 bytes")
  writeBin(c(bytes[1:10], as.raw(rep(7, 40))), gz)
  expect_error(mx.io.internal.read.idx(gz), "corrupt or truncated gzip stream")
  f <- mnist.files(5)
  write.idx(f$label, 0:3, 4)
  expect_error(mx.io.MNISTIter(image = f$image, label = f$label, batch.size = 2, silent = TRUE),
               "count mismatch: img has 5 images, lab has 4 labels")
  f <- mnist.files(5)
  expect_error(mx.io.MNISTIter(image = f$image, label = f$label, batch.size = 6, silent = TRUE), "batch_size 6")
  expect_error(mx.io.MNISTIter(image = f$image, label = f$label, batch.size = 0), "'batch_size'")
  expect_error(mx.io.MNISTIter(image = file.path(dir, "none"), label = f$label), "no such file")
  expect_error(mx.io.MNISTIter(f$image), "key = value")
})

test_that("CSVIter batches rows in R order and pads the last batch as round_batch says", {
  dir <- tempfile("csv"); dir.create(dir)
  data <- file.path(dir, "d.csv"); label <- file.path(dir, "l.csv")
  writeLines(sprintf("%d,%d,%d", 1:5, 11:15, 21:25), data)
  writeLines(as.character(101:105), label)
  it <- mx.io.CSVIter(data.csv = data, data.shape = 3, label.csv = label, batch.size = 2)
  got <- list()
  pads <- c()
  while (it$iter.next()) {
    v <- it$value()
    expect_equal(dim(v$data), c(3, 2))
    got[[length(got) + 1]] <- as.vector(as.array(v$label))
    pads <- c(pads, it$num.pad())
  }
  expect_equal(got, list(c(101, 102), c(103, 104), c(105, 101)))
  expect_equal(pads, c(0, 0, 1))
  # The next epoch continues after the row used to fill the wrapped batch, as MXNet's loader does.
  it$reset()
  it$iter.next()
  expect_equal(as.vector(as.array(it$value()$label)), c(102, 103))
  expect_equal(as.array(it$value()$data)[, 1], c(2, 12, 22))
  nr <- mx.io.CSVIter(data_csv = data, data_shape = 3, batch_size = 2, round_batch = FALSE)
  while (nr$iter.next()) last <- nr$value()
  expect_equal(nr$num.pad(), 1L)
  expect_equal(as.array(last$data)[, 1], c(5, 15, 25))
  expect_equal(as.array(last$data)[, 2], c(4, 14, 24))  # the unfilled slot keeps the previous row
  expect_equal(as.vector(as.array(last$label)), c(0, 0))
  # A 2x3 row shape in R order: each row fills a c(2, 3) array column by column.
  m <- mx.io.CSVIter(data.csv = data, data.shape = c(1, 3), batch.size = 5)
  m$iter.next()
  expect_equal(dim(m$value()$data), c(1, 3, 5))
})

test_that("CSVIter errors name the file, the line and the problem", {
  dir <- tempfile("csv"); dir.create(dir)
  data <- file.path(dir, "d.csv")
  writeLines(c("1,2,3", "4,5"), data)
  expect_error(mx.io.CSVIter(data.csv = data, data.shape = 3, batch.size = 1), "d.csv line 2 has 2 values")
  writeLines(c("1,2,x"), data)
  expect_error(mx.io.CSVIter(data.csv = data, data.shape = 3, batch.size = 1), "'1,2,x' is not 3 numbers")
  expect_error(mx.io.CSVIter(data.csv = data, batch.size = 1), "'data_shape' is required")
  expect_error(mx.io.CSVIter(data.csv = file.path(dir, "no.csv"), data.shape = 3, batch.size = 1), "no such file")
})

test_that("ImageRecordIter says it is not available yet", {
  expect_error(mx.io.ImageRecordIter(path.imgrec = "x.rec"), "not available yet.*RecordIO")
})

test_that("MNISTIter on the real t10k files gives what MXNet 1.9.1 gives", {
  root <- file.path(Sys.getenv("MINERVA_DATA", path.expand("~/.minerva/datasets")), "mnist")
  image <- file.path(root, "t10k-images-idx3-ubyte")
  label <- file.path(root, "t10k-labels-idx1-ubyte")
  if (!file.exists(image) || !file.exists(label)) {
    if (identical(Sys.getenv("CI"), "true")) {
      fail(sprintf("MNIST files missing under %s (make test sets them up)", root))
    }
    skip(sprintf("MNIST files not installed under %s (see shared/DATA.md)", root))
  }
  it <- mx.io.MNISTIter(image = image, label = label, batch.size = 100, shuffle = FALSE, silent = TRUE)
  expect_true(it$iter.next())
  v <- it$value()
  expect_equal(dim(v$data), c(28, 28, 1, 100))          # MXNet's (100, 1, 28, 28)
  expect_equal(as.vector(as.array(v$label))[1:10], c(7, 2, 1, 0, 4, 1, 4, 9, 5, 9))
  expect_equal(max(as.array(v$data)), 0.99609375)
  n <- 1
  while (it$iter.next()) n <- n + 1
  expect_equal(n, 100)
})
