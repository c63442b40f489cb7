"""One JVM per pytest process (jpype cannot restart it): a session fixture starts it with the
runtime classpath `make build` writes to scala/target/classpath.txt. Without the jar the JVM
tests are skipped, except under CI=true, where that is a failure."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLASSPATH_FILE = pathlib.Path(os.environ.get("MINERVA_JVM_CLASSPATH_FILE", ROOT / "scala/target/classpath.txt"))


def _python_library_dir():
    """The directory of the libminerva Python loads, when it also holds the JNI shim: the JVM
    then loads the same copy of the core instead of a second one from the jar."""
    env = os.environ.get("MINERVA_LIBRARY_PATH")
    lib = pathlib.Path(env) if env else ROOT / "build" / "libminerva.so"
    lib_dir = lib if lib.is_dir() else lib.parent
    return lib_dir if (lib_dir / "libminerva_jni.so").is_file() else None


@pytest.fixture(scope="session")
def jvm():
    if not CLASSPATH_FILE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CLASSPATH_FILE} is missing: the JVM package was not built (make build)")
        pytest.skip(f"{CLASSPATH_FILE} is missing (run make build to build the jar)")
    jpype = pytest.importorskip("jpype")
    import minerva  # noqa: F401  (load Python's core first, so the JVM can share it)
    if not jpype.isJVMStarted():
        classpath = CLASSPATH_FILE.read_text().strip().split(":")
        args = ["-Xss4m"]
        lib_dir = _python_library_dir()
        if lib_dir is not None:
            args.append(f"-Dminerva.library.path={lib_dir}")
        jpype.startJVM(*args, classpath=classpath, convertStrings=True)
    return jpype
