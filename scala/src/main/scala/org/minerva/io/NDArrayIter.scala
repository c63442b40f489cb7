package org.minerva.io

import scala.collection.immutable.ListMap

import org.minerva.{DataBatch, DataDesc, DataIter, DType, IO, Layout, NDArray, NativeResource, Shape}

/**
 * Batches over in-memory arrays whose first axis is the sample axis (MXNet-Scala's NDArrayIter).
 * A full batch in order is a view of the arrays (no copy); a shuffled or padded batch is a new
 * array gathered by the core's `take`. Batch arrays belong to no ResourceScope: dispose the
 * batch when done with it, or they are freed once unreachable.
 *
 * The last batch, when the sample count is not a multiple of the batch size:
 *  - "pad": filled up with samples from the start; `pad` says how many;
 *  - "discard": dropped (the batch size must not exceed the sample count);
 *  - "roll_over": filled up as "pad" but reported with pad 0, as MXNet-Scala does.
 *
 * @param shuffle permute the samples at construction and at every reset (Minerva's addition:
 *                MXNet-Scala's NDArrayIter refuses shuffle = true)
 */
class NDArrayIter(data: IndexedSeq[(DataDesc, NDArray)], label: IndexedSeq[(DataDesc, NDArray)],
                  private val dataBatchSize: Int, shuffle: Boolean, lastBatchHandle: String) extends DataIter {

  /**
   * @param data the data arrays, named `dataName` (one) or `dataName_0`, `dataName_1`, ... (several)
   * @param label the label arrays, named `labelName` likewise ("label" by default, as in MXNet-Scala;
   *              a SoftmaxOutput named "softmax" takes "softmax_label")
   */
  def this(data: IndexedSeq[NDArray], label: IndexedSeq[NDArray] = IndexedSeq.empty, dataBatchSize: Int = 1,
           shuffle: Boolean = false, lastBatchHandle: String = "pad", dataName: String = "data",
           labelName: String = "label") =
    this(IO.initDataDesc(data, allowEmpty = false, dataName,
        if (data == null || data.isEmpty) DType.Float32 else data(0).dtype, Layout.UNDEFINED),
      IO.initDataDesc(label, allowEmpty = true, labelName, DType.Float32, Layout.UNDEFINED),
      dataBatchSize, shuffle, lastBatchHandle)

  /** Minerva's earlier Java form: one data array named "data", one label array (or null) named
   *  "softmax_label", padding the last batch. */
  @deprecated("use the MXNet constructor (IndexedSeq data and label, names) or NDArrayIter.Builder", "0.2.0")
  def this(data: NDArray, label: NDArray, batchSize: Int, shuffle: Boolean) =
    this(IndexedSeq(data), if (label == null) IndexedSeq.empty else IndexedSeq(label), batchSize, shuffle, "pad",
      "data", "softmax_label")

  require(data != null && data.nonEmpty, "NDArrayIter: data should not be null and data.size should not be zero")
  require(label != null, "NDArrayIter: label should not be null; use IndexedSeq.empty if there are no labels")
  require(dataBatchSize > 0, s"NDArrayIter: the batch size must be positive, got $dataBatchSize")
  require(Set("pad", "discard", "roll_over")(lastBatchHandle),
    s"NDArrayIter: lastBatchHandle must be pad, discard or roll_over, got '$lastBatchHandle'")

  private val sources: IndexedSeq[(DataDesc, NDArray)] = data ++ label
  private val numSamples: Int = data(0)._2.shape(0)
  sources.foreach { case (d, a) =>
    if (a.shape.length == 0 || a.shape(0) != numSamples)
      throw new IllegalArgumentException(
        s"NDArrayIter: every array needs $numSamples samples on axis 0; '${d.name}' has shape ${a.shape}")
  }
  if (lastBatchHandle == "discard")
    require(dataBatchSize <= numSamples,
      s"NDArrayIter: batch size $dataBatchSize must not exceed the $numSamples samples when the last batch is discarded")

  /** The samples an epoch walks: all, or whole batches only for "discard". */
  val numData: Int = if (lastBatchHandle == "discard") numSamples - numSamples % dataBatchSize else numSamples
  val numSource: Int = data.size

  private val rng = new java.util.Random()
  private var order: Array[Int] = Array.range(0, numSamples)
  private var cursor = -dataBatchSize
  if (shuffle) permute()

  private val dataDescs = data.map { case (d, a) => batchDesc(d, a) }
  private val labelDescs = label.map { case (d, a) => batchDesc(d, a) }

  private def batchDesc(d: DataDesc, a: NDArray): DataDesc =
    DataDesc(d.name, Shape(dataBatchSize) ++ a.shape.drop(1), d.dtype, d.layout)

  private def permute(): Unit = {
    var i = order.length - 1
    while (i > 0) {
      val j = rng.nextInt(i + 1)
      val t = order(i); order(i) = order(j); order(j) = t
      i -= 1
    }
  }

  /** Starts the next epoch from the first sample, ignoring any roll-over. */
  def hardReset(): Unit = {
    cursor = -dataBatchSize
    if (shuffle) permute()
  }

  override def reset(): Unit = {
    cursor = if (lastBatchHandle == "roll_over" && cursor > numData) -dataBatchSize + (cursor % numData) % dataBatchSize
      else -dataBatchSize
    if (shuffle) permute()
  }

  override def hasNext: Boolean = cursor + dataBatchSize < numData

  @throws(classOf[NoSuchElementException])
  override def next(): DataBatch = {
    if (!hasNext) throw new NoSuchElementException("NDArrayIter: no more batches in this epoch; call reset()")
    cursor += dataBatchSize
    new DataBatch(getData(), getLabel(), getIndex(), getPad(), null, dataDescs, labelDescs)
  }

  /** The sample rows of the current batch, wrapping to the start past the end. */
  private def rows: IndexedSeq[Int] = (0 until dataBatchSize).map(k => order((cursor + k) % numData))

  private def batchOf(arr: NDArray): NDArray = {
    if (cursor < 0 || cursor >= numData) throw new IllegalStateException("NDArrayIter: call next() first (or reset())")
    val out =
      if (!shuffle && cursor + dataBatchSize <= numData) arr.slice(cursor, cursor + dataBatchSize)
      else {
        val idx = NDArray.array(rows.map(_.toFloat).toArray, Shape(dataBatchSize), arr.context)
        try NDArray.invoke("take", Seq(arr, idx), Map("axis" -> "0")).head
        finally idx.close()
      }
    NativeResource.detach(out)
    out
  }

  override def getData(): IndexedSeq[NDArray] = data.map { case (_, a) => batchOf(a) }

  override def getLabel(): IndexedSeq[NDArray] = label.map { case (_, a) => batchOf(a) }

  /** The sample indices of the current batch (wrapped ones included). */
  override def getIndex(): IndexedSeq[Long] = rows.map(_.toLong)

  override def getPad(): Int =
    if (lastBatchHandle == "pad" && cursor + dataBatchSize > numData) cursor + dataBatchSize - numData else 0

  @deprecated("Please use provideDataDesc instead", "1.3.0")
  override def provideData: ListMap[String, Shape] = ListMap(dataDescs.map(d => d.name -> d.shape): _*)

  @deprecated("Please use provideLabelDesc instead", "1.3.0")
  override def provideLabel: ListMap[String, Shape] = ListMap(labelDescs.map(d => d.name -> d.shape): _*)

  override def provideDataDesc: IndexedSeq[DataDesc] = dataDescs

  override def provideLabelDesc: IndexedSeq[DataDesc] = labelDescs

  override def batchSize: Int = dataBatchSize
}

