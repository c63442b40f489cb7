"""tree-sitter helpers shared by the Julia static tests: parsing, syntax errors, and reading
function signatures and ccall expressions out of Julia sources."""
import pathlib
import re

import tree_sitter
import tree_sitter_julia

ROOT = pathlib.Path(__file__).resolve().parents[2]
JULIA = ROOT / "julia"
_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_julia.language()))


def parse(path: pathlib.Path):
    return _PARSER.parse(path.read_bytes()).root_node


def walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def text(node) -> str:
    return re.sub(r"\s+", " ", node.text.decode()).strip()


def syntax_errors(root) -> list[str]:
    return [f"line {n.start_point[0] + 1}: {'missing ' + n.type if n.is_missing else 'cannot parse ' + text(n)[:60]!r}"
            for n in walk(root) if n.type == "ERROR" or n.is_missing]


def _ident(node) -> str:
    if node.type == "prefixed_string_literal":  # var"end"
        content = [c for c in node.children if c.type == "content"]
        return content[0].text.decode() if content else text(node)
    return text(node)


def functions(root):
    """(name, positional parameter texts, {keyword: default text or None}, body node) per
    `function ... end` definition."""
    out = []
    for n in walk(root):
        if n.type != "function_definition":
            continue
        sig = next((c for c in n.children if c.type == "signature"), None)
        call = sig.children[0] if sig is not None and sig.children else None
        if call is None or call.type != "call_expression":
            continue
        name = text(call.children[0])
        args = next(c for c in call.children if c.type == "argument_list")
        positional, keywords, after_semicolon = [], {}, False
        for c in args.children:
            if c.type == ";":
                after_semicolon = True
            elif c.type in ("(", ")", ","):
                continue
            elif after_semicolon:
                if c.type == "named_argument":
                    keywords[_ident(c.children[0])] = text(c.children[-1])
                else:
                    keywords[_ident(c)] = None
            else:
                positional.append(text(c))
        out.append((name, positional, keywords, n))
    return out


def ccalls(root):
    """(symbol, library, return type, [argument types], [argument texts], node) per ccall."""
    out = []
    for n in walk(root):
        if n.type != "call_expression" or text(n.children[0]) != "ccall":
            continue
        args = [c for c in n.children[1].children if c.type not in ("(", ")", ",")]
        target = [c for c in args[0].children if c.type not in ("(", ")", ",")]
        symbol = text(target[0]).lstrip(":")
        types = [text(c) for c in args[2].children if c.type not in ("(", ")", ",")]
        out.append((symbol, text(target[1]), text(args[1]), types, [text(c) for c in args[3:]], n))
    return out


def calls(root):
    """(callee name, number of positional arguments, line) for every call of a plain or
    module-qualified name (mx.MVGetABIVersion counts as MVGetABIVersion)."""
    out = []
    for n in walk(root):
        if n.type != "call_expression" or n.child_count < 2 or n.children[1].type != "argument_list":
            continue
        callee = n.children[0]
        if callee.type == "field_expression":
            callee = callee.children[-1]
        if callee.type != "identifier":
            continue
        positional = 0
        for c in n.children[1].children:
            if c.type == ";":
                break
            if c.type not in ("(", ")", ",", "named_argument"):
                positional += 1
        out.append((text(callee), positional, n.start_point[0] + 1))
    return out


def julia_files() -> list[pathlib.Path]:
    return sorted(JULIA.rglob("*.jl"))
