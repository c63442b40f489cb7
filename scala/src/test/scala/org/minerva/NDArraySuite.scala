package org.minerva

import java.nio.file.Files

import org.scalatest.funsuite.AnyFunSuite

class NDArraySuite extends AnyFunSuite {
  private def close(a: Array[Float], b: Array[Float], tol: Float = 1e-5f): Boolean =
    a.length == b.length && a.zip(b).forall { case (x, y) => math.abs(x - y) <= tol }

  test("creation: array, zeros, ones, full keep values, shape, dtype and context") {
    ResourceScope.using {
      val a = NDArray.array(Array(1f, 2f, 3f, 4f, 5f, 6f), Shape(2, 3))
      assert(a.shape == Shape(2, 3))
      assert(a.size == 6)
      assert(a.dtype == DType.Float32)
      assert(a.context == Context.cpu())
      assert(a.toArray.sameElements(Array(1f, 2f, 3f, 4f, 5f, 6f)))
      assert(NDArray.zeros(Shape(3)).toArray.sameElements(Array(0f, 0f, 0f)))
      assert(NDArray.ones(2, 2).toArray.sameElements(Array.fill(4)(1f)))
      assert(NDArray.full(Shape(2), 7.5f).toArray.sameElements(Array(7.5f, 7.5f)))
      val d = NDArray.ones(Shape(2), dtype = DType.Float64)
      assert(d.dtype == DType.Float64)
      assert(d.toArray.sameElements(Array(1f, 1f)))
    }
  }

  test("arithmetic with arrays (broadcasting) and scalars") {
    ResourceScope.using {
      val a = NDArray.array(Array(1f, 2f, 3f, 4f), Shape(2, 2))
      val b = NDArray.array(Array(10f, 20f), Shape(1, 2))
      assert((a + b).toArray.sameElements(Array(11f, 22f, 13f, 24f)))
      assert((a - b).toArray.sameElements(Array(-9f, -18f, -7f, -16f)))
      assert((a * a).toArray.sameElements(Array(1f, 4f, 9f, 16f)))
      assert(close((a / b).toArray, Array(0.1f, 0.1f, 0.3f, 0.2f)))
      assert((a + 1f).toArray.sameElements(Array(2f, 3f, 4f, 5f)))
      assert((a - 1f).toArray.sameElements(Array(0f, 1f, 2f, 3f)))
      assert((a * 2f).toArray.sameElements(Array(2f, 4f, 6f, 8f)))
      assert((a / 2f).toArray.sameElements(Array(0.5f, 1f, 1.5f, 2f)))
      assert((-a).toArray.sameElements(Array(-1f, -2f, -3f, -4f)))
      assert(a.rsub(10f).toArray.sameElements(Array(9f, 8f, 7f, 6f)))
      val c = a.copy()
      c += 1f
      c *= a
      assert(c.toArray.sameElements(Array(2f, 6f, 12f, 20f)))
      assert(a.toArray.sameElements(Array(1f, 2f, 3f, 4f)), "copy() must not share memory")
    }
  }

  test("operators through the generated NDArray.api") {
    ResourceScope.using {
      val x = NDArray.array(Array(-1f, 0f, 2f, -3f), Shape(2, 2))
      assert(NDArray.api.relu(x).toArray.sameElements(Array(0f, 0f, 2f, 0f)))
      val w = NDArray.array(Array(1f, 2f, 3f, 4f, 5f, 6f), Shape(3, 2))
      val b = NDArray.array(Array(1f, 1f, 1f), Shape(3))
      val y = NDArray.api.FullyConnected(x, Some(w), Some(b), num_hidden = 3)
      assert(y.shape == Shape(2, 3))
      // rows of x times rows of w, plus 1
      assert(y.toArray.sameElements(Array(0f, -2f, -4f, -3f, -5f, -7f)))
      val s = NDArray.api.sum(x, axis = Some(Seq(1)))
      assert(s.toArray.sameElements(Array(-1f, -1f)))
      val am = NDArray.api.argmax(x, axis = Some(1))
      assert(am.toArray.sameElements(Array(1f, 0f)))
    }
  }

  test("views: reshape, slice, at share memory; copyTo copies") {
    ResourceScope.using {
      val a = NDArray.array(Array(1f, 2f, 3f, 4f, 5f, 6f), Shape(3, 2))
      assert(a.reshape(Shape(2, 3)).shape == Shape(2, 3))
      assert(a.slice(1, 3).toArray.sameElements(Array(3f, 4f, 5f, 6f)))
      val row = a.at(2)
      assert(row.shape == Shape(2))
      row += 10f
      assert(a.toArray.sameElements(Array(1f, 2f, 3f, 4f, 15f, 16f)))
      val dst = NDArray.zeros(Shape(3, 2))
      a.copyTo(dst)
      assert(dst.toArray.sameElements(a.toArray))
    }
  }

