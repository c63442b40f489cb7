package org.minerva

/**
 * Fills parameters by name, as MXNet's initializers: `*bias`, `*beta` and moving means get 0,
 * `*gamma` and moving variances 1, `*weight` the initializer's distribution. Random values come
 * from the core's generators (seed them with `Random.seed`).
 */
abstract class Initializer extends Serializable {
  def apply(name: String, arr: NDArray): Unit = {
    if (name.endsWith("bias") || name.endsWith("beta") || name.endsWith("moving_mean") || name.endsWith("running_mean"))
      arr.set(0f)
    else if (name.endsWith("gamma") || name.endsWith("moving_var") || name.endsWith("running_var"))
      arr.set(1f)
    else if (name.endsWith("weight"))
      initWeight(name, arr)
    else
      initDefault(name, arr)
  }

  protected def initWeight(name: String, arr: NDArray): Unit

  protected def initDefault(name: String, arr: NDArray): Unit =
    throw new IllegalArgumentException(
      s"Unknown initialization pattern for '$name': names must end in weight, bias, gamma, beta, moving_mean or moving_var")

  protected def uniform(arr: NDArray, low: Float, high: Float): Unit =
    NDArray.invoke("_random_uniform", Nil, Map("low" -> low.toString, "high" -> high.toString,
      "shape" -> arr.shape.toParamString, "dtype" -> arr.dtype.toString), Seq(arr))

  protected def normal(arr: NDArray, loc: Float, scale: Float): Unit =
    NDArray.invoke("_random_normal", Nil, Map("loc" -> loc.toString, "scale" -> scale.toString,
      "shape" -> arr.shape.toParamString, "dtype" -> arr.dtype.toString), Seq(arr))
}

/** Weights uniform in [-scale, scale]. */
class Uniform(val scale: Float = 0.07f) extends Initializer {
  protected def initWeight(name: String, arr: NDArray): Unit = uniform(arr, -scale, scale)
}

/** Weights normal with mean 0 and standard deviation sigma. */
class Normal(val sigma: Float = 0.01f) extends Initializer {
  protected def initWeight(name: String, arr: NDArray): Unit = normal(arr, 0f, sigma)
}

/**
 * Glorot and Bengio's initialization: scale = sqrt(magnitude / factor), with factor the fan-in,
 * the fan-out or their average (`factorType` "in", "out", "avg"); then uniform in [-scale, scale]
 * or normal with sigma = scale (`rndType` "uniform" or "gaussian").
 */
class Xavier(val rndType: String = "uniform", val factorType: String = "avg", val magnitude: Float = 3f)
    extends Initializer {
  require(rndType == "uniform" || rndType == "gaussian", s"Xavier: rndType must be uniform or gaussian, got '$rndType'")
  require(Set("avg", "in", "out")(factorType), s"Xavier: factorType must be avg, in or out, got '$factorType'")

  protected def initWeight(name: String, arr: NDArray): Unit = {
    val shape = arr.shape
    if (shape.length < 2)
      throw new IllegalArgumentException(s"Xavier needs a weight of at least 2 dimensions; '$name' has shape $shape")
    val receptive = shape.drop(2).product.toDouble
    val fanIn = shape(1) * receptive
    val fanOut = shape(0) * receptive
    val factor = factorType match {
      case "avg" => (fanIn + fanOut) / 2.0
      case "in" => fanIn
      case _ => fanOut
    }
    val scale = math.sqrt(magnitude / factor).toFloat
    if (rndType == "uniform") uniform(arr, -scale, scale) else normal(arr, 0f, scale)
  }
}
