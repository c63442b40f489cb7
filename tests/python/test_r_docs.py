"""tools/codegen/r_docs.py, the generator of the R operator functions' help pages: what it reads
from r/R/ops.R, how it turns a registry doc into Rd, and the pages it groups. R's own check of
the pages (R CMD check: codoc, Rd syntax, file names) runs in `make test-r-check`."""
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "codegen"))
import r_docs  # noqa: E402

OPS = '''# generated
mx.nd.Cast <- function(data = NULL, dtype, out = NULL, ...)
  mx.internal.nd.invoke("Cast", "Cast", environment(), list(...))
mx.nd.cast <- function(data = NULL, dtype, out = NULL, ...)
  mx.internal.nd.invoke("cast", "Cast", environment(), list(...))
mx.nd.crop <- function(data = NULL, begin, end, step = c(), out = NULL, ...)
  mx.internal.nd.invoke("crop", "slice", environment(), list(...))
mx.nd.Crop <- function(data = list(), num_args, offset = c(0, 0), out = NULL, ...)
  mx.internal.nd.invoke("Crop", "Crop", environment(), list(...))
mx.symbol.Cast <- function(data = NULL, dtype, name = NULL, attr = NULL, ...)
  mx.internal.symbol.invoke("Cast", "Cast", environment(), list(...))
mx.symbol.cast.alias <- mx.symbol.Cast
'''

CAST = {"name": "Cast", "aliases": ["cast"], "variadic": "", "inputs": ["data"],
        "doc": "Casts all elements to a new type. Values that do not fit wrap.\n\nExample::\n\n"
               "  Cast([1.5, 100%], dtype='int32') = {1, 100}\n\n  # a second block\n\n"
               "- **a** list item with `code`\n- another *item*",
        "params": [{"name": "dtype", "type": "enum", "required": True, "default": "", "doc": "Output {type}",
                    "values": ["float32", "int32"]}]}


def test_reads_functions_formals_operator_and_aliases():
    ws = r_docs.read_wrappers(OPS)
    by = {w["name"]: w for w in ws}
    assert by["mx.nd.cast"]["called"] == "cast" and by["mx.nd.cast"]["op"] == "Cast"
    assert by["mx.nd.crop"]["formals"] == ["data = NULL", "begin", "end", "step = c()", "out = NULL", "..."]
    assert by["mx.nd.Crop"]["formals"][2] == "offset = c(0, 0)"  # the comma inside c() does not split
    assert by["mx.symbol.cast.alias"]["op"] == "Cast" and by["mx.symbol.cast.alias"]["kind"] == "symbol"


def test_an_unknown_definition_is_an_error_not_a_silent_gap():
    with pytest.raises(r_docs.GenError, match="mx.nd.made"):
        r_docs.read_wrappers(OPS + "mx.nd.made <- make.wrapper('x')\n")
    with pytest.raises(r_docs.GenError, match="does not call"):
        r_docs.read_wrappers("mx.nd.x <- function(data = NULL)\n  stop('no')\n")


def test_case_twins_share_a_page_unless_they_are_different_operators():
    pages = r_docs.pages(r_docs.read_wrappers(OPS))
    assert [w["name"] for w in pages["mx.nd.Cast.Rd"]] == ["mx.nd.Cast", "mx.nd.cast"]
    # crop (slice) and Crop are different operators: two files whose names differ in more than case.
    assert [w["name"] for w in pages["mx.nd.crop.Rd"]] == ["mx.nd.crop"]
    assert [w["name"] for w in pages["mx.nd.Crop-Crop.Rd"]] == ["mx.nd.Crop"]
    assert len({name.lower() for name in pages}) == len(pages)


