/* The C99 ABI program: the lifecycle of c_api.h's overview, plus the bad-input table of
 * ABI.md rule 20.5 for the handle and size checks. Built with -std=c99 -pedantic -Werror. */
#include <minerva/c_api.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
static int passes = 0;

#define EXPECT(cond, what)                                         \
  do {                                                             \
    if (cond) {                                                    \
      ++passes;                                                    \
    } else {                                                       \
      ++failures;                                                  \
      fprintf(stderr, "FAIL %s:%d %s (last error: %s)\n", __FILE__, __LINE__, what, MVGetLastError()); \
    }                                                              \
  } while (0)

static int contains(const char* text, const char* part) { return strstr(text, part) != NULL; }

static void test_lifecycle(void) {
  int64_t shape[2] = {2, 3};
  float in[6] = {-1.f, 2.f, -3.f, 4.f, -5.f, 6.f};
  float out[6];
  MVNDArrayHandle a = NULL;
  MVOpHandle relu = NULL;
  MVOpParamsHandle params = NULL;
  int nout = 0;
  MVNDArrayHandle* outs = NULL;
  int abi = 0;
  int ndim = 0;
  const int64_t* got_shape = NULL;
  EXPECT(MVGetABIVersion(&abi) == 0 && abi == MV_ABI_VERSION, "ABI version matches the header");
  EXPECT(MVNDArrayCreate(shape, 2, MV_DTYPE_FLOAT32, MV_DEV_CPU, 0, &a) == 0, "create");
  EXPECT(MVNDArraySyncCopyFromCPU(a, in, sizeof in) == 0, "copy in");
  EXPECT(MVOpGetHandle("relu", &relu) == 0, "relu is registered");
  EXPECT(MVOpParamsCreate(relu, 0, NULL, NULL, &params) == 0, "params");
  EXPECT(MVImperativeInvoke(relu, params, 1, &a, &nout, &outs) == 0 && nout == 1, "invoke");
  if (nout == 1) {
    MVNDArrayHandle r = outs[0];
    EXPECT(MVNDArraySyncCopyToCPU(r, out, sizeof out) == 0, "copy out");
    EXPECT(out[0] == 0.f && out[1] == 2.f && out[4] == 0.f && out[5] == 6.f, "relu values");
    EXPECT(MVNDArrayGetShape(r, &ndim, &got_shape) == 0 && ndim == 2 && got_shape[1] == 3, "shape");
    EXPECT(MVNDArrayFree(r) == 0, "free output");
  }
  EXPECT(MVOpParamsFree(params) == 0, "free params");
  EXPECT(MVNDArrayFree(a) == 0, "free input");
  EXPECT(MVNDArrayWaitAll() == 0, "waitall");
}

static void test_bad_input(void) {
  int64_t shape[1] = {4};
  float buf[4];
  MVNDArrayHandle a = NULL;
  MVOpHandle op = NULL;
  MVOpParamsHandle params = NULL;
  const char* key = "num_hidden";
  const char* bad = "ten";
  int dtype = 0;
  EXPECT(MVNDArrayFree(NULL) == 0, "free(NULL) is a no-op");
  EXPECT(MVNDArrayGetDType(NULL, &dtype) == MV_ERR_INVALID_HANDLE, "NULL handle is rejected");
  EXPECT(contains(MVGetLastError(), "NULL"), "message says NULL");
  EXPECT(MVNDArrayCreate(shape, 1, 99, MV_DEV_CPU, 0, &a) == MV_ERR_TYPE, "unknown dtype code");
  EXPECT(a == NULL, "out-parameter untouched on failure");
  EXPECT(MVNDArrayCreate(shape, 1, MV_DTYPE_FLOAT32, MV_DEV_GPU, 0, &a) == MV_ERR_UNSUPPORTED, "gpu without CUDA");
  EXPECT(contains(MVGetLastError(), "CUDA"), "message names CUDA");
  EXPECT(MVNDArrayCreate(shape, 1, MV_DTYPE_FLOAT32, MV_DEV_CPU, 0, &a) == 0, "create");
  EXPECT(MVNDArraySyncCopyToCPU(a, buf, 3) == MV_ERR_VALUE, "wrong byte count");
  EXPECT(contains(MVGetLastError(), "16 bytes"), "message names the expected size");
  EXPECT(MVOpGetHandle("FullyConected", &op) == MV_ERR_NOT_FOUND, "unknown operator");
  EXPECT(contains(MVGetLastError(), "FullyConnected"), "message suggests the close match");
  EXPECT(MVOpGetHandle("FullyConnected", &op) == 0, "FullyConnected is registered");
  EXPECT(MVOpParamsCreate(op, 1, &key, &bad, &params) == MV_ERR_VALUE, "malformed parameter");
  EXPECT(contains(MVGetLastError(), "num_hidden"), "message names the parameter");
  EXPECT(MVOpParamsFree((MVOpParamsHandle)a) == MV_ERR_INVALID_HANDLE, "wrong handle kind");
  EXPECT(contains(MVGetLastError(), "NDArray"), "message names the kind given");
  EXPECT(MVNDArrayFree(a) == 0, "free");
}

