"""mx.sym: naming, composition, listings, attributes, inference, JSON and bad input. Expected
lists were checked against MXNet 1.9.1."""
import copy
import json
import pickle

import minerva as mx
import numpy as np
import pytest


def mlp():
    with mx.name.NameManager():
        data = mx.sym.var("data")
        h = mx.sym.FullyConnected(data, num_hidden=32)
        h = mx.sym.Activation(h, act_type="relu")
        h = mx.sym.FullyConnected(h, num_hidden=10)
        return mx.sym.SoftmaxOutput(h)


def bn_cnn():
    data = mx.sym.var("data")
    conv1 = mx.sym.Convolution(data, kernel=(3, 3), num_filter=8, pad=(1, 1), name="conv1")
    bn1 = mx.sym.BatchNorm(conv1, name="bn1")
    act1 = mx.sym.Activation(bn1, act_type="relu", name="relu1")
    pool1 = mx.sym.Pooling(act1, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    conv2 = mx.sym.Convolution(pool1, kernel=(3, 3), num_filter=16, name="conv2")
    bn2 = mx.sym.BatchNorm(conv2, fix_gamma=False, name="bn2")
    flat = mx.sym.Flatten(bn2, name="flat")
    fc = mx.sym.FullyConnected(flat, num_hidden=10, name="fc")
    return mx.sym.SoftmaxOutput(fc, name="softmax")


# ---- listings (MXNet 1.9.1's) -------------------------------------------------------------------
def test_mlp_listings_match_mxnet():
    net = mlp()
    assert net.list_arguments() == ["data", "fullyconnected0_weight", "fullyconnected0_bias",
                                    "fullyconnected1_weight", "fullyconnected1_bias", "softmaxoutput0_label"]
    assert net.list_outputs() == ["softmaxoutput0_output"]
    assert net.list_auxiliary_states() == []
    assert net.get_internals().list_outputs() == [
        "data", "fullyconnected0_weight", "fullyconnected0_bias", "fullyconnected0_output", "activation0_output",
        "fullyconnected1_weight", "fullyconnected1_bias", "fullyconnected1_output", "softmaxoutput0_label",
        "softmaxoutput0_output"]
    assert net.infer_shape(data=(4, 20)) == (
        [(4, 20), (32, 20), (32,), (10, 32), (10,), (4,)], [(4, 10)], [])


def test_batchnorm_cnn_listings_match_mxnet():
    net = bn_cnn()
    assert net.list_arguments() == ["data", "conv1_weight", "conv1_bias", "bn1_gamma", "bn1_beta", "conv2_weight",
                                    "conv2_bias", "bn2_gamma", "bn2_beta", "fc_weight", "fc_bias", "softmax_label"]
    assert net.list_outputs() == ["softmax_output"]
    assert net.list_auxiliary_states() == ["bn1_moving_mean", "bn1_moving_var", "bn2_moving_mean", "bn2_moving_var"]
    assert net.list_inputs() == ["data", "conv1_weight", "conv1_bias", "bn1_gamma", "bn1_beta", "bn1_moving_mean",
                                 "bn1_moving_var", "conv2_weight", "conv2_bias", "bn2_gamma", "bn2_beta",
                                 "bn2_moving_mean", "bn2_moving_var", "fc_weight", "fc_bias", "softmax_label"]
    assert net.get_internals().list_outputs() == [
        "data", "conv1_weight", "conv1_bias", "conv1_output", "bn1_gamma", "bn1_beta", "bn1_moving_mean",
        "bn1_moving_var", "bn1_output", "relu1_output", "pool1_output", "conv2_weight", "conv2_bias",
        "conv2_output", "bn2_gamma", "bn2_beta", "bn2_moving_mean", "bn2_moving_var", "bn2_output", "flat_output",
        "fc_weight", "fc_bias", "fc_output", "softmax_label", "softmax_output"]
    arg, out, aux = net.infer_shape(data=(2, 3, 8, 8))
    assert arg == [(2, 3, 8, 8), (8, 3, 3, 3), (8,), (8,), (8,), (16, 8, 3, 3), (16,), (16,), (16,), (10, 64),
                   (10,), (2,)]
    assert out == [(2, 10)]
    assert aux == [(8,), (8,), (16,), (16,)]
    arg_t, out_t, aux_t = net.infer_type(data="float64")
    assert arg_t == [np.float64] * 12 and out_t == [np.float64] and aux_t == [np.float64] * 4


def test_multi_output_names():
    data = mx.sym.var("data")
    assert mx.sym.BatchNorm(data, output_mean_var=True, name="b").list_outputs() == ["b_output", "b_mean", "b_var"]
    split = mx.sym.SliceChannel(data, num_outputs=3, name="sl")
    assert split.list_outputs() == ["sl_output0", "sl_output1", "sl_output2"]
    assert len(split) == 3
    assert [s.list_outputs() for s in split] == [["sl_output0"], ["sl_output1"], ["sl_output2"]]


# ---- naming ---------------------------------------------------------------------------------------
def test_automatic_names_follow_the_called_name():
    w = mx.sym.var("w")
    with mx.name.NameManager():
        assert mx.sym.FullyConnected(w, num_hidden=3).name == "fullyconnected0"
        assert mx.sym.FullyConnected(w, num_hidden=3).name == "fullyconnected1"
        assert mx.sym.concat(w, w).name == "concat0"
        assert mx.sym.Concat(w, w).name == "concat1"
        assert mx.sym.broadcast_plus(w, w).name == "broadcast_plus0"
        assert mx.sym.zeros((2, 3)).name == "_zeros0"
        assert mx.sym.Softmax(w).name == "softmax0"
        assert mx.sym.SoftmaxOutput(w).name == "softmaxoutput0"
        assert w.reshape((2, 3)).name == "reshape0"
        assert w.sum(axis=1).name == "sum0"
        assert (w + w).name == "_plus0"


def test_name_managers_count_separately_and_prefix_applies_to_ops_only():
    w = mx.sym.var("w")
    with mx.name.NameManager():
        with mx.name.Prefix("mynet_"):
            a = mx.sym.FullyConnected(w, num_hidden=3)
            b = mx.sym.FullyConnected(w, num_hidden=3, name="fc")
            v = mx.sym.var("q")
            assert isinstance(mx.name.NameManager.current, mx.name.Prefix)
        with mx.name.NameManager():
            assert mx.sym.FullyConnected(w, num_hidden=3).name == "fullyconnected0"
        assert mx.sym.FullyConnected(w, num_hidden=3).name == "fullyconnected0"
    assert a.name == "mynet_fullyconnected0"
    assert a.list_arguments() == ["w", "mynet_fullyconnected0_weight", "mynet_fullyconnected0_bias"]
    assert b.name == "mynet_fc"
    assert v.name == "q"


def test_name_manager_get():
    nm = mx.name.NameManager()
    got = [nm.get(None, "x"), nm.get(None, "x"), nm.get("given", "x"), nm.get(None, "y")]
    assert got == ["x0", "x1", "given", "y0"]
    assert mx.name.Prefix("p_").get(None, "x") == "p_x0"


# ---- attributes -----------------------------------------------------------------------------------
def test_variable_attributes_as_mxnet_writes_them():
    v = mx.sym.var("x", shape=(2, 3), lr_mult=2, wd_mult=0.5, dtype="float16", init="zeros", stype="default",
                   attr={"foo": "bar"}, __ctx_group__="dev1")
    attrs = v.list_attr()
    assert attrs["__shape__"] == "(2, 3)"
    assert attrs["__lr_mult__"] == "2"
    assert attrs["__wd_mult__"] == "0.5"
    assert attrs["__dtype__"] == "2"
    assert attrs["__init__"] == "zeros"
    assert attrs["__storage_type__"] == "0"
    assert attrs["__ctx_group__"] == "dev1"
    assert attrs["foo"] == "bar"
    assert mx.sym.Variable("z", dtype=np.int64).attr("__dtype__") == "6"
    assert mx.sym.var("v", shape=[2, 3]).attr("__shape__") == "[2, 3]"

    class Init:
        def dumps(self):
            return '["xavier", {"magnitude": 3}]'

    assert mx.sym.var("w", init=Init()).attr("__init__") == '["xavier", {"magnitude": 3}]'
    assert mx.sym.var("v", shape=(2, 3)).infer_shape() == ([(2, 3)], [(2, 3)], [])
    assert mx.sym.var("v", dtype="float64").infer_type() == ([np.float64], [np.float64], [])


def test_variable_bad_arguments():
    with pytest.raises(TypeError, match="Expect a string"):
        mx.sym.var(3)
    with pytest.raises(ValueError, match="double underscores"):
        mx.sym.var("x", ctx_group="dev1")
    with pytest.raises(ValueError, match="string values"):
        mx.sym.var("x")._set_attr(k=1)
    with pytest.raises(ValueError, match="need to be string"):
        mx.AttrScope(x=1)


def test_operator_attributes_and_attr_dict():
    x = mx.sym.var("x")
    fc = mx.sym.FullyConnected(data=x, num_hidden=10, name="fc1", attr={"__k__": "v"})
    assert fc.attr("num_hidden") == "10"
    assert fc.attr("__k__") == "v"
    assert fc.attr("nope") is None
    assert fc.list_attr() == {"num_hidden": "10", "__k__": "v"}
    d = fc.attr_dict()
    assert d["fc1"] == {"num_hidden": "10", "__k__": "v"}
    # MXNet gives the weights made for missing inputs the node's attributes.
    assert d["fc1_weight"]["__k__"] == "v"
    assert "x" not in d
    conv = mx.sym.Convolution(x, kernel=(3, 3), num_filter=4, name="c")
    assert conv.list_attr() == {"num_filter": "4", "kernel": "(3, 3)"}
    assert mx.sym.Concat(x, x, dim=0).list_attr() == {"num_args": "2", "dim": "0"}


def test_attr_scope_nests_and_reaches_variables_and_weights():
    with mx.AttrScope(__group__="4", __data__="great"):
        w = mx.sym.var("w")
        with mx.AttrScope(__data__="inner"):
            act = mx.sym.Activation(w, act_type="relu", name="act")
            fc = mx.sym.FullyConnected(w, num_hidden=2, name="fc", attr={"__lr_mult__": "0.1"})
    plain = mx.sym.var("plain")
    assert w.list_attr() == {"__group__": "4", "__data__": "great"}
    assert act.list_attr() == {"act_type": "relu", "__group__": "4", "__data__": "inner"}
    d = fc.attr_dict()
    assert d["fc_weight"]["__lr_mult__"] == "0.1" and d["fc_bias"]["__group__"] == "4"
    assert d["w"] == {"__group__": "4", "__data__": "great"}
    assert plain.list_attr() == {}
    assert mx.AttrScope.current.get(None) == {}


def test_set_attr_changes_only_this_graph_after_copy():
    a = mx.sym.var("a")
    b = copy.copy(a)
    b._set_attr(__mood__="happy")
    assert b.attr("__mood__") == "happy"
    assert a.attr("__mood__") is None
    c = copy.deepcopy(mx.sym.FullyConnected(a, num_hidden=2, name="fc"))
    assert c.name == "fc" and c.list_arguments() == ["a", "fc_weight", "fc_bias"]


# ---- composition, grouping, indexing ----------------------------------------------------------------
def test_missing_inputs_become_variables_and_keyword_inputs():
    x = mx.sym.var("x")
    fc = mx.sym.FullyConnected(data=x, num_hidden=10, name="fc1")
    assert fc.list_arguments() == ["x", "fc1_weight", "fc1_bias"]
    nb = mx.sym.FullyConnected(x, num_hidden=10, no_bias=True, name="fc2")
    assert nb.list_arguments() == ["x", "fc2_weight"]
    w = mx.sym.var("my_w")
    fw = mx.sym.FullyConnected(x, weight=w, num_hidden=10, name="fc3")
    assert fw.list_arguments() == ["x", "my_w", "fc3_bias"]
    lone = mx.sym.FullyConnected(num_hidden=3, name="fc")
    assert lone.list_arguments() == ["fc_data", "fc_weight", "fc_bias"]


def test_compose_by_name_returns_a_new_symbol():
    fc = mx.sym.FullyConnected(num_hidden=3, name="fc")
    composed = fc(fc_data=mx.sym.var("z"))
    assert composed.list_arguments() == ["z", "fc_weight", "fc_bias"]
    assert fc.list_arguments() == ["fc_data", "fc_weight", "fc_bias"]
    net = mx.sym.Activation(mx.sym.var("inp"), act_type="relu", name="relu")
    stacked = net(inp=mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=4, name="fc1"))
    assert stacked.list_arguments() == ["data", "fc1_weight", "fc1_bias"]
    with pytest.raises(TypeError, match="not both"):
        fc(mx.sym.var("a"), fc_data=mx.sym.var("b"))
    with pytest.raises(TypeError, match="Symbol"):
        fc(1)
    with pytest.raises(mx.MXNetError, match="nothere"):
        fc(nothere=mx.sym.var("a"))


