package org.minerva

import org.scalatest.funsuite.AnyFunSuite

import org.minerva.optimizer._

/**
 * MXNet-Scala's optimizers: constructor order and defaults (the traps of issue 17), and three
 * updates of each against its formula from MXNet-Scala's sources, computed here in doubles.
 */
class OptimizerSuite extends AnyFunSuite {
  private val w0 = Array(1.0, -2.0, 0.5, 3.0)
  // three steps' gradients; after rescaling by 0.5 some exceed the clip bound 1.5
  private val grads = Array(Array(4.0, -1.0, 0.2, -6.0), Array(-0.5, 5.0, 1.0, 2.0), Array(2.0, 2.0, -4.0, 0.1))
  private val rescale = 0.5
  private val clipBound = 1.5

  private def clipped(g: Double): Double = math.max(-clipBound, math.min(clipBound, rescale * g))

  /** The weight after three updates of `opt` (rescaleGrad 0.5) on index 0. */
  private def run(opt: Optimizer): Array[Float] = ResourceScope.using {
    opt.setRescaleGrad(rescale.toFloat)
    val w = NDArray.array(w0.map(_.toFloat), Shape(4))
    val state = opt.createState(0, w)
    grads.foreach(g => opt.update(0, w, NDArray.array(g.map(_.toFloat), Shape(4)), state))
    val out = w.toArray
    opt.disposeState(state)
    out
  }

  private def assertClose(got: Array[Float], want: Array[Double], tol: Double = 2e-5): Unit =
    got.zip(want).zipWithIndex.foreach { case ((g, e), i) =>
      assert(math.abs(g - e) <= tol * math.max(1.0, math.abs(e)), s"element $i: got $g, expected $e (all: ${got.mkString(", ")})")
    }

  test("constructors take MXNet-Scala's parameters in its order, with its defaults") {
    val sgd = new SGD(0.1f, 0.9f, 0.001f, 0.5f)
    assert((sgd.learningRate, sgd.momentum, sgd.wd, sgd.clipGradient) == ((0.1f, 0.9f, 0.001f, 0.5f)))
    val sgdDefault = new SGD()
    assert((sgdDefault.learningRate, sgdDefault.momentum, sgdDefault.wd, sgdDefault.clipGradient) == ((0.01f, 0f, 0.0001f, 0f)))
    val adam = new Adam(0.01f, 0.8f, 0.99f, 1e-6f, 0.5f)
    assert(adam.decayFactor == 0.5f && adam.wd == 0f)
    val adamDefault = new Adam()
    assert(adamDefault.learningRate == 0.002f && adamDefault.decayFactor == 1 - 1e-8f && adamDefault.epsilon == 1e-8f)
    val rms = new RMSProp(0.01f, 0.5f)
    assert(rms.rescaleGradient == 0.5f && rms.gamma1 == 0.95f && rms.gamma2 == 0.9f)
    assert(new RMSProp().learningRate == 0.002f)
    val nag = new NAG(0.1f, 0.9f, 0.001f, 2f)
    assert(nag.clipGradient == 2f)
    val ada = new AdaGrad()
    assert((ada.learningRate, ada.rescaleGradient, ada.epsilon, ada.wd) == ((0.05f, 1f, 1e-7f, 0f)))
    val delta = new AdaDelta()
    assert((delta.rho, delta.rescaleGradient, delta.epsilon, delta.wd, delta.clipGradient) == ((0.05f, 1f, 1e-8f, 0f, 0f)))
    val dca = new DCASGD()
    assert((dca.learningRate, dca.momentum, dca.lamda, dca.wd) == ((0.01f, 0f, 0.04f, 0f)))
    val sgld = new SGLD()
    assert((sgld.learningRate, sgld.rescaleGradient, sgld.wd, sgld.clipGradient) == ((0.01f, 1f, 0.0001f, 0f)))
  }

  test("SGD with and without momentum") {
    val (lr, mom, wd) = (0.1, 0.9, 0.1)
    val w = w0.clone(); val m = new Array[Double](4)
    grads.foreach(g => w.indices.foreach { i => m(i) = mom * m(i) - lr * (clipped(g(i)) + wd * w(i)); w(i) += m(i) })
    assertClose(run(new SGD(lr.toFloat, mom.toFloat, wd.toFloat, clipBound.toFloat)), w)

    val w2 = w0.clone()
    grads.foreach(g => w2.indices.foreach(i => w2(i) -= lr * (clipped(g(i)) + wd * w2(i))))
    assertClose(run(new SGD(lr.toFloat, 0f, wd.toFloat, clipBound.toFloat)), w2)
  }

  test("NAG in torch's form: the momentum accumulates gradients") {
    val (lr, mom, wd) = (0.1, 0.9, 0.1)
    val w = w0.clone(); val m = new Array[Double](4)
    grads.foreach(g => w.indices.foreach { i =>
      val gg = clipped(g(i)) + wd * w(i)
      m(i) = mom * m(i) + gg
      w(i) -= lr * (gg + mom * m(i))
    })
    assertClose(run(new NAG(lr.toFloat, mom.toFloat, wd.toFloat, clipBound.toFloat)), w)
  }

