package org.minerva.io

import java.io.{ByteArrayInputStream, IOException, InputStream}
import java.nio.file.{Files, Paths}
import java.util.zip.GZIPInputStream

import org.minerva.Shape

/**
 * MXNet's MNISTIter (`IO.MNISTIter(params)`), read on the JVM: IDX image and label files (raw or
 * gzipped), pixels scaled by 1/256 as MXNet does, data (batch, 1, rows, cols) or with flat
 * (batch, rows * cols), labels (batch). As in MXNet: an incomplete last batch is dropped; shuffle
 * (default on) permutes the records once, at creation, in MXNet's order for `seed`, and reset only
 * rewinds; num_parts/part_index give this reader records [n/parts*k, n/parts*(k+1)).
 * Parameters: image, label, batch_size (128), shuffle (1), flat (0), seed (0), silent (0),
 * num_parts (1), part_index (0), prefetch_buffer and ctx (accepted, unused), dtype (float32),
 * data_name ("data"), label_name ("label", as MXNet-Scala's IO names it).
 */
class MNISTIter private (l: MNISTIter.Loaded)
    extends HostRowsIter(l.dataName, l.labelName, l.batchSize, l.dataRow, Shape(), l.pixels, l.labels) {

  def this(params: Map[String, String]) = this(MNISTIter.load(params))

  private val order: Array[Int] = if (l.shuffle) MT19937.shuffleOrder(numRows, l.seed) else Array.range(0, numRows)
  private var cursor = 0
  if (!l.silent)
    java.util.logging.Logger.getLogger("org.minerva.io.MNISTIter")
      .info(s"MNISTIter: load $numRows images, shuffle=${if (l.shuffle) 1 else 0}, shape=${provideData.values.head}")

  override protected def nextRows(): Option[(IndexedSeq[Int], Int)] =
    if (cursor + batchSize > numRows) None
    else {
      val rows = order.slice(cursor, cursor + batchSize).toIndexedSeq
      cursor += batchSize
      Some((rows, 0))
    }

  override protected def rewind(): Unit = cursor = 0
}

object MNISTIter {
  private[io] final case class Loaded(dataName: String, labelName: String, batchSize: Int, dataRow: Shape,
                                      pixels: Array[Float], labels: Array[Float], shuffle: Boolean, seed: Long,
                                      silent: Boolean)

  private[io] def load(params: Map[String, String]): Loaded = {
    val p = new LoaderParams("MNISTIter", params, Seq("image", "label", "batch_size", "shuffle", "flat", "seed",
      "silent", "num_parts", "part_index", "prefetch_buffer", "ctx", "dtype", "data_name", "label_name"))
    p.checkFloat32("dtype")
    val batchSize = p.positive("batch_size", 128)
    val parts = p.positive("num_parts", 1)
    val part = p.int("part_index", 0)
    if (part < 0 || part >= parts)
      throw new IllegalArgumentException(s"MNISTIter: part_index must be in [0, num_parts=$parts), got $part")
    val imageFile = p.string("image", "./train-images-idx3-ubyte")
    val labelFile = p.string("label", "./train-labels-idx1-ubyte")
    val (imageDims, images) = readIdxBytes(imageFile, 3)
    val (labelDims, labels) = readIdxBytes(labelFile, 1)
    if (imageDims(0) != labelDims(0))
      throw new IllegalArgumentException(s"MNISTIter: $imageFile has ${imageDims(0)} images but $labelFile has ${labelDims(0)} labels")
    val n = imageDims(0)
    val lo = (n.toDouble / parts * part).toInt
    val hi = (n.toDouble / parts * (part + 1)).toInt
    val width = imageDims(1) * imageDims(2)
    val pixels = new Array[Float]((hi - lo) * width)
    var i = 0
    while (i < pixels.length) { pixels(i) = (images(lo * width + i) & 0xff) * (1f / 256f); i += 1 }
    val labelValues = Array.tabulate(hi - lo)(k => (labels(lo + k) & 0xff).toFloat)
    if (hi - lo < batchSize)
      throw new IllegalArgumentException(s"MNISTIter: batch_size $batchSize is larger than the ${hi - lo} images of this part")
    val dataRow = if (p.bool("flat", default = false)) Shape(width) else Shape(1, imageDims(1), imageDims(2))
    Loaded(p.string("data_name", "data"), p.string("label_name", "label"), batchSize, dataRow, pixels, labelValues,
      p.bool("shuffle", default = true), p.int("seed", 0).toLong & 0xffffffffL, p.bool("silent", default = false))
  }

  /** The dimensions and uint8 payload of an IDX file (raw or gzipped) of `ndim` dimensions. */
  private def readIdxBytes(path: String, ndim: Int): (IndexedSeq[Int], Array[Byte]) = {
    val raw = try Files.readAllBytes(Paths.get(path)) catch {
      case e: IOException => throw new IllegalArgumentException(s"MNISTIter: cannot read $path: $e")
    }
    val bytes = if (raw.length >= 2 && (raw(0) & 0xff) == 0x1f && (raw(1) & 0xff) == 0x8b) {
      val in: InputStream = new GZIPInputStream(new ByteArrayInputStream(raw))
      try in.readAllBytes() catch { case e: IOException => throw new IllegalArgumentException(s"MNISTIter: $path: corrupt gzip data: $e") }
      finally in.close()
    } else raw
    val header = 4 + 4 * ndim
    if (bytes.length < header || bytes(0) != 0 || bytes(1) != 0)
      throw new IllegalArgumentException(s"MNISTIter: $path is not an IDX file (bad or short header)")
    if ((bytes(2) & 0xff) != 0x08 || bytes(3) != ndim)
      throw new IllegalArgumentException(s"MNISTIter: $path must hold uint8 data of $ndim dimensions " +
        s"(type code 0x08), got type code 0x${(bytes(2) & 0xff).toHexString} with ${bytes(3)} dimensions")
    val dims = (0 until ndim).map { d =>
      val o = 4 + 4 * d
      ((bytes(o) & 0xffL) << 24 | (bytes(o + 1) & 0xffL) << 16 | (bytes(o + 2) & 0xffL) << 8 | (bytes(o + 3) & 0xffL))
    }
    val payload = dims.product
    if (dims.exists(_ == 0) || payload != bytes.length - header)
      throw new IllegalArgumentException(s"MNISTIter: $path: the header says ${dims.mkString("x")} = $payload bytes, " +
        s"the file has ${bytes.length - header}")
    (dims.map(_.toInt), java.util.Arrays.copyOfRange(bytes, header, bytes.length))
  }
}
