package org.minerva

import java.nio.{ByteBuffer, ByteOrder}
import java.util.concurrent.ConcurrentHashMap

import scala.language.implicitConversions

import org.minerva.DType.DType
import org.minerva.generated.NDArrayAPI

/**
 * An n-dimensional array in the core (MXNet-Scala's NDArray). Operations are queued on the
 * core's engine and return at once; `toArray` and `waitToRead` wait for the result.
 *
 * Owns a native handle: `close()` frees it now, a Cleaner frees it after the object becomes
 * unreachable, and `ResourceScope.using` frees it at the end of a block.
 */
class NDArray private[minerva] (rawHandle: Long, tracked: Boolean = true)
    extends NativeResource(rawHandle, Native.ndFree, tracked) {
  protected def kind: String = "NDArray"

  def shape: Shape = Shape.fromLongs(withHandle(Native.ndShape))
  /** Number of elements. */
  def size: Int = shape.product
  def dtype: DType = DType(withHandle(Native.ndDType))
  def context: Context = {
    val (t, i) = withHandle(Native.ndContext)
    Context.fromCode(t, i)
  }

  /** The elements in row-major order, as float32 (other dtypes are converted). Waits for pending writes. */
  def toArray: Array[Float] = {
    if (dtype != DType.Float32) {
      val converted = NDArray.invoke("Cast", Seq(this), Map("dtype" -> "float32")).head
      try return converted.toArray
      finally converted.close()
    }
    val n = size
    val buf = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder())
    withHandle(h => Native.ndCopyToCPU(h, buf))
    val out = new Array[Float](n)
    buf.asFloatBuffer().get(out)
    out
  }

  /** The only element of a one-element array. */
  def toScalar: Float = {
    val a = toArray
    if (a.length != 1) throw new IllegalArgumentException(s"toScalar needs one element, the array has shape $shape")
    a(0)
  }

  /** Copies `data` (row-major, exactly `size` floats) into this float32 array. */
  def set(data: Array[Float]): NDArray = {
    if (dtype != DType.Float32) {
      val tmp = NDArray.array(data, shape, context)
      try tmp.copyTo(this)
      finally tmp.close()
      return this
    }
    if (data.length != size)
      throw new IllegalArgumentException(s"set: the array has $size elements (shape $shape), got ${data.length} values")
    val buf = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder())
    buf.asFloatBuffer().put(data)
    withHandle(h => Native.ndCopyFromCPU(h, buf))
    this
  }

  /** Fills the array with `value`. */
  def set(value: Float): NDArray = {
    NDArray.invoke("_full", Nil, Map("shape" -> shape.toParamString, "dtype" -> dtype.toString,
      "value" -> java.lang.Float.toString(value)), Seq(this))
    this
  }

  /** Copies this array into `other` (same shape; dtypes may differ). Returns `other`. */
  def copyTo(other: NDArray): NDArray = {
    NativeResource.withHandles(Seq(this, other))(hs => Native.ndCopyTo(hs(0), hs(1)))
    other
  }

  /** A copy on another device. */
  def copyTo(ctx: Context): NDArray = copyTo(NDArray.empty(shape, ctx, dtype))

  /** An independent copy. */
  def copy(): NDArray = copyTo(context)

  /** A view with another shape (same elements, shared memory). */
  def reshape(newShape: Shape): NDArray = new NDArray(withHandle(h => Native.ndReshape(h, newShape.toLongArray)))
  def reshape(dims: Array[Int]): NDArray = reshape(Shape(dims.toIndexedSeq))

  /** A view of rows [start, end) of the first axis. */
  def slice(start: Int, end: Int): NDArray = new NDArray(withHandle(h => Native.ndSlice(h, start.toLong, end.toLong)))
  def slice(i: Int): NDArray = slice(i, i + 1)

  /** A view of row `idx` of the first axis, without that axis. */
  def at(idx: Int): NDArray = new NDArray(withHandle(h => Native.ndAt(h, idx.toLong)))

  /** Blocks until pending writes finish; raises an error of the operation that produced it. */
  def waitToRead(): Unit = withHandle(Native.ndWaitToRead)

  // ---- arithmetic: array-array through broadcast_*, array-scalar through *_scalar (as MXNet) ----
  def +(other: NDArray): NDArray = NDArray.binary("broadcast_add", this, other)
  def -(other: NDArray): NDArray = NDArray.binary("broadcast_sub", this, other)
  def *(other: NDArray): NDArray = NDArray.binary("broadcast_mul", this, other)
  def /(other: NDArray): NDArray = NDArray.binary("broadcast_div", this, other)
  def +(s: Float): NDArray = NDArray.scalar("_plus_scalar", this, s)
  def -(s: Float): NDArray = NDArray.scalar("_minus_scalar", this, s)
  def *(s: Float): NDArray = NDArray.scalar("_mul_scalar", this, s)
  def /(s: Float): NDArray = NDArray.scalar("_div_scalar", this, s)
  def unary_- : NDArray = NDArray.invoke("negative", Seq(this), Map.empty).head
  /** `s - this`, `s / this` (MXNet-Scala has no left scalar operators). */
  def rsub(s: Float): NDArray = NDArray.scalar("_rminus_scalar", this, s)
  def rdiv(s: Float): NDArray = NDArray.scalar("_rdiv_scalar", this, s)

  def +=(other: NDArray): NDArray = NDArray.binary("broadcast_add", this, other, Some(this))
  def -=(other: NDArray): NDArray = NDArray.binary("broadcast_sub", this, other, Some(this))
  def *=(other: NDArray): NDArray = NDArray.binary("broadcast_mul", this, other, Some(this))
  def /=(other: NDArray): NDArray = NDArray.binary("broadcast_div", this, other, Some(this))
  def +=(s: Float): NDArray = NDArray.scalar("_plus_scalar", this, s, Some(this))
  def -=(s: Float): NDArray = NDArray.scalar("_minus_scalar", this, s, Some(this))
  def *=(s: Float): NDArray = NDArray.scalar("_mul_scalar", this, s, Some(this))
  def /=(s: Float): NDArray = NDArray.scalar("_div_scalar", this, s, Some(this))

  override def toString: String =
    if (isClosed) "<NDArray closed>" else s"<NDArray ${shape} ${context}>"
}

