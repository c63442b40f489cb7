package org.minerva

import scala.collection.immutable.ListMap

/**
 * A symbol bound to arrays (MXNet's Executor): `forward`, `backward`, and the bound arrays by
 * position and by name. The arrays of a simpleBind and the outputs belong to the executor:
 * closing it closes them. Arrays given to `bind` stay yours.
 */
class Executor private[minerva] (rawHandle: Long, val symbol: Symbol,
                                 given: Option[(IndexedSeq[NDArray], IndexedSeq[NDArray], IndexedSeq[NDArray])])
    extends NativeResource(rawHandle, Native.exeFree, tracked = true) {
  protected def kind: String = "Executor"

  private def owned(hs: IndexedSeq[Long]): IndexedSeq[NDArray] = hs.map(h => if (h == 0L) null else new NDArray(h, tracked = false))

  /** Argument arrays in symbol.listArguments() order. */
  val argArrays: IndexedSeq[NDArray] = given.map(_._1).getOrElse(owned(withHandle(Native.exeArgs)))
  /** Gradient arrays parallel to argArrays; null where no gradient is computed. */
  val gradArrays: IndexedSeq[NDArray] = given.map(_._2).getOrElse(owned(withHandle(Native.exeGrads)))
  /** Auxiliary states in symbol.listAuxiliaryStates() order. */
  val auxArrays: IndexedSeq[NDArray] = given.map(_._3).getOrElse(owned(withHandle(Native.exeAux)))
  /** The outputs, written by each forward (the same arrays every time). */
  val outputs: IndexedSeq[NDArray] = owned(withHandle(Native.exeOutputs))

  private val argNames = symbol.listArguments()
  val argDict: Map[String, NDArray] = ListMap(argNames.zip(argArrays): _*)
  val gradDict: Map[String, NDArray] = ListMap(argNames.zip(gradArrays).filter(_._2 != null): _*)
  val auxDict: Map[String, NDArray] = ListMap(symbol.listAuxiliaryStates().zip(auxArrays): _*)

  /** Copies the named arrays into the arguments, then runs the forward pass (queued). */
  def forward(isTrain: Boolean, kwargs: (String, NDArray)*): IndexedSeq[NDArray] = {
    kwargs.foreach { case (k, v) =>
      val target = argDict.getOrElse(k, throw new IllegalArgumentException(
        s"forward: unknown argument '$k'; arguments are ${argNames.mkString(", ")}"))
      if (v.shape != target.shape)
        throw new IllegalArgumentException(s"forward: argument '$k' has shape ${target.shape}, got ${v.shape}")
      v.copyTo(target)
    }
    withHandle(h => Native.exeForward(h, isTrain))
    outputs
  }

  /** Runs the forward pass in inference mode. */
  def forward(): IndexedSeq[NDArray] = forward(isTrain = false)

  /** Runs the backward pass; head gradients parallel to the outputs (none: ones). */
  def backward(outGrads: IndexedSeq[NDArray] = IndexedSeq.empty): Unit = {
    NativeResource.withHandles(this +: outGrads) { hs =>
      Native.exeBackward(hs(0), if (outGrads.isEmpty) null else hs.drop(1), true)
    }
  }
  def backward(outGrad: NDArray): Unit = backward(IndexedSeq(outGrad))

  /** Copies parameters by name into the arguments and auxiliary states. */
  def copyParamsFrom(argParams: Map[String, NDArray], auxParams: Map[String, NDArray] = Map.empty,
                     allowExtraParams: Boolean = false): Unit = {
    def copyInto(src: Map[String, NDArray], dst: Map[String, NDArray], what: String): Unit = src.foreach { case (k, v) =>
      dst.get(k) match {
        case Some(t) => v.copyTo(t)
        case None if allowExtraParams => ()
        case None => throw new IllegalArgumentException(s"copyParamsFrom: no $what named '$k' in the executor")
      }
    }
    copyInto(argParams, argDict, "argument")
    copyInto(Option(auxParams).getOrElse(Map.empty), auxDict, "auxiliary state")
  }

  /** Closes the executor and the arrays it owns (its outputs, and a simpleBind's arrays). */
  override def close(): Unit = {
    super.close() // first: waits for a forward or backward in flight on another thread
    outputs.foreach(a => if (a != null) a.close())
    if (given.isEmpty) (argArrays ++ gradArrays ++ auxArrays).foreach(a => if (a != null) a.close())
  }
}
