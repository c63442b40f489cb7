package org.minerva

import java.nio.file.Files

import org.scalatest.funsuite.AnyFunSuite

class SymbolSuite extends AnyFunSuite {
  private def mlp(): Symbol = {
    val data = Symbol.Variable("data")
    val fc1 = Symbol.api.FullyConnected(Some(data), num_hidden = 16, name = Some("fc1"))
    val act = Symbol.api.Activation(Some(fc1), act_type = "relu", name = Some("relu1"))
    val fc2 = Symbol.api.FullyConnected(Some(act), num_hidden = 10, name = Some("fc2"))
    Symbol.api.SoftmaxOutput(Some(fc2), name = Some("softmax"))
  }

  test("listings of arguments, outputs and auxiliary states") {
    ResourceScope.using {
      val net = mlp()
      assert(net.listArguments() == IndexedSeq("data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias", "softmax_label"))
      assert(net.listOutputs() == IndexedSeq("softmax_output"))
      assert(net.listAuxiliaryStates().isEmpty)
      assert(net.name == "softmax")
      val bn = Symbol.api.BatchNorm(Some(Symbol.Variable("x")), name = Some("bn"))
      assert(bn.listAuxiliaryStates() == IndexedSeq("bn_moving_mean", "bn_moving_var"))
      val internals = net.getInternals()
      assert(internals.listOutputs().contains("fc1_output"))
      assert(internals("fc1_output").listArguments() == IndexedSeq("data", "fc1_weight", "fc1_bias"))
      val auto = Symbol.api.FullyConnected(Some(Symbol.Variable("d")), num_hidden = 2)
      assert(auto.name.startsWith("fullyconnected"), auto.name)
      val sum = Symbol.Variable("a") + Symbol.Variable("b") * 2f
      assert(sum.listArguments() == IndexedSeq("a", "b"))
    }
  }

  test("inferShape gives argument, output and auxiliary shapes; errors name the node") {
    ResourceScope.using {
      val net = mlp()
      val (args, outs, aux) = net.inferShape(Map("data" -> Shape(32, 64)))
      assert(args == IndexedSeq(Shape(32, 64), Shape(16, 64), Shape(16), Shape(10, 16), Shape(10), Shape(32)))
      assert(outs == IndexedSeq(Shape(32, 10)))
      assert(aux.isEmpty)
      val e = intercept[MinervaException](net.inferShape(Map("data" -> Shape(32, 64), "fc1_weight" -> Shape(7, 3))))
      assert(e.getMessage.contains("fc1"), e.getMessage)
      val (partial, _, _) = Symbol.api.FullyConnected(Some(Symbol.Variable("x")), num_hidden = 3, name = Some("f"))
        .inferShapePartial(Map.empty)
      assert(partial.forall(_.length == 0))
    }
  }

  test("JSON round trip and files in MXNet's format") {
    val dir = Files.createTempDirectory("minerva-sym")
    ResourceScope.using {
      val net = mlp()
      val json = net.toJson
      assert(json.contains("\"op\": \"FullyConnected\"") || json.contains("\"op\":\"FullyConnected\""), json.take(400))
      val back = Symbol.loadJson(json)
      assert(back.listArguments() == net.listArguments())
      assert(back.toJson == json)
      val f = dir.resolve("net-symbol.json").toString
      net.save(f)
      assert(Symbol.load(f).listOutputs() == IndexedSeq("softmax_output"))
      val e = intercept[MinervaException](Symbol.loadJson("{\"nodes\": [{\"op\": \"NoSuchOp\", \"name\": \"x\", \"inputs\": []}], \"arg_nodes\": [], \"heads\": [[0, 0, 0]]}"))
      assert(e.getMessage.contains("NoSuchOp"), e.getMessage)
    }
  }

  test("Executor forward and backward of FullyConnected match hand-computed values") {
    ResourceScope.using {
      val fc = Symbol.api.FullyConnected(Some(Symbol.Variable("x")), num_hidden = 2, name = Some("fc"))
      val x = NDArray.array(Array(1f, 2f, 3f, 4f, 5f, 6f), Shape(2, 3))
      val w = NDArray.array(Array(1f, 0f, -1f, 0.5f, 0.5f, 0.5f), Shape(2, 3))
      val b = NDArray.array(Array(1f, -1f), Shape(2))
      val gx = NDArray.zeros(Shape(2, 3))
      val gw = NDArray.zeros(Shape(2, 3))
      val gb = NDArray.zeros(Shape(2))
      val exe = fc.bind(Context.cpu(), Seq(x, w, b), Seq(gx, gw, gb))
      val out = exe.forward(isTrain = true)
      // y = x w^T + b
      assert(out.head.toArray.sameElements(Array(-1f, 2f, -1f, 6.5f)))
      val head = NDArray.array(Array(1f, 2f, 3f, 4f), Shape(2, 2))
      exe.backward(head)
      // dW = head^T x, db = column sums of head, dx = head W
      assert(gw.toArray.sameElements(Array(13f, 17f, 21f, 18f, 24f, 30f)))
      assert(gb.toArray.sameElements(Array(4f, 6f)))
      assert(gx.toArray.sameElements(Array(2f, 1f, 0f, 5f, 2f, -1f)))
      assert(exe.gradDict("fc_weight") eq gw)
    }
  }

  test("simpleBind allocates everything; forward copies inputs; close frees the executor's arrays") {
    NDArray.waitall()
    val baseline = Storage.bytesInUse
    ResourceScope.using {
      val net = Symbol.api.FullyConnected(Some(Symbol.Variable("data")), num_hidden = 4, name = Some("fc"))
      val exe = net.simpleBind(Context.cpu(), "write", Map("data" -> Shape(5, 3)), gradReqs = Map("data" -> "null"))
      assert(exe.argDict("fc_weight").shape == Shape(4, 3))
      assert(!exe.gradDict.contains("data"))
      assert(exe.gradDict("fc_bias").shape == Shape(4))
      exe.argDict("fc_weight").set(1f)
      exe.argDict("fc_bias").set(0.5f)
      val out = exe.forward(isTrain = false, "data" -> NDArray.ones(5, 3))
      assert(out.head.toArray.sameElements(Array.fill(20)(3.5f)))
      exe.backward(NDArray.ones(5, 4))
      assert(exe.gradDict("fc_bias").toArray.sameElements(Array.fill(4)(5f)))
      intercept[IllegalArgumentException](exe.forward(false, "data" -> NDArray.ones(2, 3)))
    }
    NDArray.waitall()
    assert(Storage.bytesInUse <= baseline, s"bytes_in_use ${Storage.bytesInUse}, baseline $baseline")
  }
}
