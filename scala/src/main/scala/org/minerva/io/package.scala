package org.minerva

/** MXNet-Scala's `org.apache.mxnet.io`: NDArrayIter, MNISTIter, CSVIter. DataIter and DataBatch
 *  are in `org.minerva`, as MXNet has them; the names here are kept for earlier Minerva code. */
package object io {
  @deprecated("use org.minerva.DataIter", "0.2.0")
  type DataIter = org.minerva.DataIter
  @deprecated("use org.minerva.DataBatch", "0.2.0")
  type DataBatch = org.minerva.DataBatch
}
