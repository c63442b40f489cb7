package org.minerva

import scala.collection.mutable.ArrayBuffer

/**
 * A running evaluation measure over batches (MXNet-Scala's EvalMetric): `update` adds a batch
 * (labels and predictions parallel, one entry per output), `get` gives (names, values) — the sum
 * of the per-update values over their count, NaN before any update — and `reset` starts again.
 */
abstract class EvalMetric(val name: String) {
  protected var numInst: Int = 0
  protected var sumMetric: Double = 0.0d

  def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit

  def reset(): Unit = { numInst = 0; sumMetric = 0.0d }

  def get: (Array[String], Array[Float]) = (Array(name), Array((sumMetric / numInst).toFloat))

  protected def checkLengths(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit =
    if (labels.length != preds.length)
      throw new IllegalArgumentException(s"$name: labels and predictions should have the same length, " +
        s"got ${labels.length} labels and ${preds.length} predictions")

  protected def checkSizes(what: String, label: Array[Float], pred: Array[Float]): Unit =
    if (label.length != pred.length)
      throw new IllegalArgumentException(s"$what: ${label.length} labels but ${pred.length} predictions")
}

/** Several metrics updated together; get lists each one's first name and value. */
class CompositeEvalMetric extends EvalMetric("composite") {
  private val metrics = ArrayBuffer[EvalMetric]()

  def add(metric: EvalMetric): Unit = metrics += metric

  def getMetric(index: Int): EvalMetric = {
    require(index >= 0 && index < metrics.length, s"Metric index $index is out of range 0 and ${metrics.length}")
    metrics(index)
  }

  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = metrics.foreach(_.update(labels, preds))

  override def reset(): Unit = metrics.foreach(_.reset())

  override def get: (Array[String], Array[Float]) = {
    val results = metrics.map(_.get)
    (results.map(_._1(0)).toArray, results.map(_._2(0)).toArray)
  }
}

private[minerva] object MetricMath {
  /** Row-wise arg-max of a (n, k) prediction (k = size / n), the first maximum winning. */
  def argmaxRows(pred: Array[Float], n: Int): Array[Float] = {
    val k = pred.length / n
    Array.tabulate(n) { i =>
      var best = 0
      var j = 1
      while (j < k) { if (pred(i * k + j) > pred(i * k + best)) best = j; j += 1 }
      best.toFloat
    }
  }

  /** The predicted classes: the arg-max over axis 1, or the values themselves when the prediction
   *  has the label's shape (one score per sample is taken as the class, as MXNet's argmax over a
   *  size-1 axis gives 0 — so such predictions are rounded, Minerva's reading). */
  def predictedClasses(what: String, label: NDArray, pred: NDArray): (Array[Float], Array[Float]) = {
    val y = label.toArray
    val p = pred.toArray
    val n = y.length
    if (n == 0 || pred.shape.length == 0 || pred.shape(0) != n || p.length % n != 0)
      throw new IllegalArgumentException(s"$what: label ${label.shape} and prediction ${pred.shape} should have the same length")
    val classes = if (p.length == n) p.map(v => math.round(v).toFloat) else argmaxRows(p, n)
    (y, classes)
  }
}

/** Share of samples whose predicted class (arg-max over axis 1) equals the label. */
class Accuracy extends EvalMetric("accuracy") {
  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      val (y, cls) = MetricMath.predictedClasses("accuracy", label, pred)
      sumMetric += y.indices.count(i => y(i) == cls(i))
      numInst += y.length
    }
  }
}

/**
 * Share of samples whose label is among the topK highest-scored classes (topK > 1; use Accuracy
 * for 1). MXNet-Scala 1.9.1 takes max(topK, classes) candidates, so it always reports 1; Minerva
 * takes min(topK, classes), as Python MXNet does.
 */
class TopKAccuracy(topK: Int) extends EvalMetric("top_k_accuracy") {
  require(topK > 1, "Please use Accuracy if topK is no more than 1")

  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      val dims = pred.shape.length
      require(dims <= 2, s"top_k_accuracy: predictions should be no more than 2 dims, got ${pred.shape}")
      val y = label.toArray
      val p = pred.toArray
      val n = pred.shape(0)
      require(y.length == n, s"top_k_accuracy: ${y.length} labels but $n predictions")
      val classes = if (dims == 1) 1 else pred.shape(1)
      val k = math.min(topK, classes)
      (0 until n).foreach { i =>
        val ranked = (0 until classes).sortBy(c => -p(i * classes + c)).take(k)
        if (ranked.exists(_ == y(i).toInt) && y(i) == y(i).toInt) sumMetric += 1
      }
      numInst += n
    }
  }
}

