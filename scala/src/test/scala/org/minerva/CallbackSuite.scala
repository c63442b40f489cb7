package org.minerva

import java.nio.file.Files
import java.util.logging.{Handler, LogRecord, Logger}

import scala.collection.mutable.ArrayBuffer

import org.scalatest.funsuite.AnyFunSuite

/** MXNet-Scala's Callback.Speedometer and the callback traits; Python MXNet's do_checkpoint as Callback.doCheckpoint. */
class CallbackSuite extends AnyFunSuite {
  private def captured(loggerName: String)(body: => Unit): Seq[String] = {
    val messages = ArrayBuffer[String]()
    val handler = new Handler {
      override def publish(r: LogRecord): Unit = messages += r.getMessage
      override def flush(): Unit = ()
      override def close(): Unit = ()
    }
    val logger = Logger.getLogger(loggerName)
    logger.addHandler(handler)
    try body finally logger.removeHandler(handler)
    messages.toSeq
  }

  test("Speedometer logs speed and the metric every `frequent` batches, restarting with each epoch") {
    ResourceScope.using {
      val metric = new Accuracy
      metric.update(IndexedSeq(NDArray.array(Array(0f, 1f), Shape(2))),
        IndexedSeq(NDArray.array(Array(0.9f, 0.1f, 0.8f, 0.2f), Shape(2, 2))))
      val speedometer: BatchEndCallback = new Callback.Speedometer(batchSize = 32, frequent = 2)
      val lines = captured("org.minerva.Callback.Speedometer") {
        (1 to 5).foreach { n => Thread.sleep(2); speedometer.invoke(0, n, metric) }
        speedometer.invoke(1, 1, null) // a new epoch: starts the clock again, logs nothing
        speedometer.invoke(1, 2, null)
      }
      val pattern = """Epoch\[0\] Batch \[(\d+)\]\tSpeed: (\d+\.\d\d) samples/sec\tTrain-accuracy=0\.500000""".r
      assert(lines.length == 3, lines)
      lines.take(2).zip(Seq("2", "4")).foreach { case (line, batch) =>
        line match {
          case pattern(b, speed) => assert(b == batch && speed.toDouble > 0)
          case other => fail(s"unexpected log line '$other'")
        }
      }
      assert(lines(2).matches("""Iter\[1\] Batch \[2\]\tSpeed: \d+\.\d\d samples/sec"""), lines(2))
    }
  }

  test("doCheckpoint saves every period epochs, numbered epoch + 1") {
    ResourceScope.using {
      val dir = Files.createTempDirectory("minerva-ckpt")
      val prefix = dir.resolve("net").toString
      val net = Symbol.api.FullyConnected(Some(Symbol.Variable("data")), num_hidden = 2, name = Some("fc"))
      val args = Map("fc_weight" -> NDArray.array(Array(1f, 2f, 3f, 4f), Shape(2, 2)), "fc_bias" -> NDArray.zeros(Shape(2)))
      val callback: EpochEndCallback = Callback.doCheckpoint(prefix, period = 2)
      callback.invoke(0, net, args, Map.empty)
      assert(!Files.exists(dir.resolve("net-0001.params")))
      callback.invoke(1, net, args, Map.empty)
      assert(Files.exists(dir.resolve("net-0002.params")) && Files.exists(dir.resolve("net-symbol.json")))
      val (sym, loaded, aux) = Model.loadCheckpoint(prefix, 2)
      assert(sym.listArguments() == net.listArguments() && aux.isEmpty)
      assert(loaded("fc_weight").toArray.toSeq == Seq(1f, 2f, 3f, 4f))
      intercept[IllegalArgumentException](Callback.doCheckpoint(prefix, 0))
    }
  }
}
