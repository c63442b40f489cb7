"""``SVRGModule``: a Module trained with stochastic variance-reduced gradients (Johnson & Zhang,
2013). Every ``update_freq`` epochs it snapshots the weights into an auxiliary Module and averages
the gradient over the whole training set there; each batch's gradient is then replaced by
``g(batch, w) - g(batch, w_snapshot) + full_average`` before the optimizer step.

Minerva's Module runs on one context, so the per-device lists MXNet keeps have one entry."""
import logging
import time

import minerva as mx  # noqa: F401  (MXNet's module exports the name)

from ... import metric as _metric
from ... import ndarray as nd
from ... import optimizer as opt
from ...context import cpu
from ...initializer import Uniform
from ...model import BatchEndParam
from ...module import Module
from ...module.base_module import _as_list
from .svrg_optimizer import _SVRGOptimizer

# MXNet's defaults (context=mx.cpu(), initializer=mx.init.Uniform(0.01)), made once.
_CPU = cpu()
_DEFAULT_INIT = Uniform(0.01)


class SVRGModule(Module):
    """A Module (same arguments) that trains with SVRG; update_freq (a positive int, required) is
    how many epochs pass between full-gradient computations."""

    def __init__(self, symbol, data_names=('data',), label_names=('softmax_label',), logger=logging, context=_CPU,
                 work_load_list=None, fixed_param_names=None, state_names=None, group2ctxs=None,
                 compression_params=None, update_freq=None):
        super().__init__(symbol, data_names=data_names, label_names=label_names, logger=logger, context=context,
                         work_load_list=work_load_list, fixed_param_names=fixed_param_names,
                         state_names=state_names, group2ctxs=group2ctxs, compression_params=compression_params)
        # bool is an int subclass; MXNet lets True through as 1, and so does this.
        if not isinstance(update_freq, int):
            raise TypeError("update_freq in SVRGModule must be an integer to represent the frequency for "
                            f"calculating full gradients, got {update_freq!r}")
        if update_freq <= 0:
            raise ValueError("update_freq in SVRGModule must be a positive integer to represent the frequency for "
                             f"calculating full gradients, got {update_freq}")
        self.update_freq = update_freq
        # The snapshot module: same symbol, weights copied in by update_full_grads.
        self._mod_aux = Module(symbol, data_names, label_names, logger, context, work_load_list,
                               fixed_param_names, state_names, group2ctxs, compression_params)
        self._param_dict = None
        self._ctx_len = 1

    def _reset_bind(self):
        super()._reset_bind()
        # Module.__init__ calls this before _mod_aux exists.
        if getattr(self, '_mod_aux', None) is not None:
            self._mod_aux._reset_bind()

    def reshape(self, data_shapes, label_shapes=None):
        super().reshape(data_shapes, label_shapes=label_shapes)
        self._mod_aux.reshape(data_shapes, label_shapes=label_shapes)

    def init_optimizer(self, kvstore='local', optimizer='sgd', optimizer_params=(('learning_rate', 0.01),),
                       force_init=False):
        """Installs an _SVRGOptimizer wrapping optimizer (a name with optimizer_params, or an
        Optimizer), and zeroes the full-gradient averages. With a KVStore, a "<name>_full" key per
        parameter accumulates the full gradients."""
        self._param_dict = [{name: nd.zeros(value.shape, ctx=self._context)
                             for name, value in self.get_params()[0].items()}]
        svrg_optimizer = self._create_optimizer(_SVRGOptimizer.__name__, default_opt=optimizer, kvstore=kvstore,
                                                optimizer_params=optimizer_params)
        super().init_optimizer(kvstore=kvstore, optimizer=svrg_optimizer, optimizer_params=optimizer_params,
                               force_init=force_init)
        if self._kvstore:
            for index, name in enumerate(self._param_names):
                self._kvstore.init(name + "_full", nd.zeros(self._arg_params[name].shape))
                if self._update_on_kvstore:
                    self._kvstore.pull(name + "_full", self._exec.arg_dict[name], priority=-index)

    def _create_optimizer(self, optimizer, default_opt, kvstore, optimizer_params):
        """The _SVRGOptimizer: rescale_grad 1/batch_size unless given, param_idx2name naming each
        parameter's index and, after them, one "<name>_full" index per parameter."""
        batch_size = self._data_shapes[0].shape[self._data_shapes[0].get_batch_axis(self._data_shapes[0].layout)]
        kv, _ = self._create_kvstore(kvstore)
        if kv is not None and 'dist' in kv.type and '_sync' in kv.type:
            batch_size *= kv.num_workers
        idx2name = dict(enumerate(self._param_names))
        for name in self._param_dict[0]:
            idx2name[max(idx2name) + 1] = name + "_full"
        optimizer_params = dict(optimizer_params)
        optimizer_params.setdefault('rescale_grad', 1.0 / batch_size)
        optimizer_params['default_optimizer'] = default_opt
        optimizer_params['param_idx2name'] = idx2name
        return opt.create(optimizer, **optimizer_params)

    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False, force_rebind=False,
             shared_module=None, grad_req='write'):
        """Binds this module and, for training, the snapshot module too."""
        super().bind(data_shapes, label_shapes, for_training, inputs_need_grad, force_rebind, shared_module,
                     grad_req)
        if for_training:
            self._mod_aux.bind(data_shapes, label_shapes, for_training, inputs_need_grad, force_rebind,
                               shared_module, grad_req)

    def forward(self, data_batch, is_train=None):
        """Runs the batch; with is_train=True (as forward_backward passes) the snapshot too."""
        super().forward(data_batch, is_train)
        if is_train:
            self._mod_aux.forward(data_batch, is_train)

    def backward(self, out_grads=None):
        super().backward(out_grads)
        if self._mod_aux.binded:
            self._mod_aux.backward(out_grads)

    def update(self):
        """Replaces the gradients by the SVRG ones, then applies the optimizer."""
        self._update_svrg_gradients()
        super().update()

    def update_full_grads(self, train_data):
        """Copies the current weights into the snapshot module and averages its gradients over
        every batch of train_data (the last batch's padding counts as a fraction of a batch)."""
        arg, aux = self.get_params()
        self._mod_aux.set_params(arg_params=arg, aux_params=aux)
        train_data.reset()
        nbatch = 0
        padding = 0
        for batch in train_data:
            self._mod_aux.forward(batch, is_train=True)
            self._mod_aux.backward()
            nbatch += 1
            for name in self._param_names:
                grad = self._mod_aux._exec.grad_dict.get(name)
                if grad is not None:
                    # As MXNet 1.9.1 does: the sum starts from the previous average, which only
                    # init_optimizer zeroes.
                    self._param_dict[0][name] = self._param_dict[0][name] + grad
            padding = batch.pad
        true_num_batch = nbatch - padding / train_data.batch_size
        for name in self._param_names:
            self._param_dict[0][name] /= true_num_batch
            if self._kvstore:
                self._accumulate_kvstore(name, [self._param_dict[0][name]])

    def _accumulate_kvstore(self, key, value):
        """Sums the workers' full-gradient averages in the KVStore's "<key>_full" entry."""
        self._kvstore.push(key + "_full", value)
        self._kvstore._barrier()
        self._kvstore.pull(key + "_full", value)
        self._allocate_gradients(key, value)

    def _allocate_gradients(self, key, value):
        for i in range(self._ctx_len):
            self._param_dict[i][key] = value[i] / self._ctx_len

    def _svrg_grads_update_rule(self, g_curr_batch_curr_weight, g_curr_batch_special_weight,
                                g_special_weight_all_batch):
        """g(batch, w) - g(batch, w_snapshot) + full average, written into the first list's arrays."""
        for index, grad in enumerate(g_curr_batch_curr_weight):
            grad -= g_curr_batch_special_weight[index]
            grad += g_special_weight_all_batch[index]
        return g_curr_batch_curr_weight

    def _update_svrg_gradients(self):
        grads, aux_grads = self._exec.grad_dict, self._mod_aux._exec.grad_dict
        for name in self._param_names:
            if grads.get(name) is None:
                continue  # a fixed parameter
            self._svrg_grads_update_rule([grads[name]], [aux_grads[name]], [self._param_dict[0][name]])

    def fit(self, train_data, eval_data=None, eval_metric='acc', epoch_end_callback=None, batch_end_callback=None,
            kvstore='local', optimizer='sgd', optimizer_params=(('learning_rate', 0.01),), eval_end_callback=None,
            eval_batch_end_callback=None, initializer=_DEFAULT_INIT, arg_params=None, aux_params=None,
            allow_missing=False, force_rebind=False, force_init=False, begin_epoch=0, num_epoch=None,
            validation_metric=None, monitor=None, sparse_row_id_fn=None):
        """Module.fit's arguments and behaviour, with the full gradients recomputed at the start
        of every epoch that is a multiple of update_freq."""
        assert num_epoch is not None, 'please specify number of epochs'
        self.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label, for_training=True,
                  force_rebind=force_rebind)
        if monitor is not None:
            self.install_monitor(monitor)
        self.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init)
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer, optimizer_params=optimizer_params)
        if validation_metric is None:
            validation_metric = eval_metric
        if not isinstance(eval_metric, _metric.EvalMetric):
            eval_metric = _metric.create(eval_metric)

        for epoch in range(begin_epoch, num_epoch):
            eval_metric.reset()
            tic = time.time()
            if epoch % self.update_freq == 0:
                self.update_full_grads(train_data)
            train_data.reset()
            data_iter = iter(train_data)
            end_of_batch = False
            nbatch = 0
            next_data_batch = next(data_iter)
            while not end_of_batch:
                data_batch = next_data_batch
                if monitor is not None:
                    monitor.tic()
                self.forward_backward(data_batch)
                self.update()
                if isinstance(data_batch, list):
                    self.update_metric(eval_metric, [db.label for db in data_batch], pre_sliced=True)
                else:
                    self.update_metric(eval_metric, data_batch.label)
                try:
                    next_data_batch = next(data_iter)
                    self.prepare(next_data_batch, sparse_row_id_fn=sparse_row_id_fn)
                except StopIteration:
                    end_of_batch = True
                if monitor is not None:
                    monitor.toc_print()
                if end_of_batch:
                    eval_name_vals = eval_metric.get_name_value()
                if batch_end_callback is not None:
                    params = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric, locals=locals())
                    for callback in _as_list(batch_end_callback):
                        callback(params)
                nbatch += 1
            for name, val in eval_name_vals:
                self.logger.info('Epoch[%d] Train-%s=%f', epoch, name, val)
            self.logger.info('Epoch[%d] Time cost=%.3f', epoch, time.time() - tic)
            arg_params, aux_params = self.get_params()
            self.set_params(arg_params, aux_params)
            if epoch_end_callback is not None:
                for callback in _as_list(epoch_end_callback):
                    callback(epoch, self.symbol, arg_params, aux_params)
            if eval_data:
                res = self.score(eval_data, validation_metric, score_end_callback=eval_end_callback,
                                 batch_end_callback=eval_batch_end_callback, epoch=epoch)
                for name, val in res:
                    self.logger.info('Epoch[%d] Validation-%s=%f', epoch, name, val)

    def prepare(self, data_batch, sparse_row_id_fn=None):
        super().prepare(data_batch, sparse_row_id_fn=sparse_row_id_fn)
        self._mod_aux.prepare(data_batch, sparse_row_id_fn=sparse_row_id_fn)
