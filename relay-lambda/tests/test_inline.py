"""The inlined text: size limit, and the inlining rule does not change what the code does."""

import ast

from relay_harness import INLINED, RELAY_PY, strip_for_inline, zipfile_block


def test_inlined_text_fits_in_zipfile_limit():
    assert len(INLINED) <= 4096, f"inlined relay is {len(INLINED)} characters (limit 4,096)"


def test_inlined_text_is_relay_py_stripped():
    # With EVRELAY_BIN set, this checks the Rust side inlines exactly what the rule says.
    assert INLINED.rstrip("\n") == strip_for_inline(RELAY_PY.read_text()).rstrip("\n")


def test_stripping_does_not_change_the_program():
    # A `#` line inside a multi-line string, or a docstring, would change or break it.
    full = RELAY_PY.read_text()
    assert ast.dump(ast.parse(full)) == ast.dump(ast.parse(INLINED))
    for node in ast.walk(ast.parse(full)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)):
            assert ast.get_docstring(node) is None, "docstrings cost inline characters: use comments"
    # In case the template ever wraps the code in !Sub.
    assert "${" not in INLINED


def test_zipfile_block_extraction():
    template = (
        "Resources:\n"
        "  Relay:\n"
        "    Properties:\n"
        "      Code:\n"
        "        ZipFile: |\n"
        "          import os\n"
        "          def handler(event, context):\n"
        "              return os.sep\n"
        "      Handler: index.handler\n"
    )
    assert zipfile_block(template) == "import os\ndef handler(event, context):\n    return os.sep\n"
