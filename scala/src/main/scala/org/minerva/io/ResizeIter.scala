package org.minerva.io

import scala.collection.immutable.ListMap

import org.minerva.{DataBatch, DataDesc, DataIter, NDArray, Shape}

/**
 * An epoch of exactly `reSize` batches from `dataIter` (MXNet-Scala's ResizeIter): when the inner
 * iterator runs out first it is reset and continues; when it has more, the rest waits for the next
 * epoch. A padded batch of the inner iterator can therefore come in the middle of an epoch.
 *
 * @param resetInternal whether reset() also resets the inner iterator
 */
class ResizeIter(dataIter: DataIter, reSize: Int, resetInternal: Boolean = true) extends DataIter {
  require(dataIter != null, "ResizeIter: no inner iterator (null)")
  require(reSize > 0, s"ResizeIter: reSize must be positive, got $reSize")

  private var currentBatch: DataBatch = null
  private var cur = 0

  override def reset(): Unit = {
    cur = 0
    currentBatch = null
    if (resetInternal) dataIter.reset()
  }

  private def iterNext(): Boolean =
    if (cur == reSize) false
    else {
      if (!dataIter.hasNext) {
        dataIter.reset()
        if (!dataIter.hasNext) throw new IllegalStateException("ResizeIter: the inner iterator gives no batch after reset()")
      }
      currentBatch = dataIter.next()
      cur += 1
      true
    }

  override def hasNext: Boolean = currentBatch != null || iterNext()

  @throws(classOf[NoSuchElementException])
  override def next(): DataBatch = {
    if (!hasNext) throw new NoSuchElementException(s"ResizeIter: the epoch of $reSize batches is over; call reset()")
    val batch = currentBatch
    currentBatch = null
    batch
  }

  private def current: DataBatch =
    if (currentBatch != null) currentBatch else throw new IllegalStateException("ResizeIter: no current batch (call hasNext)")

  override def getData(): IndexedSeq[NDArray] = current.data
  override def getLabel(): IndexedSeq[NDArray] = current.label
  override def getIndex(): IndexedSeq[Long] = current.index
  override def getPad(): Int = current.pad

  override def batchSize: Int = dataIter.batchSize
  override def provideData: ListMap[String, Shape] = dataIter.provideData
  override def provideLabel: ListMap[String, Shape] = dataIter.provideLabel
  override def provideDataDesc: IndexedSeq[DataDesc] = dataIter.provideDataDesc
  override def provideLabelDesc: IndexedSeq[DataDesc] = dataIter.provideLabelDesc

  override def close(): Unit = dataIter.close()
}
