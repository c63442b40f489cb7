package org.minerva.optimizer

import org.minerva.{LRScheduler, NDArray, Optimizer}
import org.minerva.optimizer.UpdateMath._

/**
 * SGD with momentum and weight decay, MXNet-Scala's parameters in MXNet-Scala's order (the 4th
 * is clipGradient). With g = clip(rescaleGrad * grad, clipGradient):
 *  - momentum 0: weight -= lr * (g + wd * weight) (`sgd_update`);
 *  - else: mom = momentum * mom - lr * (g + wd * weight); weight += mom (`sgd_mom_update`).
 * As in MXNet-Scala, the momentum form takes wd through the multipliers (setIdx2Name, setWdMult)
 * and the plain form uses wd as given.
 *
 * @param clipGradient clip the gradient to [-clipGradient, clipGradient]; 0 (or below) does not clip
 * @param lrScheduler when given, the learning rate comes from it (its baseLR is set to learningRate)
 */
class SGD(val learningRate: Float = 0.01f, val momentum: Float = 0.0f, val wd: Float = 0.0001f,
          val clipGradient: Float = 0f, val lrScheduler: LRScheduler = null) extends Optimizer {
  if (lrScheduler != null) lrScheduler.baseLR = learningRate

  override def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    val lr = scheduledLr(index, learningRate, lrScheduler)
    val common = Map("lr" -> f(lr), "rescale_grad" -> f(rescaleGrad), "clip_gradient" -> clipParam(clipGradient))
    state match {
      case mom: NDArray =>
        fused("sgd_mom_update", Seq(weight, grad, mom),
          common ++ Map("momentum" -> f(momentum), "wd" -> f(getWd(index, wd))), weight)
      case null =>
        require(momentum == 0f, "SGD: a null state needs momentum 0")
        fused("sgd_update", Seq(weight, grad), common + ("wd" -> f(wd)), weight)
      case other => throw new IllegalArgumentException(s"SGD: the state must be an NDArray or null, got $other")
    }
  }

  override def createState(index: Int, weight: NDArray): AnyRef =
    if (momentum == 0.0f) null else NDArray.zeros(weight.shape, weight.context, weight.dtype)

  override def serializeState(state: AnyRef): Array[Byte] = serialize(state)

  override def deserializeState(bytes: Array[Byte]): AnyRef =
    if (bytes == null) null else deserialize(bytes, 1, "SGD").head
}
