package org.minerva

import java.nio.file.{Files, Path, Paths}
import java.util.concurrent.{Callable, CountDownLatch, ExecutorService, Executors, Future, TimeUnit}
import java.util.concurrent.atomic.AtomicInteger

import scala.collection.immutable.ListMap

import org.minerva.infer.Predictor
import org.minerva.io.NDArrayIter
import org.scalatest.funsuite.AnyFunSuite

/** Issue 12, JVM rows: F9 (close racing a call), F13 (missing weights), F17 (names), the Cleaner
 *  safety net and memory under discard loops (Deliver 4). Every wait is bounded. */
class CrashClassesSuite extends AnyFunSuite {
  private val models: Path =
    Paths.get(System.getProperty("minerva.repo.root", ".."), "tests", "golden", "models").toAbsolutePath.normalize

  private def async[T](pool: ExecutorService)(f: => T): Future[T] = pool.submit(new Callable[T] { def call(): T = f })

  /** Java heap and non-heap memory the JVM has committed (part of RSS once touched). */
  private def jvmCommitted(): Long = {
    val m = java.lang.management.ManagementFactory.getMemoryMXBean
    m.getHeapMemoryUsage.getCommitted + m.getNonHeapMemoryUsage.getCommitted
  }

  private def rssBytes(): Long = {
    val pages = new String(Files.readAllBytes(Paths.get("/proc/self/statm"))).trim.split(" ")(1).toLong
    pages * 4096L
  }

  // ---- F9: close() waits for calls in flight; later use is a clear exception -----------------

  test("close() on another thread waits for a call in flight, then frees; later calls throw") {
    val x = NDArray.array(Array(1f, 2f, 3f), Shape(3))
    val entered = new CountDownLatch(1)
    val leave = new CountDownLatch(1)
    val pool = Executors.newFixedThreadPool(2)
    try {
      val call = async(pool)(x.withHandle { h => entered.countDown(); leave.await(10, TimeUnit.SECONDS); h })
      assert(entered.await(10, TimeUnit.SECONDS))
      val closer = async(pool)(x.close())
      Thread.sleep(200)
      assert(!closer.isDone, "close() returned while a call was still using the handle")
      assert(x.isClosed, "close() marks the array closed at once")
      val e = intercept[IllegalStateException](x.toArray)
      assert(e.getMessage.contains("NDArray is closed"))
      leave.countDown()
      call.get(10, TimeUnit.SECONDS)
      closer.get(10, TimeUnit.SECONDS) // returns once the handle is freed
      x.close() // idempotent
    } finally pool.shutdownNow()
  }

  test("a thread looping on toArray while another closes gets values or IllegalStateException, never a crash") {
    val pool = Executors.newFixedThreadPool(2)
    val closedSeen = new AtomicInteger(0)
    try {
      for (_ <- 0 until 200) {
        val x = NDArray.array(Array.tabulate(1024)(_.toFloat), Shape(32, 32))
        val started = new CountDownLatch(1)
        val reader = async(pool) {
          started.countDown()
          var go = true
          while (go) {
            try {
              val v = (x * 2f).toArray // one op and a copy-out per round: several native calls
              assert(v(1023) == 2046f)
              assert(x.shape == Shape(32, 32))
            } catch {
              case e: IllegalStateException =>
                assert(e.getMessage.contains("NDArray is closed"), e.getMessage)
                closedSeen.incrementAndGet()
                go = false
            }
          }
        }
        started.await(10, TimeUnit.SECONDS)
        Thread.sleep(0, 100000)
        async(pool)(x.close()).get(10, TimeUnit.SECONDS)
        reader.get(10, TimeUnit.SECONDS)
      }
    } finally pool.shutdownNow()
    assert(closedSeen.get == 200)
  }

