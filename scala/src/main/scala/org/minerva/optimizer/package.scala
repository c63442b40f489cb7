package org.minerva

/** MXNet-Scala's optimizers (`org.apache.mxnet.optimizer`): SGD, NAG, Adam, AdaGrad, AdaDelta,
 *  RMSProp, DCASGD and SGLD. Their base class is `org.minerva.Optimizer`, as in MXNet. */
package object optimizer {
  /** Where Minerva's base class used to be; it is `org.minerva.Optimizer` now, as in MXNet. */
  @deprecated("use org.minerva.Optimizer", "0.2.0")
  type Optimizer = org.minerva.Optimizer
}
