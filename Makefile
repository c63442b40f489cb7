# Minerva: `make demo` and `make test` set up whatever is missing, then run.
SHELL := /bin/bash
ROOT := $(abspath .)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
BUILD := $(ROOT)/build
JOBS ?= $(shell nproc)
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: lint setup build test test-cpp test-c test-python test-abi demo bench clean

setup:
	bash tools/setup.sh

build: setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	ninja -C $(BUILD) -j$(JOBS)
	$(PY) tools/codegen/cdef.py --check

test: build test-abi test-cpp test-c test-python

test-abi:
	bash tools/check_abi.sh $(BUILD)/libminerva.so

test-cpp:
	cd $(BUILD) && MINERVA_ENGINE_TYPE=ThreadedEngine ctest --output-on-failure -j1 -R '^(Registry|[A-Z][A-Za-z]*)\.'
	cd $(BUILD) && MINERVA_ENGINE_TYPE=NaiveEngine ctest --output-on-failure -j1 -R '^(Registry|[A-Z][A-Za-z]*)\.'

test-c:
	cd $(BUILD) && ctest --output-on-failure -R c_abi_smoke

test-python: lint
	MINERVA_ENGINE_TYPE=ThreadedEngine $(PY) -m pytest -q tests/python
	MINERVA_ENGINE_TYPE=NaiveEngine $(PY) -m pytest -q tests/python

demo: build
	$(PY) examples/lenet_mnist.py --plot $(BUILD)/lenet_mnist.png --export $(BUILD)/lenet

bench: build
	bash bench/run_dispatch.sh
	bash bench/run_training.sh

clean:
	rm -rf $(BUILD)

lint:
	$(VENV)/bin/ruff check python tests/python tools examples bench
