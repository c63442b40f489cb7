package org.minerva.io

/**
 * The permutation MXNet's C++ iterators draw with `std::shuffle(v, std::mt19937(seed))`, as
 * libstdc++ computes it (one `uniform_int_distribution(0, i)` draw per position, by rejection and
 * downscaling); shared with Python's mx.io.MNISTIter, which reproduces the same order.
 */
private[io] final class MT19937(seed: Long) {
  private val mt = new Array[Int](624)
  private var idx = 624
  mt(0) = seed.toInt
  for (i <- 1 until 624) mt(i) = 1812433253 * (mt(i - 1) ^ (mt(i - 1) >>> 30)) + i

  private def twist(): Unit = {
    for (i <- 0 until 624) {
      val y = (mt(i) & 0x80000000) | (mt((i + 1) % 624) & 0x7fffffff)
      mt(i) = mt((i + 397) % 624) ^ (y >>> 1) ^ (if ((y & 1) != 0) 0x9908b0df else 0)
    }
    idx = 0
  }

  /** The next raw 32-bit output, as an unsigned value. */
  def next(): Long = {
    if (idx >= 624) twist()
    var y = mt(idx)
    idx += 1
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    y & 0xffffffffL
  }

  /** libstdc++'s uniform_int_distribution(0, high) over this generator. */
  def uniformAtMost(high: Int): Int = {
    val scaling = 0xffffffffL / (high.toLong + 1)
    val past = (high.toLong + 1) * scaling
    var r = next()
    while (r >= past) r = next()
    (r / scaling).toInt
  }
}

private[io] object MT19937 {
  /** `inst = 0..n-1; std::shuffle(inst, std::mt19937(seed))`. */
  def shuffleOrder(n: Int, seed: Long): Array[Int] = {
    val order = Array.range(0, n)
    val gen = new MT19937(seed & 0xffffffffL)
    for (i <- 1 until n) {
      val j = gen.uniformAtMost(i)
      val t = order(i); order(i) = order(j); order(j) = t
    }
    order
  }
}
