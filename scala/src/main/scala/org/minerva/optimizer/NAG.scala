package org.minerva.optimizer

import org.minerva.{LRScheduler, NDArray, Optimizer}
import org.minerva.optimizer.UpdateMath._

/**
 * SGD with Nesterov momentum in torch's form, as MXNet-Scala's NAG (parameters and order as
 * SGD's). With g = clip(rescaleGrad * grad, clipGradient) + wd * weight:
 *   mom = momentum * mom + g;  weight -= lr * (g + momentum * mom)
 * (the momentum accumulates gradients, not steps: this is not Python's NAG nor `nag_mom_update`).
 * With momentum 0: weight -= lr * (g + wd * weight), wd as given.
 */
class NAG(val learningRate: Float = 0.01f, val momentum: Float = 0.0f, val wd: Float = 0.0001f,
          val clipGradient: Float = 0f, val lrScheduler: LRScheduler = null) extends Optimizer {
  if (lrScheduler != null) lrScheduler.baseLR = learningRate

  override def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    val lr = scheduledLr(index, learningRate, lrScheduler)
    state match {
      case mom: NDArray =>
        val g = rescaledGrad(grad, rescaleGrad, clipGradient)
        closing(g) {
          val decay = weight * getWd(index, wd)
          closing(decay) { g += decay }
          mom *= momentum
          mom += g
          val ahead = mom * momentum
          closing(ahead) { g += ahead }
          g *= -lr
          weight += g
        }
      case null =>
        require(momentum == 0f, "NAG: a null state needs momentum 0")
        fused("sgd_update", Seq(weight, grad), Map("lr" -> f(lr), "wd" -> f(wd), "rescale_grad" -> f(rescaleGrad),
          "clip_gradient" -> clipParam(clipGradient)), weight)
      case other => throw new IllegalArgumentException(s"NAG: the state must be an NDArray or null, got $other")
    }
  }

  override def createState(index: Int, weight: NDArray): AnyRef =
    if (momentum == 0.0f) null else NDArray.zeros(weight.shape, weight.context, weight.dtype)

  override def serializeState(state: AnyRef): Array[Byte] = serialize(state)

  override def deserializeState(bytes: Array[Byte]): AnyRef =
    if (bytes == null) null else deserialize(bytes, 1, "NAG").head
}
