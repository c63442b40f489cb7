package org.minerva

import scala.annotation.varargs
import scala.collection.immutable.ListMap

/**
 * One batch (MXNet-Scala's DataBatch): data and labels (one array per input), the sample indices,
 * and `pad`, the number of trailing samples that only fill up the last batch. dispose() frees the
 * arrays now (otherwise they are freed once unreachable).
 */
class DataBatch(val data: IndexedSeq[NDArray], val label: IndexedSeq[NDArray], val index: IndexedSeq[Long],
                val pad: Int, val bucketKey: AnyRef, private val providedDataDesc: IndexedSeq[DataDesc],
                private val providedLabelDesc: IndexedSeq[DataDesc]) {

  def this(data: IndexedSeq[NDArray], label: IndexedSeq[NDArray], index: IndexedSeq[Long], pad: Int,
           bucketKey: AnyRef = null, providedData: ListMap[String, Shape] = null,
           providedLabel: ListMap[String, Shape] = null) =
    this(data, label, index, pad, bucketKey, DataDesc.descsOf(providedData), DataDesc.descsOf(providedLabel))

  /** Frees the data and label arrays; the batch must not be used afterwards. */
  def dispose(): Unit = {
    if (data != null) data.foreach(a => if (a != null) a.close())
    if (label != null) label.foreach(a => if (a != null) a.close())
  }

  /** Names and shapes of the data (null when the batch was made without them). */
  def provideData: ListMap[String, Shape] = DataDesc.shapesOf(providedDataDesc)
  def provideLabel: ListMap[String, Shape] = DataDesc.shapesOf(providedLabelDesc)
  def provideDataDesc: IndexedSeq[DataDesc] = providedDataDesc
  def provideLabelDesc: IndexedSeq[DataDesc] = providedLabelDesc
}

object DataBatch {
  /** Builds a DataBatch step by step (for Java). */
  class Builder() {
    private var data: IndexedSeq[NDArray] = null
    private var label: IndexedSeq[NDArray] = null
    private var index: IndexedSeq[Long] = null
    private var pad: Int = 0
    private var bucketKey: AnyRef = null
    private var dataDesc: IndexedSeq[DataDesc] = null
    private var labelDesc: IndexedSeq[DataDesc] = null

    @varargs def setData(data: NDArray*): Builder = { this.data = data.toIndexedSeq; this }
    @varargs def setLabel(label: NDArray*): Builder = { this.label = label.toIndexedSeq; this }
    @varargs def setIndex(index: Long*): Builder = { this.index = index.toIndexedSeq; this }
    /** The number of padding samples at the end of the batch. */
    def setPad(pad: Int): Builder = { this.pad = pad; this }
    def setBucketKey(bucketKey: AnyRef): Builder = { this.bucketKey = bucketKey; this }
    def provideDataDesc(dataDesc: IndexedSeq[DataDesc]): Builder = { this.dataDesc = dataDesc; this }
    def provideLabelDesc(labelDesc: IndexedSeq[DataDesc]): Builder = { this.labelDesc = labelDesc; this }

    def build(): DataBatch = {
      require(data != null, "DataBatch.Builder: data is required (setData)")
      new DataBatch(data, label, index, pad, bucketKey, dataDesc, labelDesc)
    }
  }
}

/**
 * Batches for training and prediction (MXNet-Scala's DataIter): `hasNext`/`next()` walk one
 * epoch, `reset()` starts the next. A subclass gives the current batch's pieces (getData,
 * getLabel, getIndex, getPad) and what it provides (provideDataDesc, provideLabelDesc and the
 * name -> shape maps provideData, provideLabel). close() frees what the iterator holds (Minerva's
 * addition; nothing by default).
 */
abstract class DataIter extends Iterator[DataBatch] with AutoCloseable {
  def reset(): Unit

  def batchSize: Int

  @throws(classOf[NoSuchElementException])
  def next(): DataBatch =
    new DataBatch(getData(), getLabel(), getIndex(), getPad(), null, null: IndexedSeq[DataDesc], null: IndexedSeq[DataDesc])

  /** The current batch's data arrays. */
  def getData(): IndexedSeq[NDArray]

  /** The current batch's label arrays. */
  def getLabel(): IndexedSeq[NDArray]

  /** The number of padding samples in the current batch. */
  def getPad(): Int

  /** The indices of the current batch's samples. */
  def getIndex(): IndexedSeq[Long]

  /** Data names and batch shapes, e.g. "data" -> (32, 64). */
  def provideData: ListMap[String, Shape]

  def provideLabel: ListMap[String, Shape]

  def provideDataDesc: IndexedSeq[DataDesc]

  def provideLabelDesc: IndexedSeq[DataDesc]

  /** For bucketing iterators: the bucket key of the default symbol. */
  def defaultBucketKey: AnyRef = null

  override def close(): Unit = ()
}

/** A DataIter factory usable as an Iterable (MXNet-Scala's DataPack). */
abstract class DataPack() extends Iterable[DataBatch] {
  def iterator: DataIter
}
