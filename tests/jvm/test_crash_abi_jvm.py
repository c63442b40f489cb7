"""Issue 12 through the JVM's generated JNI binding (org.minerva.capi.LibMinerva): a none array
loaded from a params file (F1) and an op-params handle passed as the op (F8) are typed Java
exceptions; both killed the JVM before. The contract: docs/bad_input.md, "C ABI and graphs"."""
import struct

import pytest

NONE_PARAMS = (struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<Iii", 0xF993FAC9, -1, 0)
               + struct.pack("<Q", 0))


def test_none_array_is_a_value_error_not_a_crash(jvm, tmp_path):
    LibMinerva = jvm.JClass("org.minerva.capi.LibMinerva")
    ValueErr = jvm.JClass("org.minerva.MinervaValueException")
    ByteBuffer = jvm.JClass("java.nio.ByteBuffer")
    path = tmp_path / "none.params"
    path.write_bytes(NONE_PARAMS)
    handles = LibMinerva.MVNDArrayLoad(str(path))[0]
    assert len(handles) == 1
    h = handles[0]
    try:
        assert len(LibMinerva.MVNDArrayGetShape(h)) == 0  # shape (), as MXNet reports it
        LibMinerva.MVNDArrayWaitToRead(h)
        with pytest.raises(ValueErr) as e:
            LibMinerva.MVNDArraySyncCopyToCPU(h, ByteBuffer.allocateDirect(4))
        assert "none array" in str(e.value.getMessage())
        with pytest.raises(ValueErr):
            LibMinerva.MVNDArrayReshape(h, [1])
    finally:
        LibMinerva.MVNDArrayFree(h)


def test_op_params_handle_as_the_op_is_an_invalid_handle(jvm):
    LibMinerva = jvm.JClass("org.minerva.capi.LibMinerva")
    Invalid = jvm.JClass("org.minerva.MinervaInvalidHandleException")
    params = LibMinerva.MVOpParamsCreate(LibMinerva.MVOpGetHandle("relu"), [], [])
    try:
        with pytest.raises(Invalid) as e:
            LibMinerva.MVOpGetSchemaJSON(params)
        assert "got an OpParams handle" in str(e.value.getMessage())
        with pytest.raises(Invalid):
            LibMinerva.MVOpParamsCreate(params, [], [])
    finally:
        LibMinerva.MVOpParamsFree(params)