def test_group_indexing_and_iteration():
    a = mx.sym.var("a")
    fc = mx.sym.FullyConnected(a, num_hidden=2, name="fc")
    g = mx.sym.Group([a, fc])
    assert len(g) == 2 and len(fc) == 1
    assert g.name is None and fc.name == "fc"
    assert repr(g) == "<Symbol group [a, fc]>" and repr(fc) == "<Symbol fc>"
    assert [s.name for s in g] == ["a", "fc"]
    assert g.list_outputs() == ["a", "fc_output"]
    assert g[1].name == "fc" and g["fc_output"].name == "fc"
    assert g[-1].name == "fc"
    assert g[0:2].list_outputs() == ["a", "fc_output"]
    internals = fc.get_internals()
    assert internals["fc_weight"].name == "fc_weight"
    assert internals[1].list_outputs() == ["fc_weight"]
    with pytest.raises(ValueError, match='Cannot find output that matches name "nope"'):
        internals["nope"]
    with pytest.raises(IndexError):
        internals[100]
    with pytest.raises(TypeError, match="Expected a list of symbols"):
        mx.sym.Group([a, 1])
    assert fc.get_children().list_outputs() == ["a", "fc_weight", "fc_bias"]
    assert a.get_children() is None


def test_symbols_are_unhashable_and_have_no_truth_value():
    a = mx.sym.var("a")
    with pytest.raises(TypeError):
        hash(a)
    with pytest.raises(mx.base.NotImplementedForSymbol):
        bool(a)
    with pytest.raises(mx.base.NotImplementedForSymbol):
        a.asnumpy()


