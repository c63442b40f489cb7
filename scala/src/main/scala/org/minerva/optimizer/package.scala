package org.minerva

/** MXNet-Scala's optimizers (`org.apache.mxnet.optimizer`): SGD, NAG, Adam, AdaGrad, AdaDelta,
 *  RMSProp, DCASGD and SGLD. Their base class is `org.minerva.Optimizer`, as in MXNet. */
package object optimizer
