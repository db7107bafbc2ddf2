"""The VS Code extension as packaged: what is inside the .vsix (a zip) that users install.

scripts/ci-editor.sh builds editors/vscode/alignrules.vsix with `vsce package` (pinned in the
extension's package-lock.json) before the test suite runs in CI. Outside CI, the tests that
need the .vsix are skipped until that script has been run.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "editors" / "vscode"
VSIX = EXTENSION / "alignrules.vsix"


@pytest.fixture(scope="module")
def vsix() -> zipfile.ZipFile:
    if not VSIX.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{VSIX.relative_to(ROOT)} was not built: scripts/ci-editor.sh builds it")
        pytest.skip("run scripts/ci-editor.sh to build the .vsix")
    with zipfile.ZipFile(VSIX) as z:
        yield z


def _json(z: zipfile.ZipFile, name: str) -> Any:
    return json.loads(z.read(name).decode("utf-8"))


def test_vsix_holds_the_extension_files(vsix: zipfile.ZipFile) -> None:
    names = set(vsix.namelist())
    for needed in [
        "extension.vsixmanifest",
        "extension/package.json",
        "extension/extension.js",
        "extension/language-configuration.json",
        "extension/syntaxes/alignrules.tmLanguage.json",
        # The client library the extension starts the server with, bundled with it.
        "extension/node_modules/vscode-languageclient/package.json",
        "extension/node_modules/vscode-languageclient/node.js",
    ]:
        assert needed in names, needed
    # Development files stay out of what users install.
    assert not [n for n in names if n.startswith("extension/tests/")]
    assert not [n for n in names if "/node_modules/vscode-tmgrammar-test/" in n]
    assert not [n for n in names if "/node_modules/@vscode/vsce/" in n]


def test_vsix_manifest_contributes_the_language_grammar_and_server(
    vsix: zipfile.ZipFile,
) -> None:
    manifest = _json(vsix, "extension/package.json")
    assert manifest["main"] == "./extension.js"
    (language,) = manifest["contributes"]["languages"]
    assert language["id"] == "alignrules"
    assert language["extensions"] == [".rules"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert grammar["scopeName"] == "source.alignrules"
    for path in (language["configuration"], grammar["path"]):
        assert "extension/" + path.removeprefix("./") in vsix.namelist(), path
    server = manifest["contributes"]["configuration"]["properties"]["alignrules.server.command"]
    assert server["default"] == ["alignrules", "lsp"]
    rulesets = manifest["contributes"]["configuration"]["properties"]["alignrules.rulesets"]
    assert rulesets["default"] == []
    client = vsix.read("extension/extension.js").decode("utf-8")
    assert 'require("vscode-languageclient/node")' in client
    # The server reads which folders are one ruleset from its initialization options.
    assert 'initializationOptions: { rulesets: config.get("rulesets", []) }' in client


def test_vsix_grammar_and_language_configuration_are_the_committed_ones(
    vsix: zipfile.ZipFile,
) -> None:
    packed = vsix.read("extension/syntaxes/alignrules.tmLanguage.json")
    assert packed == (EXTENSION / "syntaxes" / "alignrules.tmLanguage.json").read_bytes()
    config = _json(vsix, "extension/language-configuration.json")
    assert config["comments"] == {"lineComment": "#"}
    assert ["{", "}"] in config["brackets"]
    assert {"open": '"', "close": '"', "notIn": ["string", "comment"]} in config["autoClosingPairs"]


def test_extension_tools_are_pinned_in_the_lock() -> None:
    package = json.loads((EXTENSION / "package.json").read_text("utf-8"))
    lock = json.loads((EXTENSION / "package-lock.json").read_text("utf-8"))
    for name, version in {**package["dependencies"], **package["devDependencies"]}.items():
        assert version[0].isdigit(), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