# ---- operators on symbols ----------------------------------------------------------------------------
OVERLOADS = [
    ("a+b", "elemwise_add", "_plus0", None), ("a-b", "elemwise_sub", "_minus0", None),
    ("a*b", "elemwise_mul", "_mul0", None), ("a/b", "elemwise_div", "_div0", None),
    ("a**b", "_power", "_power0", None), ("a%b", "_mod", "_mod0", None),
    ("a+1", "_plus_scalar", "_plusscalar0", "1"), ("1+a", "_plus_scalar", "_plusscalar0", "1"),
    ("a-1", "_minus_scalar", "_minusscalar0", "1"), ("1-a", "_rminus_scalar", "_rminusscalar0", "1"),
    ("a*2", "_mul_scalar", "_mulscalar0", "2"), ("2*a", "_mul_scalar", "_mulscalar0", "2"),
    ("a/2", "_div_scalar", "_divscalar0", "2"), ("2/a", "_rdiv_scalar", "_rdivscalar0", "2"),
    ("a**2", "_power_scalar", "_powerscalar0", "2"), ("2**a", "_rpower_scalar", "_rpower_scalar0", "2"),
    ("a%2", "_mod_scalar", "_modscalar0", "2"), ("2%a", "_rmod_scalar", "_rmodscalar0", "2"),
    ("-a", "_mul_scalar", "_mulscalar0", "-1.0"), ("a+0.5", "_plus_scalar", "_plusscalar0", "0.5"),
    ("a==b", "_equal", "_equal0", None), ("a!=b", "_not_equal", "_not_equal0", None),
    ("a<b", "_lesser", "_lesser0", None), ("a<=b", "_lesser_equal", "_lesser_equal0", None),
    ("a>b", "_greater", "_greater0", None), ("a>=b", "_greater_equal", "_greater_equal0", None),
    ("a==1", "_equal_scalar", "_equal_scalar0", "1"), ("a<1", "_lesser_scalar", "_lesser_scalar0", "1"),
    ("1<a", "_greater_scalar", "_greater_scalar0", "1"), ("abs(a)", "abs", "abs0", None),
]