def test_page_text_escapes_rd_and_keeps_examples_literal():
    ws = r_docs.read_wrappers(OPS)
    group = r_docs.pages(ws)["mx.nd.Cast.Rd"]
    page = r_docs.render_page(group, CAST, {}, {w["name"] for w in ws})
    assert "\\name{mx.nd.Cast}\n\\alias{mx.nd.Cast}\n\\alias{mx.nd.cast}\n" in page
    assert "\\title{Casts all elements to a new type}" in page
    assert "mx.nd.Cast(data = NULL, dtype, out = NULL, ...)\n\nmx.nd.cast(data = NULL, dtype, out = NULL, ...)" in page
    # The literal block: Rd's specials escaped, both indented blocks in one \preformatted.
    assert "\\preformatted{Cast([1.5, 100\\%], dtype='int32') = \\{1, 100\\}\n\n# a second block}" in page
    assert "\\itemize{\n\\item \\strong{a} list item with \\code{code}\n\\item another \\emph{item}\n}" in page
    assert ('\\item{dtype}{Output \\{type\\}. One of \\code{"float32"}, \\code{"int32"}. Required.}') in page
    assert "\\item{out}{" in page and "\\item{...}{" in page
    assert "\\seealso{\n\\code{\\link{mx.symbol.Cast}}\n}" in page


def test_an_argument_the_registry_does_not_know_is_an_error():
    w = r_docs.read_wrappers(OPS)[0]
    bad = dict(w, formals=["data = NULL", "dtype", "typo = 1", "out = NULL", "..."])
    with pytest.raises(r_docs.GenError, match="typo"):
        r_docs.render_page([bad], CAST, {}, set())


def test_exports_list_every_function():
    ws = r_docs.read_wrappers(OPS)
    text = r_docs.render_exports(ws)
    exported = [ln.split("export(")[1].rstrip(")") for ln in text.splitlines() if "export(" in ln]
    assert exported == [w["name"] for w in ws]
    assert text.rstrip().endswith("NULL")


INTERNAL = '''# generated
mx.nd.internal.plus.scalar <- function(..., out = NULL)
  mx.internal.nd.internal.invoke("mx.nd.internal.plus.scalar", "_plus_scalar", list(...), out)
mx.nd.internal.PlusScalar <- function(..., out = NULL)
  mx.internal.nd.internal.invoke("mx.nd.internal.PlusScalar", "_PlusScalar", list(...), out)
'''


def test_reads_the_internal_functions_and_rejects_anything_else():
    ws = r_docs.read_internal(INTERNAL)
    assert [(w["name"], w["op"], w["formals"]) for w in ws] == [
        ("mx.nd.internal.plus.scalar", "_plus_scalar", ["...", "out = NULL"]),
        ("mx.nd.internal.PlusScalar", "_PlusScalar", ["...", "out = NULL"])]
    with pytest.raises(r_docs.GenError, match="mx.nd.internal.made"):
        r_docs.read_internal(INTERNAL + "mx.nd.internal.made <- make('x')\n")
    # The name passed to invoke (used in its error messages) must be the function's own.
    with pytest.raises(r_docs.GenError, match="mx.nd.internal.x"):
        r_docs.read_internal('mx.nd.internal.x <- function(..., out = NULL)\n'
                             '  mx.internal.nd.internal.invoke("mx.nd.internal.y", "_x", list(...), out)\n')


def test_internal_page_has_an_alias_usage_and_operator_per_function():
    ws = r_docs.read_internal(INTERNAL)
    schema = {"doc": "Adds a scalar to every element.\n\nMore."}
    page = r_docs.render_internal_page(ws, {"_plus_scalar": schema, "_PlusScalar": schema},
                                       ["mx.nd.internal.copyto"])
    assert "\\name{mx.nd.internal}\n\\alias{mx.nd.internal}\n\\alias{mx.nd.internal.plus.scalar}\n" in page
    assert "\\alias{mx.nd.internal.PlusScalar}\n" in page
    assert ("\\usage{\nmx.nd.internal.plus.scalar(..., out = NULL)\nmx.nd.internal.PlusScalar(..., out = NULL)\n}"
            in page)
    assert ("\\item{\\code{mx.nd.internal.PlusScalar}}{Runs \\code{_PlusScalar}: Adds a scalar to every element.}"
            in page)
    assert "\\item{...}{" in page and "\\item{out}{" in page
    assert "\\code{\\link{mx.nd.internal.copyto}}" in page


def test_exports_include_the_internal_functions_after_the_operator_functions():
    ws, internal = r_docs.read_wrappers(OPS), r_docs.read_internal(INTERNAL)
    text = r_docs.render_exports(ws, internal)
    exported = [ln.split("export(")[1].rstrip(")") for ln in text.splitlines() if "export(" in ln]
    assert exported == [w["name"] for w in ws] + ["mx.nd.internal.plus.scalar", "mx.nd.internal.PlusScalar"]
