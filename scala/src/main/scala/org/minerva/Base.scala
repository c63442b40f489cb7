package org.minerva

/** An array's dimensions, row-major (the core's order, as in MXNet-Scala). */
final class Shape private (private val dims: Vector[Int]) extends Serializable {
  def apply(i: Int): Int = dims(i)
  def length: Int = dims.length
  def size: Int = dims.length
  /** Number of elements. */
  def product: Int = dims.foldLeft(1)(_ * _)
  def head: Int = dims.head
  /** A shape without the first `n` dimensions. */
  def drop(n: Int): Shape = new Shape(dims.drop(n))
  def slice(from: Int, until: Int): Shape = new Shape(dims.slice(from, until))
  def ++(other: Shape): Shape = new Shape(dims ++ other.dims)
  def toArray: Array[Int] = dims.toArray
  def toVector: Vector[Int] = dims
  def toSeq: Seq[Int] = dims
  private[minerva] def toLongArray: Array[Long] = dims.map(_.toLong).toArray
  /** MXNet's parameter syntax, e.g. `(2,3)`, as used by `__shape__` and operator parameters. */
  def toParamString: String = dims.mkString("(", ",", if (dims.length == 1) ",)" else ")")
  override def equals(o: Any): Boolean = o match {
    case s: Shape => s.dims == dims
    case _ => false
  }
  override def hashCode: Int = dims.hashCode
  override def toString: String = dims.mkString("(", ",", ")")
}

object Shape {
  @scala.annotation.varargs
  def apply(dims: Int*): Shape = new Shape(dims.toVector)
  def apply(dims: Iterable[Int]): Shape = new Shape(dims.toVector)
  private[minerva] def fromLongs(dims: Array[Long]): Shape = new Shape(dims.iterator.map { d =>
    if (d > Int.MaxValue) throw new IllegalArgumentException(s"dimension $d does not fit an Int")
    d.toInt
  }.toVector)
}

/** A device: `Context.cpu()`; `Context.gpu(i)` is refused by the core while it is built without CUDA. */
final case class Context(deviceType: String, deviceId: Int = 0) {
  private[minerva] def devTypeCode: Int = deviceType match {
    case "cpu" => 1
    case "gpu" => 2
    case other => throw new IllegalArgumentException(s"unknown device type '$other' (expected cpu or gpu)")
  }
  override def toString: String = s"$deviceType($deviceId)"
}

object Context {
  def cpu(deviceId: Int = 0): Context = Context("cpu", deviceId)
  def gpu(deviceId: Int = 0): Context = Context("gpu", deviceId)
  /** The default context, cpu(0). */
  val defaultCtx: Context = cpu()
  private[minerva] def fromCode(devType: Int, devId: Int): Context = devType match {
    case 1 => cpu(devId)
    case 2 => gpu(devId)
    case other => throw new IllegalStateException(s"unknown device type code $other")
  }
}

/** Element types, with MXNet's type codes (shared with the file formats and the ABI). */
object DType extends Enumeration {
  type DType = Value
  val Float32: DType = Value(0, "float32")
  val Float64: DType = Value(1, "float64")
  val Float16: DType = Value(2, "float16")
  val UInt8: DType = Value(3, "uint8")
  val Int32: DType = Value(4, "int32")
  val Int8: DType = Value(5, "int8")
  val Int64: DType = Value(6, "int64")
  val Bool: DType = Value(7, "bool")

  /** Bytes per element. */
  def numOfBytes(dtype: DType): Int = dtype match {
    case Float32 | Int32 => 4
    case Float64 | Int64 => 8
    case Float16 => 2
    case _ => 1
  }
}

/** Gradient requests, with MXNet's OpReqType codes. */
private[minerva] object GradReq {
  def code(req: String): Int = req match {
    case "null" => 0
    case "write" => 1
    case "add" => 3
    case other => throw new IllegalArgumentException(s"grad_req must be 'null', 'write' or 'add', got '$other'")
  }
}

/** Storage statistics of the core's allocator (`MVStorageGetStats`). */
object Storage {
  /** All counters: bytes_in_use, peak_bytes, bytes_pooled, num_allocs, num_os_allocs. */
  def stats(): Map[String, Long] = Json.parse(Native.storageStats()) match {
    case m: Map[_, _] => m.map { case (k, v) => k.toString -> v.asInstanceOf[Double].toLong }
    case other => throw new IllegalStateException(s"unexpected storage statistics $other")
  }
  def bytesInUse: Long = stats()("bytes_in_use")
  /** Returns pooled, unused memory to the operating system. */
  def releasePool(): Unit = Native.storageReleasePool()
}

/** Seeds the core's random generators (initializers and random operators draw from them). */
object Random {
  def seed(seedState: Int): Unit = Native.randomSeed(seedState.toLong)
}