/** The outputs of one operator call. Converts implicitly to its first output, so
 *  `NDArray.api.relu(x) + 1f` works; `apply(i)` picks another output. */
final class NDArrayFuncReturn private[minerva] (val outputs: IndexedSeq[NDArray]) {
  def head: NDArray = outputs.head
  def get: NDArray = head
  def apply(i: Int): NDArray = outputs(i)
  /** Number of outputs. */
  def size: Int = outputs.size
}

object NDArrayFuncReturn {
  implicit def toNDArray(r: NDArrayFuncReturn): NDArray = r.head
}

object NDArray {
  /** Every registered operator as a method: `NDArray.api.FullyConnected(x, Some(w), Some(b), num_hidden = 10)`. */
  val api: NDArrayAPI.type = NDArrayAPI

  // ---- creation ----
  /** An array holding `data` (row-major), float32. */
  def array(data: Array[Float], shape: Shape, ctx: Context = Context.defaultCtx): NDArray = {
    val a = empty(shape, ctx, DType.Float32)
    try a.set(data)
    catch { case e: Throwable => a.close(); throw e }
  }

  def zeros(shape: Shape, ctx: Context = Context.defaultCtx, dtype: DType = DType.Float32): NDArray =
    new NDArray(Native.ndCreate(shape.toLongArray, dtype.id, ctx.devTypeCode, ctx.deviceId))
  def zeros(dims: Int*): NDArray = zeros(Shape(dims))

  def ones(shape: Shape, ctx: Context = Context.defaultCtx, dtype: DType = DType.Float32): NDArray =
    full(shape, 1f, ctx, dtype)
  def ones(dims: Int*): NDArray = ones(Shape(dims))

  def full(shape: Shape, value: Float, ctx: Context = Context.defaultCtx, dtype: DType = DType.Float32): NDArray = {
    val a = zeros(shape, ctx, dtype)
    try a.set(value)
    catch { case e: Throwable => a.close(); throw e }
  }

  /** An uninitialized array; the core zero-fills it. */
  def empty(shape: Shape, ctx: Context = Context.defaultCtx, dtype: DType = DType.Float32): NDArray =
    zeros(shape, ctx, dtype)

  /** Waits for every queued operation; raises the first unseen asynchronous error. */
  def waitall(): Unit = Native.ndWaitAll()

  // ---- files: MXNet's NDArray format (nd.save / nd.load / .params) ----
  /** Saves named arrays (a dict file, in the map's iteration order). */
  def save(fname: String, data: scala.collection.Map[String, NDArray]): Unit = {
    val (keys, arrays) = data.toIndexedSeq.unzip
    saveHandles(fname, arrays, keys.toArray)
  }

