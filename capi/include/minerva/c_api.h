/*
 * Minerva C ABI — the only door into libminerva (DESIGN.md, ABI.md).
 *
 * Overview. Python (cffi), R (.Call), the JVM (JNI) and Julia (ccall) bind these flat functions
 * by name. Objects are opaque handles; every function returns an int status; nothing else in the
 * library is exported.
 *
 * Lifecycle of a computation:
 *   1. MVNDArrayCreate(shape, ndim, MV_DTYPE_FLOAT32, MV_DEV_CPU, 0, &a)   -> a is yours to free
 *   2. MVNDArraySyncCopyFromCPU(a, data, nbytes)                           -> fill it
 *   3. MVOpGetHandle("relu", &op); MVOpParamsCreate(op, 0, NULL, NULL, &p) -> a cached parameter set
 *   4. MVImperativeInvoke(op, p, 1, &a, &nout, &outs)                     -> returns before the math runs
 *   5. MVNDArraySyncCopyToCPU(outs[0], buf, nbytes)                       -> waits, then copies
 *   6. MVNDArrayFree(outs[0]); MVNDArrayFree(a); MVOpParamsFree(p)
 *
 * Errors. 0 means success; a failure returns a positive MVErrorKind and leaves every
 * out-parameter unchanged. MVGetLastError() returns this thread's message for the last failure,
 * naming the function or operator, the argument, what was expected and what was given.
 * Errors inside asynchronous operations surface at the next wait on an affected array.
 *
 * Ownership. MV_OUT_OWNED(f): the caller owns the result and releases it with f.
 * MV_OUT_BORROWED(l): the library owns it; it stays valid for lifetime l. "thread" means until the
 * next call into this library on the same thread. Every MV...Free(NULL) is a no-op returning 0.
 *
 * Thread safety. Unless a function says otherwise: calls on distinct handles may run
 * concurrently; read-only queries on one handle may run concurrently; mutating one handle needs
 * the caller's synchronisation. Autograd recording and training modes are per thread.
 *
 * Versioning. MV_ABI_VERSION only grows; a released function never changes signature or meaning.
 * Every function says which ABI level introduced it.
 */
#ifndef MINERVA_C_API_H_
#define MINERVA_C_API_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* tools/codegen/cdef.py defines MV_DLL as empty to get a declaration list cffi can parse. */
#ifndef MV_DLL
#if defined(__GNUC__)
#define MV_DLL __attribute__((visibility("default")))
#else
#define MV_DLL
#endif
#endif

/* Ownership annotations read by tools/codegen; they expand to nothing. */
#define MV_IN
#define MV_IN_OPT
#define MV_OUT
#define MV_IN_ARRAY(n)
#define MV_OUT_OWNED(free_fn)
#define MV_OUT_BORROWED(lifetime)

#define MV_ABI_VERSION 3

/* Section: Types =============================================================================== */

/* Opaque handles, one distinct pointer type per kind so C catches mix-ups. */
typedef struct MVNDArray_* MVNDArrayHandle;
typedef struct MVOp_* MVOpHandle;             /* registry entries: static, never freed */
typedef struct MVOpParams_* MVOpParamsHandle; /* a parsed (operator, parameters) pair */
typedef struct MVSymbol_* MVSymbolHandle;     /* a symbolic graph's outputs; since ABI 2 */
typedef struct MVExecutor_* MVExecutorHandle; /* a symbol bound to arrays; since ABI 2 */
typedef struct MVCachedOp_* MVCachedOpHandle; /* a graph compiled for imperative calls; since ABI 2 */
typedef struct MVCustomOpCall_* MVCustomOpCallHandle; /* one request to a custom operator; since ABI 3 */
typedef struct MVProfileDomain_* MVProfileDomainHandle; /* a profiler domain; since ABI 3 */
typedef struct MVProfileObject_* MVProfileObjectHandle; /* a profiler task, frame, event or counter; since ABI 3 */

/* Failure kinds returned by every function (0 is success). */
typedef enum {
  MV_OK = 0,
  MV_ERR_VALUE = 1,
  MV_ERR_TYPE = 2,
  MV_ERR_INDEX = 3,
  MV_ERR_KEY = 4,
  MV_ERR_NOT_FOUND = 5,
  MV_ERR_IO = 6,
  MV_ERR_MEMORY = 7,
  MV_ERR_UNSUPPORTED = 8,
  MV_ERR_INVALID_HANDLE = 9,
  MV_ERR_INTERNAL = 10
} MVErrorKind;

/* Element types: MXNet 1.x type codes, so files and bindings agree with MXNet. */
typedef enum {
  MV_DTYPE_FLOAT32 = 0,
  MV_DTYPE_FLOAT64 = 1,
  MV_DTYPE_FLOAT16 = 2,
  MV_DTYPE_UINT8 = 3,
  MV_DTYPE_INT32 = 4,
  MV_DTYPE_INT8 = 5,
  MV_DTYPE_INT64 = 6,
  MV_DTYPE_BOOL = 7
} MVDType;

/* Device types: MXNet's codes. */
typedef enum { MV_DEV_CPU = 1, MV_DEV_GPU = 2 } MVDeviceType;

/* grad_req values: MXNet's OpReqType codes. */
typedef enum { MV_GRAD_NULL = 0, MV_GRAD_WRITE = 1, MV_GRAD_ADD = 3 } MVGradReq;

/* Kinds of profiler objects (MVProfileObjectCreate); since ABI 3. */
typedef enum { MV_PROFILE_TASK = 0, MV_PROFILE_FRAME = 1, MV_PROFILE_EVENT = 2, MV_PROFILE_COUNTER = 3 } MVProfileObjectKind;

