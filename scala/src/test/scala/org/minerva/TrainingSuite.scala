package org.minerva

import java.nio.file.Files

import org.scalatest.funsuite.AnyFunSuite

import org.minerva.io.NDArrayIter
import org.minerva.optimizer.{Adam, RMSProp, SGD}

class TrainingSuite extends AnyFunSuite {
  private def mlp(hidden: Int): Symbol = {
    val data = Symbol.Variable("data")
    val fc1 = Symbol.api.FullyConnected(Some(data), num_hidden = hidden, name = Some("fc1"))
    val act = Symbol.api.Activation(Some(fc1), act_type = "relu", name = Some("relu1"))
    val fc2 = Symbol.api.FullyConnected(Some(act), num_hidden = 10, name = Some("fc2"))
    Symbol.api.SoftmaxOutput(Some(fc2), name = Some("softmax"))
  }

  private def requireDigits(): Unit =
    if (!Digits.available) {
      if (sys.env.get("CI").contains("true")) fail(s"${Digits.path} is missing (run tools/fetch_data.sh)")
      else cancel(s"${Digits.path} is missing; run tools/fetch_data.sh")
    }

  test("initializers and metrics") {
    ResourceScope.using {
      Random.seed(1)
      val w = NDArray.zeros(Shape(64, 32))
      new Xavier()("fc_weight", w)
      val bound = math.sqrt(3.0 / 48.0).toFloat
      val v = w.toArray
      assert(v.forall(x => math.abs(x) <= bound) && v.exists(x => math.abs(x) > bound / 2))
      val b = NDArray.ones(Shape(4))
      new Xavier()("fc_bias", b)
      assert(b.toArray.forall(_ == 0f))
      new Normal(0.5f)("w_weight", w)
      val std = math.sqrt(w.toArray.map(x => x.toDouble * x).sum / v.length)
      assert(math.abs(std - 0.5) < 0.05, s"std $std")
      intercept[IllegalArgumentException](new Uniform()("mystery", b))

      val acc = new Accuracy
      acc.update(IndexedSeq(NDArray.array(Array(0f, 1f, 1f), Shape(3))),
        IndexedSeq(NDArray.array(Array(0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f), Shape(3, 2))))
      assert(math.abs(acc.get._2(0) - 2f / 3f) < 1e-6)
      val rmse = new RMSE
      rmse.update(IndexedSeq(NDArray.array(Array(1f, 2f), Shape(2))), IndexedSeq(NDArray.array(Array(2f, 4f), Shape(2))))
      assert(math.abs(rmse.get._2(0) - math.sqrt(2.5).toFloat) < 1e-6)
    }
  }

  test("NDArrayIter: batches, padding and labels") {
    ResourceScope.using {
      val data = NDArray.array(Array.tabulate(10)(_.toFloat), Shape(5, 2))
      val label = NDArray.array(Array(0f, 1f, 2f, 3f, 4f), Shape(5))
      val it = new NDArrayIter(IndexedSeq(data), IndexedSeq(label), dataBatchSize = 2, labelName = "softmax_label")
      assert(it.provideData("data") == Shape(2, 2))
      assert(it.provideLabel("softmax_label") == Shape(2))
      val batches = it.map(b => (b.data.head.toArray.toSeq, b.label.head.toArray.toSeq, b.pad)).toList
      assert(batches == List((Seq(0f, 1f, 2f, 3f), Seq(0f, 1f), 0), (Seq(4f, 5f, 6f, 7f), Seq(2f, 3f), 0),
        (Seq(8f, 9f, 0f, 1f), Seq(4f, 0f), 1)))
      it.reset()
      assert(it.size == 3)
      it.close()
    }
  }

