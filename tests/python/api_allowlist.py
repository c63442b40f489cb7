"""What of MXNet 1.9.1's Python API Minerva deliberately does not mirror, each with its reason
(docs/api_conformance.md). Patterns are fnmatch globs over MXNet's dotted module names and the
names in them. Names issue 10 still owes are not here: they are in api_pending.json."""

CTYPES = ("ctypes plumbing: MXNet talks to libmxnet through ctypes handles and buffers; Minerva's "
          "binding is cffi over its own C ABI, where these have no meaning")
CUDA = "CUDA-only: Minerva has no GPU backend yet (mx.gpu() reports a clear 'built without CUDA' error)"
NUMPY = ("the mx.np / mx.npx NumPy-compatible interface (and its numpy-shape/array semantics): later "
         "work, after the classic NDArray API is complete")
SPARSE = "sparse storage (row_sparse, csr): later work; Minerva's arrays are dense"
GENERATED = ("MXNet writes its generated operator functions into gen_* files; Minerva generates them "
             "at import into mx.nd / mx.sym and their op, _internal, contrib, linalg, image and random "
             "submodules, which are checked instead")
IMAGE = "images, RecordIO and the model zoo: issue 16"
DIST = "KVStore server and distributed training: issue 13"
EXPORT = "ONNX, TensorBoard, quantization and TensorRT: issue 15"
TVM = "TVM-generated operators (mx.tvmop, mx.space): an optional MXNet build feature with no Minerva counterpart"
EXTENSION = ("MXNet's C++ extension-library loader (lib_api.h plugins): Minerva extends through its "
             "own operator registry and custom operators")
INDEXING = ("MXNet's NDArray-indexing helpers, public by accident (ndarray.py's module level); Minerva's "
            "indexing lives in NDArray.__getitem__/__setitem__")
GRADIENT_OPS = ("gradient operators of contrib operators that MXNet's prefix stripping made public by "
                "accident (_contrib_backward_X); Minerva's gradient operators are internal")
LEGACY = "removed plugins and documentation-build internals of MXNet, not an API user code calls"
EXECUTOR_GROUP = ("MXNet's internal machinery that splits a batch over several devices for Module and FeedForward "
                  "(mx.executor_manager, mx.module.executor_group): Minerva's Module binds one executor on one "
                  "context and has no multi-device data parallelism yet; user code drives Module/FeedForward, "
                  "which are present")
DLPACK = ("DLPack zero-copy exchange (to_dlpack_for_read/write, from_dlpack and their ctypes structures): "
          "later work, it needs a C ABI that hands array memory to another framework and adopts theirs, which "
          "Minerva's does not have yet; asnumpy and from_numpy (a copy) exchange data meanwhile")
KVSTORE_HANDLE = ("MXNet's KVStore(handle) wraps a libmxnet store handle (and kvstore.base imports the profiler's "
                  "set_kvstore_handle for it); Minerva's single-process KVStore is Python, made by "
                  "mx.kv.create(name) as in MXNet, so it is constructed from the store type instead")
DATALOADER_IPC = ("MXNet's DataLoader multiprocessing plumbing (NDArrays passed between processes as shared-memory "
                  "file descriptors, its Queue/SimpleQueue/ConnectionWrapper and the V1 worker loops); Minerva's "
                  "DataLoader workers send batches their own way (gluon/data/dataloader.py) and these internals "
                  "have no meaning there; DataLoader and DataLoaderV1 are present")
THIRD_PARTY = ("a third-party module MXNet imports for itself (requests, for downloads): Minerva's download uses "
               "the standard library; a script that uses requests imports it")
V1_OPERATORS = ("MXNet's deprecated legacy operators BatchNorm_v1 (no moving-statistics inputs) and Pooling_v1 "
                "(max/avg/sum without p_value, count_include_pad, layout): their parameter sets differ from "
                "BatchNorm's and Pooling's, which compute the same results and which current MXNet code uses; "
                "Convolution_v1, with Convolution's parameters, is present as its alias")
