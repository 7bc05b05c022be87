"""The inlined text is relay.py unchanged, and the rendered template fits CloudFormation."""

import ast
import os
import subprocess

import pytest

from relay_harness import INLINED, RELAY_PY, zipfile_block

# CloudFormation's limit on a template passed in the request (TemplateBody), in bytes:
# CloudFormation User Guide, "AWS CloudFormation quotas" (template body size in a request).
# It replaces the old 4,096-character rule: Code.ZipFile's own limit is the 4 MB zip file
# (AWS::Lambda::Function Code reference).
TEMPLATE_BODY_LIMIT = 51_200


def test_inlined_text_is_relay_py_unchanged():
    # With EVRELAY_BIN set, this checks the Rust side inlines relay.py exactly.
    assert INLINED.rstrip("\n") == RELAY_PY.read_text().rstrip("\n")


def test_relay_reads_as_documented_python():
    tree = ast.parse(INLINED)
    assert ast.get_docstring(tree), "the module says what the relay does"
    undocumented = [n.name for n in ast.walk(tree)
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")
                    and not ast.get_docstring(n)]
    assert undocumented == [], f"public functions without a docstring: {undocumented}"


@pytest.mark.skipif(not os.environ.get("EVRELAY_BIN"), reason="needs EVRELAY_BIN (`evrelay template`)")
def test_rendered_template_fits_the_template_body_limit():
    out = subprocess.run([os.environ["EVRELAY_BIN"], "template"], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    size = len(out.stdout)
    margin = TEMPLATE_BODY_LIMIT - size
    assert margin > 0, f"`evrelay template` is {size} bytes: {-margin} over CloudFormation's {TEMPLATE_BODY_LIMIT}"
    print(f"`evrelay template`: {size} bytes, {margin} bytes below the {TEMPLATE_BODY_LIMIT}-byte TemplateBody limit")


def test_zipfile_block_extraction():
    template = (
        "Resources:\n"
        "  Relay:\n"
        "    Properties:\n"
        "      Code:\n"
        "        ZipFile: |\n"
        "          import os\n"
        "\n"
        "          def handler(event, context):\n"
        "              return os.sep\n"
        "      Handler: index.handler\n"
    )
    assert zipfile_block(template) == "import os\n\ndef handler(event, context):\n    return os.sep\n"
