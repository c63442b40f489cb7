package org.minerva

import java.nio.ByteBuffer

import org.minerva.capi.{LibMinerva => L}

/**
 * The only file of the Scala API that calls the generated JNI class: every ABI function the API
 * uses, with Scala types. Errors are thrown by the shim as MinervaException subclasses.
 */
private[minerva] object Native {
  private def strings(a: Array[String]): IndexedSeq[String] = if (a == null) IndexedSeq.empty else a.toIndexedSeq
  private def handles(a: Array[Long]): IndexedSeq[Long] = if (a == null) IndexedSeq.empty else a.toIndexedSeq

  // ---- library ----
  def abiVersion(): Int = L.MVGetABIVersion()

  // ---- NDArray ----
  def ndCreate(shape: Array[Long], dtype: Int, devType: Int, devId: Int): Long =
    L.MVNDArrayCreate(shape, dtype, devType, devId)
  val ndFree: Long => Unit = h => L.MVNDArrayFree(h)
  def ndShape(h: Long): Array[Long] = L.MVNDArrayGetShape(h)
  def ndDType(h: Long): Int = L.MVNDArrayGetDType(h)
  def ndContext(h: Long): (Int, Int) = {
    val r = L.MVNDArrayGetContext(h)
    (r(0).asInstanceOf[Number].intValue, r(1).asInstanceOf[Number].intValue)
  }
  def ndCopyFromCPU(h: Long, buf: ByteBuffer): Unit = L.MVNDArraySyncCopyFromCPU(h, buf)
  def ndCopyToCPU(h: Long, buf: ByteBuffer): Unit = L.MVNDArraySyncCopyToCPU(h, buf)
  def ndCopyTo(src: Long, dst: Long): Unit = L.MVNDArrayCopyTo(src, dst)
  def ndReshape(h: Long, shape: Array[Long]): Long = L.MVNDArrayReshape(h, shape)
  def ndSlice(h: Long, begin: Long, end: Long): Long = L.MVNDArraySlice(h, begin, end)
  def ndAt(h: Long, index: Long): Long = L.MVNDArrayAt(h, index)
  def ndWaitToRead(h: Long): Unit = L.MVNDArrayWaitToRead(h)
  def ndWaitAll(): Unit = L.MVNDArrayWaitAll()
  def ndSave(fname: String, arrays: Array[Long], keys: Array[String]): Unit = L.MVNDArraySave(fname, arrays, keys)
  /** Owned handles and their names (empty for a list file). */
  def ndLoad(fname: String): (IndexedSeq[Long], IndexedSeq[String]) = {
    val r = L.MVNDArrayLoad(fname)
    (handles(r(0).asInstanceOf[Array[Long]]), strings(r(1).asInstanceOf[Array[String]]))
  }

  // ---- operators ----
  def opHandle(name: String): Long = L.MVOpGetHandle(name)
  def opParamsCreate(op: Long, keys: Array[String], vals: Array[String]): Long = L.MVOpParamsCreate(op, keys, vals)
  val opParamsFree: Long => Unit = h => L.MVOpParamsFree(h)
  /** Runs an operator; with `outputs` empty the core allocates them and the returned handles are
   *  new and owned; otherwise it writes into `outputs` and returns them. */
  def invoke(op: Long, params: Long, inputs: Array[Long], outputs: Array[Long]): Array[Long] =
    L.MVImperativeInvoke(op, params, inputs, outputs)

  // ---- storage, random ----
  def storageStats(): String = L.MVStorageGetStats()
  def storageReleasePool(): Unit = L.MVStorageReleasePool()
  def randomSeed(seed: Long): Unit = L.MVRandomSeed(seed)

  // ---- Symbol ----
  def symVariable(name: String): Long = L.MVSymbolCreateVariable(name)
  def symCreateOp(params: Long, name: String, keys: Array[String], args: Array[Long]): Long =
    L.MVSymbolCreateOp(params, name, keys, args)
  def symGroup(symbols: Array[Long]): Long = L.MVSymbolCreateGroup(symbols)
  val symFree: Long => Unit = h => L.MVSymbolFree(h)
  def symCopy(h: Long): Long = L.MVSymbolCopy(h)
  def symNumOutputs(h: Long): Int = L.MVSymbolGetNumOutputs(h).toInt
  def symOutput(h: Long, i: Int): Long = L.MVSymbolGetOutput(h, i.toLong)
  def symInternals(h: Long): Long = L.MVSymbolGetInternals(h)
  def symArguments(h: Long): IndexedSeq[String] = strings(L.MVSymbolListArguments(h))
  def symOutputs(h: Long): IndexedSeq[String] = strings(L.MVSymbolListOutputs(h))
  def symAuxStates(h: Long): IndexedSeq[String] = strings(L.MVSymbolListAuxiliaryStates(h))
  def symInputs(h: Long): IndexedSeq[String] = strings(L.MVSymbolListInputs(h))
  def symName(h: Long): Option[String] = {
    val r = L.MVSymbolGetName(h)
    if (r(1).asInstanceOf[Number].intValue != 0) Option(r(0).asInstanceOf[String]) else None
  }
  def symGetAttr(h: Long, key: String): Option[String] = {
    val r = L.MVSymbolGetAttr(h, key)
    if (r(1).asInstanceOf[Number].intValue != 0) Option(r(0).asInstanceOf[String]) else None
  }
  def symSetAttr(h: Long, key: String, value: String): Unit = L.MVSymbolSetAttr(h, key, value)
  def symInferShape(h: Long, keys: Array[String], ndims: Array[Int], dims: Array[Long], partial: Boolean): String =
    L.MVSymbolInferShape(h, keys, ndims, dims, if (partial) 1 else 0)
  def symToJson(h: Long): String = L.MVSymbolSaveToJSON(h)
  def symFromJson(json: String): Long = L.MVSymbolCreateFromJSON(json)
  def symSaveFile(h: Long, fname: String): Unit = L.MVSymbolSaveToFile(h, fname)
  def symLoadFile(fname: String): Long = L.MVSymbolCreateFromFile(fname)

  // ---- Executor ----
  def exeBind(sym: Long, devType: Int, devId: Int, args: Array[Long], grads: Array[Long], reqs: Array[Int],
              aux: Array[Long]): Long =
    L.MVExecutorBind(sym, devType, devId, args, grads, reqs, aux)
  def exeSimpleBind(sym: Long, devType: Int, devId: Int, shapeKeys: Array[String], ndims: Array[Int],
                    dims: Array[Long], dtypeKeys: Array[String], dtypes: Array[Int], reqKeys: Array[String],
                    reqs: Array[Int], defaultReq: Int): Long =
    L.MVExecutorSimpleBind(sym, devType, devId, shapeKeys, ndims, dims, dtypeKeys, dtypes, reqKeys, reqs, defaultReq)
  val exeFree: Long => Unit = h => L.MVExecutorFree(h)
  def exeForward(h: Long, isTrain: Boolean): Unit = L.MVExecutorForward(h, if (isTrain) 1 else 0)
  def exeBackward(h: Long, outGrads: Array[Long], isTrain: Boolean): Unit =
    L.MVExecutorBackward(h, outGrads, if (isTrain) 1 else 0)
  def exeOutputs(h: Long): IndexedSeq[Long] = handles(L.MVExecutorOutputs(h))
  def exeArgs(h: Long): IndexedSeq[Long] = handles(L.MVExecutorArgArrays(h))
  def exeGrads(h: Long): IndexedSeq[Long] = handles(L.MVExecutorGradArrays(h))
  def exeAux(h: Long): IndexedSeq[Long] = handles(L.MVExecutorAuxArrays(h))

  // ---- profiler ----
  def profilerSetConfig(keys: Array[String], vals: Array[String]): Unit = L.MVProfilerSetConfig(keys, vals)
  def profilerSetState(state: Int): Unit = L.MVProfilerSetState(state)
  def profilerPause(paused: Int): Unit = L.MVProfilerPause(paused)
  def profilerDump(finished: Int): Unit = L.MVProfilerDump(finished)
  def profilerDumps(reset: Int, format: Int, sortBy: Int, ascending: Int): String =
    L.MVProfilerDumps(reset, format, sortBy, ascending)
}
