"""The bfloat16 AMP tables (MXNet 1.9.1's categories restricted to this registry), kept for code
that reads them. Minerva has no bfloat16 dtype, so AMP refuses ``target_dtype='bfloat16'``."""
from . import _mxnet_names as _mx
from ._registry import known, known_conditional

BF16_FUNCS = known(_mx.MX_BF16_BF16_FUNCS)
BF16_FP32_FUNCS = known(_mx.MX_BF16_BF16_FP32_FUNCS)
FP32_FUNCS = known(_mx.MX_BF16_FP32_FUNCS)
CONDITIONAL_FP32_FUNCS = known_conditional(_mx.MX_BF16_CONDITIONAL_FP32_FUNCS)
WIDEST_TYPE_CASTS = known(_mx.MX_BF16_WIDEST_TYPE_CASTS)
LOSS_OUTPUT_FUNCTIONS = known(_mx.MX_BF16_LOSS_OUTPUT_FUNCTIONS)
BF16_USE_FP32_PARAMS = {op: params for op, params in _mx.MX_BF16_BF16_USE_FP32_PARAMS.items() if op in BF16_FUNCS}