/* Library version (frozen POD value type). */
typedef struct {
  int major;
  int minor;
  int patch;
} MVVersion;

/* Section: Library ============================================================================= */

/*! \brief The ABI level of the loaded library (compare with MV_ABI_VERSION). Since ABI 1.
 *  \param out receives the level. \return 0 on success, else an MVErrorKind. Thread-safe. */
MV_DLL int MVGetABIVersion(MV_OUT int* out);

/*! \brief The library's semantic version. Since ABI 1. Thread-safe. */
MV_DLL int MVGetVersion(MV_OUT MVVersion* out);

/*! \brief Build features as JSON: {"version", "abi", "blas", "openmp", "onednn", "cuda", "engine"}.
 *  \param out MV_OUT_BORROWED(process): a static string. Since ABI 1. Thread-safe. */
MV_DLL int MVGetBuildInfo(MV_OUT_BORROWED(process) const char** out);

/*! \brief This thread's message for its last failed call ("" if none). Never NULL.
 *  Only failing calls change it. Since ABI 1. */
MV_DLL const char* MVGetLastError(void);

/* Section: NDArray ============================================================================= */

/*! \brief Creates a zero-filled array. Since ABI 1.
 *  \param shape ndim dimensions, each >= 0 (ndim >= 1; MXNet 1.x has no 0-d arrays).
 *  \param dtype an MVDType code. \param dev_type MV_DEV_CPU (MV_DEV_GPU fails: built without CUDA).
 *  \param out MV_OUT_OWNED(MVNDArrayFree). */
MV_DLL int MVNDArrayCreate(MV_IN_ARRAY(ndim) const int64_t* shape, int ndim, int dtype, int dev_type, int dev_id,
                           MV_OUT_OWNED(MVNDArrayFree) MVNDArrayHandle* out);

/*! \brief Releases a handle. Pending operations keep the memory alive until they finish.
 *  NULL is a no-op. Safe from any thread. Since ABI 1. */
MV_DLL int MVNDArrayFree(MV_IN_OPT MVNDArrayHandle handle);

/*! \brief Shape of an array. \param out_shape MV_OUT_BORROWED(thread), out_ndim entries. Since ABI 1. */
MV_DLL int MVNDArrayGetShape(MV_IN MVNDArrayHandle handle, MV_OUT int* out_ndim,
                             MV_OUT_BORROWED(thread) const int64_t** out_shape);

/*! \brief dtype code (MVDType) of an array. Since ABI 1. */
MV_DLL int MVNDArrayGetDType(MV_IN MVNDArrayHandle handle, MV_OUT int* out_dtype);

/*! \brief Device of an array. Since ABI 1. */
MV_DLL int MVNDArrayGetContext(MV_IN MVNDArrayHandle handle, MV_OUT int* out_dev_type, MV_OUT int* out_dev_id);

/*! \brief Copies nbytes from host memory into the array, after pending reads and writes.
 *  nbytes must equal size * itemsize. Blocks until the copy is done. Since ABI 1. */
MV_DLL int MVNDArraySyncCopyFromCPU(MV_IN MVNDArrayHandle handle, MV_IN const void* data, size_t nbytes);

/*! \brief Waits for pending writes, then copies the array into host memory of nbytes
 *  (= size * itemsize). Raises an asynchronous error of the array's producer. Since ABI 1. */
MV_DLL int MVNDArraySyncCopyToCPU(MV_IN MVNDArrayHandle handle, MV_OUT void* data, size_t nbytes);

/*! \brief Copies src into dst (same shape; dtypes may differ: converts) through the engine;
 *  returns before the copy runs. Since ABI 1. */
MV_DLL int MVNDArrayCopyTo(MV_IN MVNDArrayHandle src, MV_IN MVNDArrayHandle dst);

/*! \brief A view with another shape and the same number of elements (no special values).
 *  \param out MV_OUT_OWNED(MVNDArrayFree); shares memory with handle. Since ABI 1. */
MV_DLL int MVNDArrayReshape(MV_IN MVNDArrayHandle handle, MV_IN_ARRAY(ndim) const int64_t* shape, int ndim,
                            MV_OUT_OWNED(MVNDArrayFree) MVNDArrayHandle* out);

/*! \brief A view of rows [begin, end) on axis 0. \param out MV_OUT_OWNED(MVNDArrayFree). Since ABI 1. */
MV_DLL int MVNDArraySlice(MV_IN MVNDArrayHandle handle, int64_t begin, int64_t end,
                          MV_OUT_OWNED(MVNDArrayFree) MVNDArrayHandle* out);

/*! \brief A view of row `index` on axis 0, that axis dropped ((1,) for a 1-d array).
 *  \param out MV_OUT_OWNED(MVNDArrayFree). Since ABI 1. */
MV_DLL int MVNDArrayAt(MV_IN MVNDArrayHandle handle, int64_t index, MV_OUT_OWNED(MVNDArrayFree) MVNDArrayHandle* out);

/*! \brief The same data without autograd history. \param out MV_OUT_OWNED(MVNDArrayFree). Since ABI 1. */
MV_DLL int MVNDArrayDetach(MV_IN MVNDArrayHandle handle, MV_OUT_OWNED(MVNDArrayFree) MVNDArrayHandle* out);

/*! \brief Blocks until pending writes to the array finish; raises their error. Since ABI 1. */
MV_DLL int MVNDArrayWaitToRead(MV_IN MVNDArrayHandle handle);

/*! \brief Blocks until pending reads and writes of the array finish. Since ABI 1. */
MV_DLL int MVNDArrayWaitToWrite(MV_IN MVNDArrayHandle handle);

/*! \brief Blocks until every pushed operation finishes; raises the first unseen error. Since ABI 1. */
MV_DLL int MVNDArrayWaitAll(void);

