"""The optimizers SVRGModule installs. ``_SVRGOptimizer`` routes each parameter by name: keys whose
name contains "full" (the full-gradient accumulators SVRGModule adds to a KVStore) go to
``_AssignmentOptimizer``, which copies the gradient into the weight; every other parameter goes to
the user's optimizer. Both are registered (as MXNet does) but meant for SVRGModule only."""
import minerva as mx  # noqa: F401  (MXNet's module exports the name)

from ... import optimizer as opt


@opt.register
class _AssignmentOptimizer(opt.Optimizer):
    """Sets the weight to the gradient (summing full gradients in a KVStore)."""

    def update(self, index, weight, grad, state):
        weight[:] = grad


# The Optimizer constructor arguments; the rest of _SVRGOptimizer's keyword arguments belong to the
# wrapped optimizer only.
_BASE_PARAMS = ('rescale_grad', 'param_idx2name', 'wd', 'clip_gradient', 'learning_rate', 'lr_scheduler', 'sym',
                'begin_num_update', 'multi_precision', 'param_dict')


@opt.register
class _SVRGOptimizer(opt.Optimizer):
    """Wraps default_optimizer (a name, built with all of kwargs, or an Optimizer) and an
    _AssignmentOptimizer; param_idx2name must name every index it will see."""

    def __init__(self, default_optimizer, **kwargs):
        super().__init__(**self._check_params(**kwargs))
        if isinstance(default_optimizer, str):
            self.default_opt = opt.create(default_optimizer, **kwargs)
        else:
            self.default_opt = default_optimizer
        self.aux_opt = opt.create(_AssignmentOptimizer.__name__)

    @staticmethod
    def _check_params(**kwargs):
        """The subset of kwargs that Optimizer itself takes."""
        return {key: value for key, value in kwargs.items() if key in _BASE_PARAMS}

    def update(self, index, weight, grad, state):
        if "full" in self._check_index(index):
            self.aux_opt.update(index, weight, grad, state)
        else:
            self.default_opt.update(index, weight, grad, state)

    def create_state(self, index, weight):
        if "full" in self._check_index(index):
            return self.aux_opt.create_state(index, weight)
        return self.default_opt.create_state(index, weight)

    def _check_index(self, index):
        """The parameter name of index: a name (a KVStore string key) is returned as it is."""
        if index in self.idx2name.values():
            return index
        if index not in self.idx2name:
            raise KeyError(f"_SVRGOptimizer: index {index!r} is not in param_idx2name "
                           f"({len(self.idx2name)} entries); SVRGModule.init_optimizer sets it")
        return self.idx2name[index]
