package org.minerva.optimizer

import org.minerva.{NDArray, Optimizer}

/** The pieces the optimizers' updates share: operator calls with MXNet's parameter syntax, the
 *  rescaled and clipped gradient, and state (de)serialization. */
private[minerva] object UpdateMath {
  def f(v: Float): String = java.lang.Float.toString(v)

  /** clip_gradient for the fused update operators: the bound when positive, else -1 (no clipping). */
  def clipParam(clipGradient: Float): String = f(if (clipGradient > 0f) clipGradient else -1f)

  /** A fused update operator writing the new weight into `weight` (its states in place). */
  def fused(op: String, inputs: Seq[NDArray], params: Map[String, String], weight: NDArray): Unit =
    NDArray.invoke(op, inputs, params, Seq(weight))

  /** A new array: grad * rescale, clipped to [-clip, clip] when clip > 0. */
  def rescaledGrad(grad: NDArray, rescale: Float, clipGradient: Float): NDArray = {
    val scaled = grad * rescale
    if (clipGradient > 0f) {
      try clip(scaled, clipGradient)
      finally scaled.close()
    } else scaled
  }

  def clip(x: NDArray, bound: Float): NDArray =
    NDArray.invoke("clip", Seq(x), Map("a_min" -> f(-bound), "a_max" -> f(bound))).head

  def sqrt(x: NDArray): NDArray = NDArray.invoke("sqrt", Seq(x), Map.empty).head

  /** Closes the arrays after `body`, whatever it does. */
  def closing[A](arrays: NDArray*)(body: => A): A =
    try body
    finally arrays.foreach(a => if (a != null) a.close())

  def serialize(state: AnyRef): Array[Byte] =
    if (state == null) null else Optimizer.arraysToBytes(Optimizer.stateArrays(state))

  /** The arrays of a serialized state, checking how many there are. */
  def deserialize(bytes: Array[Byte], expected: Int, who: String): IndexedSeq[NDArray] = {
    val arrays = Optimizer.bytesToArrays(bytes)
    if (arrays.length != expected) {
      arrays.foreach(_.close())
      throw new IllegalArgumentException(s"$who.deserializeState: got ${arrays.length} arrays, expected $expected")
    }
    arrays
  }
}
