"""Custom-operator programs run unchanged by MXNet 1.9.1 (tools/golden/make_custom_op_golden.py
writes tests/golden/custom_op.json) and by Minerva (tests/python/test_custom_op.py compares).
Written in MXNet 1.x's API only; `mx` is whichever package the caller passes in. The operators
follow MXNet's own documented examples (the softmax CustomOp of example/numpy-ops, a HybridBlock
calling F.Custom, aux states, need_top_grad=False, autograd.Function)."""
import numpy as np


def define(mx):
    """Registers the test operators with mx (idempotent: registering again replaces)."""

    class Softmax(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            x = in_data[0].asnumpy()
            y = np.exp(x - x.max(axis=1).reshape((x.shape[0], 1)))
            y /= y.sum(axis=1).reshape((x.shape[0], 1))
            self.assign(out_data[0], req[0], mx.nd.array(y))

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            lab = in_data[1].asnumpy().ravel().astype(np.int64)
            y = out_data[0].asnumpy()
            y[np.arange(lab.shape[0]), lab] -= 1.0
            self.assign(in_grad[0], req[0], mx.nd.array(y))

    @mx.operator.register("t_softmax")
    class SoftmaxProp(mx.operator.CustomOpProp):
        def __init__(self):
            super(SoftmaxProp, self).__init__(need_top_grad=False)

        def list_arguments(self):
            return ["data", "label"]

        def list_outputs(self):
            return ["output"]

        def infer_shape(self, in_shape):
            data_shape = in_shape[0]
            return [data_shape, (in_shape[0][0],)], [data_shape], []

        def infer_type(self, in_type):
            return in_type, [in_type[0]], []

        def create_operator(self, ctx, shapes, dtypes):
            return Softmax()

    class ScaledSquare(mx.operator.CustomOp):
        def __init__(self, scale):
            super(ScaledSquare, self).__init__()
            self.scale = scale

        def forward(self, is_train, req, in_data, out_data, aux):
            x = in_data[0]
            self.assign(out_data[0], req[0], x * x * self.scale)

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            self.assign(in_grad[0], req[0], out_grad[0] * in_data[0] * (2.0 * self.scale))

    @mx.operator.register("t_scaled_square")
    class ScaledSquareProp(mx.operator.CustomOpProp):
        def __init__(self, scale="1.0"):
            super(ScaledSquareProp, self).__init__(need_top_grad=True)
            self.scale = float(scale)

        def create_operator(self, ctx, shapes, dtypes):
            return ScaledSquare(self.scale)

    class TwoOut(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            a, b = in_data
            self.assign(out_data[0], req[0], a * b)
            self.assign(out_data[1], req[1], a - b)

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            a, b = in_data
            g0, g1 = out_grad
            self.assign(in_grad[0], req[0], g0 * b + g1)
            self.assign(in_grad[1], req[1], g0 * a - g1)

    @mx.operator.register("t_two_out")
    class TwoOutProp(mx.operator.CustomOpProp):
        def list_arguments(self):
            return ["a", "b"]

        def list_outputs(self):
            return ["prod", "diff"]

        def infer_shape(self, in_shape):
            return [in_shape[0], in_shape[0]], [in_shape[0], in_shape[0]], []

        def create_operator(self, ctx, shapes, dtypes):
            return TwoOut()

    class AddCount(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            self.assign(out_data[0], req[0], in_data[0] + aux[0])
            if is_train:
                self.assign(aux[0], "write", aux[0] + 1)

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            self.assign(in_grad[0], req[0], out_grad[0])

    @mx.operator.register("t_add_count")
    class AddCountProp(mx.operator.CustomOpProp):
        def list_auxiliary_states(self):
            return ["count"]

        def infer_shape(self, in_shape):
            return in_shape, [in_shape[0]], [in_shape[0]]

        def create_operator(self, ctx, shapes, dtypes):
            return AddCount()


def _rng():
    return np.random.RandomState(0)


def case_softmax_executor(mx):
    rs = _rng()
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=4, name="fc")
    net = mx.sym.Custom(data=fc, name="softmax", op_type="t_softmax")
    exe = net.simple_bind(mx.cpu(), data=(5, 3))
    x = rs.uniform(-1, 1, (5, 3)).astype(np.float32)
    w = rs.uniform(-1, 1, (4, 3)).astype(np.float32)
    b = rs.uniform(-1, 1, (4,)).astype(np.float32)
    lab = np.array([0, 1, 2, 3, 1], dtype=np.float32)
    exe.arg_dict["data"][:] = x
    exe.arg_dict["fc_weight"][:] = w
    exe.arg_dict["fc_bias"][:] = b
    exe.arg_dict["softmax_label"][:] = lab
    out = exe.forward(is_train=True)[0].asnumpy()
    exe.backward()
    return {"arguments": np.array([len(net.list_arguments())], np.float32), "output": out,
            "fc_weight_grad": exe.grad_dict["fc_weight"].asnumpy(), "data_grad": exe.grad_dict["data"].asnumpy()}


def case_softmax_module(mx):
    rs = _rng()
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    net = mx.sym.Custom(data=fc, name="softmax", op_type="t_softmax")
    x = rs.uniform(-1, 1, (12, 4)).astype(np.float32)
    y = (np.arange(12) % 3).astype(np.float32)
    it = mx.io.NDArrayIter(x, y, batch_size=4, label_name="softmax_label")
    mod = mx.mod.Module(net, data_names=["data"], label_names=["softmax_label"], context=mx.cpu())
    mod.bind(data_shapes=it.provide_data, label_shapes=it.provide_label)
    mod.init_params(arg_params={"fc_weight": mx.nd.array(rs.uniform(-1, 1, (3, 4))),
                                "fc_bias": mx.nd.zeros((3,))}, allow_missing=False)
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.5})
    for batch in it:
        mod.forward(batch, is_train=True)
        mod.backward()
        mod.update()
    args, _ = mod.get_params()
    it.reset()
    pred = mod.predict(it).asnumpy()
    return {"fc_weight": args["fc_weight"].asnumpy(), "fc_bias": args["fc_bias"].asnumpy(), "predict": pred}


