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

int main(void) {
  test_lifecycle();
  test_bad_input();
  printf("%d passed, %d failed\n", passes, failures);
  return failures ? 1 : 0;
}