/* A symbol from C: FullyConnected with created weight variables, JSON out and back, a bound
 * executor running forward on ones. */
static void test_symbol_executor(void) {
  MVSymbolHandle data = NULL, fc = NULL, loaded = NULL;
  MVOpHandle op = NULL;
  MVOpParamsHandle params = NULL;
  MVExecutorHandle exe = NULL;
  const char* key = "num_hidden";
  const char* val = "2";
  const char* shape_key = "data";
  int ndim = 2;
  int64_t dims[2] = {3, 4};
  size_t num = 0, i = 0, nouts = 0;
  const char** names = NULL;
  const char* json = NULL;
  MVNDArrayHandle* arrays = NULL;
  float ones[12], out[6];
  for (i = 0; i < 12; ++i) ones[i] = 1.f;
  EXPECT(MVSymbolCreateVariable("data", &data) == 0, "variable");
  EXPECT(MVOpGetHandle("FullyConnected", &op) == 0, "op");
  EXPECT(MVOpParamsCreate(op, 1, &key, &val, &params) == 0, "params");
  EXPECT(MVSymbolCreateOp(params, "fc1", 1, NULL, &data, &fc) == 0, "create op node");
  EXPECT(MVSymbolListArguments(fc, &num, &names) == 0 && num == 3 && strcmp(names[1], "fc1_weight") == 0,
         "arguments data, fc1_weight, fc1_bias");
  EXPECT(MVSymbolSaveToJSON(fc, &json) == 0 && contains(json, "\"FullyConnected\""), "to JSON");
  EXPECT(MVSymbolCreateFromJSON(json, &loaded) == 0, "from JSON");
  EXPECT(MVSymbolCreateFromJSON("{\"nodes\": [", &fc) == MV_ERR_VALUE, "truncated JSON is an error");
  EXPECT(MVExecutorSimpleBind(loaded, MV_DEV_CPU, 0, 1, &shape_key, &ndim, dims, 0, NULL, NULL, 0, NULL, NULL,
                              MV_GRAD_WRITE, &exe) == 0, "simple_bind");
  EXPECT(MVExecutorArgArrays(exe, &num, &arrays) == 0 && num == 3, "three argument arrays");
  if (num == 3) {
    EXPECT(MVNDArraySyncCopyFromCPU(arrays[0], ones, sizeof ones) == 0, "fill data");
    for (i = 0; i < num; ++i) MVNDArrayFree(arrays[i]);
  }
  EXPECT(MVExecutorForward(exe, 0) == 0, "forward");
  EXPECT(MVExecutorOutputs(exe, &nouts, &arrays) == 0 && nouts == 1, "one output");
  if (nouts == 1) {
    EXPECT(MVNDArraySyncCopyToCPU(arrays[0], out, sizeof out) == 0 && out[0] == 0.f, "zero weights give zeros");
    MVNDArrayFree(arrays[0]);
  }
  EXPECT(MVExecutorForward((MVExecutorHandle)data, 0) == MV_ERR_INVALID_HANDLE, "a symbol is not an executor");
  EXPECT(contains(MVGetLastError(), "Symbol"), "message names the kind given");
  EXPECT(MVExecutorFree(exe) == 0 && MVExecutorFree(NULL) == 0, "free executor");
  EXPECT(MVSymbolFree(loaded) == 0 && MVSymbolFree(fc) == 0 && MVSymbolFree(data) == 0, "free symbols");
  EXPECT(MVOpParamsFree(params) == 0, "free params");
}

/* A custom operator written in C through MVCustomOpRegister: "c_double" computes y = 2x and
 * dy/dx = 2; "c_fail" fails in forward. The callback answers fixed shapes (float32, (4,)). */
static int custom_deletes = 0;
static int custom_index_error = 0;