  test("an MLP trained from Scala on the digits reaches at least 90% test accuracy; checkpoint round trip") {
    requireDigits()
    val (x, y) = Digits.load()
    val nTrain = 1347
    val dir = Files.createTempDirectory("minerva-digits")
    ResourceScope.using {
      Random.seed(0)
      val trainX = NDArray.array(x.take(nTrain).flatten, Shape(nTrain, 64))
      val trainY = NDArray.array(y.take(nTrain), Shape(nTrain))
      val testX = NDArray.array(x.drop(nTrain).flatten, Shape(x.length - nTrain, 64))
      val testY = NDArray.array(y.drop(nTrain), Shape(x.length - nTrain))
      val trainIter = new NDArrayIter(IndexedSeq(trainX), IndexedSeq(trainY), dataBatchSize = 32, shuffle = true,
        labelName = "softmax_label")
      val testIter = new NDArrayIter(IndexedSeq(testX), IndexedSeq(testY), dataBatchSize = 50, labelName = "softmax_label")
      val net = mlp(64)
      val model = FeedForward.newBuilder(net).setContext(Context.cpu()).setNumEpoch(15)
        .setOptimizer(new SGD(learningRate = 0.1f, momentum = 0.9f, wd = 0.0001f))
        .setInitializer(new Xavier()).setBatchSize(32).build()
      val acc = model.fit(trainIter, testIter)
      info(f"Scala digits test accuracy: $acc%.4f")
      assert(acc >= 0.90f, s"test accuracy $acc")

      val prefix = dir.resolve("digits").toString
      model.save(prefix, 15)
      assert(Files.exists(dir.resolve("digits-symbol.json")) && Files.exists(dir.resolve("digits-0015.params")))
      val (sym, args, aux) = Model.loadCheckpoint(prefix, 15)
      assert(sym.listArguments() == net.listArguments())
      assert(args.keySet == Set("fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"))
      assert(aux.isEmpty)
      assert(args("fc1_weight").toArray.sameElements(model.getArgParams("fc1_weight").toArray))
      val names = NDArray.load(Model.paramsFile(prefix, 15))._1.toSet
      assert(names == Set("arg:fc1_weight", "arg:fc1_bias", "arg:fc2_weight", "arg:fc2_bias"))

      val loaded = FeedForward.load(prefix, 15)
      val p1 = model.predict(testIter).head
      val p2 = loaded.predict(testIter).head
      assert(p1.shape == Shape(450, 10))
      assert(p1.toArray.sameElements(p2.toArray))
      val predicted = p1.toArray.grouped(10).map(r => r.indexOf(r.max)).toArray
      val direct = predicted.zip(y.drop(nTrain)).count { case (p, t) => p == t.toInt }.toFloat / predicted.length
      assert(math.abs(direct - acc) < 1e-6)
      assert(loaded.score(testIter, new Accuracy) == acc)
      trainIter.close(); testIter.close(); model.close(); loaded.close()
    }
  }

  test("Adam and RMSProp also train the digits MLP") {
    requireDigits()
    val (x, y) = Digits.load()
    ResourceScope.using {
      Random.seed(1)
      val trainIter = new NDArrayIter(IndexedSeq(NDArray.array(x.take(1347).flatten, Shape(1347, 64))),
        IndexedSeq(NDArray.array(y.take(1347), Shape(1347))), dataBatchSize = 32, shuffle = true, labelName = "softmax_label")
      val testIter = new NDArrayIter(IndexedSeq(NDArray.array(x.drop(1347).flatten, Shape(450, 64))),
        IndexedSeq(NDArray.array(y.drop(1347), Shape(450))), dataBatchSize = 50, labelName = "softmax_label")
      for (opt <- Seq(new Adam(learningRate = 0.01f), new RMSProp(learningRate = 0.005f))) {
        val model = FeedForward.newBuilder(mlp(32)).setNumEpoch(6).setOptimizer(opt).setInitializer(new Xavier()).build()
        val acc = model.fit(trainIter, testIter)
        info(f"${opt.getClass.getSimpleName}: $acc%.4f")
        assert(acc >= 0.85f, s"${opt.getClass.getSimpleName} test accuracy $acc")
        model.close()
      }
      trainIter.close(); testIter.close()
    }
  }
}
