package org.minerva.optimizer

import org.minerva.{LRScheduler, NDArray, Optimizer}
import org.minerva.optimizer.UpdateMath._

/**
 * DCASGD: SGD with delay compensation (Zheng et al., 2016), MXNet-Scala's parameters, order and
 * defaults. With g = clip(rescaleGrad * grad, clipGradient) and prev the weight before the last
 * update (a copy of the weight at createState):
 *   step = -lr * (g + wd * weight + lamda * g^2 * (weight - prev))
 *   mom = momentum * mom + step (step alone when momentum is 0);  prev = weight;  weight += mom
 */
class DCASGD(val learningRate: Float = 0.01f, val momentum: Float = 0.0f, val lamda: Float = 0.04f,
             val wd: Float = 0.0f, val clipGradient: Float = 0f, val lrScheduler: LRScheduler = null)
    extends Optimizer {
  if (lrScheduler != null) lrScheduler.baseLR = learningRate

  override def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    val lr = scheduledLr(index, learningRate, lrScheduler)
    val (mon, previous) = state match {
      case (m: NDArray, p: NDArray) => (m, p)
      case (null, p: NDArray) => (null, p)
      case other => throw new IllegalArgumentException(s"DCASGD: the state must be (momentum or null, previous weight), got $other")
    }
    val g = rescaledGrad(grad, rescaleGrad, clipGradient)
    closing(g) {
      val drift = weight - previous
      val step = closing(drift) {
        val s = g * g
        s *= lamda
        s *= drift
        s
      }
      closing(step) {
        step += g
        val decay = weight * getWd(index, wd)
        closing(decay) { step += decay }
        step *= -lr
        if (mon != null) {
          mon *= momentum
          mon += step
        } else require(momentum == 0f, "DCASGD: a state without momentum needs momentum 0")
        weight.copyTo(previous)
        weight += (if (mon != null) mon else step)
      }
    }
  }

  /** (momentum, or null when momentum is 0; a copy of the weight). */
  override def createState(index: Int, weight: NDArray): (NDArray, NDArray) =
    (if (momentum == 0.0f) null else NDArray.zeros(weight.shape, weight.context, weight.dtype), weight.copy())

  override def serializeState(state: AnyRef): Array[Byte] = serialize(state)

  override def deserializeState(bytes: Array[Byte]): AnyRef =
    if (bytes == null) null
    else {
      val a = Optimizer.bytesToArrays(bytes)
      a.length match {
        case 1 => (null, a(0))
        case 2 => (a(0), a(1))
        case n => a.foreach(_.close()); throw new IllegalArgumentException(s"DCASGD.deserializeState: got $n arrays, expected 1 or 2")
      }
    }
}