static int answer(MVCustomOpCallHandle call, const char* json) { return MVCustomOpCallSetResult(call, json); }

static int scale_arrays(MVCustomOpCallHandle call, int from, int to) {
  MVNDArrayHandle src = NULL, dst = NULL;
  float v[4];
  int i, rc = 0;
  if (MVCustomOpCallGetArray(call, from, &src) != 0 || MVCustomOpCallGetArray(call, to, &dst) != 0) rc = 1;
  if (rc == 0 && MVNDArraySyncCopyToCPU(src, v, sizeof v) != 0) rc = 1;
  for (i = 0; i < 4; ++i) v[i] *= 2.f;
  if (rc == 0 && MVNDArraySyncCopyFromCPU(dst, v, sizeof v) != 0) rc = 1;
  MVNDArrayFree(src);
  MVNDArrayFree(dst);
  return rc;
}

static int c_custom_callback(MVCustomOpCallHandle call, void* user_data) {
  const char* req = NULL;
  const char* type = (const char*)user_data;
  MVNDArrayHandle extra = NULL;
  if (MVCustomOpCallGetRequest(call, &req) != 0) return 1;
  if (contains(req, "\"create_prop\""))
    return answer(call, "{\"prop\": 7, \"arguments\": [\"data\"], \"outputs\": [\"output\"], "
                        "\"auxiliary_states\": [], \"need_top_grad\": true}");
  if (contains(req, "\"infer_shape\""))
    return answer(call, "{\"in_shapes\": [[4]], \"out_shapes\": [[4]], \"aux_shapes\": []}");
  if (contains(req, "\"infer_type\"")) return answer(call, "{\"in_types\": [0], \"out_types\": [0], \"aux_types\": []}");
  if (contains(req, "\"create_operator\"")) return answer(call, "{\"operator\": 3}");
  if (contains(req, "\"delete_")) {
    ++custom_deletes;
    return 0;
  }
  if (contains(req, "\"forward\"")) {
    if (strcmp(type, "c_fail") == 0) {
      MVCustomOpCallSetError(call, MV_ERR_VALUE, "boom from C");
      return 1;
    }
    if (MVCustomOpCallGetArray(call, 2, &extra) == MV_ERR_INDEX && contains(MVGetLastError(), "2 array(s)"))
      ++custom_index_error;
    return scale_arrays(call, 0, 1); /* in_data[0] -> out_data[0] */
  }
  if (contains(req, "\"backward\"")) return scale_arrays(call, 0, 3); /* out_grad[0] -> in_grad[0] */
  MVCustomOpCallSetError(call, MV_ERR_VALUE, "unexpected request");
  return 1;
}

static int invoke_custom(const char* type, MVNDArrayHandle x, MVNDArrayHandle* y) {
  MVOpHandle op = NULL;
  MVOpParamsHandle p = NULL;
  const char* key = "op_type";
  int nout = 0, rc;
  MVNDArrayHandle* outs = NULL;
  if (MVOpGetHandle("Custom", &op) != 0 || MVOpParamsCreate(op, 1, &key, &type, &p) != 0) return -1;
  rc = MVImperativeInvoke(op, p, 1, &x, &nout, &outs);
  if (rc == 0) *y = outs[0];
  MVOpParamsFree(p);
  return rc;
}

