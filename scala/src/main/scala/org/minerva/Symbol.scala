package org.minerva

import scala.collection.immutable.ListMap

import org.minerva.DType.DType
import org.minerva.generated.SymbolAPI

/**
 * A symbolic graph (MXNet's Symbol): variables composed by operators, bound to arrays by an
 * Executor, saved as MXNet 1.x `-symbol.json`. Owns a native handle (see NativeResource).
 */
class Symbol private[minerva] (rawHandle: Long) extends NativeResource(rawHandle, Native.symFree, tracked = true) {
  protected def kind: String = "Symbol"

  /** The output node's name; null for a group of several outputs. */
  def name: String = withHandle(Native.symName).orNull

  def listArguments(): IndexedSeq[String] = withHandle(Native.symArguments)
  def listOutputs(): IndexedSeq[String] = withHandle(Native.symOutputs)
  def listAuxiliaryStates(): IndexedSeq[String] = withHandle(Native.symAuxStates)
  def listInputs(): IndexedSeq[String] = withHandle(Native.symInputs)

  /** Number of outputs. */
  def size: Int = withHandle(Native.symNumOutputs)
  /** Output `index` as a symbol of its own. */
  def get(index: Int): Symbol = new Symbol(withHandle(h => Native.symOutput(h, index)))
  def apply(index: Int): Symbol = get(index)
  /** The output named `outputName` (as listOutputs shows it, e.g. "fc1_output"). */
  def apply(outputName: String): Symbol = {
    val names = listOutputs()
    val i = names.indexOf(outputName)
    if (i < 0) throw new IllegalArgumentException(s"no output '$outputName'; outputs are ${names.mkString(", ")}")
    get(i)
  }
  /** Every output of every node (select one with apply("fc1_output")). */
  def getInternals(): Symbol = new Symbol(withHandle(Native.symInternals))

  def attr(key: String): Option[String] = withHandle(h => Native.symGetAttr(h, key))
  def setAttr(attrs: Map[String, String]): Unit = withHandle(h => attrs.foreach { case (k, v) => Native.symSetAttr(h, k, v) })

  /** An independent copy of the graph. */
  def copy(): Symbol = new Symbol(withHandle(Native.symCopy))

  /**
   * (argument shapes, output shapes, auxiliary-state shapes) from the shapes of some inputs,
   * in listArguments / listOutputs / listAuxiliaryStates order. Shapes the given ones do not
   * determine are an error naming the node; see inferShapePartial.
   */
  def inferShape(shapes: Map[String, Shape]): (IndexedSeq[Shape], IndexedSeq[Shape], IndexedSeq[Shape]) =
    infer(shapes, partial = false)

  /** As inferShape, with an empty Shape() where a shape stays unknown. */
  def inferShapePartial(shapes: Map[String, Shape]): (IndexedSeq[Shape], IndexedSeq[Shape], IndexedSeq[Shape]) =
    infer(shapes, partial = true)

  private def infer(shapes: Map[String, Shape], partial: Boolean) = {
    val entries = shapes.toIndexedSeq
    val json = withHandle(h => Native.symInferShape(h, entries.map(_._1).toArray, entries.map(_._2.length).toArray,
      entries.flatMap(_._2.toLongArray).toArray, partial))
    val doc = Json.parse(json).asInstanceOf[Map[String, Any]]
    def shapesOf(key: String): IndexedSeq[Shape] = doc(key).asInstanceOf[Vector[Any]].map { s =>
      Shape(s.asInstanceOf[Vector[Any]].map(_.asInstanceOf[Double].toInt))
    }
    (shapesOf("arg_shapes"), shapesOf("out_shapes"), shapesOf("aux_shapes"))
  }

  /** MXNet 1.x symbol JSON. */
  def toJson: String = withHandle(Native.symToJson)
  /** Writes the JSON to `fname` atomically. */
  def save(fname: String): Unit = withHandle(h => Native.symSaveFile(h, fname))

  // ---- arithmetic: MXNet's nodes (a + b is elemwise_add, a + 1 is _plus_scalar) ----
  def +(other: Symbol): Symbol = Symbol.create("elemwise_add", None, Nil, Seq(this, other), Map.empty)
  def -(other: Symbol): Symbol = Symbol.create("elemwise_sub", None, Nil, Seq(this, other), Map.empty)
  def *(other: Symbol): Symbol = Symbol.create("elemwise_mul", None, Nil, Seq(this, other), Map.empty)
  def /(other: Symbol): Symbol = Symbol.create("elemwise_div", None, Nil, Seq(this, other), Map.empty)
  def +(s: Float): Symbol = scalarOp("_plus_scalar", s)
  def -(s: Float): Symbol = scalarOp("_minus_scalar", s)
  def *(s: Float): Symbol = scalarOp("_mul_scalar", s)
  def /(s: Float): Symbol = scalarOp("_div_scalar", s)
  def unary_- : Symbol = scalarOp("_mul_scalar", -1f)
  private def scalarOp(op: String, s: Float): Symbol =
    Symbol.create(op, None, Nil, Seq(this), Map("scalar" -> java.lang.Float.toString(s)))