  test("closing a Symbol and an Executor races calls on them safely") {
    val pool = Executors.newFixedThreadPool(2)
    try {
      for (_ <- 0 until 50) {
        val data = Symbol.Variable("data")
        val net = Symbol.api.FullyConnected(Some(data), num_hidden = 4, name = Some("fc"))
        val exe = net.simpleBind(Context.cpu(), "null", Map("data" -> Shape(2, 3)))
        val users = Seq(
          async(pool) {
            try { while (true) { exe.forward(); exe.outputs.head.waitToRead() } }
            catch { case e: IllegalStateException => assert(e.getMessage.contains("is closed"), e.getMessage) }
          },
          async(pool) {
            try { while (true) net.listArguments() }
            catch { case e: IllegalStateException => assert(e.getMessage.contains("Symbol is closed")) }
          })
        Thread.sleep(1)
        exe.close()
        net.close()
        users.foreach(_.get(10, TimeUnit.SECONDS))
        data.close()
      }
    } finally pool.shutdownNow()
  }

  // ---- the Cleaner safety net and memory under discard loops (Deliver 4) -----------------------

  /** Runs the GC until `done` holds, for at most 20 s. */
  private def gcUntil(done: => Boolean): Boolean = {
    val deadline = System.nanoTime() + 20L * 1000 * 1000 * 1000
    while (!done && System.nanoTime() < deadline) {
      System.gc()
      Thread.sleep(50)
    }
    done
  }

  test("arrays dropped without close() are freed by the Cleaner") {
    NDArray.waitall()
    val before = Storage.bytesInUse
    for (_ <- 0 until 64) NDArray.zeros(Shape(1024, 256)) // 1 MiB each, never closed, never scoped
    assert(Storage.bytesInUse >= before + (60L << 20), "the arrays were allocated")
    assert(gcUntil(Storage.bytesInUse <= before + (4L << 20)),
      s"64 MiB of dropped arrays still in use after GC: ${Storage.bytesInUse - before} bytes")
  }

  // Without close(), native memory waits for a GC to find the dropped objects, and how much piles up
  // between collections depends on the heap the earlier suites left (a small Java object holds a
  // large native one). A GC every 1,000 rounds bounds that pile, so the RSS check below measures
  // leaks rather than the collector's schedule.
  private def churn(n: Int, close: Boolean): Unit = for (i <- 0 until n) {
    val a = NDArray.ones(Shape(32, 32))
    val b = a * 2f
    val s = Symbol.api.FullyConnected(Some(Symbol.Variable("x")), num_hidden = 4, name = Some("fc"))
    if (close) { b.close(); a.close(); s.close() }
    else if (i % 1000 == 999) System.gc()
  }

  for (close <- Seq(true, false)) {
    val how = if (close) "close()" else "the Cleaner"
    test(s"50,000 create/discard rounds freed by $how keep memory flat") {
      // Native arrays must return to the baseline. RSS also counts the Java heap, which the JVM
      // grows at will (objects with a Cleaner live two GC cycles, so the old generation grows),
      // so the growth the JVM committed is subtracted, and RSS is compared across the two halves
      // of the run: the second 25,000 rounds may add at most 32 MiB outside the JVM's own
      // memory, where a leak of one 4 KiB array per round alone would add 100 MiB.
      churn(10000, close)
      NDArray.waitall()
      gcUntil(false) // settle: 20 GCs within a second are plenty
      val arraysBefore = Storage.bytesInUse
      val start = System.nanoTime()
      churn(25000, close)
      gcUntil(false)
      val rssHalf = rssBytes()
      val jvmHalf = jvmCommitted()
      churn(25000, close)
      NDArray.waitall()
      assert(gcUntil(Storage.bytesInUse <= arraysBefore + (1L << 20)),
        s"arrays still in use: ${Storage.bytesInUse - arraysBefore} bytes")
      val rssGrown = rssBytes() - rssHalf
      val jvmGrown = math.max(0L, jvmCommitted() - jvmHalf)
      assert(rssGrown - jvmGrown < (32L << 20), s"RSS grew by ${rssGrown >> 20} MiB over the second 25,000 " +
        s"rounds, ${jvmGrown >> 20} MiB of it committed by the JVM")
      assert(System.nanoTime() - start < 300L * 1000 * 1000 * 1000)
    }
  }

  // ---- F13: missing weights are an error, not zeros ------------------------------------------