@pytest.mark.parametrize("expr,op,name,scalar", OVERLOADS)
def test_operator_overloads_build_mxnets_nodes(expr, op, name, scalar):
    with mx.name.NameManager():
        s = eval(expr, {}, {"a": mx.sym.var("a"), "b": mx.sym.var("b")})
    nodes = [n for n in json.loads(s.tojson())["nodes"] if n["op"] != "null"]
    assert [(n["op"], n["name"]) for n in nodes] == [(op, name)]
    assert (nodes[0].get("attrs") or {}).get("scalar") == scalar


@pytest.mark.parametrize("expr,fn", [
    ("a+b", lambda a, b: a + b), ("a-b", lambda a, b: a - b), ("a*b", lambda a, b: a * b),
    ("a/b", lambda a, b: a / b), ("a**b", lambda a, b: a ** b), ("a%b", np.mod),
    ("2-a", lambda a, b: 2 - a), ("2/a", lambda a, b: 2 / a), ("2**a", lambda a, b: 2 ** a),
    ("a**2", lambda a, b: a ** 2), ("-a", lambda a, b: -a), ("a>b", lambda a, b: (a > b) * 1.0),
    ("a<=0.75", lambda a, b: (a <= 0.75) * 1.0), ("1.5%a", lambda a, b: np.mod(1.5, a)),
])
def test_operator_overloads_compute_numpys_values(expr, fn):
    av = np.random.uniform(0.5, 1.5, (2, 3)).astype(np.float32)
    bv = np.random.uniform(0.5, 1.5, (2, 3)).astype(np.float32)
    s = eval(expr, {}, {"a": mx.sym.var("a"), "b": mx.sym.var("b")})
    feed = {k: mx.nd.array(v) for k, v in (("a", av), ("b", bv)) if k in s.list_arguments()}
    out = s.eval(ctx=mx.cpu(), **feed)[0].asnumpy()
    np.testing.assert_allclose(out, fn(av, bv), rtol=1e-5, atol=1e-6)


