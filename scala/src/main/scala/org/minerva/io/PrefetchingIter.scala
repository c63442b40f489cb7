package org.minerva.io

import scala.collection.immutable.ListMap

import org.minerva.{DataBatch, DataDesc, DataIter, NDArray, Shape}

/**
 * Several iterators walked together as one (MXNet-Scala's PrefetchingIter): each batch holds the
 * data (and labels) of one batch of every iterator, in order, optionally renamed through
 * `dataNames`/`labelNames` (one old -> new map per iterator). The iterators must give the same
 * number of batches with the same padding. Minerva reads the batches when asked rather than on
 * background threads (the core's engine already runs their copies asynchronously); dispose() is
 * kept for MXNet code and does nothing else.
 */
class PrefetchingIter(iters: IndexedSeq[DataIter], dataNames: IndexedSeq[Map[String, String]] = null,
                      labelNames: IndexedSeq[Map[String, String]] = null) extends DataIter {
  require(iters != null && iters.nonEmpty, "PrefetchingIter: iters length must be greater than 0")
  Seq("dataNames" -> dataNames, "labelNames" -> labelNames).foreach { case (what, names) =>
    require(names == null || names.length == iters.length,
      s"PrefetchingIter: $what needs one map per iterator (${iters.length}), got ${names.length}")
  }

  private def renamed(descs: IndexedSeq[IndexedSeq[DataDesc]], names: IndexedSeq[Map[String, String]]) =
    if (names == null) descs.flatten
    else descs.zip(names).flatMap { case (ds, m) =>
      ds.map { d =>
        val to = m.getOrElse(d.name, throw new IllegalArgumentException(
          s"PrefetchingIter: no new name for '${d.name}' in ${m.keys.mkString(", ")}"))
        DataDesc(to, d.shape, d.dtype, d.layout)
      }
    }

  private val dataDescs = renamed(iters.map(_.provideDataDesc), dataNames)
  private val labelDescs = renamed(iters.map(_.provideLabelDesc), labelNames)
  private val _batchSize: Int = dataDescs.head.shape(0)
  private var currentBatch: DataBatch = null
  private var ready = false

  override def provideDataDesc: IndexedSeq[DataDesc] = dataDescs
  override def provideLabelDesc: IndexedSeq[DataDesc] = labelDescs
  override def provideData: ListMap[String, Shape] = ListMap(dataDescs.map(d => d.name -> d.shape): _*)
  override def provideLabel: ListMap[String, Shape] = ListMap(labelDescs.map(d => d.name -> d.shape): _*)
  override def batchSize: Int = _batchSize

  override def reset(): Unit = {
    iters.foreach(_.reset())
    currentBatch = null
    ready = false
  }

  override def hasNext: Boolean = {
    if (!ready) {
      val more = iters.map(_.hasNext)
      if (more.distinct.length > 1)
        throw new IllegalStateException("PrefetchingIter: number of entry mismatches between iterators")
      currentBatch = if (!more.head) null else {
        val batches = iters.map(_.next())
        if (batches.map(_.pad).distinct.length > 1)
          throw new IllegalStateException("PrefetchingIter: number of entry mismatches between iterators (padding)")
        new DataBatch(batches.flatMap(_.data), batches.flatMap(_.label), batches.head.index, batches.head.pad,
          null, dataDescs, labelDescs)
      }
      ready = true
    }
    currentBatch != null
  }

  @throws(classOf[NoSuchElementException])
  override def next(): DataBatch = {
    if (!hasNext) throw new NoSuchElementException("PrefetchingIter: no more batches in this epoch; call reset()")
    ready = false
    currentBatch
  }

  private def current: DataBatch =
    if (currentBatch != null) currentBatch else throw new IllegalStateException("PrefetchingIter: no current batch")

  override def getData(): IndexedSeq[NDArray] = current.data
  override def getLabel(): IndexedSeq[NDArray] = current.label
  override def getIndex(): IndexedSeq[Long] = current.index
  override def getPad(): Int = current.pad

  /** MXNet stops its prefetching threads here; Minerva has none. */
  def dispose(): Unit = ()

  override def close(): Unit = iters.foreach(_.close())
}