INCIDENTAL_STDLIB = ("a standard-library module or object MXNet's module imported for itself (os, sys, "
                     "logging, OrderedDict...): a script that uses it imports it")

# MXNet module (glob) -> reason; every name of the module is allowed.
MODULES = {
    "mxnet.numpy": NUMPY, "mxnet.numpy.*": NUMPY, "mxnet.numpy_extension*": NUMPY,
    "mxnet.ndarray.numpy*": NUMPY, "mxnet.symbol.numpy*": NUMPY,
    "mxnet.numpy_dispatch_protocol": NUMPY, "mxnet.numpy_op_fallback": NUMPY, "mxnet.numpy_op_signature": NUMPY,
    "mxnet.ndarray.sparse": SPARSE, "mxnet.symbol.sparse": SPARSE,
    "mxnet.ndarray.gen_*": GENERATED, "mxnet.symbol.gen_*": GENERATED,
    "mxnet.image": IMAGE, "mxnet.image.*": IMAGE, "mxnet.recordio": IMAGE, "mxnet.gluon.model_zoo*": IMAGE,
    "mxnet.kvstore.kvstore_server": DIST,
    "mxnet.onnx*": EXPORT, "mxnet.contrib.onnx*": EXPORT, "mxnet.contrib.quantization": EXPORT,
    "mxnet.contrib.tensorboard": EXPORT,
    "mxnet.rtc": CUDA,
    "mxnet.tvmop": TVM, "mxnet.space": TVM,
    "mxnet.library": EXTENSION,
    "mxnet.cython": CTYPES, "mxnet.api": CTYPES,
    "mxnet.executor_manager": EXECUTOR_GROUP, "mxnet.module.executor_group": EXECUTOR_GROUP,
    "mxnet.torch": LEGACY, "mxnet.ndarray_doc": LEGACY, "mxnet.symbol_doc": LEGACY,
}

