"""Minerva's float16 AMP tables: MXNet 1.9.1's categories, restricted to the operators this
build's registry has.

- ``FP16_FUNCS``: run in float16 (their float inputs are cast to float16).
- ``FP16_FP32_FUNCS``: run in whichever float type their inputs have.
- ``FP32_FUNCS``: run in float32 (their float16 inputs are cast to float32).
- ``CONDITIONAL_FP32_FUNCS``: (op, parameter, values): float32 when the parameter has one of the values.
- ``WIDEST_TYPE_CASTS``: inputs of mixed float types are all cast to the widest.
- ``LOSS_OUTPUT_FUNCTIONS``: loss outputs whose gradient AMP scales (``grad_scale``)."""
from . import _mxnet_names as _mx
from ._registry import known, known_conditional

FP16_FUNCS = known(_mx.MX_FP16_FP16_FUNCS)
FP16_FP32_FUNCS = known(_mx.MX_FP16_FP16_FP32_FUNCS)
FP32_FUNCS = known(_mx.MX_FP16_FP32_FUNCS)
CONDITIONAL_FP32_FUNCS = known_conditional(_mx.MX_FP16_CONDITIONAL_FP32_FUNCS)
WIDEST_TYPE_CASTS = known(_mx.MX_FP16_WIDEST_TYPE_CASTS)
LOSS_OUTPUT_FUNCTIONS = known(_mx.MX_FP16_LOSS_OUTPUT_FUNCTIONS)
