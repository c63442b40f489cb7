#!/usr/bin/env python3
"""Renders the operator registry into the Scala package's generated operator objects
(ABI.md rule 22, STYLE rules 3 and 19):

  scala/src/main/scala/org/minerva/generated/NDArrayAPI.scala  (imperative, NDArray.invoke)
  scala/src/main/scala/org/minerva/generated/SymbolAPI.scala   (graph composition, Symbol.create)

Every public operator name gets one method per object with the registry's parameter names;
parameters with a registry default carry it, those whose default is None are Option[...] = None.
Only parameters that differ from their default are sent, as strings in MXNet's syntax. The
contract the Scala package implements (a later issue):

  NDArray.invoke(opName: String, inputs: Seq[NDArray], params: Map[String, String])
  Symbol.create(opName: String, name: Option[String], keys: Seq[String], args: Seq[Symbol],
                params: Map[String, String])   // keys empty: args are positional

Scala is row-major like the core, so nothing is remapped. Run with --check to fail when stale.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import julia_ops  # noqa: E402  (the shared registry, public-name and default rules)
import overrides  # noqa: E402
import emit  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "scala/src/main/scala/org/minerva/generated"


def scala_ident(name: str, reserved: set) -> str:
    return f"`{name}`" if name in reserved else name


def scala_literal(value, kind: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "float":
        if value != value:
            return "Float.NaN"
        if value in (float("inf"), float("-inf")):
            return "Float.PositiveInfinity" if value > 0 else "Float.NegativeInfinity"
        return repr(float(value)) + "f"
    if kind == "int":
        return str(value)
    if kind == "shape":
        if any(v is None for v in value):
            raise julia_ops.OpGenError(f"shape default {value!r} holds None, which Seq[Int] cannot")
        return "Seq(" + ", ".join(str(v) for v in value) + ")"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def scala_param(s: dict, p: dict, types: dict, reserved: set) -> tuple[str, str]:
    """(declaration, body line) of one parameter."""
    name = p["name"]
    ident = scala_ident(name, reserved)
    if p["type"] not in types:
        raise julia_ops.OpGenError(f"{s['name']}.{name}: no Scala type for registry type {p['type']!r}")
    t = types[p["type"]]
    if s["variadic"] and name == s["variadic"]:
        return (f"{ident}: Option[Int] = None",
                f'    params += "{name}" -> ParamFormat({ident}.getOrElse(arg.length))')
    if p["required"]:
        return f"{ident}: {t}", f'    params += "{name}" -> ParamFormat({ident})'
    default = julia_ops.parse_default(s["name"], p)
    if default is None:
        return (f"{ident}: Option[{t}] = None",
                f'    {ident}.foreach(v => params += "{name}" -> ParamFormat(v))')
    lit = scala_literal(default, p["type"])
    return (f"{ident}: {t} = {lit}",
            f'    if ({ident} != {lit}) params += "{name}" -> ParamFormat({ident})')


def _doc(s: dict) -> list[str]:
    text = s["doc"].strip().replace("*/", "* /") + f"\n\nDefined in {s['file']}."
    return ["  /**"] + [("   * " + line).rstrip() for line in text.splitlines()] + ["   */"]


def render_method(called: str, s: dict, kind: str, types: dict, reserved: set) -> str:
    tname = "NDArray" if kind == "nd" else "Symbol"
    decls, body = [], []
    optional = julia_ops.optional_inputs(s)
    if s["variadic"]:
        decls.append(f"arg: Seq[{tname}]")
    for n in s["inputs"] if not s["variadic"] else []:
        ident = scala_ident(n, reserved)
        if kind == "nd" and n not in optional:
            decls.append(f"{ident}: {tname}")
        else:
            decls.append(f"{ident}: Option[{tname}] = None")
    for p in s["params"]:
        d, b = scala_param(s, p, types, reserved)
        decls.append(d)
        body.append(b)
    if kind == "sym":
        decls.append("name: Option[String] = None")
    lines = _doc(s)
    lines.append(f"  def {scala_ident(called, reserved)}({', '.join(decls)}) = {{")
    lines.append("    val params = Map.newBuilder[String, String]")
    lines += body
    inputs = s["inputs"]
    if kind == "nd":
        if s["variadic"]:
            seq = "arg"
        else:
            seq = "Seq[NDArray](" + ", ".join(scala_ident(n, reserved) for n in inputs if n not in optional) + ")"
            seq += "".join(f" ++ {scala_ident(n, reserved)}.toSeq" for n in inputs if n in optional)
        lines.append(f'    NDArray.invoke("{called}", {seq}, params.result())')
    else:
        if s["variadic"]:
            keys, args = "Seq.empty[String]", "arg"
        else:
            pairs = "Seq[(String, Option[Symbol])](" + ", ".join(
                f'"{n}" -> {scala_ident(n, reserved)}' for n in inputs) + ").collect { case (k, Some(v)) => (k, v) }"
            lines.append(f"    val named = {pairs}")
            keys, args = "named.map(_._1)", "named.map(_._2)"
        lines.append(f'    Symbol.create("{called}", name, {keys}, {args}, params.result())')
    lines.append("  }")
    return "\n".join(lines)


FORMAT = """\
/** Parameter values in MXNet's string syntax: booleans True/False, sequences (a, b), options None. */
private[generated] object ParamFormat {
  def apply(v: Any): String = v match {
    case b: Boolean => if (b) "True" else "False"
    case None => "None"
    case Some(x) => apply(x)
    case s: Seq[_] => s.map(apply).mkString("(", ", ", if (s.length == 1) ",)" else ")")
    case f: Float => java.lang.Float.toString(f)
    case d: Double => java.lang.Double.toString(d)
    case x => x.toString
  }
}
"""


def render() -> dict:
    version, schemas = julia_ops.registry()
    scala = julia_ops.section("scala")
    reserved = set(scala.get("reserved_words", {}).get("words", []))
    types = scala.get("types", {})
    skip = scala.get("skip_names", {})
    names = [(n, s) for n, s in julia_ops.public_names(schemas) if n not in skip]
    files = {}
    for kind, obj, imports in (("nd", "NDArrayAPI", "import org.minerva.NDArray"),
                               ("sym", "SymbolAPI", "import org.minerva.Symbol")):
        head = [f"// generated by tools/codegen/scala_ops.py from the registry of libminerva {version}; do not edit",
                "package org.minerva.generated", "", imports, ""]
        if kind == "nd":
            head.append(FORMAT)
        what = ("runs imperatively through NDArray.invoke" if kind == "nd"
                else "composes a graph node through Symbol.create")
        head += [f"/** {len(names)} operator functions; each {what}. */", f"object {obj} {{"]
        methods = [render_method(n, s, kind, types, reserved) for n, s in names]
        files[OUT_DIR / f"{obj}.scala"] = "\n".join(head) + "\n" + "\n\n".join(methods) + "\n}\n"
    return files


def main() -> int:
    try:
        files = render()
    except (julia_ops.OpGenError, overrides.OverridesError) as err:
        print(f"scala_ops.py: {err}", file=sys.stderr)
        return 1
    return emit.write_or_check(files, "scala_ops.py")


if __name__ == "__main__":
    sys.exit(main())