object NDArrayIter {
  /** Builds an NDArrayIter input by input (for Java); no shuffling, as MXNet-Scala's builder. */
  class Builder() {
    private var data: IndexedSeq[(DataDesc, NDArray)] = IndexedSeq.empty
    private var label: IndexedSeq[(DataDesc, NDArray)] = IndexedSeq.empty
    private var dataBatchSize: Int = 1
    private var lastBatchHandle: String = "pad"

    def addData(name: String, data: NDArray): Builder = {
      this.data :+= ((DataDesc(name, data.shape, data.dtype, Layout.UNDEFINED), data)); this
    }
    def addLabel(name: String, label: NDArray): Builder = {
      this.label :+= ((DataDesc(name, label.shape, label.dtype, Layout.UNDEFINED), label)); this
    }
    def addDataWithDesc(dataDesc: DataDesc, data: NDArray): Builder = { this.data :+= ((dataDesc, data)); this }
    /** Adds a label (MXNet-Scala 1.9.1 adds it to the data by mistake; Minerva adds it to the labels). */
    def addLabelWithDesc(labelDesc: DataDesc, label: NDArray): Builder = { this.label :+= ((labelDesc, label)); this }
    def setBatchSize(batchSize: Int): Builder = { this.dataBatchSize = batchSize; this }
    /** "pad", "discard" or "roll_over". */
    def setLastBatchHandle(lastBatchHandle: String): Builder = { this.lastBatchHandle = lastBatchHandle; this }
    def build(): NDArrayIter = new NDArrayIter(data, label, dataBatchSize, false, lastBatchHandle)
  }
}