/*! \brief Number of bumps of the array's memory by writes (autograd's in-place check). Since ABI 1. */
MV_DLL int MVNDArrayGetVersion(MV_IN MVNDArrayHandle handle, MV_OUT uint64_t* out);

/*! \brief Saves arrays in MXNet's NDArray file format, atomically (temp file + rename).
 *  \param keys NULL for a list file, else num names (a dict file). Since ABI 1. */
MV_DLL int MVNDArraySave(MV_IN const char* fname, size_t num, MV_IN_ARRAY(num) const MVNDArrayHandle* arrays,
                         MV_IN_OPT const char** keys);

/*! \brief Loads an MXNet NDArray file (list or dict form).
 *  \param out_arrays MV_OUT_BORROWED(thread) array of out_num handles, each MV_OUT_OWNED(MVNDArrayFree).
 *  \param out_names MV_OUT_BORROWED(thread) array of out_num_names strings (0 for a list file).
 *  Since ABI 1. */
MV_DLL int MVNDArrayLoad(MV_IN const char* fname, MV_OUT size_t* out_num,
                         MV_OUT_BORROWED(thread) MVNDArrayHandle** out_arrays, MV_OUT size_t* out_num_names,
                         MV_OUT_BORROWED(thread) const char*** out_names);

/*! \brief Saves arrays into a byte buffer in the NDArray file format.
 *  \param out_buf MV_OUT_BORROWED(thread), out_size bytes. Since ABI 1. */
MV_DLL int MVNDArraySaveToBuffer(size_t num, MV_IN_ARRAY(num) const MVNDArrayHandle* arrays,
                                 MV_IN_OPT const char** keys, MV_OUT_BORROWED(thread) const void** out_buf,
                                 MV_OUT size_t* out_size);

/*! \brief Loads arrays from a byte buffer in the NDArray file format; outputs as MVNDArrayLoad.
 *  Since ABI 1. */
MV_DLL int MVNDArrayLoadFromBuffer(MV_IN const void* buf, size_t size, MV_OUT size_t* out_num,
                                   MV_OUT_BORROWED(thread) MVNDArrayHandle** out_arrays,
                                   MV_OUT size_t* out_num_names, MV_OUT_BORROWED(thread) const char*** out_names);

/* Section: Operators =========================================================================== */

/*! \brief Names of all registered operators (primary names, sorted).
 *  \param out_names MV_OUT_BORROWED(process): static strings. Since ABI 1. Thread-safe. */
MV_DLL int MVListOps(MV_OUT size_t* out_num, MV_OUT_BORROWED(process) const char*** out_names);

/*! \brief Looks an operator up by name or alias; unknown names fail with MV_ERR_NOT_FOUND and
 *  close matches. \param out MV_OUT_BORROWED(process). Since ABI 1. Thread-safe. */
MV_DLL int MVOpGetHandle(MV_IN const char* name, MV_OUT_BORROWED(process) MVOpHandle* out);

/*! \brief The operator's schema as one JSON document: name, aliases, doc, file, params (name,
 *  type, required, default, optional, doc, values, min, max, kind: "axis", "axes",
 *  "permutation", "per_dim", "pad_pairs", "list" or "" -- what a dimension-related value means,
 *  so bindings can reorder it), inputs, hidden_inputs (auxiliary states left out of call
 *  signatures), variadic, variadic_group, variadic_extra, inputs_depend_on_params,
 *  num_outputs, differentiable, uses_rng, method, samples (the declared test cases: shapes,
 *  params, lo, hi, index_inputs, index_high, no_grad_inputs, grad_check). Readers ignore keys
 *  they do not know; keys are only ever added.
 *  \param out_json MV_OUT_BORROWED(process). Since ABI 1. Thread-safe. */
MV_DLL int MVOpGetSchemaJSON(MV_IN MVOpHandle op, MV_OUT_BORROWED(process) const char** out_json);

/*! \brief The names of the operator's inputs for these parameters (they can depend on them:
 *  no_bias, num_args). \param out_names MV_OUT_BORROWED(thread). Since ABI 1. */
MV_DLL int MVOpParamsListInputs(MV_IN MVOpParamsHandle params, MV_OUT size_t* out_num,
                                MV_OUT_BORROWED(thread) const char*** out_names);

/*! \brief Parses string parameters (MXNet convention: "num_hidden"="10", "kernel"="(3,3)") once.
 *  Unknown names, malformed or out-of-range values fail, listing the valid parameters.
 *  \param out MV_OUT_OWNED(MVOpParamsFree); immutable, usable from many threads. Since ABI 1. */
MV_DLL int MVOpParamsCreate(MV_IN MVOpHandle op, int num, MV_IN_ARRAY(num) const char** keys,
                            MV_IN_ARRAY(num) const char** vals, MV_OUT_OWNED(MVOpParamsFree) MVOpParamsHandle* out);

/*! \brief Releases a parameter set. NULL is a no-op. Since ABI 1. */
MV_DLL int MVOpParamsFree(MV_IN_OPT MVOpParamsHandle params);

/*! \brief Runs an operator imperatively. Returns once the work is queued on the engine.
 *  \param params parameters from MVOpParamsCreate for this op.
 *  \param inout_num_outputs in: the number of preallocated outputs in *inout_outputs (0 to let
 *         the call allocate); out: the number of visible outputs.
 *  \param inout_outputs in: NULL or preallocated output handles; out: when the call allocated,
 *         MV_OUT_BORROWED(thread) array of handles, each MV_OUT_OWNED(MVNDArrayFree).
 *  While autograd records (this thread), the call is recorded. Since ABI 1. */