  test("Adam: bias correction, decayFactor and decoupled weight decay") {
    val (lr, b1, b2, eps, decay, wd) = (0.05, 0.9, 0.999, 1e-8, 0.9, 0.1)
    val w = w0.clone(); val m = new Array[Double](4); val v = new Array[Double](4)
    grads.zipWithIndex.foreach { case (g, step) =>
      val t = step + 1
      val lrT = lr * math.sqrt(1 - math.pow(b2, t)) / (1 - math.pow(b1, t))
      val b1t = b1 * math.pow(decay, t - 1)
      w.indices.foreach { i =>
        val c = clipped(g(i))
        m(i) = b1t * m(i) + (1 - b1t) * c
        v(i) = b2 * v(i) + (1 - b2) * c * c
        w(i) -= lrT * m(i) / (math.sqrt(v(i)) + eps) + lr * wd * w(i)
      }
    }
    assertClose(run(new Adam(lr.toFloat, b1.toFloat, b2.toFloat, eps.toFloat, decay.toFloat, wd.toFloat, clipBound.toFloat)), w)
  }

  test("RMSProp in Graves' centered form") {
    val (lr, g1, g2, wd) = (0.01, 0.95, 0.9, 0.1)
    val w = w0.clone(); val n = new Array[Double](4); val gbar = new Array[Double](4); val d = new Array[Double](4)
    grads.foreach(g => w.indices.foreach { i =>
      val c = clipped(g(i))
      n(i) = (1 - g1) * c * c + g1 * n(i)
      gbar(i) = (1 - g1) * c + g1 * gbar(i)
      d(i) = g2 * d(i) - lr * (c / math.sqrt(n(i) - gbar(i) * gbar(i) + 1e-4) + wd * w(i))
      w(i) += d(i)
    })
    assertClose(run(new RMSProp(lr.toFloat, 1f, g1.toFloat, g2.toFloat, wd.toFloat, null, clipBound.toFloat)), w, 1e-4)
  }

  test("AdaGrad and AdaDelta") {
    val (lr, eps, wd) = (0.1, 1e-7, 0.1)
    val w = w0.clone(); val h = new Array[Double](4)
    grads.foreach(g => w.indices.foreach { i =>
      val gg = rescale * g(i)
      h(i) += gg * gg
      w(i) -= lr * (gg / math.sqrt(h(i) + eps) + wd * w(i))
    })
    assertClose(run(new AdaGrad(lr.toFloat, 1f, eps.toFloat, wd.toFloat)), w)

    val (rho, eps2) = (0.9, 1e-6)
    val w2 = w0.clone(); val accG = new Array[Double](4); val accD = new Array[Double](4)
    grads.foreach(g => w2.indices.foreach { i =>
      val c = clipped(g(i))
      accG(i) = rho * accG(i) + (1 - rho) * c * c
      val d = math.sqrt(accD(i) + eps2) / math.sqrt(accG(i) + eps2) * c
      accD(i) = rho * accD(i) + (1 - rho) * d * d
      w2(i) = w2(i) * (1 - wd) - d
    })
    assertClose(run(new AdaDelta(rho.toFloat, 1f, eps2.toFloat, wd.toFloat, clipBound.toFloat)), w2)
  }

  test("DCASGD compensates with the previous weight") {
    val (lr, mom, lamda, wd) = (0.1, 0.5, 0.04, 0.1)
    val w = w0.clone(); val m = new Array[Double](4); val prev = w0.clone()
    grads.foreach(g => w.indices.foreach { i =>
      val c = clipped(g(i))
      val step = -lr * (c + wd * w(i) + lamda * c * c * (w(i) - prev(i)))
      m(i) = mom * m(i) + step
      prev(i) = w(i)
      w(i) += m(i)
    })
    assertClose(run(new DCASGD(lr.toFloat, mom.toFloat, lamda.toFloat, wd.toFloat, clipBound.toFloat)), w)
  }

  test("SGLD: the gradient step plus Gaussian noise of standard deviation sqrt(lr)") {
    ResourceScope.using {
      Random.seed(7)
      val n = 20000
      val (lr, wd) = (0.04f, 0.01f)
      val start = Array.tabulate(n)(i => (i % 7).toFloat - 3f)
      val grad = Array.tabulate(n)(i => (i % 5).toFloat - 2f)
      val w = NDArray.array(start, Shape(n))
      val sgld = new SGLD(lr, 1f, wd)
      assert(sgld.createState(0, w) == null)
      sgld.update(0, w, NDArray.array(grad, Shape(n)), null)
      val after = w.toArray
      val noise = after.indices.map(i => after(i) - (start(i) - lr / 2 * (grad(i) + wd * start(i))).toDouble)
      val mean = noise.sum / n
      val std = math.sqrt(noise.map(x => (x - mean) * (x - mean)).sum / n)
      assert(math.abs(mean) < 0.01, s"noise mean $mean")
      assert(math.abs(std - math.sqrt(lr)) < 0.01, s"noise std $std, expected ${math.sqrt(lr)}")
      intercept[UnsupportedOperationException](sgld.serializeState(null))
    }
  }

