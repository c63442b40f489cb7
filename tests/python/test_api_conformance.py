"""Minerva's Python API against MXNet 1.9.1's (tests/golden/api/mxnet-1.9.1.json): every name of
every public MXNet module is present in minerva with the same kind and a compatible signature,
allowed to differ (api_allowlist.py, with the reason), or still owed (api_pending.json). A name
that becomes present must leave the pending list, so the list only shrinks; a name absent and not
listed is a regression. docs/api_conformance.md explains the rules."""
import api_allowlist
import api_conformance as conf
import pytest

PENDING = conf.load_pending()
RESULTS = {}


@pytest.mark.parametrize("module", sorted(conf.MODULES))
def test_module_matches_mxnet(module):
    results = RESULTS[module] = conf.check_module(module)
    pending = PENDING.get(module, {})
    regressions = {n: why for n, (status, why) in results.items() if status == "absent" and n not in pending}
    assert not regressions, (f"{conf.minerva_name(module)} lacks or differs in names MXNet has (fix them, or "
                             f"add them to tests/python/api_allowlist.py with a reason): {regressions}")
    done = sorted(n for n in pending if results.get(n, ("present",))[0] != "absent")
    assert not done, (f"{conf.minerva_name(module)} now has {done}: delete them from tests/python/api_pending.json "
                      f"(or run tools/golden/api_pending.py)")


def test_allowlist_entries_have_reasons():
    for pattern, reason in api_allowlist.MODULES.items():
        assert pattern.startswith("mxnet") and len(reason) > 20, pattern
    for module, name, reason in api_allowlist.NAMES:
        assert module.startswith(("mxnet", "*")) and name and len(reason) > 20, (module, name)


def test_signature_rules():
    null = conf.NULL
    mx_sig = [["data", "pk", "None"], ["act_type", "pk", null], ["out", "pk", "None"], ["kwargs", "varkw", None]]
    # MXNet's _Null default accepts any default; Minerva may add parameters that have defaults.
    assert conf.signature_problem(mx_sig, [["data", "pk", "None"], ["act_type", "pk", "'relu'"], ["out", "pk", "None"],
                                           ["attr", "kw", "None"], ["kwargs", "varkw", None]]) is None
    # A parameter MXNet takes by position must be positional, at the same place.
    assert "positional" in conf.signature_problem(mx_sig, [["data", "pk", "None"], ["act_type", "pk", "'relu'"],
                                                           ["out", "kw", "None"], ["kwargs", "varkw", None]])
    assert "positional" in conf.signature_problem(mx_sig, [["act_type", "pk", null], ["data", "pk", "None"],
                                                           ["out", "pk", "None"], ["kwargs", "varkw", None]])
    assert "**kwargs" in conf.signature_problem(mx_sig, mx_sig[:3])
    assert "defaults to 1" in conf.signature_problem([["a", "pk", "2"]], [["a", "pk", "1"]])
    assert conf.signature_problem([["a", "pk", "1"]], [["a", "pk", "1.0"]]) is None
    assert conf.signature_problem([["a", "pk", "1"]], [["a", "pk", "True"]]) is not None
    assert "requires parameters" in conf.signature_problem([["a", "pk", None]], [["a", "pk", None], ["b", "kw", None]])


def test_zz_report(capsys):
    """Prints present/total per module: total counts the names not allowlisted."""
    rows, totals = [], [0, 0, 0, 0]
    for module in sorted(conf.MODULES):
        results = RESULTS.get(module) or conf.check_module(module)
        counts = [sum(s == k for s, _ in results.values()) for k in ("present", "absent", "allowed")]
        present, absent, allowed_ = counts
        if present + absent == 0:
            totals[3] += 1
            continue
        rows.append(f"{module:<48} {present:>5}/{present + absent:<5} {100 * present / (present + absent):5.1f}%"
                    + (f"  (+{allowed_} allowed)" if allowed_ else ""))
        totals[0] += present
        totals[1] += present + absent
        totals[2] += allowed_
    with capsys.disabled():
        print("\nMXNet 1.9.1 API present in minerva (present/total outside the allowlist):")
        print("\n".join(rows))
        print(f"{'total':<48} {totals[0]:>5}/{totals[1]:<5} {100 * totals[0] / max(totals[1], 1):5.1f}%"
              f"  (+{totals[2]} allowed; {totals[3]} modules wholly allowlisted)")
