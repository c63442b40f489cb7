package org.minerva

/**
 * Fills a parameter by its name, with MXNet-Scala's rules, first match wins:
 *  - starting with `upsampling`: a bilinear upsampling kernel;
 *  - ending in `bias` 0, `gamma` 1, `beta` 0, `weight` the initializer's own (initWeight);
 *  - ending in `moving_mean`, `moving_var` or `moving_avg`: 0 (MXNet-Scala sets moving_var to 0,
 *    unlike Python's 1);
 *  - Minerva also takes Gluon's `running_mean` (0) and `running_var` (1);
 *  - anything else: initDefault, an error unless a subclass overrides it.
 * Random values come from the core's generators (seed them with `Random.seed`).
 */
abstract class Initializer extends Serializable {
  def apply(name: String, arr: NDArray): Unit =
    if (name.startsWith("upsampling")) initBilinear(name, arr)
    else if (name.endsWith("bias")) initBias(name, arr)
    else if (name.endsWith("gamma")) initGamma(name, arr)
    else if (name.endsWith("beta")) initBeta(name, arr)
    else if (name.endsWith("weight")) initWeight(name, arr)
    else if (name.endsWith("moving_mean") || name.endsWith("moving_var") || name.endsWith("moving_avg")) initZero(name, arr)
    else if (name.endsWith("running_mean")) initZero(name, arr)
    else if (name.endsWith("running_var")) arr.set(1f)
    else initDefault(name, arr)

  /** The kernel of bilinear upsampling over the last two axes (of a 4-D weight), with MXNet-Scala's
   *  f = width / 2 (Python MXNet rounds f up). */
  protected def initBilinear(name: String, arr: NDArray): Unit = {
    val shape = arr.shape
    if (shape.length != 4)
      throw new IllegalArgumentException(s"Initializer: bilinear upsampling weight '$name' must have 4 dimensions, got shape $shape")
    val width = shape(3)
    val height = shape(2)
    val f = width / 2.0f
    val c = (2 * f - 1 - f % 2) / (2f * f)
    val values = Array.tabulate(arr.size) { i =>
      val x = i % width
      val y = (i / width) % height
      (1 - math.abs(x / f - c)) * (1 - math.abs(y / f - c))
    }
    arr.set(values)
  }

  protected def initZero(name: String, arr: NDArray): Unit = arr.set(0f)
  protected def initBias(name: String, arr: NDArray): Unit = arr.set(0f)
  protected def initGamma(name: String, arr: NDArray): Unit = arr.set(1f)
  protected def initBeta(name: String, arr: NDArray): Unit = arr.set(0f)

  protected def initWeight(name: String, arr: NDArray): Unit

  protected def initDefault(name: String, arr: NDArray): Unit =
    throw new IllegalArgumentException(s"Unknown initialization pattern for $name: the name must start with " +
      "upsampling or end in weight, bias, gamma, beta, moving_mean, moving_var or moving_avg")

  protected def uniform(arr: NDArray, low: Float, high: Float): Unit =
    NDArray.invoke("_random_uniform", Nil, Map("low" -> low.toString, "high" -> high.toString,
      "shape" -> arr.shape.toParamString, "dtype" -> arr.dtype.toString), Seq(arr))

  protected def normal(arr: NDArray, loc: Float, scale: Float): Unit =
    NDArray.invoke("_random_normal", Nil, Map("loc" -> loc.toString, "scale" -> scale.toString,
      "shape" -> arr.shape.toParamString, "dtype" -> arr.dtype.toString), Seq(arr))
}

/**
 * Different initializers by name: the first regular expression found in the name (anywhere in
 * it) picks the initializer, which then applies its own rules. End with a ".*" pattern for a default.
 */
class Mixed(protected val patterns: List[String], protected val initializers: List[Initializer]) extends Initializer {
  require(patterns.length == initializers.length,
    s"Mixed: ${patterns.length} patterns but ${initializers.length} initializers; give one pattern per initializer")
  private val rules = patterns.map(_.r).zip(initializers)

  override def apply(name: String, arr: NDArray): Unit =
    rules.find { case (re, _) => re.findFirstIn(name).isDefined } match {
      case Some((_, init)) => init(name, arr)
      case None => throw new IllegalArgumentException(
        s"Parameter $name did not match any pattern of ${patterns.mkString(", ")}; add a \".*\" pattern at the end " +
          "with a default Initializer")
    }

  override def initWeight(name: String, arr: NDArray): Unit = ()
}

/** Weights uniform in [-scale, scale]. */
class Uniform(protected val scale: Float = 0.07f) extends Initializer {
  override def initWeight(name: String, arr: NDArray): Unit = uniform(arr, -scale, scale)
}

/** Weights normal with mean 0 and standard deviation sigma. */
class Normal(protected val sigma: Float = 0.01f) extends Initializer {
  override def initWeight(name: String, arr: NDArray): Unit = normal(arr, 0f, sigma)
}

/**
 * Glorot and Bengio's initialization as MXNet-Scala computes it: fan-in is the product of every
 * axis but the first, fan-out the first axis (MXNet-Scala does not multiply fan-out by the
 * receptive field, as Python's Xavier does); factor is their average, fan-in or fan-out
 * (`factorType` "avg", "in", "out"), scale = sqrt(magnitude / factor), and the weight is uniform in
 * [-scale, scale] or normal with sigma = scale (`rndType` "uniform" or "gaussian").
 */
class Xavier(protected val rndType: String = "uniform", protected val factorType: String = "avg",
             protected val magnitude: Float = 3) extends Initializer {
  require(rndType == "uniform" || rndType == "gaussian", s"Xavier: rndType must be uniform or gaussian, got '$rndType'")
  require(Set("avg", "in", "out")(factorType), s"Xavier: factorType must be avg, in or out, got '$factorType'")

  override def initWeight(name: String, arr: NDArray): Unit = {
    val shape = arr.shape
    if (shape.length == 0) throw new IllegalArgumentException(s"Xavier: weight '$name' has no dimensions")
    val fanIn = shape.drop(1).product.toFloat
    val fanOut = shape(0).toFloat
    val factor = factorType match {
      case "avg" => (fanIn + fanOut) / 2f
      case "in" => fanIn
      case "out" => fanOut
      case other => throw new IllegalArgumentException(s"Xavier: unknown factorType '$other'")
    }
    val scale = math.sqrt(magnitude / factor).toFloat
    rndType match {
      case "uniform" => uniform(arr, -scale, scale)
      case "gaussian" => normal(arr, 0f, scale)
      case other => throw new IllegalArgumentException(s"Xavier: unknown rndType '$other'")
    }
  }
}
