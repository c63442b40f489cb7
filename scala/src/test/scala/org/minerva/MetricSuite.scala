package org.minerva

import org.scalatest.funsuite.AnyFunSuite

/** Evaluation metrics with MXNet's names and values, checked against hand computations. */
class MetricSuite extends AnyFunSuite {
  private def nd(values: Array[Float], dims: Int*): NDArray = NDArray.array(values, Shape(dims))
  private def value(m: EvalMetric): Float = m.get._2(0)
  private def close(a: Double, b: Double, tol: Double = 1e-5): Boolean = math.abs(a - b) <= tol

  private val probs = Array(0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f, 0.2f, 0.5f, 0.3f, 0.25f, 0.25f, 0.5f)
  private val labels = Array(0f, 1f, 1f, 2f)

  test("Accuracy, TopKAccuracy and CompositeEvalMetric") {
    ResourceScope.using {
      val acc = new Accuracy
      assert(value(acc).isNaN)
      acc.update(IndexedSeq(nd(labels, 4)), IndexedSeq(nd(probs, 4, 3)))
      // arg-max: 0, 2, 1, 2 against 0, 1, 1, 2
      assert(close(value(acc), 0.75))
      acc.update(IndexedSeq(nd(Array(1f), 1)), IndexedSeq(nd(Array(0.9f, 0.1f), 1, 2)))
      assert(close(value(acc), 3.0 / 5))
      assert(acc.get._1.toSeq == Seq("accuracy"))
      acc.reset()
      assert(value(acc).isNaN)
      intercept[IllegalArgumentException](acc.update(IndexedSeq(nd(labels, 4)), IndexedSeq.empty))

      val top2 = new TopKAccuracy(2)
      top2.update(IndexedSeq(nd(labels, 4)), IndexedSeq(nd(probs, 4, 3)))
      // the two best: {0,1}, {2,1}, {1,2}, {2,0 or 1}: labels 0, 1, 1 are in, 2 is in
      assert(close(value(top2), 1.0))
      val top2b = new TopKAccuracy(2)
      top2b.update(IndexedSeq(nd(Array(2f, 0f), 2)), IndexedSeq(nd(Array(0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f), 2, 3)))
      assert(close(value(top2b), 0.0))
      intercept[IllegalArgumentException](new TopKAccuracy(1))

      val comp = new CompositeEvalMetric
      comp.add(new Accuracy)
      comp.add(new TopKAccuracy(2))
      comp.update(IndexedSeq(nd(labels, 4)), IndexedSeq(nd(probs, 4, 3)))
      val (names, values) = comp.get
      assert(names.toSeq == Seq("accuracy", "top_k_accuracy"))
      assert(close(values(0), 0.75) && close(values(1), 1.0))
      assert(comp.getMetric(1).name == "top_k_accuracy")
    }
  }

  test("F1, averaged over updates as MXNet-Scala does") {
    ResourceScope.using {
      val f1 = new F1
      // predictions 1, 1, 0, 1 against labels 1, 0, 1, 1: tp 2, fp 1, fn 1 -> precision = recall = 2/3
      f1.update(IndexedSeq(nd(Array(1f, 0f, 1f, 1f), 4)),
        IndexedSeq(nd(Array(0.2f, 0.8f, 0.4f, 0.6f, 0.9f, 0.1f, 0.3f, 0.7f), 4, 2)))
      assert(close(value(f1), 2.0 / 3))
      f1.update(IndexedSeq(nd(Array(0f, 0f), 2)), IndexedSeq(nd(Array(0.9f, 0.1f, 0.8f, 0.2f), 2, 2)))
      assert(close(value(f1), (2.0 / 3 + 0) / 2))
      intercept[IllegalArgumentException](f1.update(IndexedSeq(nd(Array(0f, 1f, 2f), 3)),
        IndexedSeq(nd(Array.fill(9)(0.3f), 3, 3))))
    }
  }

  test("regression metrics: MAE, MSE, RMSE") {
    ResourceScope.using {
      val y = IndexedSeq(nd(Array(1f, 2f, 3f, 4f), 4))
      val p = IndexedSeq(nd(Array(1.5f, 2f, 1f, 5f), 4))
      val mae = new MAE; mae.update(y, p)
      val mse = new MSE; mse.update(y, p)
      val rmse = new RMSE; rmse.update(y, p)
      assert(close(value(mae), (0.5 + 0 + 2 + 1) / 4))
      assert(close(value(mse), (0.25 + 0 + 4 + 1) / 4))
      assert(close(value(rmse), math.sqrt(5.25 / 4)))
      rmse.update(IndexedSeq(nd(Array(0f), 1)), IndexedSeq(nd(Array(3f), 1)))
      assert(close(value(rmse), (math.sqrt(5.25 / 4) + 3) / 2))
      assert(Seq(mae, mse, rmse).map(_.get._1(0)) == Seq("mae", "mse", "rmse"))
      intercept[IllegalArgumentException](mae.update(y, IndexedSeq(nd(Array(1f), 1))))
    }
  }

  test("CrossEntropy and Perplexity") {
    ResourceScope.using {
      val ce = new CrossEntropy
      ce.update(IndexedSeq(nd(labels, 4)), IndexedSeq(nd(probs, 4, 3)))
      val picked = Seq(0.7, 0.3, 0.5, 0.5)
      assert(close(value(ce), picked.map(p => -math.log(p + 1e-12)).sum / 4))
      assert(ce.get._1(0) == "cross-entropy")

      val ppl = new Perplexity
      ppl.update(IndexedSeq(nd(labels, 4)), IndexedSeq(nd(probs, 4, 3)))
      assert(close(value(ppl), math.exp(picked.map(p => -math.log(p)).sum / 4), 1e-4))
      assert(ppl.get._1(0) == "Perplexity")
      val ignoring = new Perplexity(ignoreLabel = Some(2))
      ignoring.update(IndexedSeq(nd(labels, 4)), IndexedSeq(nd(probs, 4, 3)))
      assert(close(value(ignoring), math.exp(Seq(0.7, 0.3, 0.5).map(p => -math.log(p)).sum / 3), 1e-4))
      // the class axis first: predictions (3, 4) hold sample j's probabilities in column j
      val transposed = Array.tabulate(12)(k => probs((k % 4) * 3 + k / 4))
      val axis0 = new Perplexity(axis = 0)
      axis0.update(IndexedSeq(nd(labels, 4)), IndexedSeq(nd(transposed, 3, 4)))
      assert(close(value(axis0), value(ppl), 1e-4))
    }
  }

  test("CustomMetric averages its function over outputs") {
    ResourceScope.using {
      val maxError = new CustomMetric((label, pred) =>
        label.toArray.zip(pred.toArray).map { case (a, b) => math.abs(a - b) }.max, "max_error")
      maxError.update(IndexedSeq(nd(Array(1f, 2f), 2), nd(Array(0f), 1)), IndexedSeq(nd(Array(1.5f, 5f), 2), nd(Array(1f), 1)))
      assert(maxError.get._1(0) == "max_error")
      assert(close(value(maxError), (3.0 + 1.0) / 2))
    }
  }
}
