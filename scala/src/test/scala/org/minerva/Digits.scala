package org.minerva

import java.io.{BufferedReader, InputStreamReader}
import java.nio.file.{Files, Path, Paths}
import java.util.zip.GZIPInputStream

/** scikit-learn's digits (1,797 8x8 images: 64 pixels 0..16, then the label), installed by
 *  tools/fetch_data.sh at $MINERVA_DATA/digits/digits.csv.gz (default ~/.minerva/datasets). */
object Digits {
  def path: Path = {
    val root = Option(System.getenv("MINERVA_DATA")).filter(_.nonEmpty)
      .getOrElse(System.getProperty("user.home") + "/.minerva/datasets")
    Paths.get(root, "digits", "digits.csv.gz")
  }

  def available: Boolean = Files.isRegularFile(path)

  /** (pixels scaled to [0, 1], one row of 64 per sample; labels). */
  def load(): (Array[Array[Float]], Array[Float]) = {
    val in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(path)), "UTF-8"))
    try {
      val rows = Iterator.continually(in.readLine()).takeWhile(_ != null).filter(_.trim.nonEmpty).map { line =>
        val v = line.split(',').map(_.trim.toFloat)
        require(v.length == 65, s"$path: a row has ${v.length} values, expected 65")
        (v.take(64).map(_ / 16f), v(64))
      }.toArray
      (rows.map(_._1), rows.map(_._2))
    } finally in.close()
  }
}
