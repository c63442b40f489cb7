package org.minerva.io

import scala.collection.immutable.ListMap

import org.minerva.{DataBatch, DataDesc, DataIter, DType, NDArray, NativeResource, Shape}

/**
 * An iterator over rows held on the JVM heap (the file iterators): `data` holds numRows rows of
 * dataRow.product floats, `label` rows of labelRow.product floats. A subclass picks each batch's
 * rows and pad (`nextRows`); the batch arrays are new float32 arrays, in no ResourceScope.
 */
private[io] abstract class HostRowsIter(dataName: String, labelName: String, override val batchSize: Int,
                                        dataRow: Shape, labelRow: Shape, data: Array[Float], label: Array[Float])
    extends DataIter {
  protected val numRows: Int = data.length / math.max(1, dataRow.product)
  private val dataDesc = DataDesc(dataName, Shape(batchSize) ++ dataRow, DType.Float32)
  private val labelDesc = DataDesc(labelName, Shape(batchSize) ++ labelRow, DType.Float32)
  private var current: (IndexedSeq[Int], Int) = _
  private var pending: Option[(IndexedSeq[Int], Int)] = None

  /** The next batch's row numbers (batchSize of them) and pad, or None at the end of the epoch. */
  protected def nextRows(): Option[(IndexedSeq[Int], Int)]

  /** Rewinds for the next epoch. */
  protected def rewind(): Unit

  override def reset(): Unit = { pending = None; current = null; rewind() }

  override def hasNext: Boolean = {
    if (pending.isEmpty) pending = nextRows()
    pending.isDefined
  }

  @throws(classOf[NoSuchElementException])
  override def next(): DataBatch = {
    if (!hasNext) throw new NoSuchElementException(s"${getClass.getSimpleName}: no more batches in this epoch; call reset()")
    current = pending.get
    pending = None
    new DataBatch(getData(), getLabel(), getIndex(), getPad(), null, IndexedSeq(dataDesc), IndexedSeq(labelDesc))
  }

  private def gather(src: Array[Float], row: Shape): NDArray = {
    if (current == null) throw new IllegalStateException(s"${getClass.getSimpleName}: call next() first")
    val width = row.product
    val out = new Array[Float](batchSize * width)
    current._1.zipWithIndex.foreach { case (r, k) => System.arraycopy(src, r * width, out, k * width, width) }
    val arr = NDArray.array(out, Shape(batchSize) ++ row)
    NativeResource.detach(arr)
    arr
  }

  override def getData(): IndexedSeq[NDArray] = IndexedSeq(gather(data, dataRow))
  override def getLabel(): IndexedSeq[NDArray] = IndexedSeq(gather(label, labelRow))
  override def getIndex(): IndexedSeq[Long] = current._1.map(_.toLong)
  override def getPad(): Int = current._2

  override def provideData: ListMap[String, Shape] = ListMap(dataDesc.name -> dataDesc.shape)
  override def provideLabel: ListMap[String, Shape] = ListMap(labelDesc.name -> labelDesc.shape)
  override def provideDataDesc: IndexedSeq[DataDesc] = IndexedSeq(dataDesc)
  override def provideLabelDesc: IndexedSeq[DataDesc] = IndexedSeq(labelDesc)
}
