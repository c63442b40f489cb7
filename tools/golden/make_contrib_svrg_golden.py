"""Writes tests/golden/api/contrib_svrg.json: MXNet 1.9.1's mx.contrib.svrg_optimization.SVRGModule
fitting a small linear regression (FullyConnected + LinearRegressionOutput) from fixed initial
parameters: the weights after every epoch, the full-gradient averages at the end, the optimizer's
index->name map, and the errors for bad update_freq. Settings cover update_freq 1 and 2, SGD with
momentum and weight decay, and a padded last batch. tests/python/test_contrib_svrg.py runs the
same outcomes() with Minerva.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_contrib_svrg_golden.py
"""
import importlib
import json
import logging
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "contrib_svrg.json")

SETTINGS = {
    "sgd_freq2": {"rows": 32, "batch": 8, "update_freq": 2, "epochs": 4, "optimizer": "sgd",
                  "optimizer_params": {"learning_rate": 0.025}},
    "sgd_freq1_padded": {"rows": 30, "batch": 8, "update_freq": 1, "epochs": 3, "optimizer": "sgd",
                         "optimizer_params": {"learning_rate": 0.05}},
    "momentum_wd": {"rows": 24, "batch": 6, "update_freq": 2, "epochs": 3, "optimizer": "sgd",
                    "optimizer_params": {"learning_rate": 0.02, "momentum": 0.9, "wd": 0.01}},
}


def _problem(mx, rows):
    rng = np.random.RandomState(3)
    x = rng.uniform(-1, 1, size=(rows, 3)).astype(np.float32)
    y = (x @ np.array([1.5, -2.0, 0.5], dtype=np.float32) + 0.3
         + 0.05 * rng.standard_normal(rows).astype(np.float32)).astype(np.float32)
    data = mx.sym.Variable("data")
    label = mx.sym.Variable("lin_reg_label")
    fc = mx.sym.FullyConnected(data, num_hidden=1, name="fc")
    net = mx.sym.LinearRegressionOutput(fc, label=label, name="lro")
    init = {"fc_weight": mx.nd.array(rng.uniform(-0.5, 0.5, size=(1, 3)).astype(np.float32)),
            "fc_bias": mx.nd.array(np.array([0.1], dtype=np.float32))}
    return x, y, net, init


def outcomes(mx) -> dict:
    svrg_module = importlib.import_module(mx.__name__ + ".contrib.svrg_optimization.svrg_module")
    out = {}
    for name, s in sorted(SETTINGS.items()):
        x, y, net, init = _problem(mx, s["rows"])
        it = mx.io.NDArrayIter(x, y, batch_size=s["batch"], label_name="lin_reg_label", last_batch_handle="pad")
        mod = svrg_module.SVRGModule(net, data_names=["data"], label_names=["lin_reg_label"],
                                     update_freq=s["update_freq"], logger=logging.getLogger("svrg-golden"))
        epochs = []

        def record(epoch, symbol, arg, aux, epochs=epochs):
            epochs.append({k: v.asnumpy().tolist() for k, v in sorted(arg.items())})

        mod.fit(it, eval_metric="mse", optimizer=s["optimizer"], optimizer_params=s["optimizer_params"],
                arg_params=init, num_epoch=s["epochs"], epoch_end_callback=record)
        out[name] = {
            "epochs": epochs,
            "full_grads": {k: v.asnumpy().tolist() for k, v in sorted(mod._param_dict[0].items())},
            "idx2name": sorted([int(k), v] for k, v in mod._optimizer.idx2name.items()),
            "rescale_grad": [mod._optimizer.rescale_grad, mod._optimizer.default_opt.rescale_grad],
            "default_opt": type(mod._optimizer.default_opt).__name__,
            "score": mod.score(it, "mse")[0][1],
        }
    errors = []
    for freq in (0, -1, None, 2.0, "2"):
        try:
            svrg_module.SVRGModule(_problem(mx, 4)[2], label_names=["lin_reg_label"], update_freq=freq)
            errors.append("none")
        except Exception as e:  # noqa: BLE001  (the exception's type is the outcome)
            errors.append(type(e).__name__)
    out["errors"] = errors
    opt_mod = importlib.import_module(mx.__name__ + ".contrib.svrg_optimization.svrg_optimizer")
    out["check_params"] = sorted(opt_mod._SVRGOptimizer._check_params(
        learning_rate=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5, lazy_update=False))
    return out


def main() -> None:
    import mxnet as mx
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(outcomes(mx), f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