MV_DLL int MVImperativeInvoke(MV_IN MVOpHandle op, MV_IN MVOpParamsHandle params, int num_inputs,
                              MV_IN_ARRAY(num_inputs) const MVNDArrayHandle* inputs, MV_OUT int* inout_num_outputs,
                              MV_OUT MVNDArrayHandle** inout_outputs);

/* Section: Autograd ============================================================================ */

/*! \brief Turns recording on or off for this thread. \param prev receives the old value. Since ABI 1. */
MV_DLL int MVAutogradSetIsRecording(int is_recording, MV_OUT int* prev);

/*! \brief Sets training mode (1) or predict mode (0) for this thread. Since ABI 1. */
MV_DLL int MVAutogradSetIsTraining(int is_training, MV_OUT int* prev);

/*! \brief Current recording state of this thread. Since ABI 1. */
MV_DLL int MVAutogradIsRecording(MV_OUT int* out);

/*! \brief Current training mode of this thread. Since ABI 1. */
MV_DLL int MVAutogradIsTraining(MV_OUT int* out);

/*! \brief Marks arrays as variables whose gradients go into grads[i] per reqs[i] (MVGradReq).
 *  The handles keep their identity: later recorded uses of vars[i] are tracked. Since ABI 1. */
MV_DLL int MVAutogradMarkVariables(int num, MV_IN_ARRAY(num) MVNDArrayHandle* vars, MV_IN_ARRAY(num) const int* reqs,
                                   MV_IN_ARRAY(num) MVNDArrayHandle* grads);

/*! \brief The gradient buffer of a marked variable, or *out = NULL when unmarked.
 *  \param out MV_OUT_OWNED(MVNDArrayFree). Since ABI 1. */
MV_DLL int MVNDArrayGetGrad(MV_IN MVNDArrayHandle handle, MV_OUT_OWNED(MVNDArrayFree) MVNDArrayHandle* out);

/*! \brief Back-propagates from heads. head_grads may be NULL, or hold NULL entries (ones).
 *  With num_vars == 0 gradients go into the marked variables' buffers; otherwise they are
 *  returned in *out_grads (MV_OUT_BORROWED(thread) array of num_vars handles, each
 *  MV_OUT_OWNED(MVNDArrayFree)) and buffers are untouched. create_graph records the gradient
 *  computation for higher-order gradients. Since ABI 1. */
MV_DLL int MVAutogradBackward(int num_heads, MV_IN_ARRAY(num_heads) const MVNDArrayHandle* heads,
                              MV_IN_OPT const MVNDArrayHandle* head_grads, int num_vars,
                              MV_IN_OPT const MVNDArrayHandle* vars, int retain_graph, int create_graph, int is_train,
                              MV_OUT_BORROWED(thread) MVNDArrayHandle** out_grads);

/*! \brief The recorded computation of an array as a symbol (MXNet's autograd.get_symbol):
 *  recorded operators become nodes "node_<k>", marked variables "var<k>" and untracked inputs
 *  "null<k>". An array not computed under recording (nor marked) is an MV_ERR_VALUE error.
 *  \param out MV_OUT_OWNED(MVSymbolFree). Since ABI 3. */
