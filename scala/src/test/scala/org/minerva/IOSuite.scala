package org.minerva

import java.io.ByteArrayOutputStream
import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Path}
import java.util.zip.GZIPOutputStream

import scala.collection.immutable.ListMap

import org.scalatest.funsuite.AnyFunSuite

import org.minerva.io.{NDArrayIter, PrefetchingIter, ResizeIter}

/** DataDesc, DataBatch, MXNet-Scala's NDArrayIter and the file iterators IO.MNISTIter and IO.CSVIter. */
class IOSuite extends AnyFunSuite {
  private def rows(batches: Seq[DataBatch]): Seq[(Seq[Float], Seq[Float], Int)] =
    batches.map(b => (b.data.head.toArray.toSeq, b.label.head.toArray.toSeq, b.pad))

  test("DataDesc and Layout as MXNet-Scala's") {
    val d = DataDesc("data", Shape(2, 3, 4, 5), DType.Float32, Layout.NCHW)
    assert(d.toString == "DataDesc[data,(2,3,4,5),float32,NCHW]")
    assert(DataDesc("x", Shape(4)).layout == Layout.UNDEFINED && DataDesc("x", Shape(4)).dtype == DType.Float32)
    intercept[IllegalArgumentException](DataDesc("data", Shape(2, 3), DType.Float32, Layout.NCHW))
    assert(DataDesc.getBatchAxis(Some("TNC")) == 1)
    assert(DataDesc.getBatchAxis(None) == 0 && DataDesc.getBatchAxis(Some(Layout.UNDEFINED)) == 0)
    intercept[IllegalArgumentException](DataDesc.getBatchAxis(Some("TC")))
  }

  test("NDArrayIter: MXNet-Scala's names, shapes and padding of the last batch") {
    ResourceScope.using {
      val data = NDArray.array(Array.tabulate(10)(_.toFloat), Shape(5, 2))
      val label = NDArray.array(Array(0f, 1f, 2f, 3f, 4f), Shape(5))
      val it = new NDArrayIter(IndexedSeq(data), IndexedSeq(label), 2)
      assert(it.provideData == ListMap("data" -> Shape(2, 2)))
      assert(it.provideLabel == ListMap("label" -> Shape(2)))
      assert(it.provideDataDesc == IndexedSeq(DataDesc("data", Shape(2, 2))))
      assert(it.batchSize == 2)
      val batches = it.toList
      assert(rows(batches) == Seq((Seq(0f, 1f, 2f, 3f), Seq(0f, 1f), 0), (Seq(4f, 5f, 6f, 7f), Seq(2f, 3f), 0),
        (Seq(8f, 9f, 0f, 1f), Seq(4f, 0f), 1)))
      assert(batches(2).index == IndexedSeq(4L, 0L))
      assert(batches.head.provideDataDesc == it.provideDataDesc)
      // batches stay valid after the iterator moves on (they are not shared buffers)
      assert(batches.head.data.head.toArray.toSeq == Seq(0f, 1f, 2f, 3f))
      intercept[NoSuchElementException](it.next())
      it.reset()
      assert(it.size == 3)
      batches.foreach(_.dispose())

      val discard = new NDArrayIter(IndexedSeq(data), IndexedSeq(label), 2, lastBatchHandle = "discard")
      assert(rows(discard.toList).map(_._2) == Seq(Seq(0f, 1f), Seq(2f, 3f)))
      val roll = new NDArrayIter(IndexedSeq(data), IndexedSeq(label), 2, lastBatchHandle = "roll_over")
      assert(rows(roll.toList).last == ((Seq(8f, 9f, 0f, 1f), Seq(4f, 0f), 0)))
      intercept[IllegalArgumentException](new NDArrayIter(IndexedSeq(data), IndexedSeq(label), 2, lastBatchHandle = "drop"))
      intercept[IllegalArgumentException](new NDArrayIter(IndexedSeq(data), IndexedSeq(label), 6, lastBatchHandle = "discard"))
      intercept[IllegalArgumentException](new NDArrayIter(IndexedSeq(data), IndexedSeq(NDArray.zeros(Shape(4))), 2))
    }
  }

