package org.minerva

/** A running evaluation measure over batches (MXNet-Scala's EvalMetric). */
abstract class EvalMetric(val name: String) {
  protected var numInst: Int = 0
  protected var sumMetric: Double = 0.0

  /** Adds one batch: labels and predictions parallel, one entry per output. */
  def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit

  def reset(): Unit = { numInst = 0; sumMetric = 0.0 }

  /** (names, values); NaN before any update. */
  def get: (Array[String], Array[Float]) =
    (Array(name), Array(if (numInst == 0) Float.NaN else (sumMetric / numInst).toFloat))

  protected def checkLengths(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit =
    if (labels.length != preds.length)
      throw new IllegalArgumentException(s"$name: ${labels.length} labels but ${preds.length} predictions")
}

/** Share of samples whose arg-max prediction (over axis 1) equals the label. */
class Accuracy extends EvalMetric("accuracy") {
  def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      val y = label.toArray
      val p = pred.toArray
      val n = y.length
      if (n == 0 || p.length % n != 0)
        throw new IllegalArgumentException(s"accuracy: ${y.length} labels do not match predictions of shape ${pred.shape}")
      val k = p.length / n
      var i = 0
      while (i < n) {
        val cls = if (k == 1) math.round(p(i)) else {
          var best = 0
          var j = 1
          while (j < k) { if (p(i * k + j) > p(i * k + best)) best = j; j += 1 }
          best
        }
        if (cls == y(i).toInt) sumMetric += 1
        i += 1
      }
      numInst += n
    }
  }
}

/** Root mean squared error, averaged over batches as MXNet does. */
class RMSE extends EvalMetric("rmse") {
  def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      val y = label.toArray
      val p = pred.toArray
      if (y.length != p.length)
        throw new IllegalArgumentException(s"rmse: ${y.length} labels but ${p.length} predictions")
      var s = 0.0
      var i = 0
      while (i < y.length) { val d = y(i) - p(i).toDouble; s += d * d; i += 1 }
      sumMetric += math.sqrt(s / math.max(1, y.length))
      numInst += 1
    }
  }
}
