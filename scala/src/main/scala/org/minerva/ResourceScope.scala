package org.minerva

import java.lang.ref.Cleaner

/** Frees one native handle; shared by `close()` and the Cleaner, and holds no reference to the
 *  owning object (otherwise the Cleaner could never run). */
private final class HandleFreer(handle: Long, free: Long => Unit) extends Runnable {
  def run(): Unit =
    try free(handle)
    catch { case _: Throwable => () } // a free never fails by contract (ABI rule 6); never throw from a Cleaner
}

private[minerva] object NativeResource {
  /** One Cleaner (one daemon thread) for every native object of the process. */
  val cleaner: Cleaner = Cleaner.create()

  private[minerva] val Closed = 1 << 30
  private[minerva] val Users = Closed - 1

  /** Runs `f` on the handles of `rs` (0 for a null entry), each counted as a call in flight for
   *  its duration (see NativeResource): closing any of them waits until `f` returns. */
  private[minerva] def withHandles[T](rs: Seq[NativeResource])(f: Array[Long] => T): T = {
    val acquired = new Array[NativeResource](rs.length)
    val hs = new Array[Long](rs.length)
    var n = 0
    try {
      rs.foreach { r =>
        if (r != null) { hs(n) = r.acquire(); acquired(n) = r }
        n += 1
      }
      f(hs)
    } finally {
      var i = 0
      while (i < n) {
        if (acquired(i) != null) acquired(i).release()
        i += 1
      }
      rs.foreach(java.lang.ref.Reference.reachabilityFence(_))
    }
  }

  /** Takes `r` out of its ResourceScope: its owner (an iterator, a model) closes it instead. */
  def detach(r: NativeResource): Unit = {
    val s = r.scope
    if (s != null) s.remove(r)
  }
}

/**
 * An object that owns one native handle. `close()` frees it at once (idempotent); otherwise the
 * shared Cleaner frees it after the object becomes unreachable. Using a closed object throws
 * `IllegalStateException`. Created inside `ResourceScope.using`, it is closed at the scope's end
 * unless it is returned from the block or moved out.
 *
 * Threads (ABI rule 14): every native call on the handle runs inside `withHandle`, which counts
 * it as in flight; `close()` from another thread marks the object closed at once (new calls
 * throw `IllegalStateException`), waits for the calls in flight, then frees the handle. So a
 * close racing a call never frees memory the call is using.
 *
 * @param tracked false for objects owned by another (an executor's arrays): their owner closes them.
 */
abstract class NativeResource private[minerva] (rawHandle: Long, free: Long => Unit, tracked: Boolean)
    extends AutoCloseable {
  /** Calls in flight in the low bits, plus the Closed bit once close() has begun. */
  private val state = new java.util.concurrent.atomic.AtomicInteger(0)
  @volatile private var freed = false
  private val cleanable = NativeResource.cleaner.register(this, new HandleFreer(rawHandle, free))
  @volatile private[minerva] var scope: ResourceScope = _
  if (tracked) ResourceScope.current.foreach(_.add(this))

  /** What the message calls this object ("NDArray", "Symbol", ...). */
  protected def kind: String

  private def closedError() = new IllegalStateException(s"$kind is closed: it was used after close()")

  /** The native handle, for code that keeps this object open itself; throws
   *  IllegalStateException once closed. Library calls go through withHandle. */
  def handle: Long = {
    if (isClosed) throw closedError()
    rawHandle
  }

  def isClosed: Boolean = (state.get & NativeResource.Closed) != 0

  /** Counts one call in flight; throws IllegalStateException once close() has begun. */
  private[minerva] final def acquire(): Long = {
    while (true) {
      val s = state.get
      if ((s & NativeResource.Closed) != 0) throw closedError()
      if ((s & NativeResource.Users) == NativeResource.Users)
        throw new IllegalStateException(s"$kind: too many concurrent calls")
      if (state.compareAndSet(s, s + 1)) return rawHandle
    }
    rawHandle // unreachable
  }

  /** Ends one call; the last call to end after close() began frees the handle. */
  private[minerva] final def release(): Unit =
    if (state.decrementAndGet() == NativeResource.Closed) freeNow()

  private def freeNow(): Unit = {
    cleanable.clean() // runs the HandleFreer once, whoever calls it
    freed = true
    synchronized(notifyAll())
  }

  /** Runs `f` on the handle as one call in flight: close() waits for it, and the object stays
   *  reachable so the Cleaner cannot free the handle in the middle. */
  private[minerva] final def withHandle[T](f: Long => T): T = {
    val h = acquire()
    try f(h)
    finally {
      release()
      java.lang.ref.Reference.reachabilityFence(this)
    }
  }

  /** Frees the native object, after the calls in flight on other threads end. A second call
   *  does nothing (and returns once the handle is freed). */
  override def close(): Unit = {
    var s = state.get
    while ((s & NativeResource.Closed) == 0 && !state.compareAndSet(s, s | NativeResource.Closed)) s = state.get
    if ((s & NativeResource.Closed) == 0) { // this call closed it
      val sc = scope
      if (sc != null) sc.remove(this)
      if ((s & NativeResource.Users) == 0) freeNow() // nothing in flight; else the last release frees
    }
    if (!freed) synchronized { while (!freed) wait() }
  }

  /** MXNet-Scala's name for close(). */
  def dispose(): Unit = close()
}