  test("core errors arrive as the matching MinervaException subclass with the core's message") {
    ResourceScope.using {
      val e1 = intercept[MinervaValueException](NDArray.ones(2, 3) + NDArray.ones(4, 5))
      assert(e1.getMessage.contains("broadcast_add"), e1.getMessage)
      assert(e1.getMessage.contains("(2, 3)") && e1.getMessage.contains("(4, 5)"), e1.getMessage)
      assert(e1.kind == MinervaException.VALUE)
      val e2 = intercept[MinervaValueException](
        NDArray.invoke("FullyConnected", Seq(NDArray.ones(2, 3)), Map("num_hiden" -> "3")))
      assert(e2.getMessage.contains("unknown parameter 'num_hiden'"), e2.getMessage)
      assert(e2.getMessage.contains("num_hidden"), e2.getMessage)
      val e3 = intercept[MinervaIOException](NDArray.load("/nonexistent/dir/x.params"))
      assert(e3.getMessage.contains("/nonexistent/dir/x.params"), e3.getMessage)
      val e4 = intercept[MinervaNotFoundException](NDArray.invoke("no_such_op", Nil, Map.empty))
      assert(e4.getMessage.contains("no_such_op"), e4.getMessage)
      val e5 = intercept[IllegalArgumentException](NDArray.array(Array(1f, 2f), Shape(3)))
      assert(e5.getMessage.contains("3 elements"), e5.getMessage)
    }
  }

  test("close is idempotent; use after close throws IllegalStateException") {
    val a = NDArray.ones(2, 2)
    a.close()
    a.close()
    assert(a.isClosed)
    val e = intercept[IllegalStateException](a.toArray)
    assert(e.getMessage.contains("closed"))
    intercept[IllegalStateException](a + 1f)
    intercept[IllegalStateException](NDArray.ones(2, 2) + a)
    assert(a.toString.contains("closed"))
  }

  test("ResourceScope frees everything created inside and keeps what the block returns") {
    NDArray.waitall()
    val baseline = Storage.bytesInUse
    val kept = ResourceScope.using {
      val a = NDArray.ones(Shape(256, 256))
      val b = a * 3f
      val c = (b + a).reshape(Shape(65536))
      (NDArray.zeros(Shape(128)), c.slice(0, 4))
    }
    NDArray.waitall()
    assert(kept._1.shape == Shape(128))
    assert(kept._2.toArray.sameElements(Array(4f, 4f, 4f, 4f)))
    assert(!kept._1.isClosed && !kept._2.isClosed)
    kept._1.close()
    kept._2.close()
    NDArray.waitall()
    assert(Storage.bytesInUse <= baseline, s"bytes_in_use ${Storage.bytesInUse}, baseline $baseline")
  }

  test("nested scopes hand returned arrays to the enclosing scope") {
    var inner: NDArray = null
    ResourceScope.using {
      inner = ResourceScope.using(NDArray.ones(2))
      assert(!inner.isClosed)
      assert(ResourceScope.current.get.size == 1)
    }
    assert(inner.isClosed)
  }

  test("native memory stays flat over many created and dropped arrays") {
    NDArray.waitall()
    val baseline = Storage.bytesInUse
    for (_ <- 0 until 200) ResourceScope.using {
      var x = NDArray.ones(Shape(64, 64))
      for (_ <- 0 until 20) x = x * 1.0001f + 0.5f
      x.waitToRead()
    }
    NDArray.waitall()
    assert(Storage.bytesInUse <= baseline, s"bytes_in_use ${Storage.bytesInUse}, baseline $baseline")
  }

  test("save and load in MXNet's NDArray format, named and unnamed") {
    val dir = Files.createTempDirectory("minerva-nd")
    ResourceScope.using {
      val a = NDArray.array(Array(1f, 2f, 3f), Shape(3))
      val b = NDArray.array(Array(4f, 5f, 6f, 7f), Shape(2, 2))
      val f1 = dir.resolve("named.nd").toString
      NDArray.save(f1, Map("a" -> a, "b" -> b))
      val m = NDArray.loadToMap(f1)
      assert(m.keySet == Set("a", "b"))
      assert(m("b").shape == Shape(2, 2))
      assert(m("b").toArray.sameElements(b.toArray))
      val f2 = dir.resolve("list.nd").toString
      NDArray.save(f2, Seq(b, a))
      val (names, arrays) = NDArray.load(f2)
      assert(names.isEmpty)
      assert(arrays.map(_.toArray.toSeq).toSeq == Seq(b.toArray.toSeq, a.toArray.toSeq))
    }
  }
}
