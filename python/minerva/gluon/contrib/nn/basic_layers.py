"""MXNet 1.9.1's ``gluon.contrib.nn`` layers: Concurrent and HybridConcurrent (the children's
outputs side by side), Identity, SparseEmbedding, SyncBatchNorm and PixelShuffle1D/2D/3D.

Minerva runs on CPUs, where a batch is never split across devices: SyncBatchNorm is BatchNorm
over the whole batch (what synchronisation computes), and SparseEmbedding is an Embedding with
a dense weight (Minerva arrays are dense)."""
from __future__ import annotations

import warnings

from .... import context, nd
from ...block import Block, HybridBlock
from ...nn import BatchNorm, HybridSequential, Sequential
from ...nn.basic_layers import _children_of

__all__ = ["Concurrent", "HybridConcurrent", "Identity", "SparseEmbedding", "SyncBatchNorm", "PixelShuffle1D",
           "PixelShuffle2D", "PixelShuffle3D"]


class Concurrent(Sequential):
    """Feeds its input to every child and concatenates their outputs along ``axis``."""

    def __init__(self, axis=-1, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def forward(self, x):
        return nd.concat(*[block(x) for block in _children_of(self)], dim=self.axis)


class HybridConcurrent(HybridSequential):
    """Concurrent for hybrid children: can be hybridized."""

    def __init__(self, axis=-1, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self.axis = axis

    def hybrid_forward(self, F, x):
        return F.concat(*[block(x) for block in _children_of(self)], dim=self.axis)


class Identity(HybridBlock):
    """Returns its input (a residual branch in a HybridConcurrent, say)."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, x):
        return x


class SparseEmbedding(Block):
    """Embedding of indices into output_dim vectors. MXNet keeps the weight and its gradient
    as row-sparse arrays for huge vocabularies; Minerva's are dense, with the same values."""

    def __init__(self, input_dim, output_dim, dtype="float32", weight_initializer=None, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype, "sparse_grad": True}
        self.weight = self.params.get("weight", shape=(input_dim, output_dim), init=weight_initializer, dtype=dtype,
                                      grad_stype="row_sparse", stype="row_sparse")

    def forward(self, x):
        weight = self.weight.data(x.context)
        return nd.Embedding(x, weight, name="fwd", input_dim=self._kwargs["input_dim"],
                            output_dim=self._kwargs["output_dim"], dtype=self._kwargs["dtype"])

    def __repr__(self) -> str:
        return "{block_name}({input_dim} -> {output_dim}, {dtype})".format(
            block_name=self.__class__.__name__, **self._kwargs)


class SyncBatchNorm(BatchNorm):
    """Batch normalization over the whole mini-batch across devices (Zhang et al., 2018). On
    Minerva's CPU contexts the batch is one piece, so this is BatchNorm over axis 1;
    num_devices is accepted and recorded."""

    def __init__(self, in_channels=0, num_devices=None, momentum=0.9, epsilon=1e-5, center=True, scale=True,
                 use_global_stats=False, beta_initializer="zeros", gamma_initializer="ones",
                 running_mean_initializer="zeros", running_variance_initializer="ones", **kwargs):
        super().__init__(axis=1, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                         use_global_stats=use_global_stats, beta_initializer=beta_initializer,
                         gamma_initializer=gamma_initializer, running_mean_initializer=running_mean_initializer,
                         running_variance_initializer=running_variance_initializer, in_channels=in_channels,
                         **kwargs)
        self._num_devices = self._get_num_devices() if num_devices is None else num_devices

    def _get_num_devices(self) -> int:
        warnings.warn("Caution using SyncBatchNorm: if not using all the GPUs, please mannually set num_devices",
                      UserWarning, stacklevel=3)
        return max(context.num_gpus(), 1)


def _factors(factor, n: int) -> tuple:
    try:
        return (int(factor),) * n
    except TypeError:
        factors = tuple(int(f) for f in factor)
        assert len(factors) == n, f"wrong length {len(factors)}"
        return factors


class PixelShuffle1D(HybridBlock):
    """(N, f*C, W) -> (N, C, W*f): groups of f channels become f neighbouring positions."""

    def __init__(self, factor):
        super().__init__()
        self._factor = int(factor)

    def hybrid_forward(self, F, x):
        x = F.reshape(x, (0, -4, -1, self._factor, 0))  # channels split: (N, C, f, W)
        x = F.transpose(x, (0, 1, 3, 2))                # factor last: (N, C, W, f)
        return F.reshape(x, (0, 0, -3))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._factor})"


class PixelShuffle2D(HybridBlock):
    """(N, f1*f2*C, H, W) -> (N, C, H*f1, W*f2); factor is an int or a pair."""

    def __init__(self, factor):
        super().__init__()
        self._factors = _factors(factor, 2)

    def hybrid_forward(self, F, x):
        f1, f2 = self._factors
        x = F.reshape(x, (0, -4, -1, f1 * f2, 0, 0))
        x = F.reshape(x, (0, 0, -4, f1, f2, 0, 0))    # channels split: (N, C, f1, f2, H, W)
        x = F.transpose(x, (0, 1, 4, 2, 5, 3))        # each factor after its axis: (N, C, H, f1, W, f2)
        return F.reshape(x, (0, 0, -3, -3))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._factors})"


class PixelShuffle3D(HybridBlock):
    """(N, f1*f2*f3*C, D, H, W) -> (N, C, D*f1, H*f2, W*f3); factor is an int or a triple."""

    def __init__(self, factor):
        super().__init__()
        self._factors = _factors(factor, 3)

    def hybrid_forward(self, F, x):
        f1, f2, f3 = self._factors
        # Split the channels into (C, f1, f2, f3), interleave each factor after its spatial
        # axis, then merge each (axis, factor) pair.
        x = F.reshape(x, (0, -4, -1, f1 * f2 * f3, 0, 0, 0))
        x = F.reshape(x, (0, 0, -4, f1, f2 * f3, 0, 0, 0))
        x = F.reshape(x, (0, 0, 0, -4, f2, f3, 0, 0, 0))   # (N, C, f1, f2, f3, D, H, W)
        x = F.transpose(x, (0, 1, 5, 2, 6, 3, 7, 4))       # (N, C, D, f1, H, f2, W, f3)
        return F.reshape(x, (0, 0, -3, -3, -3))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._factors})"