static void test_custom_op(void) {
  int64_t shape[1] = {4};
  float in[4] = {1.f, -2.f, 3.f, 0.5f};
  float out[4] = {0, 0, 0, 0};
  MVNDArrayHandle x = NULL, g = NULL, y = NULL, z = NULL, buf = NULL;
  int req = MV_GRAD_WRITE, prev = 0, rc;
  size_t n = 0;
  const char** names = NULL;
  const char* json = NULL;
  EXPECT(MVCustomOpRegister("c_double", c_custom_callback, (void*)"c_double") == 0, "register c_double");
  EXPECT(MVCustomOpRegister("c_fail", c_custom_callback, (void*)"c_fail") == 0, "register c_fail");
  EXPECT(MVCustomOpRegister(NULL, c_custom_callback, NULL) == MV_ERR_VALUE, "register: NULL op_type");
  EXPECT(MVCustomOpRegister("x", NULL, NULL) == MV_ERR_VALUE && contains(MVGetLastError(), "callback is NULL"),
         "register: NULL callback");
  EXPECT(MVCustomOpListRegistered(&n, &names) == 0 && n >= 2, "list registered");
  EXPECT(MVCustomOpCallGetRequest(NULL, &json) == MV_ERR_INVALID_HANDLE, "call handle NULL");
  MVNDArrayCreate(shape, 1, MV_DTYPE_FLOAT32, MV_DEV_CPU, 0, &x);
  MVNDArrayCreate(shape, 1, MV_DTYPE_FLOAT32, MV_DEV_CPU, 0, &g);
  MVNDArraySyncCopyFromCPU(x, in, sizeof in);
  EXPECT(MVCustomOpCallGetRequest((MVCustomOpCallHandle)x, &json) == MV_ERR_INVALID_HANDLE &&
             contains(MVGetLastError(), "expected a CustomOpCall handle, got an NDArray handle"),
         "call handle of the wrong kind");
  /* forward + autograd through the C callback */
  EXPECT(MVAutogradMarkVariables(1, &x, &req, &g) == 0, "mark x");
  MVAutogradSetIsRecording(1, &prev);
  rc = invoke_custom("c_double", x, &y);
  MVAutogradSetIsRecording(prev, &prev);
  EXPECT(rc == 0, "invoke c_double");
  if (rc == 0) {
    EXPECT(MVNDArraySyncCopyToCPU(y, out, sizeof out) == 0 && out[0] == 2.f && out[1] == -4.f && out[3] == 1.f,
           "c_double forward values");
    EXPECT(MVAutogradBackward(1, &y, NULL, 0, NULL, 0, 0, 1, NULL) == 0, "backward through c_double");
    EXPECT(MVNDArraySyncCopyToCPU(g, out, sizeof out) == 0 && out[0] == 2.f && out[2] == 2.f, "c_double gradient");
    MVNDArrayFree(y);
  }
  EXPECT(custom_index_error == 1, "array index out of range inside the callback is MV_ERR_INDEX");
  /* a failing forward: the error names the op type and the message, at the next wait */
  rc = invoke_custom("c_fail", x, &z);
  EXPECT(rc == 0, "invoke c_fail is queued");
  if (rc == 0) {
    EXPECT(MVNDArraySyncCopyToCPU(z, out, sizeof out) == MV_ERR_VALUE && contains(MVGetLastError(), "c_fail") &&
               contains(MVGetLastError(), "boom from C"),
           "c_fail's error at the wait");
    MVNDArrayFree(z);
  }
  MVNDArrayWaitAll();
  /* an unknown op_type lists the registered ones */
  EXPECT(invoke_custom("no_such_type", x, &buf) == MV_ERR_NOT_FOUND && contains(MVGetLastError(), "c_double"),
         "unknown op_type lists the registered types");
  /* re-registering a type deletes its operator instances */
  EXPECT(MVCustomOpRegister("c_double", c_custom_callback, (void*)"c_double") == 0 && custom_deletes >= 1,
         "re-registering deletes the old props and operators");
  MVNDArrayFree(x);
  MVNDArrayFree(g);
}

