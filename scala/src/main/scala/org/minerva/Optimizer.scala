package org.minerva

import java.io.{ByteArrayInputStream, ByteArrayOutputStream, DataInputStream, DataOutputStream}

import scala.collection.mutable

/**
 * Updates weights from gradients, in place (MXNet-Scala's `org.apache.mxnet.Optimizer`; the
 * concrete optimizers are in `org.minerva.optimizer`). `createState` gives the per-weight state
 * (momentum, moments: an NDArray, a tuple of them, or null), which the caller keeps and frees with
 * `disposeState`; `Optimizer.getUpdater` keeps the states itself.
 *
 * Learning-rate and weight-decay multipliers: `setLrMult`/`setWdMult` by index (`Left(i)`) or by
 * parameter name (`Right(name)`, resolved through `setIdx2Name`); `setSymbol` reads the
 * `__lr_mult__`/`__wd_mult__` attributes of the symbol's variables; `setIdx2Name` sets the weight
 * decay of every parameter not named `*_weight` or `*_gamma` to 0, as MXNet does.
 */
abstract class Optimizer extends Serializable {
  protected val lrMult: mutable.Map[Either[Int, String], Float] = mutable.HashMap.empty[Either[Int, String], Float]
  protected val wdMult: mutable.Map[Either[Int, String], Float] = mutable.HashMap.empty[Either[Int, String], Float]
  /** The largest number of updates any index has had (what an LRScheduler is given). */
  protected var numUpdate: Int = 0
  protected val indexUpdateCount: mutable.Map[Int, Int] = mutable.HashMap.empty[Int, Int]

  protected var specialized: Boolean = false
  protected val weightSet: mutable.Set[Int] = mutable.HashSet.empty[Int]
  protected var rescaleGrad: Float = 1f
  @transient protected var symbol: Symbol = null
  protected var idx2name: Map[Int, String] = null

  /** Updates `weight` (in place) from `grad` and the state `createState` gave for `index`. */
  def update(index: Int, weight: NDArray, grad: NDArray, state: AnyRef): Unit

  /** The auxiliary state of one weight (null when the optimizer keeps none). */
  def createState(index: Int, weight: NDArray): AnyRef

  /** Frees the arrays of a state createState made (an NDArray, a tuple of them, or null). */
  def disposeState(state: AnyRef): Unit = Optimizer.stateArrays(state).foreach(_.close())

  /** The state as bytes (its arrays in MXNet's NDArray file format); null for a null state. */
  def serializeState(state: AnyRef): Array[Byte]

  /** The state serializeState wrote. */
  def deserializeState(bytes: Array[Byte]): AnyRef

  @deprecated("Use setLrMult instead.", "0.10.0")
  def setLrScale(lrScale: Map[Int, Float]): Unit = setLrMult(lrScale.map { case (k, v) => Left(k) -> v })

  /** Learning-rate multipliers: the step of a parameter uses learningRate * multiplier. */
  def setLrMult(argsLrMult: Map[Either[Int, String], Float]): Unit = argsLrMult.foreach { case (k, v) => lrMult(k) = v }

  /** Weight-decay multipliers, keyed as in setLrMult. */
  def setWdMult(argsWdMult: Map[Either[Int, String], Float]): Unit = argsWdMult.foreach { case (k, v) => wdMult(k) = v }

  /**
   * The network's argument names in order: the parameters are those not ending in "data" or
   * "label", numbered from 0; weight decay then applies only to those ending in "weight".
   */
  def setArgNames(argNames: Seq[String]): Unit = if (argNames != null) {
    specialized = true
    argNames.filterNot(n => n.endsWith("data") || n.endsWith("label")).zipWithIndex.foreach { case (n, i) =>
      if (n.endsWith("weight")) weightSet.add(i)
    }
  }

  /** The factor every gradient is multiplied by first (FeedForward sets 1 / batch size). */
  def setRescaleGrad(rescaleGrad: Float): Unit = this.rescaleGrad = rescaleGrad

