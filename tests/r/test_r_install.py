"""The R package installs as an R user installs packages: `R CMD INSTALL` into their own library,
from a source checkout (configure finds ../build and ../capi/include) or from a tarball made by
`R CMD build` (MINERVA_LIB_DIR names the library's folder), and `library(minerva)` then works in
a fresh R with no R_LIBS, LD_LIBRARY_PATH or build folder: the package carries its own copy of
libminerva. Each install runs in a throw-away copy of the checkout, never in r/ itself."""
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIB = pathlib.Path(os.environ.get("MINERVA_LIBRARY_PATH", ROOT / "build" / "libminerva.so"))

if shutil.which("R") is None or shutil.which("Rscript") is None:
    pytest.skip("R is not installed", allow_module_level=True)
if not LIB.is_file():
    pytest.skip(f"{LIB} is not built (run make build)", allow_module_level=True)
if os.environ.get("MINERVA_ENGINE_TYPE") == "NaiveEngine":
    pytest.skip("installing does not depend on the engine: checked in the ThreadedEngine run", allow_module_level=True)

# One op on the installed package: relu(x - 3) of a 2 x 3 matrix, plus where it was loaded from
# and whether the generated operator help page is installed.
PROBE = """
suppressMessages(library(minerva))
a <- mx.nd.array(matrix(1:6, 2, 3))
cat("values:", as.vector(as.array(mx.nd.relu(a - 3))), "\\n")
cat("dim:", dim(a), "\\n")
cat("path:", find.package("minerva"), "\\n")
cat("help:", length(help("mx.nd.Convolution", package = "minerva")), "\\n")
"""


def clean_env(**extra) -> dict:
    """The environment of a user's shell: no R_LIBS, no LD_LIBRARY_PATH, no MINERVA_* variables."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("R_LIBS", "R_LIBS_USER", "LD_LIBRARY_PATH") and not k.startswith("MINERVA_")}
    env.update(extra)
    return env


def run(cmd, cwd, env) -> str:
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res.stdout + res.stderr


def make_checkout(dest: pathlib.Path) -> pathlib.Path:
    """A checkout as a user has it after the C++ build: r/, capi/include and build/libminerva.so."""
    shutil.copytree(ROOT / "r", dest / "r", ignore=shutil.ignore_patterns(
        "*.o", "*.so", "Makevars", "libminerva*", "symbols.rds"))
    shutil.copytree(ROOT / "capi" / "include", dest / "capi" / "include")
    (dest / "build").mkdir()
    shutil.copy(LIB.resolve(), dest / "build" / "libminerva.so")
    return dest


def probe(user_lib: pathlib.Path, cwd: pathlib.Path) -> dict:
    out = run(["Rscript", "-e", PROBE], cwd, clean_env(R_LIBS_USER=str(user_lib)))
    return {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in out.splitlines() if ":" in line}


def check_probe(res: dict, user_lib: pathlib.Path):
    assert res["values"].split() == ["0", "0", "0", "1", "2", "3"]
    assert res["dim"].split() == ["2", "3"]
    assert pathlib.Path(res["path"]).resolve() == (user_lib / "minerva").resolve()
    assert res["help"] == "1", "the operator help page mx.nd.Convolution is not installed"


def test_install_from_source_checkout_into_user_library(tmp_path):
    checkout = make_checkout(tmp_path / "checkout")
    user_lib = tmp_path / "R-user-library"
    user_lib.mkdir()
    # As a user runs it: no --library (the package goes into R_LIBS_USER, the first library).
    run(["R", "CMD", "INSTALL", "--no-multiarch", "r"], checkout, clean_env(R_LIBS_USER=str(user_lib)))
    installed = user_lib / "minerva" / "libs"
    assert (installed / "minerva.so").is_file()
    assert any(p.name.startswith("libminerva.so") for p in installed.iterdir()), sorted(installed.iterdir())
    # The build folder goes away (make clean, or a moved checkout): the package still loads.
    shutil.rmtree(checkout / "build")
    check_probe(probe(user_lib, tmp_path), user_lib)


def test_install_from_built_tarball(tmp_path):
    checkout = make_checkout(tmp_path / "checkout")
    run(["R", "CMD", "build", "--no-build-vignettes", "r"], checkout, clean_env())
    tarball = next(checkout.glob("minerva_*.tar.gz"))
    user_lib = tmp_path / "lib"
    user_lib.mkdir()
    # From a tarball configure runs in a temporary folder: MINERVA_LIB_DIR names the library, and
    # the header is found beside it (the checkout's capi/include).
    run(["R", "CMD", "INSTALL", "--no-multiarch", f"--library={user_lib}", str(tarball)], tmp_path,
        clean_env(MINERVA_LIB_DIR=str(checkout / "build")))
    shutil.rmtree(checkout)
    check_probe(probe(user_lib, tmp_path), user_lib)


def test_tarball_install_without_library_names_the_variable(tmp_path):
    checkout = make_checkout(tmp_path / "checkout")
    run(["R", "CMD", "build", "--no-build-vignettes", "r"], checkout, clean_env())
    tarball = next(checkout.glob("minerva_*.tar.gz"))
    (tmp_path / "lib").mkdir()
    res = subprocess.run(["R", "CMD", "INSTALL", f"--library={tmp_path / 'lib'}", str(tarball)], cwd=tmp_path,
                         env=clean_env(), capture_output=True, text=True, timeout=600)
    assert res.returncode != 0
    assert "libminerva.so not found" in res.stderr and "MINERVA_LIB_DIR" in res.stderr
