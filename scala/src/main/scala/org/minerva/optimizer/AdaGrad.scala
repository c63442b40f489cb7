package org.minerva.optimizer

import org.minerva.{NDArray, Optimizer}
import org.minerva.optimizer.UpdateMath._

/**
 * AdaGrad (Duchi et al.), MXNet-Scala's parameters, order and defaults. With
 * g = rescaleGrad * grad (no clipping, as in MXNet-Scala):
 *   history += g^2;  weight -= lr * (g / sqrt(history + epsilon) + wd * weight)
 * wd is used as given (MXNet-Scala's AdaGrad reads no weight-decay multipliers). rescaleGradient
 * is the starting rescaleGrad; setRescaleGrad overrides it.
 */
class AdaGrad(val learningRate: Float = 0.05f, val rescaleGradient: Float = 1.0f, val epsilon: Float = 1e-7f,
              val wd: Float = 0.0f) extends Optimizer {
  rescaleGrad = rescaleGradient

  override def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    val lr = getLr(index, learningRate)
    val history = state match {
      case h: NDArray => h
      case other => throw new IllegalArgumentException(s"AdaGrad: the state must be an NDArray, got $other")
    }
    val g = grad * rescaleGrad
    closing(g) {
      val sq = g * g
      closing(sq) { history += sq }
      val shifted = history + epsilon
      val root = closing(shifted)(sqrt(shifted))
      val step = closing(root)(g / root)
      closing(step) {
        if (wd != 0f) { val decay = weight * wd; closing(decay) { step += decay } }
        step *= lr
        weight -= step
      }
    }
  }

  /** The sum of squared gradients, zeros like the weight. */
  override def createState(index: Int, weight: NDArray): NDArray =
    NDArray.zeros(weight.shape, weight.context, weight.dtype)

  override def serializeState(state: AnyRef): Array[Byte] = serialize(state)

  override def deserializeState(bytes: Array[Byte]): AnyRef =
    if (bytes == null) null else deserialize(bytes, 1, "AdaGrad").head
}
