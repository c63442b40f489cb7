package org.minerva.optimizer

import org.minerva.{LRScheduler, NDArray, Optimizer}
import org.minerva.optimizer.UpdateMath._

/**
 * RMSProp in Graves' centered form (2013, eq. 38-45), MXNet-Scala's parameters in its order (the
 * 2nd is rescaleGradient). With g' = clip(rescaleGrad * grad, clipGradient):
 *   n = (1 - gamma1) * g'^2 + gamma1 * n;  g = (1 - gamma1) * g' + gamma1 * g
 *   delta = gamma2 * delta - lr * (g' / sqrt(n - g^2 + 1e-4) + wd * weight);  weight += delta
 * (n, g, delta through `rmspropalex_update` with epsilon 1e-4; weight decay added to delta as
 * MXNet-Scala does). Unlike MXNet-Scala, which accepts and ignores them, rescaleGradient sets the
 * starting rescaleGrad (setRescaleGrad still overrides it) and lrScheduler is applied.
 */
class RMSProp(val learningRate: Float = 0.002f, val rescaleGradient: Float = 1.0f, val gamma1: Float = 0.95f,
              val gamma2: Float = 0.9f, val wd: Float = 0.0f, val lrScheduler: LRScheduler = null,
              val clipGradient: Float = 0f) extends Optimizer {
  rescaleGrad = rescaleGradient
  if (lrScheduler != null) lrScheduler.baseLR = learningRate

  override def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    val lr = scheduledLr(index, learningRate, lrScheduler)
    val (n, g, delta) = state match {
      case (a: NDArray, b: NDArray, c: NDArray) => (a, b, c)
      case other => throw new IllegalArgumentException(s"RMSProp: the state must be (n, g, delta), got $other")
    }
    val wdNow = getWd(index, wd)
    val decay = if (wdNow != 0f) weight * (lr * wdNow) else null
    closing(decay) {
      fused("rmspropalex_update", Seq(weight, grad, n, g, delta), Map("lr" -> f(lr), "gamma1" -> f(gamma1),
        "gamma2" -> f(gamma2), "epsilon" -> "1e-4", "wd" -> "0", "rescale_grad" -> f(rescaleGrad),
        "clip_gradient" -> clipParam(clipGradient)), weight)
      if (decay != null) { delta -= decay; weight -= decay }
    }
  }

  /** (n, g, delta), zeros like the weight. */
  override def createState(index: Int, weight: NDArray): (NDArray, NDArray, NDArray) =
    (NDArray.zeros(weight.shape, weight.context, weight.dtype), NDArray.zeros(weight.shape, weight.context, weight.dtype),
      NDArray.zeros(weight.shape, weight.context, weight.dtype))

  override def serializeState(state: AnyRef): Array[Byte] = serialize(state)

  override def deserializeState(bytes: Array[Byte]): AnyRef =
    if (bytes == null) null else { val a = deserialize(bytes, 3, "RMSProp"); (a(0), a(1), a(2)) }
}
