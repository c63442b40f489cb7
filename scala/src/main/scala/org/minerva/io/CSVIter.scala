package org.minerva.io

import java.io.IOException
import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Path, Paths}

import scala.jdk.CollectionConverters._

import org.minerva.Shape

/**
 * MXNet's CSVIter (`IO.CSVIter(params)`), read on the JVM: each non-empty line of data_csv (a
 * file, or every file of a directory in name order) is one record of data_shape; labels come from
 * label_csv (zeros when "NULL"), of label_shape, batched as (batch) when a label is one value.
 * round_batch (default on) as MXNet's loader: a last batch that runs out of records is filled
 * from the start and reports those rows as pad, and the next epoch continues after them; off, the
 * unfilled rows repeat the previous batch's and count as pad. Parameters: data_csv, data_shape,
 * batch_size (required), label_csv ("NULL"), label_shape ("(1,)"), round_batch (1),
 * prefetch_buffer and ctx (accepted, unused), dtype (float32), data_name ("data"),
 * label_name ("label").
 */
class CSVIter private (l: CSVIter.Loaded)
    extends HostRowsIter(l.dataName, l.labelName, l.batchSize, l.dataRow, l.labelRow, l.data, l.label) {

  def this(params: Map[String, String]) = this(CSVIter.load(params))

  private var cursor = 0
  private var overflow = 0
  private var previous: IndexedSeq[Int] = IndexedSeq.fill(batchSize)(0)

  override protected def nextRows(): Option[(IndexedSeq[Int], Int)] = {
    if (overflow > 0) return None
    val rows = Array.from(previous)
    var top = 0
    while (top < batchSize && cursor < numRows) { rows(top) = cursor; top += 1; cursor += 1 }
    if (top == 0) return None
    var pad = 0
    if (top < batchSize) {
      if (l.roundBatch) {
        cursor = 0
        while (top < batchSize) {
          if (cursor >= numRows)
            throw new IllegalArgumentException(s"CSVIter: batch_size $batchSize is larger than the $numRows records " +
              "twice over; round_batch cannot fill a batch")
          rows(top) = cursor; top += 1; cursor += 1; overflow += 1
        }
        pad = overflow
      } else pad = batchSize - top
    }
    previous = rows.toIndexedSeq
    Some((previous, pad))
  }

  override protected def rewind(): Unit =
    if (!l.roundBatch || overflow == 0) cursor = 0 else overflow = 0
}

object CSVIter {
  private[io] final case class Loaded(dataName: String, labelName: String, batchSize: Int, dataRow: Shape,
                                      labelRow: Shape, data: Array[Float], label: Array[Float], roundBatch: Boolean)

  private[io] def load(params: Map[String, String]): Loaded = {
    val p = new LoaderParams("CSVIter", params, Seq("data_csv", "data_shape", "label_csv", "label_shape",
      "batch_size", "round_batch", "prefetch_buffer", "ctx", "dtype", "data_name", "label_name"))
    p.checkFloat32("dtype")
    val dataShape = p.shape("data_shape", null)
    val labelShape = p.shape("label_shape", "(1,)")
    val batchSize = p.int("batch_size", 0)
    if (!params.contains("batch_size")) p.required("batch_size")
    if (batchSize <= 0) throw new IllegalArgumentException(s"CSVIter: batch_size must be positive, got $batchSize")
    val data = readRows(p.required("data_csv"), dataShape.product, "data_csv")
    val n = data.length / dataShape.product
    val labelCsv = p.string("label_csv", "NULL")
    val label = if (labelCsv == "NULL") new Array[Float](n * labelShape.product) else {
      val all = readRows(labelCsv, labelShape.product, "label_csv")
      if (all.length / labelShape.product < n)
        throw new IllegalArgumentException(s"CSVIter: label_csv has ${all.length / labelShape.product} records, data_csv has $n")
      all.take(n * labelShape.product)
    }
    val labelRow = if (labelShape.product == 1) Shape() else Shape(labelShape)
    Loaded(p.string("data_name", "data"), p.string("label_name", "label"), batchSize, Shape(dataShape), labelRow,
      data, label, p.bool("round_batch", default = true))
  }

  /** Every non-empty line of the file (or of each file of the directory) as `width` numbers. */
  private def readRows(path: String, width: Int, what: String): Array[Float] = {
    val root = Paths.get(path)
    val files: Seq[Path] =
      if (Files.isDirectory(root)) Files.list(root).iterator().asScala.filter(Files.isRegularFile(_)).toSeq.sortBy(_.toString)
      else if (Files.isRegularFile(root)) Seq(root)
      else throw new IllegalArgumentException(s"CSVIter: $what '$path' does not exist")
    val out = Array.newBuilder[Float]
    var records = 0
    files.foreach { f =>
      val lines = try Files.readAllLines(f, StandardCharsets.UTF_8).asScala catch {
        case e: IOException => throw new IllegalArgumentException(s"CSVIter: cannot read $f: $e")
      }
      lines.zipWithIndex.foreach { case (raw, i) =>
        val line = raw.trim
        if (line.nonEmpty) {
          val fields = line.split(',')
          if (fields.length != width)
            throw new IllegalArgumentException(s"CSVIter: $f line ${i + 1} has ${fields.length} values, but the " +
              s"${what.replace("_csv", "_shape")} needs $width")
          fields.foreach { v =>
            out += v.trim.toFloatOption.getOrElse(throw new IllegalArgumentException(
              s"CSVIter: $f line ${i + 1}: '${v.trim}' is not a number"))
          }
          records += 1
        }
      }
    }
    if (records == 0) throw new IllegalArgumentException(s"CSVIter: $what '$path' holds no records")
    out.result()
  }
}