  /** Saves unnamed arrays (a list file). */
  def save(fname: String, data: Iterable[NDArray]): Unit = saveHandles(fname, data.toIndexedSeq, null)

  private def saveHandles(fname: String, arrays: IndexedSeq[NDArray], keys: Array[String]): Unit = {
    if (keys != null) keys.foreach { k =>
      // A C string ends at a NUL: "a\u0000b" would be saved as "a" (and collide with it).
      if (k.indexOf('\u0000') >= 0)
        throw new IllegalArgumentException(s"save: $fname: name '${k.replace("\u0000", "\\0")}' holds a NUL character; array names must not")
    }
    NativeResource.withHandles(arrays)(hs => Native.ndSave(fname, hs, keys))
  }

  /** The names (empty for a list file) and arrays of an NDArray file, as MXNet-Scala's `load`. */
  def load(fname: String): (Array[String], Array[NDArray]) = {
    val (handles, names) = Native.ndLoad(fname)
    (names.toArray, handles.map(new NDArray(_)).toArray)
  }

  /** A dict file's arrays by name. */
  def loadToMap(fname: String): Map[String, NDArray] = {
    val (names, arrays) = load(fname)
    if (names.length != arrays.length) {
      arrays.foreach(_.close())
      throw new IllegalArgumentException(s"$fname holds ${arrays.length} unnamed arrays; expected a named (dict) file")
    }
    scala.collection.immutable.ListMap(names.zip(arrays): _*)
  }

  // ---- operators ----
  private val opHandles = new ConcurrentHashMap[String, java.lang.Long]()
  private val paramsCache = new ConcurrentHashMap[(String, Map[String, String]), OpParams]()
  /** Beyond this many cached parameter sets the cache starts afresh (Adam's changing lr makes
   *  a new one per step); dropped sets are freed by the Cleaner once no call uses them. */
  private val paramsCacheLimit = 4096

  private[minerva] def opHandle(opName: String): Long = {
    val cached = opHandles.get(opName)
    if (cached != null) return cached.longValue
    val h = Native.opHandle(opName)
    opHandles.put(opName, java.lang.Long.valueOf(h))
    h
  }

  /** The parsed (op, params) pair, created once and reused. */
  private[minerva] def opParams(opName: String, params: Map[String, String]): OpParams = {
    val key = (opName, params)
    val cached = paramsCache.get(key)
    if (cached != null) return cached
    val (ks, vs) = params.toArray.unzip
    val created = new OpParams(Native.opParamsCreate(opHandle(opName), ks, vs))
    if (paramsCache.size >= paramsCacheLimit) paramsCache.clear()
    val prev = paramsCache.putIfAbsent(key, created)
    if (prev != null) { created.close(); prev } else created
  }

  /** Runs a registered operator on `inputs` with string parameters (MXNet syntax); what the
   *  generated `NDArray.api` calls. */
  def invoke(opName: String, inputs: Seq[NDArray], params: Map[String, String]): NDArrayFuncReturn =
    invoke(opName, inputs, params, Nil)

  /** As above, writing into `out` (e.g. the weight of an optimizer update). */
  def invoke(opName: String, inputs: Seq[NDArray], params: Map[String, String], out: Seq[NDArray]): NDArrayFuncReturn = {
    val op = opHandle(opName)
    val p = opParams(opName, params)
    val all = (p +: inputs) ++ out
    val result = NativeResource.withHandles(all) { hs =>
      Native.invoke(op, hs(0), hs.slice(1, 1 + inputs.length), hs.drop(1 + inputs.length))
    }
    if (out.nonEmpty) new NDArrayFuncReturn(out.toIndexedSeq)
    else new NDArrayFuncReturn(result.toIndexedSeq.map(new NDArray(_)))
  }

  private def binary(op: String, a: NDArray, b: NDArray, out: Option[NDArray] = None): NDArray =
    invoke(op, Seq(a, b), Map.empty, out.toSeq).head

  private def scalar(op: String, a: NDArray, s: Float, out: Option[NDArray] = None): NDArray =
    invoke(op, Seq(a), Map("scalar" -> java.lang.Float.toString(s)), out.toSeq).head
}

/** A parsed parameter set of one operator (`MVOpParamsCreate`); immutable and thread-safe. */
private[minerva] final class OpParams(h: Long) extends NativeResource(h, Native.opParamsFree, tracked = false) {
  protected def kind: String = "OpParams"
}