def case_hybrid_block(mx):
    rs = _rng()

    class Net(mx.gluon.HybridBlock):
        def __init__(self, **kwargs):
            super(Net, self).__init__(**kwargs)
            with self.name_scope():
                self.dense = mx.gluon.nn.Dense(3, in_units=4)

        def hybrid_forward(self, F, x):
            return F.Custom(self.dense(x), op_type="t_scaled_square", scale=0.5)

    net = Net()
    net.initialize()
    net.dense.weight.set_data(mx.nd.array(rs.uniform(-1, 1, (3, 4))))
    net.dense.bias.set_data(mx.nd.array(rs.uniform(-1, 1, (3,))))
    net.hybridize()
    x = mx.nd.array(rs.uniform(-1, 1, (2, 4)))
    x.attach_grad()
    outs = []
    for _ in range(2):  # the second call runs the cached graph
        with mx.autograd.record():
            y = net(x)
        y.backward(mx.nd.array(np.arange(6).reshape(2, 3)))
        outs.append(y.asnumpy())
    return {"output": outs[1], "output_first": outs[0], "weight_grad": net.dense.weight.grad().asnumpy(),
            "x_grad": x.grad.asnumpy()}


def case_autograd_two_outputs(mx):
    rs = _rng()
    a = mx.nd.array(rs.uniform(-1, 1, (2, 3)))
    b = mx.nd.array(rs.uniform(-1, 1, (2, 3)))
    a.attach_grad()
    b.attach_grad()
    with mx.autograd.record():
        prod, diff = mx.nd.Custom(a, b, op_type="t_two_out")
        loss = prod * 2 + diff * diff
    loss.backward()
    return {"prod": prod.asnumpy(), "diff": diff.asnumpy(), "a_grad": a.grad.asnumpy(), "b_grad": b.grad.asnumpy()}


def case_autograd_softmax_need_top_grad_false(mx):
    rs = _rng()
    x = mx.nd.array(rs.uniform(-2, 2, (3, 4)))
    lab = mx.nd.array([3, 0, 1])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Custom(x, lab, op_type="t_softmax")
    y.backward(mx.nd.ones((3, 4)) * 7)  # ignored: the op declares need_top_grad=False
    return {"output": y.asnumpy(), "x_grad": x.grad.asnumpy()}


def case_aux_state(mx):
    data = mx.sym.Variable("data")
    net = mx.sym.Custom(data, op_type="t_add_count", name="ac")
    exe = net.simple_bind(mx.cpu(), data=(2, 2))
    exe.arg_dict["data"][:] = np.array([[1, 2], [3, 4]], np.float32)
    exe.aux_dict["ac_count"][:] = 10
    first = exe.forward(is_train=True)[0].asnumpy()
    second = exe.forward(is_train=True)[0].asnumpy()
    infer = exe.forward(is_train=False)[0].asnumpy()
    return {"aux_names": np.array([len(net.list_auxiliary_states())], np.float32), "first": first,
            "second": second, "infer": infer, "count": exe.aux_dict["ac_count"].asnumpy()}


def case_function(mx):
    class Sigmoid(mx.autograd.Function):
        def forward(self, x):
            y = 1 / (1 + mx.nd.exp(-x))
            self.save_for_backward(y)
            return y

        def backward(self, dy):
            y, = self.saved_tensors
            return dy * y * (1 - y)

    rs = _rng()
    x = mx.nd.array(rs.uniform(-3, 3, (2, 5)))
    x.attach_grad()
    with mx.autograd.record():
        y = Sigmoid()(x)
        z = (y * y).sum()
    z.backward()
    return {"y": y.asnumpy(), "x_grad": x.grad.asnumpy()}


CASES = [case_softmax_executor, case_softmax_module, case_hybrid_block, case_autograd_two_outputs,
         case_autograd_softmax_need_top_grad_false, case_aux_state, case_function]


def run_all(mx):
    define(mx)
    return {c.__name__[len("case_"):]: {k: np.asarray(v) for k, v in c(mx).items()} for c in CASES}
