#!/usr/bin/env python3
"""Runs tools/golden/autograd_symbol_programs.py under MXNet 1.9.1 and records, per program, the
JSON of autograd.get_symbol(head), the variables' values and the head's value, for
tests/python/test_autograd_get_symbol.py. Run with the oracle's interpreter:

    /path/to/mxnet-venv/bin/python tools/golden/make_autograd_symbol_golden.py
"""
import importlib.util
import json
import pathlib

import mxnet as mx

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parents[1] / "tests/golden/autograd/get_symbol.json"
_spec = importlib.util.spec_from_file_location("autograd_symbol_programs", HERE / "autograd_symbol_programs.py")
programs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(programs)


def main():
    cases = {}
    for name, program in programs.PROGRAMS.items():
        head, variables = program(mx)
        sym = mx.autograd.get_symbol(head)
        evaluated = sym.eval(ctx=mx.cpu(), **dict(zip(sym.list_arguments(), variables)))[0]
        cases[name] = {"json": json.loads(sym.tojson()), "arguments": sym.list_arguments(),
                       "outputs": sym.list_outputs(), "head": head.asnumpy().tolist(),
                       "evaluated": evaluated.asnumpy().tolist()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "tools/golden/make_autograd_symbol_golden.py", "mxnet": mx.__version__,
                               "cases": cases}))
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
