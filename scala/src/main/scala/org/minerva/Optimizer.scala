package org.minerva.optimizer

import scala.collection.mutable

import org.minerva.{NDArray, NativeResource}

/**
 * Updates weights from gradients with the registry's fused update operators, in place
 * (MXNet-Scala's Optimizer). `createState` gives the per-weight state (momentum, moments), which
 * the caller keeps and closes; `update` counts steps per index.
 */
abstract class Optimizer(val learningRate: Float, val wd: Float, var rescaleGrad: Float, val clipGradient: Float)
    extends Serializable {
  private val updateCounts = mutable.Map.empty[Int, Int]
  private var idx2name = Map.empty[Int, String]

  def setRescaleGrad(value: Float): Unit = rescaleGrad = value

  /** Parameter names by index: weight decay then applies only to `*_weight` and `*_gamma`, as in MXNet. */
  def setIdx2Name(names: Map[Int, String]): Unit = idx2name = names

  def createState(index: Int, weight: NDArray): AnyRef

  def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit

  /** Frees what createState made. */
  def disposeState(state: AnyRef): Unit = state match {
    case r: NativeResource => r.close()
    case (a: NativeResource, b: NativeResource) => a.close(); b.close()
    case _ => ()
  }

  /** Counts one more update of `index`; returns the new count (1 on the first update). */
  protected def countUpdate(index: Int): Int = {
    val t = updateCounts.getOrElse(index, 0) + 1
    updateCounts(index) = t
    t
  }

  protected def wdFor(index: Int): Float = idx2name.get(index) match {
    case Some(n) if !(n.endsWith("_weight") || n.endsWith("_gamma")) => 0f
    case _ => wd
  }

  /** The parameters every update operator shares. */
  protected def commonParams(index: Int, lr: Float): Map[String, String] = Map(
    "lr" -> f(lr), "wd" -> f(wdFor(index)), "rescale_grad" -> f(rescaleGrad),
    "clip_gradient" -> f(if (clipGradient > 0f) clipGradient else -1f))

  protected def f(v: Float): String = java.lang.Float.toString(v)

  protected def run(op: String, inputs: Seq[NDArray], params: Map[String, String], weight: NDArray): Unit =
    NDArray.invoke(op, inputs, params, Seq(weight))
}

/** SGD, with momentum when `momentum` > 0 (`sgd_update` / `sgd_mom_update`). */
class SGD(learningRate: Float = 0.01f, val momentum: Float = 0f, wd: Float = 0.0001f,
          rescaleGradient: Float = 1f, clipGradient: Float = 0f)
    extends Optimizer(learningRate, wd, rescaleGradient, clipGradient) {
  def createState(index: Int, weight: NDArray): AnyRef =
    if (momentum == 0f) null else NDArray.zeros(weight.shape, weight.context, weight.dtype)

  def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    countUpdate(index)
    val params = commonParams(index, learningRate)
    state match {
      case mom: NDArray => run("sgd_mom_update", Seq(weight, grad, mom), params + ("momentum" -> f(momentum)), weight)
      case _ => run("sgd_update", Seq(weight, grad), params, weight)
    }
  }
}

/** Adam (`adam_update`), with MXNet's bias correction folded into the step's learning rate. */
class Adam(learningRate: Float = 0.001f, val beta1: Float = 0.9f, val beta2: Float = 0.999f,
           val epsilon: Float = 1e-8f, wd: Float = 0f, rescaleGradient: Float = 1f, clipGradient: Float = 0f)
    extends Optimizer(learningRate, wd, rescaleGradient, clipGradient) {
  /** (mean, variance), both zeros like the weight. */
  def createState(index: Int, weight: NDArray): AnyRef =
    (NDArray.zeros(weight.shape, weight.context, weight.dtype), NDArray.zeros(weight.shape, weight.context, weight.dtype))

  def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    val t = countUpdate(index)
    val lr = (learningRate * math.sqrt(1.0 - math.pow(beta2, t)) / (1.0 - math.pow(beta1, t))).toFloat
    val (mean, variance) = state.asInstanceOf[(NDArray, NDArray)]
    run("adam_update", Seq(weight, grad, mean, variance),
      commonParams(index, lr) ++ Map("beta1" -> f(beta1), "beta2" -> f(beta2), "epsilon" -> f(epsilon)), weight)
  }
}

/** RMSProp, Tieleman and Hinton's variant (`rmsprop_update`). */
class RMSProp(learningRate: Float = 0.002f, val gamma1: Float = 0.95f, val epsilon: Float = 1e-8f,
              wd: Float = 0f, rescaleGradient: Float = 1f, clipGradient: Float = 0f, val clipWeights: Float = 0f)
    extends Optimizer(learningRate, wd, rescaleGradient, clipGradient) {
  def createState(index: Int, weight: NDArray): AnyRef = NDArray.zeros(weight.shape, weight.context, weight.dtype)

  def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit = {
    countUpdate(index)
    run("rmsprop_update", Seq(weight, grad, state.asInstanceOf[NDArray]),
      commonParams(index, learningRate) ++ Map("gamma1" -> f(gamma1), "epsilon" -> f(epsilon),
        "clip_weights" -> f(if (clipWeights > 0f) clipWeights else -1f)), weight)
  }
}