/* The profiler from C: an operator and a task are recorded, dumps counts them, bad input fails. */
static void test_profiler(void) {
  const char* keys[] = {"aggregate_stats", "continuous_dump", "filename"};
  const char* vals[] = {"True", "False", "abi_smoke_profile.json"};
  const char* bad_key[] = {"bogus"};
  const char* text = NULL;
  MVProfileDomainHandle dom = NULL;
  MVProfileObjectHandle task = NULL, counter = NULL;
  MVNDArrayHandle a = NULL;
  MVOpHandle relu;
  MVOpParamsHandle params;
  MVNDArrayHandle* outs = NULL;
  int64_t shape[1] = {4};
  int nout = 0, running = -1, paused = -1;
  EXPECT(MVProfilerSetConfig(1, bad_key, vals) == MV_ERR_VALUE && contains(MVGetLastError(), "'bogus'"),
         "profiler: unknown config key names it");
  EXPECT(MVProfilerSetConfig(3, keys, vals) == 0, "profiler: set config");
  EXPECT(MVProfilerSetState(2) == MV_ERR_VALUE, "profiler: state 2 is rejected");
  EXPECT(MVProfileDomainCreate("dom", &dom) == 0, "profiler: domain");
  EXPECT(MVProfileObjectCreate(dom, MV_PROFILE_TASK, "tsk", &task) == 0, "profiler: task");
  EXPECT(MVProfileObjectCreate(dom, MV_PROFILE_COUNTER, "cnt", &counter) == 0, "profiler: counter");
  EXPECT(MVProfileObjectCreate(dom, 7, "x", &task) == MV_ERR_VALUE, "profiler: unknown object kind");
  EXPECT(MVProfilerSetState(1) == 0 && MVProfilerGetState(&running, &paused) == 0 && running == 1 && paused == 0,
         "profiler: running");
  EXPECT(MVProfileObjectStart(task) == 0, "profiler: task start");
  MVNDArrayCreate(shape, 1, MV_DTYPE_FLOAT32, MV_DEV_CPU, 0, &a);
  MVOpGetHandle("relu", &relu);
  MVOpParamsCreate(relu, 0, NULL, NULL, &params);
  EXPECT(MVImperativeInvoke(relu, params, 1, &a, &nout, &outs) == 0, "profiler: invoke relu");
  MVNDArrayWaitAll();
  EXPECT(MVProfileObjectStop(task) == 0, "profiler: task stop");
  EXPECT(MVProfileCounterAdjust(counter, 3) == 0, "profiler: counter");
  EXPECT(MVProfileCounterSet((MVProfileObjectHandle)a, 1) == MV_ERR_INVALID_HANDLE &&
             contains(MVGetLastError(), "got an NDArray handle"),
         "profiler: wrong handle kind");
  EXPECT(MVProfileMarkerSet(dom, "m", "nowhere") == MV_ERR_VALUE, "profiler: bad marker scope");
  EXPECT(MVProfilerSetState(0) == 0, "profiler: stop");
  EXPECT(MVProfilerDumps(1, 0, 4, 0, &text) == 0 && contains(text, "relu") && contains(text, "tsk"),
         "profiler: dumps lists the operator and the task");
  EXPECT(MVProfilerDumps(0, 3, 0, 0, &text) == MV_ERR_VALUE, "profiler: unknown format");
  EXPECT(MVProfilerDump(1) == 0, "profiler: dump");
  remove("abi_smoke_profile.json");
  EXPECT(MVProfileObjectFree(task) == 0 && MVProfileObjectFree(counter) == 0 && MVProfileDomainFree(dom) == 0 &&
             MVProfileObjectFree(NULL) == 0,
         "profiler: free objects");
  MVNDArrayFree(outs[0]);
  MVOpParamsFree(params);
  MVNDArrayFree(a);
}

/* Issue 12 F8: an op handle is tagged like every other kind, so an OpParams or NDArray handle
 * passed as the op is an invalid-handle error, not a read of the wrong object. */
static void test_op_handle_kind(void) {
  MVOpHandle relu = NULL;
  MVOpParamsHandle params = NULL, made = NULL;
  MVNDArrayHandle a = NULL;
  const char* json = NULL;
  int64_t shape[1] = {2};
  int nout = 0;
  MVNDArrayHandle* outs = NULL;
  size_t num_names = 0;
  const char** names = NULL;
  EXPECT(MVOpGetHandle("relu", &relu) == 0 && MVOpParamsCreate(relu, 0, NULL, NULL, &params) == 0, "relu params");
  EXPECT(MVNDArrayCreate(shape, 1, MV_DTYPE_FLOAT32, MV_DEV_CPU, 0, &a) == 0, "create");
  EXPECT(MVOpGetSchemaJSON((MVOpHandle)params, &json) == MV_ERR_INVALID_HANDLE &&
             contains(MVGetLastError(), "expected a Op handle, got an OpParams handle"),
         "schema of an OpParams handle as the op");
  EXPECT(MVOpParamsCreate((MVOpHandle)params, 0, NULL, NULL, &made) == MV_ERR_INVALID_HANDLE && made == NULL,
         "params of an OpParams handle as the op");
  EXPECT(MVImperativeInvoke((MVOpHandle)a, params, 1, &a, &nout, &outs) == MV_ERR_INVALID_HANDLE &&
             contains(MVGetLastError(), "got an NDArray handle"),
         "invoke with an NDArray handle as the op");
  EXPECT(MVOpParamsListInputs((MVOpParamsHandle)relu, &num_names, &names) == MV_ERR_INVALID_HANDLE &&
             contains(MVGetLastError(), "got an Op handle"),
         "an op handle as params");
  EXPECT(MVOpParamsFree(params) == 0 && MVNDArrayFree(a) == 0, "free");
}

int main(void) {
  test_lifecycle();
  test_op_handle_kind();
  test_bad_input();
  test_symbol_executor();
  test_custom_op();
  test_profiler();
  printf("%d passed, %d failed\n", passes, failures);
  return failures ? 1 : 0;
}