  test("NDArrayIter: several inputs are named data_0, data_1; the builder; shuffling keeps rows together") {
    ResourceScope.using {
      val a = NDArray.array(Array.tabulate(6)(_.toFloat), Shape(6))
      val b = NDArray.array(Array.tabulate(6)(i => 10f * i), Shape(6))
      val two = new NDArrayIter(IndexedSeq(a, b), IndexedSeq(a), 3, labelName = "softmax_label")
      assert(two.provideData.keys.toSeq == Seq("data_0", "data_1"))
      assert(two.provideLabel.keys.toSeq == Seq("softmax_label"))

      val built = new NDArrayIter.Builder().addData("x", a).addLabel("y", b).setBatchSize(4).setLastBatchHandle("pad").build()
      assert(built.provideData == ListMap("x" -> Shape(4)) && built.provideLabel == ListMap("y" -> Shape(4)))
      assert(built.toList.map(_.pad) == List(0, 2))

      val shuffled = new NDArrayIter(IndexedSeq(a), IndexedSeq(b), 4, shuffle = true)
      val seen = shuffled.toList.flatMap { batch =>
        val x = batch.data.head.toArray
        val y = batch.label.head.toArray
        assert(x.map(_ * 10f).sameElements(y), "data and label rows stay paired")
        assert(batch.index.map(_.toFloat) == x.toSeq)
        x.take(4 - batch.pad)
      }
      assert(seen.sorted == Seq(0f, 1f, 2f, 3f, 4f, 5f))
    }
  }

  test("ResizeIter gives epochs of a fixed number of batches, wrapping the inner iterator") {
    ResourceScope.using {
      val x = NDArray.array(Array.tabulate(5)(_.toFloat), Shape(5))
      val inner = new NDArrayIter(IndexedSeq(x), IndexedSeq.empty, 2)
      val resized = new ResizeIter(inner, 4)
      assert(resized.batchSize == 2 && resized.provideDataDesc == inner.provideDataDesc)
      // the inner epoch is (0,1) (2,3) (4,0 pad 1); then it restarts
      assert(resized.toList.map(b => (b.data.head.toArray.toSeq, b.pad)) ==
        List((Seq(0f, 1f), 0), (Seq(2f, 3f), 0), (Seq(4f, 0f), 1), (Seq(0f, 1f), 0)))
      intercept[NoSuchElementException](resized.next())
      val keepGoing = new ResizeIter(new NDArrayIter(IndexedSeq(x), IndexedSeq.empty, 2), 2, resetInternal = false)
      assert(keepGoing.toList.map(_.data.head.toArray.head) == List(0f, 2f))
      keepGoing.reset()
      assert(keepGoing.toList.map(_.data.head.toArray.head) == List(4f, 0f), "the inner iterator goes on")
      intercept[IllegalArgumentException](new ResizeIter(inner, 0))
    }
  }

  test("PrefetchingIter joins iterators batch by batch, renaming their inputs") {
    ResourceScope.using {
      val a = NDArray.array(Array.tabulate(4)(_.toFloat), Shape(4))
      val b = NDArray.array(Array.tabulate(4)(i => 10f + i), Shape(4))
      val joined = new PrefetchingIter(IndexedSeq(new NDArrayIter(IndexedSeq(a), IndexedSeq(a), 2),
        new NDArrayIter(IndexedSeq(b), IndexedSeq(b), 2)),
        IndexedSeq(Map("data" -> "x"), Map("data" -> "y")), IndexedSeq(Map("label" -> "lx"), Map("label" -> "ly")))
      assert(joined.provideData == ListMap("x" -> Shape(2), "y" -> Shape(2)))
      assert(joined.provideLabel.keys.toSeq == Seq("lx", "ly") && joined.batchSize == 2)
      val batches = joined.toList
      assert(batches.map(_.data.map(_.toArray.toSeq)) == List(Seq(Seq(0f, 1f), Seq(10f, 11f)), Seq(Seq(2f, 3f), Seq(12f, 13f))))
      joined.reset()
      assert(joined.hasNext && joined.hasNext && joined.next().label(1).toArray.toSeq == Seq(10f, 11f))
      val uneven = new PrefetchingIter(IndexedSeq(new NDArrayIter(IndexedSeq(a), IndexedSeq.empty, 2),
        new NDArrayIter(IndexedSeq(b), IndexedSeq.empty, 4)))
      uneven.next()
      intercept[IllegalStateException](uneven.hasNext)
    }
  }

