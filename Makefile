# Minerva: `make demo` and `make test` set up whatever is missing, then run.
SHELL := /bin/bash
ROOT := $(abspath .)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
BUILD := $(ROOT)/build
JOBS ?= $(shell nproc)
export OPENBLAS_NUM_THREADS ?= 1
# JAVA_HOME is usually unset here (shared/TOOLCHAIN.md): derive it from javac.
JAVA_HOME ?= $(shell j=$$(command -v javac) && dirname "$$(dirname "$$(readlink -f "$$j")")")
MVN := cd scala && JAVA_HOME=$(JAVA_HOME) mvn -q -B -Dminerva.native.dir=$(BUILD)

.PHONY: codegen lint setup build build-r build-jvm test-jvm test test-cpp test-c test-python test-python-numpy1 test-abi test-r test-r-check test-codegen r-docs demo bench clean

setup:
	bash tools/setup.sh

build: setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	ninja -C $(BUILD) -j$(JOBS)
	$(PY) tools/codegen/cdef.py --check
	$(MAKE) build-r
	$(MAKE) build-jvm

# The JVM package (scala/): the jar with the native libraries inside, and
# scala/target/classpath.txt (the jar and its dependencies, one ':'-separated line).
build-jvm:
	$(MVN) package -DskipTests

# The R package (r/), installed into a project-local library after the C++ build.
RLIB := $(BUILD)/rlib
build-r: test-codegen
	mkdir -p $(RLIB)
	MINERVA_LIB_DIR=$(BUILD) R CMD INSTALL --no-multiarch --clean --library=$(RLIB) r/ >$(BUILD)/r-install.log 2>&1 \
	  || { cat $(BUILD)/r-install.log; exit 1; }

# Every generator, in dependency order: the header gives abi.json and the cffi declarations;
# abi.json gives the R, Julia and JNI shims; the built library's registry gives the operator
# wrappers of R, Julia and Scala and docs/operators.md. Run after changing the header or adding
# an operator (docs/CONTRIBUTING.md); test-codegen checks that nothing is left stale.
CODEGEN_ABI := abi cdef r julia jni
CODEGEN_OPS := r_ops r_docs julia_ops scala_ops op_docs
codegen:
	for g in $(CODEGEN_ABI); do $(PY) tools/codegen/$$g.py || exit 1; done
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	ninja -C $(BUILD) -j$(JOBS) minerva
	for g in $(CODEGEN_OPS); do $(PY) tools/codegen/$$g.py || exit 1; done
	$(MAKE) r-docs

# The R package's help pages (r/man) and r/NAMESPACE from the roxygen blocks in r/R/*.R
# (roxygen2); the operator functions' pages and exports come from tools/codegen/r_docs.py.
# Run after changing a roxygen block or an export, and commit the result.
r-docs:
	bash tools/r_docs.sh

# The committed generated bindings match the header and the registry.
test-codegen:
	$(PY) tools/codegen/abi.py --check
	$(PY) tools/codegen/r.py --check
	$(PY) tools/codegen/r_ops.py --check
	$(PY) tools/codegen/r_docs.py --check
	bash tools/r_docs.sh --check
	$(PY) tools/codegen/julia.py --check
	$(PY) tools/codegen/julia_ops.py --check
	$(PY) tools/codegen/scala_ops.py --check
	$(PY) tools/codegen/jni.py --check

test: build test-abi test-cpp test-c test-python test-r test-r-check test-jvm

test-jvm:
	$(PY) tools/codegen/jni.py --check
	$(MVN) test

test-abi:
	bash tools/check_abi.sh $(BUILD)/libminerva.so

test-cpp:
	cd $(BUILD) && MINERVA_ENGINE_TYPE=ThreadedEngine ctest --output-on-failure -j1 -R '^(Registry|[A-Z][A-Za-z]*)\.'
	cd $(BUILD) && MINERVA_ENGINE_TYPE=NaiveEngine ctest --output-on-failure -j1 -R '^(Registry|[A-Z][A-Za-z]*)\.'

test-c:
	cd $(BUILD) && ctest --output-on-failure -R c_abi_smoke

test-python: lint
	MINERVA_ENGINE_TYPE=ThreadedEngine R_LIBS=$(RLIB) $(PY) -m pytest -q tests/python tests/r tests/julia tests/jvm
	MINERVA_ENGINE_TYPE=NaiveEngine R_LIBS=$(RLIB) $(PY) -m pytest -q tests/python tests/r tests/julia tests/jvm
	$(MAKE) test-python-numpy1

# The Python tests again under NumPy 1.23 (.venv-numpy1): MXNet users pin numpy<2.
test-python-numpy1:
	MINERVA_ENGINE_TYPE=ThreadedEngine $(ROOT)/.venv-numpy1/bin/python -m pytest -q -p no:cacheprovider tests/python

test-r:
	R_LIBS=$(RLIB) Rscript -e 'testthat::test_dir("r/tests/testthat", package = "minerva", load_package = "installed", stop_on_failure = TRUE)'

# R CMD build, then R CMD check --no-manual of the tarball (installed against build/'s
# libminerva): fails on any ERROR or WARNING and shows the NOTEs. The package's testthat tests
# run in test-r, so the check skips them to stay fast; its examples do run.
RCHECK := $(BUILD)/rcheck
test-r-check:
	rm -rf $(RCHECK) && mkdir -p $(RCHECK)
	cd $(RCHECK) && R CMD build --no-build-vignettes $(ROOT)/r >build.log 2>&1 || { cat build.log; exit 1; }
	cd $(RCHECK) && MINERVA_LIB_DIR=$(BUILD) _R_CHECK_FORCE_SUGGESTS_=false \
	  R CMD check --no-manual --no-tests minerva_*.tar.gz >check.log 2>&1; \
	  grep -A12 -E '\.\.\. (NOTE|WARNING|ERROR)$$' check.log; grep '^Status: ' check.log || tail -30 check.log; \
	  grep -q '^Status: ' check.log && ! grep -qE '^Status: .*(ERROR|WARNING)' check.log

demo: build
	$(PY) examples/lenet_mnist.py --plot $(BUILD)/lenet_mnist.png --export $(BUILD)/lenet

bench: build
	bash bench/run_dispatch.sh
	bash bench/run_training.sh

clean:
	rm -rf $(BUILD)

lint:
	$(VENV)/bin/ruff check python tests/python tests/r tests/julia tests/jvm tools examples bench