  /** Reads `__lr_mult__` and `__wd_mult__` of the symbol's variables into the multipliers (by name). */
  def setSymbol(sym: Symbol): Unit = {
    symbol = sym
    if (sym != null) {
      val attrs = Optimizer.variableAttrs(sym)
      sym.listArguments().foreach { name =>
        attrs.get(name).foreach { a =>
          a.get("__lr_mult__").foreach(v => lrMult(Right(name)) = v.toFloat)
          a.get("__wd_mult__").foreach(v => wdMult(Right(name)) = v.toFloat)
        }
      }
    }
  }

  /** Parameter names by index; parameters not named `*_weight` or `*_gamma` get weight decay 0. */
  def setIdx2Name(paramIdx2Name: Map[Int, String]): Unit = {
    idx2name = paramIdx2Name
    if (idx2name != null) idx2name.values.foreach { n =>
      if (!(n.endsWith("_weight") || n.endsWith("_gamma"))) wdMult(Right(n)) = 0f
    }
  }

  /** Counts one more update of `index`. */
  protected def updateCount(index: Int): Unit = {
    val count = indexUpdateCount.getOrElse(index, 0) + 1
    indexUpdateCount(index) = count
    numUpdate = math.max(count, numUpdate)
  }

  /** `lr` times the index's multiplier (by index first, then by name). */
  protected def getLr(index: Int, lr: Float): Float =
    if (lrMult.contains(Left(index))) lr * lrMult(Left(index))
    else if (idx2name != null && idx2name.contains(index)) lr * lrMult.getOrElse(Right(idx2name(index)), 1f)
    else lr

  /** `wd` for the index: 0 for a non-weight after setArgNames, times the index's multiplier. */
  protected def getWd(index: Int, wd: Float): Float = {
    val base = if (specialized && !weightSet.contains(index)) 0f else wd
    if (wdMult.contains(Left(index))) base * wdMult(Left(index))
    else if (idx2name != null && idx2name.contains(index)) base * wdMult.getOrElse(Right(idx2name(index)), 1f)
    else base
  }

  /** The step's learning rate: from the scheduler (counting the update) when there is one, then
   *  times the index's multiplier. */
  protected def scheduledLr(index: Int, learningRate: Float, lrScheduler: LRScheduler): Float = {
    val lr = if (lrScheduler != null) {
      val scheduled = lrScheduler(numUpdate)
      updateCount(index)
      scheduled
    } else learningRate
    getLr(index, lr)
  }
}

object Optimizer {
  /**
   * An updater that creates each index's state on its first update and keeps it:
   * `update(index, grad, weight)` (gradient first, as MXNet's KVStore calls it). Its states can be
   * saved with serializeState and restored with deserializeState; dispose() frees them.
   */
  def getUpdater(optimizer: Optimizer): MXKVStoreUpdater = new MXKVStoreUpdater with MXKVStoreCachedStates {
    override def update(index: Int, grad: NDArray, weight: NDArray): Unit = {
      if (isDisposed) throw new IllegalStateException("the updater was disposed")
      val state = states.getOrElseUpdate(index, {
        val s = optimizer.createState(index, weight)
        // the updater owns its states: a ResourceScope around one update must not free them
        stateArrays(s).foreach(NativeResource.detach)
        s
      })
      optimizer.update(index, weight, grad, state)
    }

    override def dispose(): Unit = if (!isDisposed) {
      states.values.foreach(optimizer.disposeState)
      states.clear()
      super.dispose()
    }

    override def serializeState(): Array[Byte] = {
      val bos = new ByteArrayOutputStream()
      val out = new DataOutputStream(bos)
      val kept = states.toSeq.filter(_._2 != null).sortBy(_._1)
      out.writeInt(kept.size)
      kept.foreach { case (k, v) =>
        out.writeInt(k)
        val bytes = optimizer.serializeState(v)
        if (bytes == null) out.writeInt(0)
        else { out.writeInt(bytes.length); out.write(bytes) }
      }
      out.flush()
      bos.toByteArray
    }

    override def deserializeState(bytes: Array[Byte]): Unit = {
      val in = new DataInputStream(new ByteArrayInputStream(bytes))
      val n = in.readInt()
      if (n < 0) throw new IllegalArgumentException(s"deserializeState: corrupt optimizer states (count $n)")
      (0 until n).foreach { _ =>
        val key = in.readInt()
        val len = in.readInt()
        if (len < 0 || len > in.available())
          throw new IllegalArgumentException(s"deserializeState: corrupt optimizer states (state $key of $len bytes)")
        val value = if (len > 0) {
          val b = new Array[Byte](len)
          in.readFully(b)
          val s = optimizer.deserializeState(b)
          stateArrays(s).foreach(NativeResource.detach)
          s
        } else null
        states.remove(key).foreach(optimizer.disposeState)
        states(key) = value
      }
    }
  }