  test("DataBatch and its builder") {
    ResourceScope.using {
      val x = NDArray.ones(Shape(2, 3))
      val batch = new DataBatch.Builder().setData(x).setLabel(NDArray.zeros(Shape(2))).setIndex(4L, 5L).setPad(1)
        .provideDataDesc(IndexedSeq(DataDesc("data", Shape(2, 3)))).build()
      assert(batch.pad == 1 && batch.index == IndexedSeq(4L, 5L))
      assert(batch.provideData == ListMap("data" -> Shape(2, 3)))
      assert(batch.provideLabel == null)
      val legacy = new DataBatch(IndexedSeq(x), IndexedSeq.empty, IndexedSeq(0L, 1L), 0,
        providedData = ListMap("data" -> Shape(2, 3)))
      assert(legacy.provideDataDesc == IndexedSeq(DataDesc("data", Shape(2, 3))))
      intercept[IllegalArgumentException](new DataBatch.Builder().build())
      batch.dispose()
      assert(x.isClosed)
    }
  }

  private def idx(dims: Seq[Int], payload: Array[Byte], gzip: Boolean): Array[Byte] = {
    val out = new ByteArrayOutputStream()
    out.write(Array[Byte](0, 0, 0x08, dims.length.toByte))
    dims.foreach(d => out.write(Array((d >>> 24).toByte, (d >>> 16).toByte, (d >>> 8).toByte, d.toByte)))
    out.write(payload)
    if (!gzip) out.toByteArray
    else {
      val z = new ByteArrayOutputStream()
      val g = new GZIPOutputStream(z)
      g.write(out.toByteArray)
      g.close()
      z.toByteArray
    }
  }

  test("IO.MNISTIter reads IDX files as MXNet's: 1/256 pixels, shapes, dropped last batch, MXNet's shuffle order") {
    ResourceScope.using {
      val dir = Files.createTempDirectory("minerva-mnist")
      // 10 images of 2x3 pixels: image k holds k*10 + p; label k % 4
      val images = Array.tabulate(60)(i => ((i / 6) * 10 + i % 6).toByte)
      Files.write(dir.resolve("img.gz"), idx(Seq(10, 2, 3), images, gzip = true))
      Files.write(dir.resolve("lbl"), idx(Seq(10), Array.tabulate(10)(k => (k % 4).toByte), gzip = false))
      val base = Map("image" -> dir.resolve("img.gz").toString, "label" -> dir.resolve("lbl").toString,
        "batch_size" -> "3", "silent" -> "1")
      val plain = IO.MNISTIter(base ++ Map("shuffle" -> "0"))
      assert(plain.provideData == ListMap("data" -> Shape(3, 1, 2, 3)) && plain.provideLabel == ListMap("label" -> Shape(3)))
      val batches = plain.toList
      assert(batches.length == 3, "the incomplete last batch is dropped")
      assert(batches(1).data.head.toArray.toSeq == (18 until 36).map(i => ((i / 6) * 10 + i % 6) / 256f))
      assert(batches(1).label.head.toArray.toSeq == Seq(3f, 0f, 1f))

      // std::shuffle over std::mt19937(7) of 0..9, as Python's mx.io.MNISTIter (and MXNet) draw it
      val shuffled = IO.MNISTIter(base ++ Map("shuffle" -> "1", "seed" -> "7", "flat" -> "1"))
      assert(shuffled.provideData == ListMap("data" -> Shape(3, 6)))
      val order = shuffled.toList.flatMap(_.index)
      assert(order == Seq(2L, 4L, 5L, 3L, 8L, 7L, 6L, 1L, 0L))
      shuffled.reset()
      assert(shuffled.next().index == IndexedSeq(2L, 4L, 5L), "reset rewinds without drawing a new order")

      val part = IO.createIterator("MNISTIter", base ++ Map("shuffle" -> "0", "num_parts" -> "2", "part_index" -> "1",
        "batch_size" -> "5", "data_name" -> "x", "label_name" -> "softmax_label"))
      assert(part.provideLabel.keys.head == "softmax_label")
      assert(part.next().label.head.toArray.toSeq == Seq(1f, 2f, 3f, 0f, 1f))
      val e = intercept[IllegalArgumentException](IO.MNISTIter(base ++ Map("shuffel" -> "1")))
      assert(e.getMessage.contains("unknown parameter(s) shuffel"))
      intercept[IllegalArgumentException](IO.MNISTIter(base ++ Map("label" -> dir.resolve("img.gz").toString)))
      intercept[UnsupportedOperationException](IO.ImageRecordIter(Map.empty))
      // a DataPack makes a fresh iterator each time
      val pack = IO.MNISTPack(base ++ Map("shuffle" -> "0"))
      assert(pack.iterator.next().label.head.toArray.toSeq == Seq(0f, 1f, 2f))
      assert(pack.map(_.pad).toSeq == Seq(0, 0, 0))
      intercept[IllegalArgumentException](IO.CSVPack(Map("data_csv" -> "/nonexistent", "data_shape" -> "(1,)", "batch_size" -> "1")))
    }
  }

