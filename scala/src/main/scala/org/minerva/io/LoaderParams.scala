package org.minerva.io

/** The string parameters of the file iterators (MXNet's `Map[String, String]` form): each is
 *  read once, and any left unread is an error naming the known ones, as MXNet's C++ iterators do. */
private[io] final class LoaderParams(what: String, params: Map[String, String], known: Seq[String]) {
  private val unknown = params.keySet -- known
  if (unknown.nonEmpty)
    throw new IllegalArgumentException(s"$what: unknown parameter(s) ${unknown.toSeq.sorted.mkString(", ")}; " +
      s"known: ${known.mkString(", ")}")

  def string(key: String, default: String): String = params.getOrElse(key, default)

  def required(key: String): String =
    params.getOrElse(key, throw new IllegalArgumentException(s"$what: the parameter $key is required"))

  def int(key: String, default: Int): Int = params.get(key) match {
    case None => default
    case Some(v) => v.trim.toIntOption.getOrElse(throw new IllegalArgumentException(s"$what: $key must be an integer, got '$v'"))
  }

  def positive(key: String, default: Int): Int = {
    val v = int(key, default)
    if (v <= 0) throw new IllegalArgumentException(s"$what: $key must be positive, got $v")
    v
  }

  def bool(key: String, default: Boolean): Boolean = params.get(key).map(_.trim) match {
    case None => default
    case Some("1" | "true" | "True") => true
    case Some("0" | "false" | "False") => false
    case Some(v) => throw new IllegalArgumentException(s"$what: $key must be 0, 1, true or false, got '$v'")
  }

  /** A shape in MXNet's syntax, "(1, 28, 28)" or "1,28,28": positive sizes. */
  def shape(key: String, default: String): IndexedSeq[Int] = {
    val text = params.getOrElse(key, default)
    if (text == null) throw new IllegalArgumentException(s"$what: the parameter $key is required")
    val dims = text.trim.stripPrefix("(").stripPrefix("[").stripSuffix(")").stripSuffix("]").split(',')
      .map(_.trim).filter(_.nonEmpty)
    val parsed = dims.map(d => d.toIntOption.filter(_ > 0).getOrElse(
      throw new IllegalArgumentException(s"$what: $key must be a tuple of positive sizes, got '$text'")))
    if (parsed.isEmpty) throw new IllegalArgumentException(s"$what: $key must not be empty, got '$text'")
    parsed.toIndexedSeq
  }

  /** float32 is the only element type these iterators make. */
  def checkFloat32(key: String): Unit = params.get(key).foreach { v =>
    if (!Set("float32", "None")(v.trim))
      throw new IllegalArgumentException(s"$what: $key '$v' is not supported; Minerva's JVM iterators make float32")
  }
}
