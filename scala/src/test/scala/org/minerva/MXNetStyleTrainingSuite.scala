package org.minerva

import java.nio.file.{Files, Path}

import org.scalatest.funsuite.AnyFunSuite

import org.minerva.io.NDArrayIter
import org.minerva.optimizer.{Adam, SGD}

/** Training written as MXNet-Scala code writes it, with this package's optimizers, schedulers,
 *  initializers, callbacks, iterators and metrics, on real data. */
class MXNetStyleTrainingSuite extends AnyFunSuite {
  private def mlp(hidden: Int): Symbol = {
    val fc1 = Symbol.api.FullyConnected(Some(Symbol.Variable("data")), num_hidden = hidden, name = Some("fc1"))
    val act = Symbol.api.Activation(Some(fc1), act_type = "relu", name = Some("relu1"))
    val fc2 = Symbol.api.FullyConnected(Some(act), num_hidden = 10, name = Some("fc2"))
    Symbol.api.SoftmaxOutput(Some(fc2), name = Some("softmax"))
  }

  test("a custom loop on the digits: NDArrayIter, Mixed/Xavier, getUpdater(SGD + MultiFactorScheduler), " +
    "Speedometer, doCheckpoint and Accuracy reach 92% test accuracy") {
    if (!Digits.available) cancel(s"${Digits.path} is missing; run tools/fetch_data.sh")
    val (x, y) = Digits.load()
    val dir = Files.createTempDirectory("minerva-loop")
    ResourceScope.using {
      Random.seed(42)
      val nTrain = 1347
      val batch = 32
      val train = new NDArrayIter(IndexedSeq(NDArray.array(x.take(nTrain).flatten, Shape(nTrain, 64))),
        IndexedSeq(NDArray.array(y.take(nTrain), Shape(nTrain))), batch, shuffle = true, labelName = "softmax_label")
      val test = new NDArrayIter(IndexedSeq(NDArray.array(x.drop(nTrain).flatten, Shape(x.length - nTrain, 64))),
        IndexedSeq(NDArray.array(y.drop(nTrain), Shape(x.length - nTrain))), 50, labelName = "softmax_label")
      val net = mlp(64)
      val exe = net.simpleBind(Context.cpu(), "write", Map("data" -> Shape(batch, 64), "softmax_label" -> Shape(batch)),
        gradReqs = Map("data" -> "null", "softmax_label" -> "null"))
      val paramNames = net.listArguments().filterNot(Set("data", "softmax_label"))
      val init = new Mixed(List("fc2_weight", ".*"), List(new Normal(0.05f), new Xavier("gaussian", "in", 2f)))
      paramNames.foreach(n => init(n, exe.argDict(n)))

      val epochs = 12
      val stepsPerEpoch = (nTrain + batch - 1) / batch
      val sched = new MultiFactorScheduler(IndexedSeq(8 * stepsPerEpoch), 0.1f)
      val sgd = new SGD(0.2f, 0.9f, 0.0001f, 5f, sched)
      sgd.setRescaleGrad(1f / batch)
      sgd.setIdx2Name(paramNames.indices.map(i => i -> paramNames(i)).toMap)
      val updater = Optimizer.getUpdater(sgd)
      val speed = new Callback.Speedometer(batch, 20)
      val checkpoint = Callback.doCheckpoint(dir.resolve("digits").toString, period = epochs)
      val metric = new Accuracy
      for (epoch <- 0 until epochs) {
        train.reset()
        metric.reset()
        var nBatch = 0
        while (train.hasNext) {
          val b = train.next()
          b.data.head.copyTo(exe.argDict("data"))
          b.label.head.copyTo(exe.argDict("softmax_label"))
          exe.forward(isTrain = true)
          exe.backward()
          paramNames.indices.foreach(i => updater.update(i, exe.gradDict(paramNames(i)), exe.argDict(paramNames(i))))
          metric.update(b.label, exe.outputs)
          b.dispose()
          nBatch += 1
          speed.invoke(epoch, nBatch, metric)
        }
        checkpoint.invoke(epoch, net, paramNames.map(n => n -> exe.argDict(n)).toMap, Map.empty)
      }
      assert(sched.baseLR < 0.2f * 0.11f, s"the scheduler dropped the rate once: ${sched.baseLR}")
      val trainAcc = metric.get._2(0)

      // evaluate the checkpoint the callback wrote, through a fresh executor
      val (sym, args, _) = Model.loadCheckpoint(dir.resolve("digits").toString, epochs)
      val eval = sym.simpleBind(Context.cpu(), "null", Map("data" -> Shape(50, 64), "softmax_label" -> Shape(50)))
      eval.copyParamsFrom(args, Map.empty, allowExtraParams = true)
      val testMetric = new Accuracy
      test.foreach { b =>
        b.data.head.copyTo(eval.argDict("data"))
        eval.forward(isTrain = false)
        val keep = 50 - b.pad
        testMetric.update(IndexedSeq(b.label.head.slice(0, keep)), IndexedSeq(eval.outputs.head.slice(0, keep)))
      }
      val acc = testMetric.get._2(0)
      info(f"custom loop: train accuracy $trainAcc%.4f, test accuracy $acc%.4f")
      assert(acc >= 0.92f, s"test accuracy $acc")
      updater.dispose(); exe.close(); eval.close()
    }
  }

  test("FeedForward on real MNIST through IO.MNISTIter with Adam and FactorScheduler reaches 90%") {
    val dir = Option(System.getenv("MINERVA_DATA")).filter(_.nonEmpty)
      .getOrElse(System.getProperty("user.home") + "/.minerva/datasets") + "/mnist"
    if (!Files.isRegularFile(Path.of(dir, "train-images-idx3-ubyte"))) cancel(s"MNIST is missing under $dir")
    ResourceScope.using {
      Random.seed(5)
      val common = Map("flat" -> "1", "silent" -> "1", "label_name" -> "softmax_label")
      // a sixth of the training set (10,000 images) and half of the test set keep the run short
      val train = IO.MNISTIter(common ++ Map("image" -> s"$dir/train-images-idx3-ubyte",
        "label" -> s"$dir/train-labels-idx1-ubyte", "batch_size" -> "100", "shuffle" -> "1", "seed" -> "1",
        "num_parts" -> "6", "part_index" -> "0"))
      val test = IO.MNISTIter(common ++ Map("image" -> s"$dir/t10k-images-idx3-ubyte",
        "label" -> s"$dir/t10k-labels-idx1-ubyte", "batch_size" -> "100", "shuffle" -> "0",
        "num_parts" -> "2", "part_index" -> "0"))
      val model = FeedForward.newBuilder(mlp(128)).setContext(Context.cpu()).setNumEpoch(3)
        .setOptimizer(new Adam(0.002f, lrScheduler = new FactorScheduler(150, 0.7f)))
        .setInitializer(new Xavier()).build()
      val acc = model.fit(train, test)
      info(f"MNIST (10,000 training images, 3 epochs): test accuracy $acc%.4f")
      // Python's Module with the same iterators, network, Adam and scheduler reaches 0.9144
      assert(acc >= 0.90f, s"test accuracy $acc")
      model.close()
    }
  }
}
