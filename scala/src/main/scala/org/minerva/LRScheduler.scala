package org.minerva

import java.util.logging.Logger

/**
 * A learning rate that changes with training progress (MXNet-Scala's LRScheduler). An optimizer
 * given one sets `baseLR` to its own learning rate and calls `apply(numUpdate)` before each
 * update, where numUpdate is the largest number of updates any weight has had so far.
 */
abstract class LRScheduler(var baseLR: Float = 0.01f) {
  def apply(numUpdate: Int): Float
}

/**
 * baseLR times `factor` once every `step` updates: past update count + step, the rate drops
 * once and count moves on by step (one drop per call at most, as MXNet-Scala's).
 *
 * @param step updates between drops, at least 1
 * @param factor the multiplier of each drop, below 1
 */
class FactorScheduler(protected var step: Int, protected var factor: Float) extends LRScheduler {
  require(step >= 1, s"FactorScheduler: step must be at least 1, got $step")
  require(factor < 1.0, s"FactorScheduler: factor must be below 1 so that the rate decreases, got $factor")

  protected var count: Int = 0
  private val logger = Logger.getLogger(classOf[FactorScheduler].getName)

  def apply(numUpdate: Int): Float = {
    if (numUpdate > count + step) {
      count += step
      baseLR *= factor
      logger.info(s"Update[$numUpdate]: Change learning rate to $baseLR")
    }
    baseLR
  }
}

/**
 * baseLR times `factor` after each of the increasing update counts in `step` (Python MXNet's
 * `mx.lr_scheduler.MultiFactorScheduler`; MXNet-Scala has none): past step(0) updates the rate is
 * baseLR * factor, past step(1) baseLR * factor^2, and so on.
 *
 * @param step strictly increasing update counts, each at least 1
 * @param factor the multiplier of each drop, at most 1
 */
class MultiFactorScheduler(protected val step: IndexedSeq[Int], protected val factor: Float = 1f)
    extends LRScheduler {
  require(step.nonEmpty, "MultiFactorScheduler: step needs at least one update count")
  step.indices.foreach { i =>
    require(step(i) >= 1, s"MultiFactorScheduler: every step must be at least 1, got ${step(i)}")
    require(i == 0 || step(i) > step(i - 1),
      s"MultiFactorScheduler: steps must increase, got ${step(i - 1)} then ${step(i)}")
  }
  require(factor <= 1.0, s"MultiFactorScheduler: factor must be at most 1 so that the rate decreases, got $factor")

  /** For Java: the steps as an array. */
  def this(step: Array[Int], factor: Float) = this(step.toIndexedSeq, factor)

  protected var curStepInd: Int = 0
  protected var count: Int = 0
  private val logger = Logger.getLogger(classOf[MultiFactorScheduler].getName)

  def apply(numUpdate: Int): Float = {
    while (curStepInd < step.length && numUpdate > step(curStepInd)) {
      count = step(curStepInd)
      curStepInd += 1
      baseLR *= factor
      logger.info(s"Update[$numUpdate]: Change learning rate to $baseLR")
    }
    baseLR
  }
}