# (MXNet module glob, name glob, reason) for single names in modules that are otherwise checked.
NAMES = [
    ("*", "ctypes", CTYPES),
    ("*", "*Handle", CTYPES),
    ("*", "c_array", CTYPES), ("*", "c_array_buf", CTYPES), ("*", "c_handle_array", CTYPES),
    ("*", "c_str", CTYPES), ("*", "c_str_array", CTYPES),
    ("*", "ctypes2buffer", CTYPES), ("*", "ctypes2numpy_shared", CTYPES),
    ("*", "mx_uint", CTYPES), ("*", "mx_int", CTYPES), ("*", "mx_int64", CTYPES),
    ("*", "mx_float", CTYPES), ("*", "mx_float_p", CTYPES),
    ("*", "MXCallbackList", CTYPES), ("mxnet.operator", "c_int_p", CTYPES),
    ("mxnet.base", "get_last_ffi_error", CTYPES),
    ("mxnet.base", "c2pyerror", CTYPES),
    ("mxnet.ndarray*", "_new_empty_handle", CTYPES), ("mxnet.ndarray*", "_new_alloc_handle", CTYPES),
    ("mxnet.ndarray*", "NDArrayBase", CTYPES), ("mxnet.symbol*", "SymbolBase", CTYPES),
    ("mxnet.ndarray*", "get_indexing_dispatch_code", INDEXING),
    ("mxnet.ndarray*", "indexing_key_expand_implicit_axes", INDEXING),
    ("mxnet.ndarray*", "get_oshape_of_gather_nd_op", INDEXING),
    ("mxnet.ndarray*", "BatchNorm_v1", V1_OPERATORS), ("mxnet.symbol*", "BatchNorm_v1", V1_OPERATORS),
    ("mxnet.ndarray*", "Pooling_v1", V1_OPERATORS), ("mxnet.symbol*", "Pooling_v1", V1_OPERATORS),
    ("mxnet.ndarray*", "check_boolean_array_dimension", INDEXING),
    ("mxnet.ndarray*", "*dlpack*", DLPACK), ("mxnet.ndarray.ndarray", "DL*", DLPACK),
    ("mxnet.ndarray*", "imdecode", IMAGE),
    ("mxnet.ndarray*", "py_slice", INDEXING), ("mxnet.symbol*", "py_slice", INDEXING),
    # numpy-interface switches and views of classic arrays
    ("mxnet", "np", NUMPY), ("mxnet", "npx", NUMPY), ("mxnet", "numpy*", NUMPY), ("*", "np_symbol", NUMPY),
    ("*", "use_np_array", NUMPY), ("*", "np_array", NUMPY),
    ("mxnet.util", "set_np", NUMPY), ("mxnet.util", "reset_np", NUMPY),
    ("mxnet.util", "np_ufunc_legal_option", NUMPY), ("mxnet.util", "wrap_np_*", NUMPY),
    ("mxnet.ndarray", "numpy*", NUMPY), ("mxnet.symbol", "numpy*", NUMPY),
    ("mxnet.ndarray", "np", NUMPY), ("mxnet.ndarray", "npx", NUMPY),
    ("mxnet.symbol", "np", NUMPY), ("mxnet.symbol", "npx", NUMPY),
    ("mxnet.ndarray*", "as_np_ndarray", NUMPY), ("mxnet.symbol*", "as_np_ndarray", NUMPY),
    ("mxnet.symbol.symbol", "_Symbol", NUMPY),
    # sparse
    ("mxnet.ndarray*", "sparse", SPARSE), ("mxnet.symbol*", "sparse", SPARSE),
    ("mxnet.optimizer*", "sparse", SPARSE),
    ("mxnet.io*", "CSRNDArray", SPARSE), ("mxnet.io*", "sparse_array", SPARSE),
    ("mxnet.ndarray*", "*CSRNDArray", SPARSE), ("mxnet.ndarray*", "*RowSparseNDArray", SPARSE),
    ("mxnet.ndarray*", "BaseSparseNDArray", SPARSE),
    ("mxnet.ndarray*", "csr_matrix", SPARSE), ("mxnet.ndarray*", "row_sparse_array", SPARSE),
    ("mxnet.ndarray*", "cast_storage", SPARSE), ("mxnet.symbol*", "cast_storage", SPARSE),
    ("mxnet.ndarray*", "sparse_retain", SPARSE), ("mxnet.symbol*", "sparse_retain", SPARSE),
    ("mxnet.ndarray*", "_ndarray_cls", SPARSE), ("mxnet.ndarray*", "spsp", SPARSE),
    ("*", "_STORAGE_TYPE*", SPARSE),
    ("mxnet.ndarray*", "gen_*", GENERATED), ("mxnet.symbol*", "gen_*", GENERATED),
    # contrib operators outside this work
    ("mxnet.*contrib*", "quantize*", EXPORT), ("mxnet.*contrib*", "quantized_*", EXPORT),
    ("mxnet.*contrib*", "requantize", EXPORT), ("mxnet.*contrib*", "dequantize", EXPORT),
    ("mxnet.*contrib*", "calibrate_entropy", EXPORT),
    ("mxnet.*contrib*", "dgl_*", SPARSE), ("mxnet.*contrib*", "edge_id", SPARSE),
    ("mxnet.*contrib*", "getnnz", SPARSE), ("mxnet.*contrib*", "SparseEmbedding", SPARSE),
    ("mxnet.*contrib*", "fft", CUDA), ("mxnet.*contrib*", "ifft", CUDA),
    ("mxnet.*contrib*", "backward_*", GRADIENT_OPS),
    # GPU
    ("mxnet.util", "get_gpu_count", CUDA), ("mxnet.util", "get_gpu_memory", CUDA),
    ("mxnet.util", "get_cuda_compute_capability", CUDA),
    ("mxnet", "rtc", CUDA),
    # other areas
    ("mxnet", "image", IMAGE), ("mxnet", "img", IMAGE), ("mxnet", "recordio", IMAGE),
    ("mxnet.gluon", "model_zoo", IMAGE),
    ("mxnet.gluon.data*", "RecordFileDataset", IMAGE), ("mxnet.gluon.data*", "recordio", IMAGE),
    ("mxnet.gluon.data.vision*", "ImageFolderDataset", IMAGE),
    ("mxnet.gluon.data.vision*", "ImageRecordDataset", IMAGE),
    ("mxnet.gluon.data.vision.datasets", "image", IMAGE),
    ("mxnet.gluon.data.dataloader", "ConnectionWrapper", DATALOADER_IPC),
    ("mxnet.gluon.data.dataloader", "*Queue", DATALOADER_IPC),
    ("mxnet.gluon.data.dataloader", "*_loop_v1", DATALOADER_IPC),
    ("mxnet.gluon.data.dataloader", "rebuild_ndarray", DATALOADER_IPC),
    ("mxnet.gluon.data.dataloader", "reduce_ndarray", DATALOADER_IPC),
    ("mxnet.gluon.data.dataloader", "*_np_ndarray", NUMPY), ("mxnet.gluon.data.dataloader", "set_np", NUMPY),
    ("*", "requests", THIRD_PARTY), ("mxnet.io*", "ImageRecordIter*", IMAGE),
    ("mxnet.io*", "ImageDetRecordIter", IMAGE), ("mxnet.io*", "ImageRecordUInt8Iter*", IMAGE),
    ("mxnet.io*", "ImageRecordInt8Iter", IMAGE),
    ("mxnet.kvstore", "kvstore_server", DIST), ("mxnet.kvstore*", "KVStoreServer", DIST),
    ("mxnet.kvstore*", "KVStore", KVSTORE_HANDLE), ("mxnet.gluon.trainer", "KVStore", KVSTORE_HANDLE),
    ("mxnet.kvstore.base", "set_kvstore_handle", KVSTORE_HANDLE),
    ("mxnet", "onnx", EXPORT), ("mxnet.contrib", "onnx", EXPORT),
    ("mxnet.contrib", "quantization", EXPORT), ("mxnet.contrib", "quant", EXPORT),
    ("mxnet.contrib", "tensorboard", EXPORT), ("mxnet.contrib", "tensorrt", EXPORT),
    ("mxnet.libinfo", "find_conf_path", TVM),
    ("mxnet", "tvmop", TVM), ("mxnet", "space", TVM), ("mxnet", "library", EXTENSION),
    ("mxnet", "cython", CTYPES), ("mxnet", "api", CTYPES),
    ("mxnet", "executor_manager", EXECUTOR_GROUP), ("mxnet.module", "executor_group", EXECUTOR_GROUP),
    ("*", "DataParallelExecutorGroup", EXECUTOR_GROUP), ("*", "DataParallelExecutorManager", EXECUTOR_GROUP),
    ("mxnet", "torch", LEGACY), ("mxnet", "th", LEGACY), ("mxnet", "ndarray_doc", LEGACY),
    ("mxnet", "symbol_doc", LEGACY),
    # contrib operators MXNet 1.9.1 only computes on a GPU: count_sketch has a CUDA kernel only, and
    # group_adagrad_update has no CPU kernel (mx.optimizer.contrib.GroupAdaGrad is present).
    ("mxnet*contrib*", "count_sketch", CUDA), ("mxnet*contrib*", "group_adagrad_update", CUDA),
    # allclose answers with a 0-d array, a shape classic NDArrays cannot hold.
    ("mxnet*contrib*", "allclose", NUMPY),
    ("mxnet.gluon.data.vision.transforms", "image", IMAGE),
]