def test_overloads_refuse_other_types():
    a = mx.sym.var("a")
    with pytest.raises(TypeError, match="not supported"):
        a + mx.nd.ones(3)
    with pytest.raises(TypeError, match="not supported"):
        assert a == "x"


def test_helper_functions_pow_maximum_minimum():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    av, bv = np.array([1.0, 4.0], np.float32), np.array([3.0, 2.0], np.float32)
    feed = {"a": mx.nd.array(av), "b": mx.nd.array(bv)}
    np.testing.assert_allclose(mx.sym.pow(a, b).eval(**feed)[0].asnumpy(), av ** bv)
    np.testing.assert_allclose(mx.sym.maximum(a, 2).eval(a=feed["a"])[0].asnumpy(), [2, 4])
    np.testing.assert_allclose(mx.sym.minimum(3, a).eval(a=feed["a"])[0].asnumpy(), [1, 3])
    assert mx.sym.pow(2, 3) == 8
    np.testing.assert_allclose(mx.sym.ones((2, 2)).eval()[0].asnumpy(), np.ones((2, 2)))
    np.testing.assert_allclose(mx.sym.full((2,), 7).eval()[0].asnumpy(), [7, 7])
    np.testing.assert_allclose(mx.sym.arange(0, 3).eval()[0].asnumpy(), [0, 1, 2])


# ---- inference -------------------------------------------------------------------------------------
def test_infer_shape_positional_partial_and_incomplete():
    net = mlp()
    by_name = net.infer_shape(data=(4, 20))
    assert net.infer_shape((4, 20)) == by_name
    with pytest.warns(UserWarning, match="Cannot decide shape"):
        assert net.infer_shape() == (None, None, None)
    arg, out, aux = net.infer_shape_partial(fullyconnected0_weight=(32, 20))
    assert arg[1] == (32, 20) and arg[0] == ()
    with pytest.raises(ValueError, match="either by positional or kwargs"):
        net.infer_shape((4, 20), data=(4, 20))


