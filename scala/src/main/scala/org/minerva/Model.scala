package org.minerva

import java.util.logging.Logger

import scala.collection.immutable.ListMap

import org.minerva.optimizer.SGD

/** Checkpoints in MXNet's files: `prefix-symbol.json` and `prefix-%04d.params` (keys `arg:<name>`
 *  and `aux:<name>`), readable by Python's `mx.model.load_checkpoint` and MXNet 1.x. */
object Model {
  def paramsFile(prefix: String, epoch: Int): String = f"$prefix-$epoch%04d.params"

  /** Writes the symbol (when not null) and the parameters, both atomically. */
  def saveCheckpoint(prefix: String, epoch: Int, symbol: Symbol, argParams: Map[String, NDArray],
                     auxParams: Map[String, NDArray]): Unit = {
    if (symbol != null) symbol.save(s"$prefix-symbol.json")
    val all = ListMap.newBuilder[String, NDArray]
    argParams.foreach { case (k, v) => all += s"arg:$k" -> v }
    Option(auxParams).getOrElse(Map.empty).foreach { case (k, v) => all += s"aux:$k" -> v }
    NDArray.save(paramsFile(prefix, epoch), all.result())
  }

  /** (symbol, argParams, auxParams). Names without `arg:`/`aux:` (Gluon exports) are auxiliary
   *  states when the symbol lists them so, else arguments. */
  def loadCheckpoint(prefix: String, epoch: Int): (Symbol, Map[String, NDArray], Map[String, NDArray]) = {
    val symbol = Symbol.load(s"$prefix-symbol.json")
    val (args, aux) = loadParams(paramsFile(prefix, epoch), symbol.listAuxiliaryStates().toSet)
    (symbol, args, aux)
  }

  private[minerva] def loadParams(fname: String, auxNames: Set[String]): (Map[String, NDArray], Map[String, NDArray]) = {
    val (names, arrays) = NDArray.load(fname)
    if (names.length != arrays.length) {
      arrays.foreach(_.close())
      throw new IllegalArgumentException(s"$fname holds ${arrays.length} unnamed arrays; a parameter file needs names")
    }
    var args = ListMap.empty[String, NDArray]
    var aux = ListMap.empty[String, NDArray]
    names.zip(arrays).foreach { case (key, arr) =>
      if (key.startsWith("arg:")) args += key.drop(4) -> arr
      else if (key.startsWith("aux:")) aux += key.drop(4) -> arr
      else if (auxNames(key)) aux += key -> arr
      else args += key -> arr
    }
    (args, aux)
  }
}

/**
 * A symbol with its parameters, trained by `fit` and applied by `predict` (MXNet-Scala's
 * FeedForward):
 * {{{
 * val model = FeedForward.newBuilder(net).setContext(Context.cpu()).setNumEpoch(20)
 *   .setOptimizer(new SGD(learningRate = 0.1f, momentum = 0.9f)).setInitializer(new Xavier())
 *   .build()
 * model.fit(trainIter, testIter)
 * }}}
 * The model owns its parameter arrays; close() frees them. As in MXNet, fit sets the optimizer's
 * rescaleGrad to 1 / batch size (SoftmaxOutput sums its gradient over the batch).
 */
