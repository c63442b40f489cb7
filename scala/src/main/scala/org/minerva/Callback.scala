package org.minerva

import java.util.logging.Logger

/** Called after each epoch with the trained parameters (MXNet-Scala's EpochEndCallback). */
trait EpochEndCallback {
  def invoke(epoch: Int, symbol: Symbol, argParams: Map[String, NDArray], auxStates: Map[String, NDArray]): Unit
}

/** Called after each batch with the number of batches so far in the epoch (MXNet-Scala's BatchEndCallback). */
trait BatchEndCallback {
  def invoke(epoch: Int, nBatch: Int, evalMetric: EvalMetric): Unit
}

/** Callbacks for training loops (MXNet-Scala's `Callback`). */
object Callback {

  /**
   * Logs the training speed every `frequent` batches, with the metric's current values when one
   * is given: `Epoch[e] Batch [n]\tSpeed: s samples/sec\tTrain-accuracy=v` (logger
   * "org.minerva.Callback.Speedometer"). The first call of an epoch starts the clock; a batch count
   * lower than the last one (a new epoch) starts it again.
   */
  class Speedometer(batchSize: Int, frequent: Int = 50) extends BatchEndCallback {
    require(frequent > 0, s"Speedometer: frequent must be positive, got $frequent")
    private val logger = Logger.getLogger("org.minerva.Callback.Speedometer")
    private var init = false
    private var tic: Long = 0L
    private var lastCount: Int = 0

    override def invoke(epoch: Int, count: Int, evalMetric: EvalMetric): Unit = {
      if (lastCount > count) init = false
      lastCount = count
      if (!init) {
        init = true
        tic = System.nanoTime()
      } else if (count % frequent == 0) {
        val seconds = math.max(System.nanoTime() - tic, 1L) / 1e9
        val speed = frequent.toDouble * batchSize / seconds
        if (evalMetric != null) {
          val (names, values) = evalMetric.get
          names.zip(values).foreach { case (n, v) =>
            logger.info("Epoch[%d] Batch [%d]\tSpeed: %.2f samples/sec\tTrain-%s=%f".format(epoch, count, speed, n, v))
          }
        } else logger.info("Iter[%d] Batch [%d]\tSpeed: %.2f samples/sec".format(epoch, count, speed))
        tic = System.nanoTime()
      }
    }
  }

  /**
   * Saves a checkpoint (`Model.saveCheckpoint`) after every `period` epochs, numbered epoch + 1 as
   * Python MXNet's `mx.callback.do_checkpoint` does (MXNet-Scala has no such helper).
   */
  def doCheckpoint(prefix: String, period: Int = 1): EpochEndCallback = {
    require(period > 0, s"doCheckpoint: period must be positive, got $period")
    new EpochEndCallback {
      override def invoke(epoch: Int, symbol: Symbol, argParams: Map[String, NDArray],
                          auxStates: Map[String, NDArray]): Unit =
        if ((epoch + 1) % period == 0) Model.saveCheckpoint(prefix, epoch + 1, symbol, argParams, auxStates)
    }
  }
}