def test_infer_type_partial_and_incomplete():
    net = mlp()
    assert net.infer_type(data="float32")[1] == [np.float32]
    assert net.infer_type(np.float64)[0] == [np.float64] * 6
    with pytest.warns(UserWarning, match="Cannot decide type"):
        assert net.infer_type() == (None, None, None)
    assert net.infer_type_partial() == ([None] * 6, [None], [])


def test_incompatible_shapes_name_the_node_and_shapes():
    net = mlp()
    with pytest.raises(mx.MXNetError) as err:
        net.infer_shape(data=(5, 20), fullyconnected0_weight=(7, 3))
    msg = str(err.value)
    assert "fullyconnected0" in msg and "(7, 3)" in msg and "(32, 20)" in msg


def test_infer_shape_unknown_name_lists_inputs():
    with pytest.raises(mx.MXNetError, match="foo.*data"):
        mlp().infer_shape(foo=(5, 10))


# ---- serialisation ---------------------------------------------------------------------------------
def test_json_round_trip_keeps_structure_and_attributes():
    net = bn_cnn()
    net._set_attr(__tag__="t")
    text = net.tojson()
    doc = json.loads(text)
    assert [n["name"] for n in doc["nodes"]][:4] == ["data", "conv1_weight", "conv1_bias", "conv1"]
    back = mx.sym.load_json(text)
    assert back.list_arguments() == net.list_arguments()
    assert back.list_auxiliary_states() == net.list_auxiliary_states()
    assert back.attr_dict()["softmax"]["__tag__"] == "t"
    assert back.attr_dict()["conv1"]["kernel"] == "(3, 3)"
    assert back.tojson() == text
    assert pickle.loads(pickle.dumps(net)).tojson() == text


def test_save_and_load_file(tmp_path):
    net = mlp()
    path = tmp_path / "net-symbol.json"
    net.save(str(path))
    assert json.loads(path.read_text())["heads"]
    assert mx.sym.load(str(path)).tojson() == net.tojson()
    with pytest.raises(TypeError, match="string"):
        net.save(3)


def test_malformed_json_and_unknown_operator_are_errors():
    with pytest.raises(mx.MXNetError, match="JSON"):
        mx.sym.load_json('{"nodes": [')
    bad = '{"nodes": [{"op":"Foo","name":"x","inputs":[]}], "arg_nodes":[], "heads":[[0,0,0]]}'
    with pytest.raises(mx.MXNetError, match="Foo"):
        mx.sym.load_json(bad)
    with pytest.raises(mx.MXNetError):
        mx.sym.load("/nonexistent/net-symbol.json")


# ---- bad operator calls ----------------------------------------------------------------------------
def test_unknown_parameter_lists_valid_ones():
    with pytest.raises(mx.MXNetError, match="foo.*num_hidden"):
        mx.sym.FullyConnected(mx.sym.var("a"), num_hidden=3, foo=2)


def test_missing_required_parameter():
    with pytest.raises(mx.MXNetError, match="num_hidden"):
        mx.sym.FullyConnected(mx.sym.var("a"))


def test_non_symbol_input_is_refused():
    with pytest.raises(TypeError, match="Symbol"):
        mx.sym.FullyConnected(mx.sym.var("a"), weight=mx.nd.ones((2, 2)), num_hidden=2)
    with pytest.raises(TypeError, match="Symbol"):
        mx.sym.elemwise_add(mx.sym.var("a"), mx.nd.ones(2))


def test_scalar_text_does_not_depend_on_earlier_calls():
    mx.nd.ones(2) + 2.0  # caches _plus_scalar with the float 2.0
    a = mx.sym.var("a")
    assert (a + 2).attr("scalar") == "2"
    assert (a + 2.0).attr("scalar") == "2.0"
    assert mx.sym.FullyConnected(a, num_hidden=2, no_bias=1).attr("no_bias") == "1"
    assert mx.sym.FullyConnected(a, num_hidden=2, no_bias=True).attr("no_bias") == "True"