class FeedForward private (val symbol: Symbol, val ctx: Context, val numEpoch: Int, val optimizer: Optimizer,
                           val initializer: Initializer, val evalMetric: () => EvalMetric,
                           initArgs: Map[String, NDArray], initAux: Map[String, NDArray]) extends AutoCloseable {
  private val log = Logger.getLogger("org.minerva.FeedForward")
  private var argParams: Map[String, NDArray] = own(initArgs)
  private var auxParams: Map[String, NDArray] = own(initAux)

  /** The trained (or loaded) parameters; they belong to the model. */
  def getArgParams: Map[String, NDArray] = argParams
  def getAuxParams: Map[String, NDArray] = auxParams

  private def own(m: Map[String, NDArray]): Map[String, NDArray] =
    ListMap(Option(m).getOrElse(Map.empty).toSeq.map { case (k, v) => val c = v.copy(); NativeResource.detach(c); k -> c }: _*)

  /** Trains for numEpoch passes over trainData; after each, logs the training metric and, when
   *  evalData is not null, the metric on it. Returns the last epoch's evaluation value (or training value). */
  def fit(trainData: DataIter, evalData: DataIter): Float = {
    val inputShapes = trainData.provideData ++ trainData.provideLabel
    val inputNames = inputShapes.keySet
    val unknown = inputNames.filterNot(symbol.listArguments().contains)
    if (unknown.nonEmpty)
      throw new IllegalArgumentException(s"fit: the iterator provides ${unknown.mkString(", ")}, which the symbol " +
        s"does not take; its arguments are ${symbol.listArguments().mkString(", ")} (set the iterator's dataName/labelName)")
    val exe = symbol.simpleBind(ctx, "write", inputShapes, gradReqs = inputNames.map(_ -> "null").toMap)
    val paramNames = symbol.listArguments().filterNot(inputNames)
    val states = paramNames.indices.map(i => optimizer.createState(i, exe.argDict(paramNames(i))))
    var last = Float.NaN
    try {
      paramNames.foreach { n =>
        argParams.get(n) match {
          case Some(v) => v.copyTo(exe.argDict(n))
          case None => initializer(n, exe.argDict(n))
        }
      }
      exe.auxDict.foreach { case (n, a) => auxParams.get(n).fold(initializer(n, a))(_.copyTo(a)) }
      optimizer.setRescaleGrad(1f / trainData.batchSize)
      optimizer.setIdx2Name(paramNames.indices.map(i => i -> paramNames(i)).toMap)
      val metric = evalMetric()
      for (epoch <- 0 until numEpoch) {
        val start = System.nanoTime()
        trainData.reset()
        metric.reset()
        while (trainData.hasNext) {
          val batch = trainData.next()
          feed(exe, trainData, batch)
          exe.forward(isTrain = true)
          exe.backward()
          paramNames.indices.foreach { i =>
            optimizer.update(i, exe.argDict(paramNames(i)), exe.gradDict(paramNames(i)), states(i))
          }
          metric.update(batch.label, exe.outputs)
          batch.dispose() // the iterator's batch arrays are the caller's to free
        }
        val (name, value) = metric.get
        last = value(0)
        log.info(f"Epoch[$epoch] Train-${name(0)}=${value(0)}%.4f Time cost=${(System.nanoTime() - start) / 1e9}%.2fs")
        replaceParams(exe, paramNames)
        if (evalData != null) {
          last = score(evalData, evalMetric())
          log.info(f"Epoch[$epoch] Validation-${name(0)}=$last%.4f")
        }
      }
    } finally {
      states.foreach(optimizer.disposeState)
      exe.close()
    }
    last
  }

  def fit(trainData: DataIter): Float = fit(trainData, null)

  private def feed(exe: Executor, iter: DataIter, batch: DataBatch): Unit = {
    iter.provideData.keys.zip(batch.data).foreach { case (n, a) => a.copyTo(exe.argDict(n)) }
    iter.provideLabel.keys.zip(batch.label).foreach { case (n, a) => exe.argDict.get(n).foreach(a.copyTo) }
  }

  private def replaceParams(exe: Executor, paramNames: Seq[String]): Unit = {
    val oldArgs = argParams
    val oldAux = auxParams
    argParams = own(ListMap(paramNames.map(n => n -> exe.argDict(n)): _*))
    auxParams = own(exe.auxDict)
    (oldArgs.values ++ oldAux.values).foreach(_.close())
  }

  /** An executor for data's batch shapes holding the model's parameters (gradients off). */
  private def inferenceExecutor(data: DataIter): Executor = {
    if (argParams.isEmpty) throw new IllegalStateException("the model has no parameters: fit or load it first")
    val shapes = data.provideData ++ data.provideLabel.filter { case (n, _) => symbol.listArguments().contains(n) }
    // Parameters left out would be zeros and give all-zero predictions: name them instead (as
    // MXNet's Module.set_params does). A label (a name ending in "label") is never read.
    val missing = symbol.listArguments().filterNot(n => shapes.contains(n) || n.endsWith("label") || argParams.contains(n)) ++
      symbol.listAuxiliaryStates().filterNot(auxParams.contains)
    if (missing.nonEmpty)
      throw new IllegalArgumentException(s"the model lacks the parameters ${missing.mkString(", ")} of its symbol; " +
        s"it has ${(argParams.keys ++ auxParams.keys).mkString(", ")}")
    val exe = symbol.simpleBind(ctx, "null", shapes)
    try exe.copyParamsFrom(argParams, auxParams, allowExtraParams = true)
    catch { case e: Throwable => exe.close(); throw e }
    exe
  }

  /** The outputs over all of data (padding dropped), one array per output with the samples on axis 0. */
  def predict(data: DataIter, numBatch: Int = -1): IndexedSeq[NDArray] = {
    val exe = inferenceExecutor(data)
    try {
      data.reset()
      val collected = exe.outputs.map(_ => Array.newBuilder[Float])
      var rows = 0
      var nb = 0
      while (data.hasNext && (numBatch < 0 || nb < numBatch)) {
        val batch = data.next()
        feed(exe, data, batch)
        exe.forward(isTrain = false)
        val keep = data.batchSize - batch.pad
        exe.outputs.zip(collected).foreach { case (out, b) =>
          val values = out.toArray
          b ++= values.take(keep * (values.length / data.batchSize))
        }
        rows += keep
        nb += 1
        batch.dispose()
      }
      exe.outputs.zip(collected).map { case (out, b) => NDArray.array(b.result(), Shape(rows) ++ out.shape.drop(1), ctx) }
    } finally exe.close()
  }

  def predict(data: DataIter): IndexedSeq[NDArray] = predict(data, -1)

  /** The metric over all of data (padding dropped). */
  def score(data: DataIter, metric: EvalMetric): Float = {
    val exe = inferenceExecutor(data)
    try {
      data.reset()
      metric.reset()
      while (data.hasNext) {
        val batch = data.next()
        feed(exe, data, batch)
        exe.forward(isTrain = false)
        val keep = data.batchSize - batch.pad
        ResourceScope.using {
          metric.update(batch.label.map(_.slice(0, keep)), exe.outputs.map(_.slice(0, keep)))
        }
        batch.dispose()
      }
      metric.get._2(0)
    } finally exe.close()
  }

  /** Writes `prefix-symbol.json` and `prefix-%04d.params`. */
  def save(prefix: String, epoch: Int): Unit = Model.saveCheckpoint(prefix, epoch, symbol, argParams, auxParams)
  def save(prefix: String): Unit = save(prefix, numEpoch)

  /** Frees the parameter arrays. */
  override def close(): Unit = (argParams.values ++ auxParams.values).foreach(_.close())
}

