package org.minerva

/** MXNet-Scala's `org.apache.mxnet.io`: NDArrayIter, MNISTIter, CSVIter. DataIter, DataBatch and
 *  DataDesc are in `org.minerva`, as MXNet has them. */
package object io
