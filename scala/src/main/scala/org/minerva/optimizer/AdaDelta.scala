package org.minerva.optimizer

import org.minerva.{NDArray, Optimizer}
import org.minerva.optimizer.UpdateMath._

/**
 * AdaDelta (Zeiler, 2012), MXNet-Scala's parameters, order and defaults (rho 0.05). With
 * g = clip(rescaleGrad * grad, clipGradient):
 *   accG = rho * accG + (1 - rho) * g^2
 *   d = sqrt(accDelta + epsilon) / sqrt(accG + epsilon) * g
 *   accDelta = rho * accDelta + (1 - rho) * d^2
 *   weight = weight * (1 - wd) - d
 * wd is used as given. rescaleGradient is the starting rescaleGrad; setRescaleGrad overrides it.
 */
class AdaDelta(val rho: Float = 0.05f, val rescaleGradient: Float = 1.0f, val epsilon: Float = 1e-8f,
               val wd: Float = 0.0f, val clipGradient: Float = 0f) extends Optimizer {
  rescaleGrad = rescaleGradient

  override def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    val (accG, accDelta) = state match {
      case (a: NDArray, b: NDArray) => (a, b)
      case other => throw new IllegalArgumentException(s"AdaDelta: the state must be (accG, accDelta), got $other")
    }
    val g = rescaledGrad(grad, rescaleGrad, clipGradient)
    closing(g) {
      movingSquare(accG, g)
      val num = rootOf(accDelta)
      val den = rootOf(accG)
      val d = closing(num, den) { val r = num / den; r *= g; r }
      closing(d) {
        movingSquare(accDelta, d)
        weight *= (1 - wd)
        weight -= d
      }
    }
  }

  /** acc = rho * acc + (1 - rho) * x^2, in place. */
  private def movingSquare(acc: NDArray, x: NDArray): Unit = {
    val sq = x * x
    closing(sq) {
      sq *= (1f - rho)
      acc *= rho
      acc += sq
    }
  }

  /** sqrt(acc + epsilon), a new array. */
  private def rootOf(acc: NDArray): NDArray = {
    val shifted = acc + epsilon
    closing(shifted)(sqrt(shifted))
  }

  /** (accumulated g^2, accumulated delta^2), zeros like the weight. */
  override def createState(index: Int, weight: NDArray): (NDArray, NDArray) =
    (NDArray.zeros(weight.shape, weight.context, weight.dtype), NDArray.zeros(weight.shape, weight.context, weight.dtype))

  override def serializeState(state: AnyRef): Array[Byte] = serialize(state)

  override def deserializeState(bytes: Array[Byte]): AnyRef =
    if (bytes == null) null else { val a = deserialize(bytes, 2, "AdaDelta"); (a(0), a(1)) }
}