MV_DLL int MVAutogradGetSymbol(MV_IN MVNDArrayHandle handle, MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/* Section: Random ============================================================================== */

/*! \brief Seeds every device's generator (ordered after pending random operations). Since ABI 1. */
MV_DLL int MVRandomSeed(uint64_t seed);

/*! \brief Seeds one device's generator. Since ABI 1. */
MV_DLL int MVRandomSeedContext(uint64_t seed, int dev_type, int dev_id);

/* Section: Storage ============================================================================= */

/*! \brief Allocator statistics as JSON: bytes_in_use, peak_bytes, bytes_pooled, num_allocs,
 *  num_os_allocs. \param out_json MV_OUT_BORROWED(thread). Since ABI 1. Thread-safe. */
MV_DLL int MVStorageGetStats(MV_OUT_BORROWED(thread) const char** out_json);

/*! \brief Returns pooled, unused memory to the operating system. Since ABI 1. Thread-safe. */
MV_DLL int MVStorageReleasePool(void);

/* Section: Symbol ============================================================================== */
/* Symbols are immutable graphs except for user attributes (MVSymbolSetAttr). Every function
 * that returns a symbol returns a new handle the caller frees with MVSymbolFree; symbols share
 * nodes, so freeing one never invalidates another. Lists of names are MV_OUT_BORROWED(thread). */

/*! \brief A free variable named name. \param out MV_OUT_OWNED(MVSymbolFree). Since ABI 2. */
MV_DLL int MVSymbolCreateVariable(MV_IN const char* name, MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/*! \brief Applies the operator of params to inputs: by position (keys NULL) or by input name
 *  (keys[i] names args[i]). Each arg must have one output. Inputs not given become variables
 *  "<name>_<input>" (fc1_weight). name NULL or "" gives an automatic "<op><n>" name.
 *  \param out MV_OUT_OWNED(MVSymbolFree). Since ABI 2. */
MV_DLL int MVSymbolCreateOp(MV_IN MVOpParamsHandle params, MV_IN_OPT const char* name, int num_args,
                            MV_IN_OPT const char** keys, MV_IN_ARRAY(num_args) const MVSymbolHandle* args,
                            MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/*! \brief Groups the outputs of several symbols into one. \param out MV_OUT_OWNED(MVSymbolFree).
 *  Since ABI 2. */
MV_DLL int MVSymbolCreateGroup(int num, MV_IN_ARRAY(num) const MVSymbolHandle* symbols,
                               MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/*! \brief Releases a symbol handle. NULL is a no-op. Since ABI 2. */
MV_DLL int MVSymbolFree(MV_IN_OPT MVSymbolHandle sym);

/*! \brief A deep copy (new nodes). \param out MV_OUT_OWNED(MVSymbolFree). Since ABI 2. */
MV_DLL int MVSymbolCopy(MV_IN MVSymbolHandle sym, MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/*! \brief Substitutes free variables of sym: by name (keys[i] names the variable args[i]
 *  replaces) or, with keys NULL, by position in the argument list. sym is unchanged.
 *  \param out MV_OUT_OWNED(MVSymbolFree). Since ABI 2. */
MV_DLL int MVSymbolCompose(MV_IN MVSymbolHandle sym, int num_args, MV_IN_OPT const char** keys,
                           MV_IN_ARRAY(num_args) const MVSymbolHandle* args,
                           MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/*! \brief Number of outputs. Since ABI 2. */
MV_DLL int MVSymbolGetNumOutputs(MV_IN MVSymbolHandle sym, MV_OUT size_t* out);

/*! \brief Output index as a symbol of its own. \param out MV_OUT_OWNED(MVSymbolFree). Since ABI 2. */
MV_DLL int MVSymbolGetOutput(MV_IN MVSymbolHandle sym, size_t index, MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/*! \brief Every output of every node, in topological order. \param out MV_OUT_OWNED(MVSymbolFree).
 *  Since ABI 2. */
MV_DLL int MVSymbolGetInternals(MV_IN MVSymbolHandle sym, MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/*! \brief The inputs of sym's output nodes, grouped; a symbol with 0 outputs for a variable.
 *  \param out MV_OUT_OWNED(MVSymbolFree). Since ABI 2. */
MV_DLL int MVSymbolGetChildren(MV_IN MVSymbolHandle sym, MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/*! \brief Argument names (variables that are not auxiliary states), topological order.
 *  \param out_names MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolListArguments(MV_IN MVSymbolHandle sym, MV_OUT size_t* out_num,
                                 MV_OUT_BORROWED(thread) const char*** out_names);

/*! \brief Output names ("fc1_output"). \param out_names MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolListOutputs(MV_IN MVSymbolHandle sym, MV_OUT size_t* out_num,
                               MV_OUT_BORROWED(thread) const char*** out_names);

/*! \brief Auxiliary state names (inputs operators update in place, e.g. BatchNorm's moving
 *  statistics). \param out_names MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolListAuxiliaryStates(MV_IN MVSymbolHandle sym, MV_OUT size_t* out_num,
                                       MV_OUT_BORROWED(thread) const char*** out_names);

/*! \brief Every variable name (arguments and auxiliary states), topological order.
 *  \param out_names MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolListInputs(MV_IN MVSymbolHandle sym, MV_OUT size_t* out_num,
                              MV_OUT_BORROWED(thread) const char*** out_names);

/*! \brief The single output node's name; *out_success = 0 (and *out = "") for a group.
 *  \param out MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolGetName(MV_IN MVSymbolHandle sym, MV_OUT_BORROWED(thread) const char** out,
                           MV_OUT int* out_success);

/*! \brief An attribute (parameter or user attribute) of the single output node;
 *  *out_success = 0 when absent. \param out MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolGetAttr(MV_IN MVSymbolHandle sym, MV_IN const char* key, MV_OUT_BORROWED(thread) const char** out,
                           MV_OUT int* out_success);

/*! \brief Sets a user attribute on the symbol's node (a group of several nodes is an error, as
 *  in MXNet; operator parameters cannot be changed). Mutates the node: other symbols sharing it
 *  see it. Since ABI 2. */
MV_DLL int MVSymbolSetAttr(MV_IN MVSymbolHandle sym, MV_IN const char* key, MV_IN const char* value);

/*! \brief Attributes as 2*out_num strings (key, value, key, value...). recursive = 0: of the
 *  single output node; recursive = 1: of every node, keys written "<node>$<key>" as MXNet does.
 *  \param out_kv MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolListAttr(MV_IN MVSymbolHandle sym, int recursive, MV_OUT size_t* out_num,
                            MV_OUT_BORROWED(thread) const char*** out_kv);

/*! \brief Shape inference from the shapes of some inputs, given by name: shape i has ndims[i]
 *  dimensions, all concatenated in dims. Result as JSON {"arg_shapes": [[2,3], ...],
 *  "out_shapes": [...], "aux_shapes": [...], "complete": true}; with partial = 1 unknown shapes
 *  are [] instead of an error. \param out_json MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolInferShape(MV_IN MVSymbolHandle sym, int num, MV_IN_ARRAY(num) const char** keys,
                              MV_IN_ARRAY(num) const int* ndims, MV_IN const int64_t* dims, int partial,
                              MV_OUT_BORROWED(thread) const char** out_json);

/*! \brief dtype inference from the dtype codes of some inputs, by name. Result as JSON
 *  {"arg_types": [0, ...], "out_types": [...], "aux_types": [...], "complete": true}, -1 for
 *  unknown under partial = 1. \param out_json MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolInferType(MV_IN MVSymbolHandle sym, int num, MV_IN_ARRAY(num) const char** keys,
                             MV_IN_ARRAY(num) const int* dtypes, int partial,
                             MV_OUT_BORROWED(thread) const char** out_json);

/*! \brief The graph as MXNet 1.x symbol JSON. \param out_json MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVSymbolSaveToJSON(MV_IN MVSymbolHandle sym, MV_OUT_BORROWED(thread) const char** out_json);

/*! \brief Reads MXNet symbol JSON (1.x "attrs" or older "param"/"attr" nodes). Unknown
 *  operators, cycles and malformed documents fail naming the node.
 *  \param out MV_OUT_OWNED(MVSymbolFree). Since ABI 2. */
MV_DLL int MVSymbolCreateFromJSON(MV_IN const char* json, MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/*! \brief Writes the JSON to fname atomically (temporary file, flush, rename). Since ABI 2. */
MV_DLL int MVSymbolSaveToFile(MV_IN MVSymbolHandle sym, MV_IN const char* fname);

/*! \brief Reads a -symbol.json file. \param out MV_OUT_OWNED(MVSymbolFree). Since ABI 2. */
MV_DLL int MVSymbolCreateFromFile(MV_IN const char* fname, MV_OUT_OWNED(MVSymbolFree) MVSymbolHandle* out);

/* Section: Executor ============================================================================ */

/*! \brief Per-node callback of an executor's monitor: name "<node>_<output>", the array (a
 *  borrowed handle valid during the call). Runs on the thread that called MVExecutorForward or
 *  MVExecutorBackward; a non-zero return fails that call. Since ABI 2. */
typedef int (*MVMonitorCallback)(const char* name, MVNDArrayHandle array, void* user_data);

/*! \brief Binds sym to arrays: args (num_args, list_arguments order), arg_grads (parallel;
 *  NULL array or NULL entries where no gradient is wanted), grad_reqs (parallel MVGradReq
 *  codes, NULL for all write), aux (num_aux, list_auxiliary_states order). The executor keeps
 *  references to the arrays; the handles stay the caller's.
 *  \param out MV_OUT_OWNED(MVExecutorFree). Since ABI 2. */
MV_DLL int MVExecutorBind(MV_IN MVSymbolHandle sym, int dev_type, int dev_id, int num_args,
                          MV_IN_ARRAY(num_args) const MVNDArrayHandle* args, MV_IN_OPT const MVNDArrayHandle* arg_grads,
                          MV_IN_OPT const int* grad_reqs, int num_aux, MV_IN_ARRAY(num_aux) const MVNDArrayHandle* aux,
                          MV_OUT_OWNED(MVExecutorFree) MVExecutorHandle* out);

/*! \brief Infers all shapes and dtypes from the named input shapes (as MVSymbolInferShape) and
 *  dtype codes, allocates arguments, gradients and auxiliary states, and binds. grad_reqs by
 *  argument name; others get default_req. \param out MV_OUT_OWNED(MVExecutorFree). Since ABI 2. */
MV_DLL int MVExecutorSimpleBind(MV_IN MVSymbolHandle sym, int dev_type, int dev_id, int num_shapes,
                                MV_IN_ARRAY(num_shapes) const char** shape_keys,
                                MV_IN_ARRAY(num_shapes) const int* ndims, MV_IN const int64_t* dims, int num_dtypes,
                                MV_IN_ARRAY(num_dtypes) const char** dtype_keys,
                                MV_IN_ARRAY(num_dtypes) const int* dtypes, int num_reqs,
                                MV_IN_ARRAY(num_reqs) const char** req_keys, MV_IN_ARRAY(num_reqs) const int* reqs,
                                int default_req, MV_OUT_OWNED(MVExecutorFree) MVExecutorHandle* out);

/*! \brief Releases an executor; pending operations keep its memory alive. NULL is a no-op.
 *  Since ABI 2. */
MV_DLL int MVExecutorFree(MV_IN_OPT MVExecutorHandle exe);

/*! \brief Runs the forward pass (queued on the engine). Since ABI 2. */
MV_DLL int MVExecutorForward(MV_IN MVExecutorHandle exe, int is_train);

/*! \brief Runs the backward pass. out_grads: NULL, or num handles parallel to the outputs
 *  (NULL entries mean ones). Gradients land in the bound gradient arrays per grad_req.
 *  Since ABI 2. */
MV_DLL int MVExecutorBackward(MV_IN MVExecutorHandle exe, int num, MV_IN_OPT const MVNDArrayHandle* out_grads,
                              int is_train);

/*! \brief The output arrays. \param out MV_OUT_BORROWED(thread) array of out_num handles, each
 *  MV_OUT_OWNED(MVNDArrayFree) (new handles on the executor's arrays). Since ABI 2. */
MV_DLL int MVExecutorOutputs(MV_IN MVExecutorHandle exe, MV_OUT size_t* out_num,
                             MV_OUT_BORROWED(thread) MVNDArrayHandle** out);

/*! \brief The bound argument arrays, as MVExecutorOutputs. Since ABI 2. */
MV_DLL int MVExecutorArgArrays(MV_IN MVExecutorHandle exe, MV_OUT size_t* out_num,
                               MV_OUT_BORROWED(thread) MVNDArrayHandle** out);

/*! \brief The gradient arrays parallel to the arguments (NULL entries where grad_req is null),
 *  as MVExecutorOutputs. Since ABI 2. */
MV_DLL int MVExecutorGradArrays(MV_IN MVExecutorHandle exe, MV_OUT size_t* out_num,
                                MV_OUT_BORROWED(thread) MVNDArrayHandle** out);

/*! \brief The auxiliary state arrays, as MVExecutorOutputs. Since ABI 2. */
MV_DLL int MVExecutorAuxArrays(MV_IN MVExecutorHandle exe, MV_OUT size_t* out_num,
                               MV_OUT_BORROWED(thread) MVNDArrayHandle** out);

/*! \brief The memory plan as JSON: planned_bytes, unplanned_bytes, num_buffers, num_entries,
 *  num_inplace. \param out_json MV_OUT_BORROWED(thread). Since ABI 2. */
MV_DLL int MVExecutorGetMemoryStats(MV_IN MVExecutorHandle exe, MV_OUT_BORROWED(thread) const char** out_json);

/*! \brief Installs (or with callback NULL removes) a monitor called after every node of
 *  forward and backward. Since ABI 2. */
MV_DLL int MVExecutorSetMonitorCallback(MV_IN MVExecutorHandle exe, MV_IN_OPT MVMonitorCallback callback,
                                        MV_IN_OPT void* user_data);

/* Section: CachedOp ============================================================================ */

/*! \brief Compiles sym for imperative calls. Flags as strings: "static_alloc", "static_shape"
 *  ("true"/"false", "1"/"0"); MXNet's tuning flags (data_indices, param_indices, inline_limit,
 *  forward_bulk_size, backward_bulk_size) are accepted without effect; others fail. \param out MV_OUT_OWNED(MVCachedOpFree).
 *  Since ABI 2. */
MV_DLL int MVCachedOpCreate(MV_IN MVSymbolHandle sym, int num_flags, MV_IN_ARRAY(num_flags) const char** keys,
                            MV_IN_ARRAY(num_flags) const char** vals, MV_OUT_OWNED(MVCachedOpFree) MVCachedOpHandle* out);

/*! \brief Releases a CachedOp. NULL is a no-op. Since ABI 2. */
MV_DLL int MVCachedOpFree(MV_IN_OPT MVCachedOpHandle op);

/*! \brief Runs the graph on inputs in the symbol's list_inputs order. While autograd records on
 *  this thread the call is recorded. Thread-safe on a shared handle.
 *  \param out_outputs MV_OUT_BORROWED(thread) array of *out_num handles, each
 *  MV_OUT_OWNED(MVNDArrayFree). Since ABI 2. */
MV_DLL int MVCachedOpInvoke(MV_IN MVCachedOpHandle op, int num_inputs,
                            MV_IN_ARRAY(num_inputs) const MVNDArrayHandle* inputs, MV_OUT int* out_num,
                            MV_OUT_BORROWED(thread) MVNDArrayHandle** out_outputs);

/* Section: Custom operators ================================================================== */

/*
 * A binding registers a custom operator type by name (MXNet's CustomOpProp/CustomOp) with one
 * callback. The registry operator "Custom" (parameter op_type; every other parameter is passed
 * through as a string) asks the callback, through an MVCustomOpCallHandle, for what it needs:
 * the request is a JSON document (MVCustomOpCallGetRequest) whose "request" member is one of
 * create_prop, infer_shape, infer_type, create_operator, forward, backward, delete_operator,
 * delete_prop;
 * forward and backward also carry arrays (MVCustomOpCallGetArray). The callback answers with
 * MVCustomOpCallSetResult (JSON) or fails with MVCustomOpCallSetError and a non-zero return.
 * docs/custom_op.md gives every request and answer.
 *
 * Threads. create_prop, infer_shape and infer_type run on the thread that invokes the operator,
 * composes a symbol, infers its shapes or binds it; their failure fails that call at once.
 * create_operator (at the first forward or backward of a configuration), forward and backward
 * run inside the engine operation: on an engine worker thread, or on the calling thread under
 * NaiveEngine. No engine lock is held then, so the callback may call
 * operators (MVImperativeInvoke) and wait on arrays; it must not call MVNDArrayWaitAll, which
 * would wait for the running operation itself (an error). A failing forward or backward fails
 * the operation: its error, naming the op_type and the callback's message, is raised at the
 * next wait on an affected array. delete_operator runs on any of these threads. The callback
 * may run on several threads at once: bindings serialise what they need (cffi takes the GIL).
 */

/*! \brief The callback of a custom operator type (see the section comment). call is valid only
 *  until the callback returns. \return 0 on success; non-zero after MVCustomOpCallSetError.
 *  Since ABI 3. */
typedef int (*MVCustomOpCallback)(MVCustomOpCallHandle call, void* user_data);

/*! \brief Registers (or replaces) the custom operator type op_type. user_data is passed to every
 *  call and must stay valid while the type is registered (in practice, for the process: the
 *  library never releases it). Replacing a type forgets its props and deletes its operator
 *  instances. \return 0 on success, else an MVErrorKind. Thread-safe. Since ABI 3. */
MV_DLL int MVCustomOpRegister(MV_IN const char* op_type, MV_IN MVCustomOpCallback callback, MV_IN_OPT void* user_data);

/*! \brief The registered custom operator types, sorted.
 *  \param out_names MV_OUT_BORROWED(thread) array of *out_num strings. Thread-safe. Since ABI 3. */
MV_DLL int MVCustomOpListRegistered(MV_OUT size_t* out_num, MV_OUT_BORROWED(thread) const char*** out_names);

/*! \brief The request of a call, as JSON. \param out_json MV_OUT_BORROWED(call): valid until the
 *  callback returns. Since ABI 3. Call only from inside the callback, on its thread. */
MV_DLL int MVCustomOpCallGetRequest(MV_IN MVCustomOpCallHandle call, MV_OUT_BORROWED(call) const char** out_json);

/*! \brief Array `index` of a forward or backward call, in the order the request's counts give
 *  (forward: in_data, out_data, aux; backward: out_grad, in_data, out_data, in_grad, aux). The
 *  array aliases the operator's buffer and is usable only until the callback returns; later use
 *  fails with an error (copy it to keep it). Inputs are read-only. \param out
 *  MV_OUT_OWNED(MVNDArrayFree). Since ABI 3. Call only from inside the callback. */
MV_DLL int MVCustomOpCallGetArray(MV_IN MVCustomOpCallHandle call, int index,
                                  MV_OUT_OWNED(MVNDArrayFree) MVNDArrayHandle* out);

/*! \brief Answers a call with a JSON document (copied). Since ABI 3. Call only from inside the
 *  callback. */
MV_DLL int MVCustomOpCallSetResult(MV_IN MVCustomOpCallHandle call, MV_IN const char* result_json);

/*! \brief Records why a call failed: kind is an MVErrorKind, from MV_ERR_VALUE to MV_ERR_INTERNAL; the
 *  message (copied) is what users see after the op_type. Since ABI 3. Call only from inside the
 *  callback, which then returns non-zero. */
MV_DLL int MVCustomOpCallSetError(MV_IN MVCustomOpCallHandle call, int kind, MV_IN const char* message);

/* Section: Profiler ============================================================================ */

/*
 * MXNet's profiler (docs/profiler.md). While it runs, the engine records one event per executed
 * operation: its name (prefixed by the pushing thread's scope), start and end on the steady
 * clock, the thread that ran it and its input shapes. User objects add intervals (tasks, frames,
 * events), counters and instant markers. MVProfilerDump writes Chrome trace JSON (chrome://tracing
 * and Perfetto open it); MVProfilerDumps returns MXNet's aggregate statistics. While stopped or
 * paused the engine's cost is one relaxed atomic load per operation. All functions here are
 * thread-safe; the profiler's state is process-wide, the scope is per thread.
 */

/*! \brief Configures the profiler with MXNet's set_config keys and string values: filename,
 *  profile_all, profile_symbolic, profile_imperative, profile_memory, profile_api,
 *  continuous_dump, dump_period, aggregate_stats, profile_process ("worker"). Booleans are
 *  "True"/"False"/"1"/"0". An unknown key or malformed value fails with MV_ERR_VALUE naming it,
 *  and nothing changes. Since ABI 3. */
MV_DLL int MVProfilerSetConfig(int num, MV_IN_ARRAY(num) const char** keys, MV_IN_ARRAY(num) const char** vals);

/*! \brief Starts (state 1) or stops (state 0) the profiler; stopping with continuous_dump
 *  writes the trace file. Since ABI 3. */
MV_DLL int MVProfilerSetState(int state);

/*! \brief The profiler's state: *out_running 1 while running, *out_paused 1 while paused.
 *  Since ABI 3. */
MV_DLL int MVProfilerGetState(MV_OUT int* out_running, MV_OUT int* out_paused);

/*! \brief Pauses (1) or resumes (0) recording without stopping. Since ABI 3. */
MV_DLL int MVProfilerPause(int paused);

/*! \brief Writes the trace file (Chrome trace JSON) with the events recorded since the last
 *  finished dump; finished (1) forgets them afterwards. Fails with MV_ERR_VALUE before any
 *  MVProfilerSetConfig, MV_ERR_IO when the file cannot be written. Since ABI 3. */
MV_DLL int MVProfilerDump(int finished);

/*! \brief The aggregate statistics ("" unless aggregate_stats is set). format: 0 table, 1 JSON;
 *  sort_by: 0 total, 1 avg, 2 min, 3 max, 4 count; ascending 0/1; reset (1) clears them after.
 *  \param out MV_OUT_BORROWED(thread). Since ABI 3. */
MV_DLL int MVProfilerDumps(int reset, int format, int sort_by, int ascending, MV_OUT_BORROWED(thread) const char** out);

/*! \brief Sets the calling thread's profiler scope: operators it pushes are recorded as
 *  scope + name ("" for none). Since ABI 3. */
MV_DLL int MVProfilerSetScope(MV_IN const char* scope);

/*! \brief Creates a domain (a category of user objects). \param out MV_OUT_OWNED(MVProfileDomainFree).
 *  Objects keep their domain alive. Since ABI 3. */
MV_DLL int MVProfileDomainCreate(MV_IN const char* name, MV_OUT_OWNED(MVProfileDomainFree) MVProfileDomainHandle* out);

/*! \brief Releases a domain handle. NULL is a no-op. Since ABI 3. */
MV_DLL int MVProfileDomainFree(MV_IN_OPT MVProfileDomainHandle domain);

/*! \brief Creates a task, frame or counter in domain, or an event (domain may be NULL); kind is
 *  an MVProfileObjectKind. \param out MV_OUT_OWNED(MVProfileObjectFree). Since ABI 3. */
MV_DLL int MVProfileObjectCreate(MV_IN_OPT MVProfileDomainHandle domain, int kind, MV_IN const char* name,
                                 MV_OUT_OWNED(MVProfileObjectFree) MVProfileObjectHandle* out);

/*! \brief Releases a task, frame, event or counter. NULL is a no-op. Since ABI 3. */
MV_DLL int MVProfileObjectFree(MV_IN_OPT MVProfileObjectHandle obj);

/*! \brief Starts a task, frame or event's interval. It is recorded at stop when the profiler was
 *  recording at start. Since ABI 3. */
MV_DLL int MVProfileObjectStart(MV_IN MVProfileObjectHandle obj);

/*! \brief Stops the interval; without a recorded start it records nothing. Since ABI 3. */
MV_DLL int MVProfileObjectStop(MV_IN MVProfileObjectHandle obj);

/*! \brief Sets a counter's value (recorded while the profiler records). Since ABI 3. */
MV_DLL int MVProfileCounterSet(MV_IN MVProfileObjectHandle counter, int64_t value);

/*! \brief Adds delta (negative to decrement) to a counter. Since ABI 3. */
MV_DLL int MVProfileCounterAdjust(MV_IN MVProfileObjectHandle counter, int64_t delta);

/*! \brief Records an instant marker named name in domain; scope is global, process, thread, task
 *  or marker (else MV_ERR_VALUE). Since ABI 3. */
MV_DLL int MVProfileMarkerSet(MV_IN MVProfileDomainHandle domain, MV_IN const char* name, MV_IN const char* scope);

#ifdef __cplusplus
}
#endif
#endif /* MINERVA_C_API_H_ */
