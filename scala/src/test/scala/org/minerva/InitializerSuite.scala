package org.minerva

import org.scalatest.funsuite.AnyFunSuite

/** Initializers with MXNet-Scala's naming rules and formulas (Initializer.scala of MXNet 1.9.1). */
class InitializerSuite extends AnyFunSuite {
  private def std(v: Array[Float]): Double = {
    val mean = v.map(_.toDouble).sum / v.length
    math.sqrt(v.map(x => (x - mean) * (x - mean)).sum / v.length)
  }

  test("parameters are filled by name suffix, as MXNet-Scala does") {
    ResourceScope.using {
      Random.seed(3)
      val init = new Uniform(0.5f)
      def filled(name: String): Array[Float] = { val a = NDArray.full(Shape(3, 4), 7f); init(name, a); a.toArray }
      assert(filled("fc1_bias").forall(_ == 0f))
      assert(filled("bn_gamma").forall(_ == 1f))
      assert(filled("bn_beta").forall(_ == 0f))
      // MXNet-Scala sets moving variances to 0 (Python MXNet to 1)
      assert(filled("bn_moving_mean").forall(_ == 0f))
      assert(filled("bn_moving_var").forall(_ == 0f))
      assert(filled("bn_moving_avg").forall(_ == 0f))
      // Gluon's running statistics, Minerva's addition
      assert(filled("bn_running_var").forall(_ == 1f))
      val w = filled("fc1_weight")
      assert(w.forall(x => math.abs(x) <= 0.5f) && w.distinct.length > 6)
      val e = intercept[IllegalArgumentException](filled("mystery"))
      assert(e.getMessage.contains("Unknown initialization pattern for mystery"))
    }
  }

  test("Xavier: MXNet-Scala's fan-in (all axes but the first) and fan-out (the first axis)") {
    ResourceScope.using {
      Random.seed(11)
      // conv weight (16, 8, 3, 3): fan-in 8*3*3 = 72, fan-out 16 (Python's would be 144)
      val w = NDArray.zeros(Shape(16, 8, 3, 3))
      new Xavier("uniform", "avg", 3f)("conv_weight", w)
      val bound = math.sqrt(3.0 / ((72 + 16) / 2.0))
      val v = w.toArray
      assert(v.forall(x => math.abs(x) <= bound + 1e-6) && v.exists(x => math.abs(x) > 0.9 * bound))
      new Xavier("uniform", "in", 2f)("conv_weight", w)
      assert(w.toArray.forall(x => math.abs(x) <= math.sqrt(2.0 / 72) + 1e-6))
      new Xavier("uniform", "out", 2f)("conv_weight", w)
      assert(w.toArray.exists(x => math.abs(x) > math.sqrt(2.0 / 72) * 1.5))

      val big = NDArray.zeros(Shape(200, 100))
      new Xavier("gaussian", "in", 2f)("fc_weight", big)
      val s = std(big.toArray)
      assert(math.abs(s - math.sqrt(2.0 / 100)) < 0.01 * math.sqrt(2.0 / 100) * 5, s"std $s")
      new Normal(0.3f)("fc_weight", big)
      assert(math.abs(std(big.toArray) - 0.3) < 0.01)
      intercept[IllegalArgumentException](new Xavier("laplace"))
      intercept[IllegalArgumentException](new Xavier("uniform", "sum"))
    }
  }

  test("bilinear upsampling weights for names starting with upsampling") {
    ResourceScope.using {
      val w = NDArray.zeros(Shape(1, 1, 4, 4))
      new Uniform()("upsampling0_weight", w)
      // MXNet-Scala: f = 4 / 2 = 2, c = (2f - 1 - f % 2) / 2f = 0.75, w(y, x) = (1 - |x/f - c|)(1 - |y/f - c|)
      val axis = Array(0.25, 0.75, 0.75, 0.25)
      val expected = for (y <- 0 until 4; x <- 0 until 4) yield axis(y) * axis(x)
      assert(w.toArray.zip(expected).forall { case (a, b) => math.abs(a - b) < 1e-6 }, w.toArray.toSeq)
    }
  }

  test("Mixed picks the first pattern found in the name") {
    ResourceScope.using {
      val mixed = new Mixed(List("fc2_.*", "bias", ".*"), List(new Normal(1e-6f), new Uniform(0f), new Uniform(1f)))
      val a = NDArray.full(Shape(5), 4f)
      mixed("fc2_weight", a)
      assert(a.toArray.forall(x => math.abs(x) < 1e-4) && a.toArray.exists(_ != 0f))
      val b = NDArray.full(Shape(5), 4f)
      mixed("fc1_bias", b)
      assert(b.toArray.forall(_ == 0f))
      val c = NDArray.zeros(Shape(50))
      mixed("fc1_weight", c)
      assert(c.toArray.forall(x => math.abs(x) <= 1f) && c.toArray.exists(_ != 0f))
      val only = new Mixed(List("fc"), List(new Uniform()))
      val e = intercept[IllegalArgumentException](only("conv_weight", c))
      assert(e.getMessage.contains("did not match any pattern"))
      intercept[IllegalArgumentException](new Mixed(List("a", "b"), List(new Uniform())))
    }
  }
}
