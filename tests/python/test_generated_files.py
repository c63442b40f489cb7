"""Generated files are committed; they must match what the generators make now."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_operator_docs_are_current():
    res = subprocess.run([sys.executable, str(ROOT / "tools/codegen/op_docs.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_cffi_declarations_are_current():
    res = subprocess.run([sys.executable, str(ROOT / "tools/codegen/cdef.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_every_public_operator_is_documented_and_has_a_python_function():
    import minerva as mx
    from minerva import _op
    for name in _op.list_ops():
        s = _op.schema(name)
        assert s["doc"].strip(), f"{name} has no documentation"
        target = mx.nd._internal if name.startswith("_") else mx.nd
        assert callable(getattr(target, name)), f"mx.nd has no function for {name}"
        assert name in getattr(target, name).__doc__ or s["doc"].strip()[:20] in getattr(target, name).__doc__