  /** The arrays inside a state: an NDArray, a tuple (or Seq) of them (nulls skipped), or none. */
  private[minerva] def stateArrays(state: Any): Seq[NDArray] = state match {
    case null => Nil
    case a: NDArray => Seq(a)
    case p: Product => p.productIterator.toSeq.flatMap(stateArrays)
    case s: Iterable[_] => s.toSeq.flatMap(stateArrays)
    case _ => Nil
  }

  /** Arrays as bytes: MXNet's NDArray list file format, through a temporary file (the ABI saves to files). */
  private[minerva] def arraysToBytes(arrays: Seq[NDArray]): Array[Byte] = {
    val f = java.nio.file.Files.createTempFile("minerva-state", ".params")
    try {
      NDArray.save(f.toString, arrays)
      java.nio.file.Files.readAllBytes(f)
    } finally java.nio.file.Files.deleteIfExists(f)
  }

  /** The arrays arraysToBytes wrote. */
  private[minerva] def bytesToArrays(bytes: Array[Byte]): IndexedSeq[NDArray] = {
    val f = java.nio.file.Files.createTempFile("minerva-state", ".params")
    try {
      java.nio.file.Files.write(f, bytes)
      NDArray.load(f.toString)._2.toIndexedSeq
    } finally java.nio.file.Files.deleteIfExists(f)
  }

  /** Each variable's attributes (`__lr_mult__` ...), read from the symbol's JSON. */
  private def variableAttrs(sym: Symbol): Map[String, Map[String, String]] = Json.parse(sym.toJson) match {
    case doc: Map[_, _] =>
      doc.asInstanceOf[Map[String, Any]].get("nodes") match {
        case Some(nodes: Vector[_]) => nodes.collect {
          case n: Map[_, _] if n.asInstanceOf[Map[String, Any]].get("op").contains("null") =>
            val node = n.asInstanceOf[Map[String, Any]]
            val attrs = node.get("attrs").orElse(node.get("attr")) match {
              case Some(m: Map[_, _]) => m.map { case (k, v) => k.toString -> v.toString }
              case _ => Map.empty[String, String]
            }
            node("name").toString -> attrs
        }.toMap
        case _ => Map.empty
      }
    case _ => Map.empty
  }
}

/**
 * What a KVStore calls to update a weight: `update(key, recv, local)` with the received gradient
 * and the stored weight (MXNet-Scala's MXKVStoreUpdater). dispose() (or close()) frees what the
 * updater keeps.
 */
trait MXKVStoreUpdater extends AutoCloseable {
  @volatile private var disposedFlag = false

  def update(key: Int, recv: NDArray, local: NDArray): Unit

  /** Frees what the updater keeps; an override should call super.dispose(). */
  def dispose(): Unit = disposedFlag = true

  def isDisposed: Boolean = disposedFlag

  override def close(): Unit = dispose()
}

/** An updater's per-key optimizer states, which can be saved and restored as bytes. */
trait MXKVStoreCachedStates {
  protected val states = new mutable.HashMap[Int, AnyRef]

  def serializeState(): Array[Byte]

  /** Replaces the states of the keys the bytes hold (freeing the ones they replace). */
  def deserializeState(bytes: Array[Byte]): Unit
}