/**
 * Frees every native object created inside it, as MXNet-Scala's ResourceScope:
 * {{{
 * val sum = ResourceScope.using {
 *   val a = NDArray.ones(Shape(2, 3))
 *   val b = a * 2f          // a and b are closed when the block ends ...
 *   (b + 1f).toArray        // ... the block's result (here plain floats) is kept
 * }
 * }}}
 * Native objects in the result (alone, or inside a Seq, Map, Option or tuple) move to the
 * enclosing scope, or become unscoped at the outermost one.
 */
final class ResourceScope extends AutoCloseable {
  private val resources = new java.util.IdentityHashMap[NativeResource, java.lang.Boolean]()
  private var closed = false

  private[minerva] def add(r: NativeResource): Unit = synchronized {
    if (!closed) { resources.put(r, java.lang.Boolean.TRUE); r.scope = this }
  }
  private[minerva] def remove(r: NativeResource): Unit = synchronized {
    resources.remove(r)
    if (r.scope eq this) r.scope = null
  }

  /** Number of live objects this scope will close. */
  def size: Int = synchronized(resources.size)

  /** Keeps `r` alive past this scope: hands it to the enclosing scope, if any. */
  def moveToOuterScope(r: NativeResource): Unit = {
    remove(r)
    ResourceScope.outerOf(this).foreach(_.add(r))
  }

  /** Closes everything still registered here, and leaves the thread's scope stack. */
  override def close(): Unit = {
    val all = synchronized {
      closed = true
      val list = new java.util.ArrayList[NativeResource](resources.keySet)
      resources.clear()
      list
    }
    ResourceScope.pop(this)
    var first: Throwable = null
    all.forEach { r =>
      r.scope = null
      try r.close()
      catch { case t: Throwable => if (first == null) first = t }
    }
    if (first != null) throw first
  }
}

object ResourceScope {
  private val stack = new ThreadLocal[List[ResourceScope]] {
    override def initialValue(): List[ResourceScope] = Nil
  }

  /** The innermost scope open on this thread. */
  def current: Option[ResourceScope] = stack.get.headOption

  private def push(s: ResourceScope): Unit = stack.set(s :: stack.get)
  private def pop(s: ResourceScope): Unit = stack.set(stack.get.filterNot(_ eq s))
  private def outerOf(s: ResourceScope): Option[ResourceScope] = stack.get.dropWhile(_ ne s).drop(1).headOption

  /** Runs `body` in a new scope; see the class documentation. */
  def using[A](body: => A): A = using(new ResourceScope)(body)

  /** Runs `body` with `scope` as the innermost scope, then closes it. */
  def using[A](scope: ResourceScope)(body: => A): A = {
    push(scope)
    var ok = false
    try {
      val result = body
      keep(scope, result)
      ok = true
      result
    } finally {
      if (ok) scope.close()
      else try scope.close() catch { case _: Throwable => () } // the body's exception wins
    }
  }

  /** Moves the native objects reachable from a block's result out of the closing scope. */
  private def keep(scope: ResourceScope, value: Any): Unit = value match {
    case r: NativeResource => scope.moveToOuterScope(r)
    case r: NDArrayFuncReturn => r.outputs.foreach(keep(scope, _))
    case m: scala.collection.Map[_, _] => m.foreach { case (k, v) => keep(scope, k); keep(scope, v) }
    case it: Iterable[_] => it.foreach(keep(scope, _))
    case arr: Array[_] => arr.foreach(keep(scope, _))
    case o: Option[_] => o.foreach(keep(scope, _))
    case p: Product => p.productIterator.foreach(keep(scope, _))
    case _ => ()
  }
}