  test("IO.MNISTIter on real MNIST matches Python's mx.io.MNISTIter") {
    val dir = Option(System.getenv("MINERVA_DATA")).filter(_.nonEmpty)
      .getOrElse(System.getProperty("user.home") + "/.minerva/datasets") + "/mnist"
    if (!Files.isRegularFile(Path.of(dir, "t10k-images-idx3-ubyte"))) cancel(s"$dir/t10k-images-idx3-ubyte is missing")
    ResourceScope.using {
      val it = IO.MNISTIter(Map("image" -> s"$dir/t10k-images-idx3-ubyte", "label" -> s"$dir/t10k-labels-idx1-ubyte",
        "batch_size" -> "5", "shuffle" -> "1", "seed" -> "3", "silent" -> "1"))
      val b = it.next()
      // Python: mx.io.MNISTIter(..., batch_size=5, shuffle=True, seed=3).next()
      assert(b.index == IndexedSeq(8081L, 4947L, 4859L, 5085L, 4443L))
      assert(b.label.head.toArray.toSeq == Seq(4f, 9f, 1f, 6f, 3f))
      assert(math.abs(b.data.head.toArray.map(_.toDouble).sum - 477.5625) < 1e-3)
    }
  }

  test("IO.CSVIter: records, label files, round_batch as MXNet's loader") {
    ResourceScope.using {
      val dir = Files.createTempDirectory("minerva-csv")
      val data = dir.resolve("data.csv")
      Files.write(data, (0 until 5).map(i => s"${i}.0,${i}.5,${10 * i},${-i}").mkString("\n", "\n", "\n")
        .getBytes(StandardCharsets.UTF_8))
      val label = dir.resolve("label.csv")
      Files.write(label, (0 until 5).map(i => s"$i").mkString("\n").getBytes(StandardCharsets.UTF_8))
      val it = IO.CSVIter(Map("data_csv" -> data.toString, "data_shape" -> "(2,2)", "label_csv" -> label.toString,
        "batch_size" -> "2"))
      assert(it.provideData == ListMap("data" -> Shape(2, 2, 2)) && it.provideLabel == ListMap("label" -> Shape(2)))
      val first = it.toList
      assert(first.map(_.label.head.toArray.toSeq) == Seq(Seq(0f, 1f), Seq(2f, 3f), Seq(4f, 0f)))
      assert(first.map(_.pad) == Seq(0, 0, 1))
      assert(first.head.data.head.toArray.toSeq == Seq(0f, 0.5f, 0f, 0f, 1f, 1.5f, 10f, -1f))
      // round_batch: the next epoch continues after the rows already used to fill the last batch
      it.reset()
      assert(it.toList.map(_.label.head.toArray.toSeq) == Seq(Seq(1f, 2f), Seq(3f, 4f)))

      val noRound = IO.CSVIter(Map("data_csv" -> data.toString, "data_shape" -> "(4,)", "batch_size" -> "3",
        "round_batch" -> "0"))
      val batches = noRound.toList
      assert(batches.map(_.pad) == Seq(0, 1))
      assert(batches(1).label.head.toArray.toSeq == Seq(0f, 0f, 0f), "label_csv NULL gives zero labels")
      assert(batches(1).index == IndexedSeq(3L, 4L, 2L), "the unfilled row keeps the previous batch's")
      noRound.reset()
      assert(noRound.next().index == IndexedSeq(0L, 1L, 2L))

      Files.write(dir.resolve("bad.csv"), "1,2,3\n".getBytes(StandardCharsets.UTF_8))
      val e = intercept[IllegalArgumentException](IO.CSVIter(Map("data_csv" -> dir.resolve("bad.csv").toString,
        "data_shape" -> "(4,)", "batch_size" -> "1")))
      assert(e.getMessage.contains("has 3 values"))
      intercept[IllegalArgumentException](IO.CSVIter(Map("data_csv" -> data.toString, "data_shape" -> "(4,)")))
    }
  }
}
