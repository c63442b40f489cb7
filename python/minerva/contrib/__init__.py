"""``mx.contrib``: MXNet 1.x's experimental corner. ``mx.contrib.nd``/``mx.contrib.ndarray`` and
``mx.contrib.sym``/``mx.contrib.symbol`` are the ``_contrib_*`` operators (``mx.nd.contrib``),
``mx.contrib.autograd`` the first autograd interface, ``mx.contrib.io.DataLoaderIter`` a Gluon
DataLoader seen as a DataIter, ``amp`` mixed precision (float16). ``text`` token counting,
vocabularies and embeddings read from local files, ``svrg_optimization`` SVRG training; ONNX,
quantization and TensorBoard are issue 15."""
from . import autograd, io  # noqa: F401
from . import ndarray  # noqa: F401
from . import ndarray as nd  # noqa: F401
from . import symbol  # noqa: F401
from . import symbol as sym  # noqa: F401
from . import amp  # noqa: F401
from . import text  # noqa: F401
from . import svrg_optimization  # noqa: F401