object FeedForward {
  def newBuilder(symbol: Symbol): Builder = new Builder(symbol)

  /** A model from a checkpoint, ready to predict or to train further. */
  def load(prefix: String, epoch: Int, ctx: Context = Context.defaultCtx): FeedForward = {
    val (symbol, args, aux) = Model.loadCheckpoint(prefix, epoch)
    try newBuilder(symbol).setContext(ctx).setArgParams(args).setAuxParams(aux).build()
    finally (args.values ++ aux.values).foreach(_.close())
  }

  final class Builder private[FeedForward] (symbol: Symbol) {
    private var ctx = Context.defaultCtx
    private var numEpoch = 10
    private var optimizer: Optimizer = new SGD()
    private var initializer: Initializer = new Uniform(0.01f)
    private var metric: () => EvalMetric = () => new Accuracy
    private var args: Map[String, NDArray] = Map.empty
    private var aux: Map[String, NDArray] = Map.empty

    def setContext(c: Context): Builder = { ctx = c; this }
    def setNumEpoch(n: Int): Builder = { numEpoch = n; this }
    def setOptimizer(o: Optimizer): Builder = { optimizer = o; this }
    def setInitializer(i: Initializer): Builder = { initializer = i; this }
    /** The metric fit reports (a new instance per use). */
    def setEvalMetric(m: () => EvalMetric): Builder = { metric = m; this }
    /** Starting parameters (copied); others are initialized. */
    def setArgParams(p: Map[String, NDArray]): Builder = { args = p; this }
    def setAuxParams(p: Map[String, NDArray]): Builder = { aux = p; this }
    /** The batch size comes from the iterator given to fit; kept for MXNet-Scala's builder chain. */
    def setBatchSize(n: Int): Builder = {
      require(n > 0, s"batch size must be positive, got $n")
      this
    }
    def build(): FeedForward = new FeedForward(symbol, ctx, numEpoch, optimizer, initializer, metric, args, aux)
  }
}