  private def paramsWithout(drop: Set[String]): String = {
    val all = NDArray.loadToMap(models.resolve("gluon_mlp-0000.params").toString)
    try {
      val kept = ListMap(all.toSeq.filterNot { case (k, _) => drop(k.stripPrefix("arg:")) }: _*)
      val f = Files.createTempFile("partial", ".params")
      NDArray.save(f.toString, kept)
      f.toString
    } finally all.values.foreach(_.close())
  }

  test("Predictor.load names the weights a params file lacks (empty or mismatched file)") {
    val sym = models.resolve("gluon_mlp-symbol.json").toString
    val partial = paramsWithout(Set("gmlp_dense1_weight"))
    val e = intercept[IllegalArgumentException](Predictor.load(sym, partial, "data", Array(3, 5)))
    assert(e.getMessage.contains(s"$partial lacks the parameter [gmlp_dense1_weight] of $sym"), e.getMessage)
    assert(e.getMessage.contains("arg:gmlp_dense0_weight") || e.getMessage.contains("gmlp_dense0_weight"))
    val empty = Files.createTempFile("empty", ".params").toString
    NDArray.save(empty, Map.empty[String, NDArray])
    val e2 = intercept[IllegalArgumentException](Predictor.load(sym, empty, "data", Array(3, 5)))
    assert(e2.getMessage.contains("lacks the parameters [gmlp_dense0_weight, gmlp_dense0_bias, gmlp_dense1_weight, " +
      "gmlp_dense1_bias]"), e2.getMessage)
    assert(e2.getMessage.contains("the file holds no parameters"))
    // The complete file still loads and predicts.
    val p = Predictor.load(sym, models.resolve("gluon_mlp-0000.params").toString, "data", Array(3, 5))
    try assert(p.predict(new Array[Float](15)).length == 6) finally p.close()
  }

  test("FeedForward.predict names parameters the model lacks") {
    val all = NDArray.loadToMap(models.resolve("gluon_mlp-0000.params").toString)
    val sym = Symbol.load(models.resolve("gluon_mlp-symbol.json").toString)
    val args = all.collect { case (k, v) if k != "arg:gmlp_dense0_bias" => k.stripPrefix("arg:") -> v }
    val model = FeedForward.newBuilder(sym).setArgParams(args).build()
    val x = NDArray.zeros(Shape(4, 5))
    val iter = new NDArrayIter(IndexedSeq(x), dataBatchSize = 2)
    try {
      val e = intercept[IllegalArgumentException](model.predict(iter))
      assert(e.getMessage.contains("lacks the parameters gmlp_dense0_bias"), e.getMessage)
    } finally {
      model.close(); x.close(); sym.close(); all.values.foreach(_.close())
    }
  }

  // ---- F17: names in params files ----------------------------------------------------------------

  test("save refuses a NUL in a name; load refuses names that are not UTF-8 text") {
    val x = NDArray.ones(Shape(2))
    try {
      val f = Files.createTempFile("nul", ".params")
      val e = intercept[IllegalArgumentException](NDArray.save(f.toString, Map("a\u0000c" -> x, "a" -> x)))
      assert(e.getMessage.contains("name 'a\\0c' holds a NUL character"), e.getMessage)
      NDArray.save(f.toString, Map("abc" -> x))
      val bytes = Files.readAllBytes(f)
      val at = new String(bytes, "ISO-8859-1").lastIndexOf("abc")
      bytes(at + 1) = 0xFF.toByte
      Files.write(f, bytes)
      val e2 = intercept[MinervaIOException](NDArray.load(f.toString))
      assert(e2.getMessage.contains("name 0 is not valid UTF-8 (byte 0xFF at offset 1)"), e2.getMessage)
      assert(e2.getMessage.contains(f.toString))
      val names = Map("é" -> x, "日本" -> x, "\uD83D\uDE00" -> x)
      NDArray.save(f.toString, names)
      val (loaded, arrays) = NDArray.load(f.toString)
      arrays.foreach(_.close())
      assert(loaded.toSet == names.keySet)
    } finally x.close()
  }
}