  // ---- binding ----
  /**
   * Binds to your arrays, in listArguments order (`argsGrad` parallel, null entries or an empty
   * Seq where no gradient is wanted; `auxStates` in listAuxiliaryStates order).
   * The executor's argArrays/gradArrays/auxArrays are these very objects.
   */
  def bind(ctx: Context, args: Seq[NDArray], argsGrad: Seq[NDArray] = Nil, gradReq: String = "write",
           auxStates: Seq[NDArray] = Nil): Executor = {
    val names = listArguments()
    if (args.length != names.length)
      throw new IllegalArgumentException(s"bind: ${names.length} arguments (${names.mkString(", ")}), got ${args.length} arrays")
    if (argsGrad.nonEmpty && argsGrad.length != names.length)
      throw new IllegalArgumentException(s"bind: argsGrad must have ${names.length} entries, got ${argsGrad.length}")
    val grads = if (argsGrad.isEmpty) IndexedSeq.fill(names.length)(null: NDArray) else argsGrad.toIndexedSeq
    val reqs = grads.map(g => if (g == null) 0 else GradReq.code(gradReq)).toArray
    val h = NativeResource.withHandles((this +: args) ++ grads ++ auxStates) { hs =>
      val n = args.length
      Native.exeBind(hs(0), ctx.devTypeCode, ctx.deviceId, hs.slice(1, 1 + n), hs.slice(1 + n, 1 + 2 * n), reqs,
        hs.drop(1 + 2 * n))
    }
    new Executor(h, this, Some((args.toIndexedSeq, grads, auxStates.toIndexedSeq)))
  }

  /** Binds to arrays given by name (missing gradients: none). */
  def bind(ctx: Context, args: Map[String, NDArray], argsGrad: Map[String, NDArray], gradReq: String,
           auxStates: Map[String, NDArray]): Executor = {
    def ordered(names: IndexedSeq[String], m: Map[String, NDArray], what: String, required: Boolean) = names.map { n =>
      m.getOrElse(n, if (required) throw new IllegalArgumentException(s"bind: no $what array named '$n'") else null)
    }
    bind(ctx, ordered(listArguments(), args, "argument", required = true),
      if (argsGrad == null || argsGrad.isEmpty) Nil else ordered(listArguments(), argsGrad, "gradient", required = false),
      gradReq, ordered(listAuxiliaryStates(), Option(auxStates).getOrElse(Map.empty), "auxiliary state", required = true))
  }

  /**
   * Allocates every argument, gradient and auxiliary state from the shapes of the inputs (as
   * inferShape) and binds. gradReq "write", "add" or "null" for every argument, or per name
   * with `gradReqs` (names left out get `gradReq`).
   */
  def simpleBind(ctx: Context, gradReq: String = "write", shapeDict: Map[String, Shape],
                 typeDict: Map[String, DType] = Map.empty, gradReqs: Map[String, String] = Map.empty): Executor = {
    val shapes = shapeDict.toIndexedSeq
    val types = typeDict.toIndexedSeq
    val reqs = gradReqs.toIndexedSeq
    val h = withHandle(s => Native.exeSimpleBind(s, ctx.devTypeCode, ctx.deviceId,
      shapes.map(_._1).toArray, shapes.map(_._2.length).toArray, shapes.flatMap(_._2.toLongArray).toArray,
      types.map(_._1).toArray, types.map(_._2.id).toArray,
      reqs.map(_._1).toArray, reqs.map(r => GradReq.code(r._2)).toArray, GradReq.code(gradReq)))
    new Executor(h, this, None)
  }

  override def toString: String = if (isClosed) "<Symbol closed>" else s"<Symbol ${Option(name).getOrElse("group")}>"
}

object Symbol {
  /** Every registered operator as a method: `Symbol.api.FullyConnected(Some(x), num_hidden = 10, name = Some("fc1"))`. */
  val api: SymbolAPI.type = SymbolAPI

  /**
   * A free variable. `shape`, `lrMult`, `wdMult` and `dType` become MXNet's user attributes
   * `__shape__`, `__lr_mult__`, `__wd_mult__`, `__dtype__`.
   */
  def Variable(name: String): Symbol = new Symbol(Native.symVariable(name))

  def Variable(name: String, attr: Map[String, String] = Map.empty, shape: Shape = null,
               lrMult: Option[Float] = None, wdMult: Option[Float] = None, dType: DType = null): Symbol = {
    val s = new Symbol(Native.symVariable(name))
    try {
      val attrs = ListMap.newBuilder[String, String]
      attrs ++= attr
      if (shape != null) attrs += "__shape__" -> shape.toString
      lrMult.foreach(v => attrs += "__lr_mult__" -> v.toString)
      wdMult.foreach(v => attrs += "__wd_mult__" -> v.toString)
      if (dType != null) attrs += "__dtype__" -> dType.id.toString
      s.setAttr(attrs.result())
      s
    } catch { case e: Throwable => s.close(); throw e }
  }

  /** Joins the outputs of several symbols. */
  def Group(symbols: Symbol*): Symbol = {
    new Symbol(NativeResource.withHandles(symbols)(Native.symGroup))
  }

  /**
   * Applies operator `opName` to `args` (named by `keys`, or by position when `keys` is empty);
   * what the generated `Symbol.api` calls. Inputs not given become variables `<name>_<input>`;
   * without a name the core names the node `<op><n>`.
   */
  def create(opName: String, name: Option[String], keys: Seq[String], args: Seq[Symbol],
             params: Map[String, String]): Symbol = {
    val p = NDArray.opParams(opName, params)
    new Symbol(NativeResource.withHandles(p +: args) { hs =>
      Native.symCreateOp(hs(0), name.orNull, if (keys.isEmpty) null else keys.toArray, hs.drop(1))
    })
  }

  /** Reads MXNet symbol JSON. */
  def loadJson(json: String): Symbol = new Symbol(Native.symFromJson(json))
  /** Reads a `-symbol.json` file. */
  def load(fname: String): Symbol = new Symbol(Native.symLoadFile(fname))
}
