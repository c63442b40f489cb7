package org.minerva.io

import scala.collection.immutable.ListMap

import org.minerva.{Context, NDArray, NativeResource, Shape}

/** One batch: data and labels (one array per input), and `pad`, the number of trailing samples
 *  that only fill up the last batch. */
class DataBatch(val data: IndexedSeq[NDArray], val label: IndexedSeq[NDArray], val index: IndexedSeq[Long],
                val pad: Int)

/** Batches for training and prediction (MXNet-Scala's DataIter). */
abstract class DataIter extends Iterator[DataBatch] with AutoCloseable {
  def batchSize: Int
  /** Input names and batch shapes, e.g. "data" -> (32, 64). */
  def provideData: ListMap[String, Shape]
  def provideLabel: ListMap[String, Shape]
  /** Starts a new pass over the data. */
  def reset(): Unit
  override def close(): Unit = ()
}

/**
 * Batches over in-memory arrays whose first axis is the sample axis. The samples are read once
 * at construction; with `shuffle` their order is permuted again at every reset. The arrays of a
 * batch are the iterator's own buffers, overwritten by the next batch and freed by close().
 *
 * @param labelName the label's argument name; Python's default "softmax_label" (MXNet-Scala's was "label")
 * @param lastBatchHandle "pad" (fill the last batch from the start, `pad` tells how many) or
 *                        "discard" (drop an incomplete last batch)
 */
class NDArrayIter(data: IndexedSeq[NDArray], label: IndexedSeq[NDArray] = IndexedSeq.empty,
                  dataBatchSize: Int = 1, shuffle: Boolean = false, lastBatchHandle: String = "pad",
                  dataName: String = "data", labelName: String = "softmax_label") extends DataIter {

  /** For Java and other JVM languages: one data array and one label array (label may be null). */
  def this(data: NDArray, label: NDArray, batchSize: Int, shuffle: Boolean) =
    this(IndexedSeq(data), if (label == null) IndexedSeq.empty else IndexedSeq(label), batchSize, shuffle)

  require(data.nonEmpty, "NDArrayIter: no data arrays")
  require(dataBatchSize > 0, s"NDArrayIter: batch size must be positive, got $dataBatchSize")
  require(lastBatchHandle == "pad" || lastBatchHandle == "discard",
    s"NDArrayIter: lastBatchHandle must be 'pad' or 'discard', got '$lastBatchHandle'")

  private val numSamples = data.head.shape(0)
  (data ++ label).foreach { a =>
    if (a.shape(0) != numSamples)
      throw new IllegalArgumentException(s"NDArrayIter: all arrays need $numSamples samples on axis 0, one has shape ${a.shape}")
  }
  private val ctx: Context = data.head.context
  private val rowShapes = (data ++ label).map(_.shape.drop(1))
  private val host: IndexedSeq[Array[Float]] = (data ++ label).map(_.toArray)
  private val names: IndexedSeq[String] = naming(dataName, data.length) ++ naming(labelName, label.length)
  private val buffers: IndexedSeq[NDArray] =
    rowShapes.map(s => NDArray.zeros(Shape(dataBatchSize) ++ s, ctx)).map { b => NativeResource.detach(b); b }
  private val rng = new java.util.Random()
  private var order: Array[Int] = Array.range(0, numSamples)
  private var cursor = 0
  if (shuffle) permute()

  private def naming(base: String, n: Int): IndexedSeq[String] =
    if (n == 1) IndexedSeq(base) else (0 until n).map(i => s"${base}_$i")

  private def permute(): Unit = {
    var i = order.length - 1
    while (i > 0) {
      val j = rng.nextInt(i + 1)
      val t = order(i); order(i) = order(j); order(j) = t
      i -= 1
    }
  }

  def batchSize: Int = dataBatchSize
  def provideData: ListMap[String, Shape] =
    ListMap(names.take(data.length).zip(buffers.take(data.length).map(_.shape)): _*)
  def provideLabel: ListMap[String, Shape] =
    ListMap(names.drop(data.length).zip(buffers.drop(data.length).map(_.shape)): _*)

  def reset(): Unit = {
    cursor = 0
    if (shuffle) permute()
  }

  def hasNext: Boolean =
    if (lastBatchHandle == "discard") cursor + dataBatchSize <= numSamples else cursor < numSamples

  def next(): DataBatch = {
    if (!hasNext) throw new NoSuchElementException("NDArrayIter: no more batches; call reset()")
    val idx = (0 until dataBatchSize).map(k => order((cursor + k) % numSamples))
    val pad = math.max(0, cursor + dataBatchSize - numSamples)
    host.indices.foreach { a =>
      val row = rowShapes(a).product
      val src = host(a)
      val dst = new Array[Float](dataBatchSize * row)
      idx.zipWithIndex.foreach { case (s, k) => System.arraycopy(src, s * row, dst, k * row, row) }
      buffers(a).set(dst)
    }
    cursor += dataBatchSize
    new DataBatch(buffers.take(data.length), buffers.drop(data.length), idx.map(_.toLong), pad)
  }

  override def close(): Unit = buffers.foreach(_.close())
}
