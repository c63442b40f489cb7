# mx.kv.create as MXNet-R's local store (R-package/src/kvstore.cc and MXNet's KVStoreLocal):
# push sums the arrays given for a key, pull copies the stored value, set.optimizer updates on push.

test_that("init stores a copy; pull copies it into every output", {
  kv <- mx.kv.create("local")
  expect_equal(kv$type, "local")
  expect_equal(kv$rank, 0L)
  expect_equal(kv$num.workers, 1L)
  w <- mx.nd.array(matrix(1:6, 2, 3))
  kv$init(3, list(w))
  w2 <- w * 0  # changing the caller's array later must not change the store
  mx.nd.plus.scalar(w2, 100, out = w)
  outs <- list(list(mx.nd.zeros(c(2, 3))), list(mx.nd.zeros(c(2, 3))))
  kv$pull(3, outs)
  expect_equal(as.array(outs[[1]][[1]]), matrix(as.numeric(1:6), 2, 3))
  expect_equal(as.array(outs[[2]][[1]]), matrix(as.numeric(1:6), 2, 3))
})

test_that("push sums the arrays of all devices and replaces the stored value", {
  kv <- mx.kv.create("device")
  kv$init(c(1, 2), list(mx.nd.zeros(c(2, 2)), mx.nd.zeros(3)))
  a <- matrix(c(1, 2, 3, 4), 2, 2)
  kv$push(c(1, 2), list(list(mx.nd.array(a), mx.nd.array(c(1, 1, 1))),
                        list(mx.nd.array(a * 10), mx.nd.array(c(2, 3, 4)))))
  out <- list(list(mx.nd.ones(c(2, 2)), mx.nd.ones(3)))
  kv$pull(c(1, 2), out)
  expect_equal(as.array(out[[1]][[1]]), a * 11)
  expect_equal(as.vector(as.array(out[[1]][[2]])), c(3, 4, 5))
  # A second push replaces (does not accumulate) without an optimizer.
  kv$push(1, list(list(mx.nd.array(a))))
  one <- list(list(mx.nd.zeros(c(2, 2))))
  kv$pull(1, one)
  expect_equal(as.array(one[[1]][[1]]), a)
})

test_that("set.optimizer applies the update to the stored weight on push", {
  kv <- mx.kv.create("local")
  expect_true(kv$update.on.kvstore)
  kv$init(0, list(mx.nd.array(c(1, 2, 3))))
  kv$set.optimizer(mx.opt.create("sgd", learning.rate = 0.5))
  # Two devices push gradients 1 and 3: merged 4, weight <- weight - 0.5 * 4.
  kv$push(0, list(list(mx.nd.array(c(1, 1, 1))), list(mx.nd.array(c(3, 3, 3)))))
  out <- list(list(mx.nd.zeros(3)))
  kv$pull(0, out)
  expect_equal(as.vector(as.array(out[[1]][[1]])), c(1, 2, 3) - 2)
  kv$push(0, list(list(mx.nd.array(c(1, 0, -1)))))
  kv$pull(0, out)
  expect_equal(as.vector(as.array(out[[1]][[1]])), c(-1, 0, 1) - c(0.5, 0, -0.5))
})

test_that("bad use gives errors naming the problem", {
  expect_error(mx.kv.create("dist_sync"), "not available yet")
  expect_error(mx.kv.create("cluster"), "unknown store type 'cluster'")
  kv <- mx.kv.create()
  expect_error(kv$push(7, list(list(mx.nd.zeros(2)))), "key 7 has not been initialized")
  kv$init(7, list(mx.nd.zeros(2)))
  expect_error(kv$init(7, list(mx.nd.zeros(2))), "already initialized")
  expect_error(kv$push(7, list(list(mx.nd.zeros(3)))), "shape \\(2\\).*shape \\(3\\)")
  expect_error(kv$pull(c(7, 8), list(list(mx.nd.zeros(2)))), "list of 2 MXNDArrays")
  expect_error(kv$init(c(1, 2), list(mx.nd.zeros(2))), "2 keys but 1 weights")
  expect_error(kv$set.optimizer(list(1)), "mx.opt.create")
  expect_true(is.MXKVStore(kv))
  # The names MXNet-R's mx.model.create.kvstore picks; the allreduce ones leave updates to the caller.
  expect_true(mx.kv.create("local_update_cpu")$update.on.kvstore)
  expect_false(mx.kv.create("local_allreduce_cpu")$update.on.kvstore)
  expect_false(mx.kv.create("local_allreduce_device")$update.on.kvstore)
})
