package org.minerva.optimizer

import org.minerva.{LRScheduler, NDArray, Optimizer}
import org.minerva.optimizer.UpdateMath._

/**
 * Stochastic Gradient Langevin Dynamics (Welling and Teh, 2011), MXNet-Scala's parameters, order
 * and defaults: weight += -lr / 2 * (g + wd * weight) + N(0, sqrt(lr)) with
 * g = clip(rescaleGrad * grad, clipGradient); wd is used as given. The noise comes from the
 * core's generator (seed it with Random.seed). It keeps no state.
 */
class SGLD(val learningRate: Float = 0.01f, val rescaleGradient: Float = 1.0f, val wd: Float = 0.0001f,
           val clipGradient: Float = 0f, val lrScheduler: LRScheduler = null) extends Optimizer {
  rescaleGrad = rescaleGradient
  if (lrScheduler != null) lrScheduler.baseLR = learningRate

  override def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    val lr = scheduledLr(index, learningRate, lrScheduler)
    val g = rescaledGrad(grad, rescaleGrad, clipGradient)
    closing(g) {
      val decay = weight * wd
      closing(decay) { g += decay }
      g *= -(lr / 2)
      val noise = NDArray.invoke("_random_normal", Nil, Map("loc" -> "0", "scale" -> f(math.sqrt(lr).toFloat),
        "shape" -> weight.shape.toParamString, "dtype" -> weight.dtype.toString)).head
      closing(noise) { g += noise }
      weight += g
    }
  }

  override def createState(index: Int, weight: NDArray): AnyRef = null

  override def disposeState(state: AnyRef): Unit = ()

  override def serializeState(state: AnyRef): Array[Byte] =
    throw new UnsupportedOperationException("SGLD does not have states")

  override def deserializeState(bytes: Array[Byte]): AnyRef =
    throw new UnsupportedOperationException("SGLD does not have states")
}