/** F1 score of a binary classification (labels 0 and 1), computed per update and averaged over updates. */
class F1 extends EvalMetric("f1") {
  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      val (y, cls) = MetricMath.predictedClasses("f1", label, pred)
      require(y.distinct.length <= 2, "F1 currently only supports binary classification.")
      var tp, fp, fn = 0f
      y.indices.foreach { i =>
        if (cls(i) == 1 && y(i) == 1) tp += 1
        else if (cls(i) == 1 && y(i) == 0) fp += 1
        else if (cls(i) == 0 && y(i) == 1) fn += 1
      }
      val precision = if (tp + fp > 0) tp / (tp + fp) else 0f
      val recall = if (tp + fn > 0) tp / (tp + fn) else 0f
      sumMetric += (if (precision + recall > 0) 2 * precision * recall / (precision + recall) else 0f)
      numInst += 1
    }
  }
}

/**
 * Perplexity, exp(mean -log p(label)) over one update's labels (p floored at 1e-10), averaged over
 * updates as MXNet-Scala does. `axis` is the prediction's class axis (-1: the last); labels equal
 * to ignoreLabel are left out.
 */
class Perplexity(ignoreLabel: Option[Int] = None, axis: Int = -1) extends EvalMetric("Perplexity") {
  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    var loss = 0d
    var num = 0
    labels.zip(preds).foreach { case (label, pred) =>
      val dims = pred.shape.length
      val ax = if (axis < 0) axis + dims else axis
      require(ax >= 0 && ax < dims, s"Perplexity: axis $axis is out of range for predictions of shape ${pred.shape}")
      val classes = pred.shape(ax)
      require(label.size == pred.size / classes, s"Perplexity: shape mismatch: ${label.shape} vs. ${pred.shape}")
      val inner = pred.shape.drop(ax + 1).product
      val y = label.toArray
      val p = pred.toArray
      y.indices.foreach { i =>
        val ignored = ignoreLabel.exists(_ == y(i).toInt)
        if (!ignored) {
          val c = y(i).toInt
          require(c >= 0 && c < classes, s"Perplexity: label ${y(i)} is out of range [0, $classes)")
          val outer = i / inner
          val prob = p((outer * classes + c) * inner + i % inner)
          loss += -math.log(math.max(1e-10f, prob))
          num += 1
        }
      }
    }
    sumMetric += math.exp(loss / num).toFloat
    numInst += 1
  }
}

/** Mean absolute error per output, averaged over outputs and updates. */
class MAE extends EvalMetric("mae") {
  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      val (y, p) = (label.toArray, pred.toArray)
      checkSizes("mae", y, p)
      sumMetric += y.indices.map(i => math.abs(y(i) - p(i))).sum / y.length
      numInst += 1
    }
  }
}

/** Mean squared error per output, averaged over outputs and updates. */
class MSE extends EvalMetric("mse") {
  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      val (y, p) = (label.toArray, pred.toArray)
      checkSizes("mse", y, p)
      sumMetric += y.indices.map { i => val d = y(i) - p(i); d * d }.sum / y.length
      numInst += 1
    }
  }
}

/** Root mean squared error per output, averaged over outputs and updates (MXNet-Scala counts
 *  one per update call; the two agree for one output). */
class RMSE extends EvalMetric("rmse") {
  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      val (y, p) = (label.toArray, pred.toArray)
      checkSizes("rmse", y, p)
      sumMetric += math.sqrt(y.indices.map { i => val d = (y(i) - p(i)).toDouble; d * d }.sum / y.length).toFloat
      numInst += 1
    }
  }
}

/**
 * Cross entropy, mean of -log(p(label) + eps) over samples (Python MXNet's metric "cross-entropy";
 * MXNet-Scala has none): predictions (n, classes), labels (n).
 */
class CrossEntropy(eps: Float = 1e-12f) extends EvalMetric("cross-entropy") {
  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      val y = label.toArray
      val p = pred.toArray
      require(pred.shape.length == 2 && pred.shape(0) == y.length,
        s"cross-entropy: predictions must be (samples, classes) for ${y.length} labels, got ${pred.shape}")
      val classes = pred.shape(1)
      y.indices.foreach { i =>
        val c = y(i).toInt
        require(c >= 0 && c < classes, s"cross-entropy: label ${y(i)} is out of range [0, $classes)")
        sumMetric += -math.log(p(i * classes + c) + eps.toDouble)
      }
      numInst += y.length
    }
  }
}

/** A metric from a function of (label, prediction) giving one value per output, averaged. */
class CustomMetric(fEval: (NDArray, NDArray) => Float, name: String) extends EvalMetric(name) {
  override def update(labels: IndexedSeq[NDArray], preds: IndexedSeq[NDArray]): Unit = {
    checkLengths(labels, preds)
    labels.zip(preds).foreach { case (label, pred) =>
      sumMetric += fEval(label, pred)
      numInst += 1
    }
  }
}