  test("learning-rate and weight-decay multipliers, by index, by name and from the symbol") {
    ResourceScope.using {
      def step(opt: Optimizer, index: Int, w: Float, g: Float): Float = {
        val weight = NDArray.array(Array(w), Shape(1))
        opt.update(index, weight, NDArray.array(Array(g), Shape(1)), opt.createState(index, weight))
        weight.toScalar
      }
      val sgd = new SGD(0.1f, 0.5f, 0.2f)
      sgd.setLrMult(Map(Left(0) -> 2f))
      assert(math.abs(step(sgd, 0, 1f, 1f) - (1f - 0.2f * (1f + 0.2f))) < 1e-6)
      sgd.setIdx2Name(Map(1 -> "fc_weight", 2 -> "fc_bias"))
      sgd.setWdMult(Map(Right("fc_weight") -> 0.5f))
      assert(math.abs(step(sgd, 1, 1f, 1f) - (1f - 0.1f * (1f + 0.1f))) < 1e-6)
      // a bias gets no weight decay once names are known
      assert(math.abs(step(sgd, 2, 1f, 1f) - (1f - 0.1f)) < 1e-6)

      val net = Symbol.api.FullyConnected(Some(Symbol.Variable("data")), Some(Symbol.Variable("fc_weight", lrMult = Some(3f))),
        num_hidden = 2, no_bias = true, name = Some("fc"))
      val byName = new SGD(0.1f, 0.5f, 0f)
      byName.setSymbol(net)
      byName.setIdx2Name(Map(0 -> "fc_weight"))
      assert(math.abs(step(byName, 0, 1f, 1f) - (1f - 0.3f)) < 1e-6)
    }
  }

  test("Optimizer.getUpdater keeps states, and its states survive serialization") {
    ResourceScope.using {
      for (make <- Seq(() => new SGD(0.1f, 0.9f, 0.01f): Optimizer, () => new RMSProp(0.01f): Optimizer,
                       () => new DCASGD(0.1f, 0.5f): Optimizer, () => new SGD(0.1f): Optimizer)) {
        val updater = Optimizer.getUpdater(make())
        val w = NDArray.array(Array(1f, 2f, 3f), Shape(3))
        val g = NDArray.array(Array(0.3f, -0.2f, 0.5f), Shape(3))
        updater.update(0, g, w)
        updater.update(0, g, w)
        val bytes = updater.asInstanceOf[MXKVStoreCachedStates].serializeState()
        val restored = Optimizer.getUpdater(make())
        restored.asInstanceOf[MXKVStoreCachedStates].deserializeState(bytes)
        val w2 = w.copy()
        updater.update(0, g, w)
        restored.update(0, g, w2)
        assert(w.toArray.sameElements(w2.toArray), s"${make().getClass.getSimpleName}: ${w.toArray.toSeq} vs ${w2.toArray.toSeq}")
        updater.dispose(); restored.dispose()
        assert(updater.isDisposed)
        intercept[IllegalStateException](updater.update(0, g, w))
      }
    }
  }

  test("an MXKVStoreUpdater written as in MXNet-Scala needs only update") {
    ResourceScope.using {
      val halfStep = new MXKVStoreUpdater {
        override def update(key: Int, recv: NDArray, local: NDArray): Unit = local -= recv * 0.5f
      }
      val w = NDArray.array(Array(1f, 2f), Shape(2))
      halfStep.update(0, NDArray.array(Array(2f, -2f), Shape(2)), w)
      assert(w.toArray.toSeq == Seq(0f, 3f))
      assert(!halfStep.isDisposed)
      halfStep.close()
      assert(halfStep.isDisposed)
    }
  }

  test("LR schedulers as MXNet's") {
    val factor = new FactorScheduler(2, 0.5f)
    factor.baseLR = 1f
    assert((0 to 6).map(factor(_)) == Seq(1f, 1f, 1f, 0.5f, 0.5f, 0.25f, 0.25f))
    val multi = new MultiFactorScheduler(IndexedSeq(2, 4), 0.1f)
    multi.baseLR = 1f
    val lrs = (0 to 5).map(multi(_))
    assert(lrs.zip(Seq(1f, 1f, 1f, 0.1f, 0.1f, 0.01f)).forall { case (a, b) => math.abs(a - b) < 1e-7 }, lrs)
    intercept[IllegalArgumentException](new FactorScheduler(0, 0.5f))
    intercept[IllegalArgumentException](new FactorScheduler(1, 1f))
    intercept[IllegalArgumentException](new MultiFactorScheduler(IndexedSeq(3, 3), 0.5f))

    // the optimizer sets baseLR and asks the scheduler before counting each update
    ResourceScope.using {
      val sched = new FactorScheduler(1, 0.5f)
      val sgd = new SGD(1f, 0f, 0f, 0f, sched)
      assert(sched.baseLR == 1f)
      val w = NDArray.zeros(Shape(1))
      (0 until 4).foreach(_ => sgd.update(0, w, NDArray.ones(Shape(1)), null))
      assert(math.abs(w.toScalar + 2.75f) < 1e-6, s"weight ${w.toScalar}")
    }
  }
}
