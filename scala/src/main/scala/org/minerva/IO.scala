package org.minerva

import scala.collection.immutable.ListMap
import scala.language.implicitConversions

import org.minerva.DType.DType

/** Layout names for DataDesc (MXNet-Scala's Layout): the letters name the axes, N the batch axis. */
object Layout {
  val UNDEFINED = "__undefined__"
  val NCHW = "NCHW"
  val NTC = "NTC"
  val NT = "NT"
  val N = "N"
}

/**
 * An input's name, shape, element type and layout (MXNet-Scala's DataDesc). A layout other than
 * Layout.UNDEFINED must have one letter per dimension.
 */
case class DataDesc(name: String, shape: Shape, dtype: DType = DType.Float32, layout: String = Layout.UNDEFINED) {
  require(layout == Layout.UNDEFINED || shape.length == layout.length,
    s"DataDesc '$name': the shape $shape has ${shape.length} dimensions but the layout '$layout' has ${layout.length}")

  override def toString: String = s"DataDesc[$name,$shape,$dtype,$layout]"
}

object DataDesc {
  private val logger = java.util.logging.Logger.getLogger("org.minerva.DataDesc")

  /** The batch axis of a layout: the position of 'N'; 0 for an undefined layout. */
  def getBatchAxis(layout: Option[String]): Int = layout match {
    case None | Some(Layout.UNDEFINED) =>
      logger.warning("Found Undefined Layout, will use default index 0 for batch axis")
      0
    case Some(l) if l.contains('N') => l.indexOf('N')
    case Some(l) => throw new IllegalArgumentException(s"no batch axis ('N') in layout '$l'")
  }

  @deprecated("use DataDesc directly", "1.3.0")
  implicit def ListMap2Descs(shapes: ListMap[String, Shape]): IndexedSeq[DataDesc] = descsOf(shapes)

  private[minerva] def descsOf(shapes: ListMap[String, Shape]): IndexedSeq[DataDesc] =
    if (shapes == null) null else shapes.map { case (k, s) => DataDesc(k, s) }.toIndexedSeq

  private[minerva] def shapesOf(descs: IndexedSeq[DataDesc]): ListMap[String, Shape] =
    if (descs == null) null else ListMap(descs.map(d => d.name -> d.shape): _*)
}

/**
 * Data iterators by name (MXNet-Scala's IO). MXNet's `IO.MNISTIter`, `IO.CSVIter` and
 * `IO.ImageRecordIter` create the C++ core's iterators; Minerva's C ABI has no data iterators, so
 * MNISTIter and CSVIter are implemented on the JVM (io.MNISTIter, io.CSVIter) with MXNet's
 * parameters, and ImageRecordIter is refused with an explanation.
 */
object IO {
  type IterCreateFunc = Map[String, String] => DataIter
  type PackCreateFunc = Map[String, String] => DataPack

  def MNISTIter: IterCreateFunc = params => new org.minerva.io.MNISTIter(params)

  def CSVIter: IterCreateFunc = params => new org.minerva.io.CSVIter(params)

  def ImageRecordIter: IterCreateFunc = _ => throw new UnsupportedOperationException(
    "IO.ImageRecordIter: Minerva does not read RecordIO image files yet (MXNet's C++ iterator is not in its core)")

  def MNISTPack: PackCreateFunc = createMXDataPack("MNISTIter")

  def CSVPack: PackCreateFunc = createMXDataPack("CSVIter")

  /** An Iterable whose every `iterator` is a new `iterName` iterator over `params`. */
  def createMXDataPack(iterName: String)(params: Map[String, String]): DataPack = {
    createIterator(iterName, params).close() // the parameters are checked now, not at the first use
    new DataPack() {
      override def iterator: DataIter = createIterator(iterName, params)
    }
  }

  /** The iterator `iterName` ("MNISTIter", "CSVIter") with its string parameters. */
  def createIterator(iterName: String, params: Map[String, String]): DataIter = iterName match {
    case "MNISTIter" => MNISTIter(params)
    case "CSVIter" => CSVIter(params)
    case "ImageRecordIter" => ImageRecordIter(params)
    case other => throw new IllegalArgumentException(s"IO.createIterator: unknown iterator '$other'; " +
      "known: MNISTIter, CSVIter, ImageRecordIter")
  }

  /** Names inputs as MXNet does: `defaultName` for one array, `defaultName_0`, `_1` ... for several. */
  private[minerva] def initDataDesc(data: IndexedSeq[NDArray], allowEmpty: Boolean, defaultName: String,
                                    defaultDType: DType, defaultLayout: String): IndexedSeq[(DataDesc, NDArray)] = {
    require(data != null, s"$defaultName: no arrays (null)")
    require(data.nonEmpty || allowEmpty, s"$defaultName: at least one array is needed")
    if (data.length == 1) IndexedSeq((DataDesc(defaultName, data(0).shape, defaultDType, defaultLayout), data(0)))
    else data.zipWithIndex.map { case (a, i) => (DataDesc(s"${defaultName}_$i", a.shape, defaultDType, defaultLayout), a) }
  }
}
