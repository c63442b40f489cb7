package org.minerva.optimizer

import org.minerva.{LRScheduler, NDArray, Optimizer}
import org.minerva.optimizer.UpdateMath._

/**
 * Adam (Kingma and Ba), MXNet-Scala's parameters in its order (the 5th is decayFactor) and
 * defaults (learning rate 0.002). Step t counts the updates of the first index updated since the
 * last createState (all parameters share it). With g = clip(rescaleGrad * grad, clipGradient),
 * beta1t = beta1 * decayFactor^(t-1) and lrT = lr * sqrt(1 - beta2^t) / (1 - beta1^t):
 *   mean = beta1t * mean + (1 - beta1t) * g;  var = beta2 * var + (1 - beta2) * g^2
 *   weight -= lrT * mean / (sqrt(var) + epsilon) + lr * wd * weight
 * (the moments go through `adam_update`; weight decay is decoupled, as in MXNet-Scala).
 */
class Adam(val learningRate: Float = 0.002f, val beta1: Float = 0.9f, val beta2: Float = 0.999f,
           val epsilon: Float = 1e-8f, val decayFactor: Float = 1 - 1e-8f, val wd: Float = 0.0f,
           val clipGradient: Float = 0f, val lrScheduler: LRScheduler = null) extends Optimizer {
  protected var time: Int = 0
  protected var timeFirstIndex: Option[Int] = None

  if (lrScheduler != null) lrScheduler.baseLR = learningRate

  override def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    val lr = scheduledLr(index, learningRate, lrScheduler)
    val (mean, variance) = state match {
      case (m: NDArray, v: NDArray) => (m, v)
      case other => throw new IllegalArgumentException(s"Adam: the state must be (mean, variance), got $other")
    }
    timeFirstIndex match {
      case Some(first) => if (first == index) time += 1
      case None => timeFirstIndex = Some(index); time = 0
    }
    val t = time + 1
    val lrT = (lr * math.sqrt(1.0 - math.pow(beta2, t)) / (1.0 - math.pow(beta1, t))).toFloat
    val beta1t = beta1 * math.pow(decayFactor, t - 1).toFloat
    val wdNow = getWd(index, wd)
    // decoupled decay: lr * wd times the weight before the step
    val decay = if (wdNow > 0f) weight * (lr * wdNow) else null
    closing(decay) {
      fused("adam_update", Seq(weight, grad, mean, variance), Map("lr" -> f(lrT), "beta1" -> f(beta1t),
        "beta2" -> f(beta2), "epsilon" -> f(epsilon), "wd" -> "0", "rescale_grad" -> f(rescaleGrad),
        "clip_gradient" -> clipParam(clipGradient)), weight)
      if (decay != null) weight -= decay
    }
  }

  /** (mean, variance), zeros like the weight; restarts the shared step count. */
  override def createState(index: Int, weight: NDArray): (NDArray, NDArray) = {
    timeFirstIndex = None
    (NDArray.zeros(weight.shape, weight.context, weight.dtype), NDArray.zeros(weight.shape, weight.context, weight.dtype))
  }

  override def serializeState(state: AnyRef): Array[Byte] = serialize(state)

  override def deserializeState(bytes: Array[Byte]): AnyRef =
    if (bytes == null) null else { val a = deserialize(bytes, 2, "Adam"); (a(0), a(1)) }
}
