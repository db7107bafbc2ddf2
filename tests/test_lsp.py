"""`alignrules lsp` as editors run it: a subprocess speaking JSON-RPC over stdio.

The standard ruleset is copied into a scratch folder and configured as one ruleset (its rule
files use names that only schema.rules declares). Edits are sent as `didChange` and never
written, except where `alignrules check` must see the same text on disk.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alignrules.cli import main
from alignrules.source import Source
from alignrules.syntax.printer import format_source
from tests.lsp_client import LspClient

pytest.importorskip("pygls")

ROOT = Path(__file__).resolve().parents[1]
BRAND = "rulesets/strategy/rules/brand-erosion.rules"
HOLLOW = "rulesets/strategy/rules/hollow-brand.rules"
PARAMS = "rulesets/strategy/rules/params.rules"
SCHEMA = "rulesets/strategy/schema.rules"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ws")
    shutil.copytree(ROOT / "rulesets" / "strategy", root / "rulesets" / "strategy")
    return root


@pytest.fixture(scope="module")
def server(workspace: Path) -> Iterator[LspClient]:
    client = LspClient(workspace, {"rulesets": ["rulesets/strategy"]})
    yield client
    code, stderr = client.close()
    assert code == 0
    assert b"Traceback" not in stderr


@pytest.fixture
def brand(server: LspClient, workspace: Path) -> Iterator[tuple[str, str]]:
    """brand-erosion.rules open in the editor; put back as on disk afterwards."""
    path = workspace / BRAND
    text = path.read_text("utf-8")
    uri = server.open(path)
    server.diagnostics(uri)
    server.drain()
    yield uri, text
    server.change(uri, 1000, text)
    server.diagnostics(uri)
    server.drain()


def pos(text: str, needle: str, nth: int = 0, delta: int = 0) -> dict[str, int]:
    """The LSP position `delta` characters into the `nth` occurrence of `needle`."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += delta
    line = text.count("\n", 0, at)
    return {"line": line, "character": at - (text.rfind("\n", 0, at) + 1)}


def doc(uri: str, text: str, needle: str, nth: int = 0, delta: int = 0) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": pos(text, needle, nth, delta)}


def _line(text: str, position: dict[str, int]) -> str:
    return text.split("\n")[position["line"]]


# ------------------------------------------------------------------ lifecycle
def test_server_advertises_every_feature(server: LspClient) -> None:
    caps = server.initialize_result["capabilities"]
    for feature in (
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
    ):
        assert caps[feature] is True, feature
    assert "." in caps["completionProvider"]["triggerCharacters"]
    assert caps["codeActionProvider"]["codeActionKinds"] == ["quickfix"]
    assert server.initialize_result["serverInfo"]["name"] == "alignrules"


# ------------------------------------------------------------------ diagnostics
def _cli_diagnostics(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> list[dict[str, Any]]:
    """What `alignrules check` prints for the ruleset on disk, as (code, message, hint, range)."""
    monkeypatch.chdir(workspace)
    (workspace / "plan.json").write_text("{}", "utf-8")
    assert main(["check", "rulesets/strategy", "--data", "plan.json"]) == 2
    err = capsys.readouterr().err.splitlines()
    out = []
    for i, line in enumerate(err):
        m = re.fullmatch(r"(\S+):(\d+):(\d+): error: (.*)  \[([a-z-]+)\]", line)
        if m is None:
            continue
        caret = err[i + 2]
        width = len(caret.strip())
        start = {"line": int(m[2]) - 1, "character": int(m[3]) - 1}
        end = {"line": start["line"], "character": start["character"] + width}
        hint = err[i + 3].strip().removeprefix("hint: ") if i + 3 < len(err) else None
        out.append(
            {"file": m[1], "code": m[5], "message": m[4], "hint": hint, "start": start, "end": end}
        )
    return out


def _lsp_view(d: dict[str, Any], file: str) -> dict[str, Any]:
    message, _, hint = d["message"].partition("\nhint: ")
    return {
        "file": file,
        "code": d["code"],
        "message": message,
        "hint": hint or None,
        "start": d["range"]["start"],
        "end": d["range"]["end"],
    }


def test_typo_gives_the_same_diagnostic_as_check(
    server: LspClient,
    brand: tuple[str, str],
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uri, text = brand
    typo = text.replace("budget_trend = cut", "budget_trend = cutt", 1)
    server.change(uri, 2, typo)
    diagnostics = server.diagnostics(uri)
    assert diagnostics, "the typo is reported"
    path = workspace / BRAND
    try:
        path.write_text(typo, "utf-8")
        expected = _cli_diagnostics(workspace, monkeypatch, capsys)
    finally:
        path.write_text(text, "utf-8")
    assert [_lsp_view(d, BRAND) for d in diagnostics] == expected
    (d,) = diagnostics
    assert d["code"] == "unknown-enum-value"
    assert d["source"] == "alignrules"
    assert (
        _line(typo, d["range"]["start"])[
            d["range"]["start"]["character"] : d["range"]["end"]["character"]
        ]
        == "cutt"
    )


def test_fixing_the_typo_clears_the_diagnostic(server: LspClient, brand: tuple[str, str]) -> None:
    uri, text = brand
    server.change(uri, 2, text.replace("= cut", "= cutt", 1))
    assert server.diagnostics(uri)
    server.change(uri, 3, text)
    assert server.diagnostics(uri) == []


def test_diagnostics_are_debounced(workspace: Path) -> None:
    # A server of its own, with a debounce long enough that a slow machine cannot split the
    # burst below; the default is shorter (docs/performance.md).
    client = LspClient(workspace, {"rulesets": ["rulesets/strategy"], "debounce_ms": 1000})
    try:
        path = workspace / BRAND
        text = path.read_text("utf-8")
        uri = client.open(path)
        assert client.diagnostics(uri) == []
        # Five edits in a burst, as typing makes them: one analysis, of the last text.
        for version, word in enumerate(["c", "cu", "cutx", "cuty", "cutz"], start=2):
            client.change(uri, version, text.replace("= cut", f"= {word}", 1))
        diagnostics = client.diagnostics(uri)
        assert [d["message"] for d in diagnostics] == [
            "`cutz` is not a value of `BudgetTrend`\nhint: did you mean `cut`?"
        ]
        time.sleep(1.5)
        assert client.received("textDocument/publishDiagnostics") == []
    finally:
        assert client.close()[0] == 0


def test_diagnostics_go_to_the_file_they_are_in(
    server: LspClient, brand: tuple[str, str], workspace: Path
) -> None:
    # Breaking a declaration in one file is reported where the rules that use it are.
    uri, _ = brand
    params_path = workspace / PARAMS
    params_text = params_path.read_text("utf-8")
    params_uri = server.open(params_path)
    server.change(
        params_uri, 2, params_text.replace("predicate is_premium(", "predicate is_premiun(")
    )
    brand_diagnostics = server.diagnostics(uri)
    assert {d["code"] for d in brand_diagnostics} == {"unknown-predicate"}
    assert all("did you mean `is_premiun`?" in d["message"] for d in brand_diagnostics)
    server.change(params_uri, 3, params_text)
    assert server.diagnostics(uri) == []


def test_syntax_error_is_located_and_does_not_stop_the_server(
    server: LspClient, brand: tuple[str, str]
) -> None:
    uri, text = brand
    broken = text.replace("no claim where is_premium(claim)", "no claim where is_premium(claim", 1)
    server.change(uri, 2, broken)
    (d,) = server.diagnostics(uri)
    assert d["code"] == "syntax"
    assert d["range"]["start"]["line"] == pos(broken, "is_premium(claim")["line"] + 1
    # Everything else still answers while the file is broken.
    assert server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}}) == []
    hover = server.request("textDocument/hover", doc(uri, broken, "premium-claim-on"))
    assert hover is None


def test_missing_import_is_reported_at_the_import(server: LspClient, workspace: Path) -> None:
    path = workspace / "solo" / "main.rules"
    path.parent.mkdir(exist_ok=True)
    text = (
        'import "nowhere.rules"\n\nentity Claim { id: text }\nrule r { no claim where id = "x" }\n'
    )
    path.write_text(text, "utf-8")
    uri = server.open(path)
    (d,) = server.diagnostics(uri)
    assert d["code"] == "missing-import"
    assert d["range"]["start"] == {"line": 0, "character": len("import ")}
    assert d["message"].startswith("imported file `")


# ------------------------------------------------------------------ hover
def _hover(
    server: LspClient, uri: str, text: str, needle: str, nth: int = 0, delta: int = 0
) -> str:
    result = server.request("textDocument/hover", doc(uri, text, needle, nth, delta))
    assert result is not None, needle
    assert result["contents"]["kind"] == "markdown"
    return str(result["contents"]["value"])


def test_hover_on_a_field_gives_its_type_and_where_it_is_read(
    server: LspClient, brand: tuple[str, str]
) -> None:
    uri, text = brand
    shown = _hover(server, uri, text, "capability.budget_trend", delta=len("capability."))
    assert "`Capability.budget_trend: BudgetTrend?`" in shown
    assert "Read from `budget_trend` of each record at `business.capabilities`" in shown
    assert "`capabilities.csv` in a CSV folder" in shown
    assert "Optional" in shown


def test_hover_on_a_reference_field_names_its_data_spelling(
    server: LspClient, workspace: Path
) -> None:
    path = workspace / SCHEMA
    text = path.read_text("utf-8")
    uri = server.open(path)
    shown = _hover(server, uri, text, "capabilities: list of Capability")
    assert "`Claim.capabilities: list of Capability`" in shown
    assert "Read from `capability_ids`" in shown
    assert "split on `;`" in shown
    assert "keys of `Capability` records" in shown


def test_hover_on_an_enum_value_shows_the_order(server: LspClient, workspace: Path) -> None:
    path = workspace / HOLLOW
    text = path.read_text("utf-8")
    uri = server.open(path)
    shown = _hover(server, uri, text, "at least funded", delta=len("at least "))
    assert "**value** `funded` of ordered enum `CapabilityStatus` (2 of 4)" in shown
    assert "`proposed < **funded** < built < stress_tested`" in shown


def test_hover_on_a_rule_predicate_and_parameter(
    server: LspClient, brand: tuple[str, str], workspace: Path
) -> None:
    uri, text = brand
    shown = _hover(server, uri, text, "premium-claim-on-cut-capability")
    assert "No premium claim may rest on a capability whose budget is being cut" in shown
    assert "severity: `error`" in shown
    assert "rationale: A premium promise" in shown
    assert "owner: brand-governance" in shown
    shown = _hover(server, uri, text, "is_premium(claim)")
    assert "predicate is_premium(claim: Claim) = claim.premium otherwise false" in shown
    path = workspace / "rulesets/strategy/rules/viral-death-spiral.rules"
    spiral = path.read_text("utf-8")
    spiral_uri = server.open(path)
    shown = _hover(server, spiral_uri, spiral, "* ltv_cac_min", delta=2)
    assert "param ltv_cac_min: decimal = 3" in shown
    assert "--param ltv_cac_min=VALUE" in shown


# ------------------------------------------------------------------ definition and references
def _definition(
    server: LspClient, uri: str, text: str, needle: str, delta: int = 0
) -> tuple[str, str]:
    """(file relative to the workspace, the text at the target range)."""
    (loc,) = server.request("textDocument/definition", doc(uri, text, needle, delta=delta))
    path = Path(loc["uri"].removeprefix("file://"))
    target = path.read_text("utf-8")
    start, end = loc["range"]["start"], loc["range"]["end"]
    line = target.split("\n")[start["line"]]
    assert start["line"] == end["line"]
    return path.relative_to(server.root).as_posix(), line[start["character"] : end["character"]]


def test_definition_of_each_kind_of_name(server: LspClient, brand: tuple[str, str]) -> None:
    uri, text = brand
    assert _definition(server, uri, text, "is_premium(claim)") == (PARAMS, "is_premium")
    assert _definition(server, uri, text, "capability.area", delta=len("capability.")) == (
        SCHEMA,
        "area",
    )
    assert _definition(server, uri, text, "= service", delta=2) == (SCHEMA, "service")
    assert _definition(server, uri, text, "in Capability", delta=3) == (SCHEMA, "Capability")
    assert _definition(server, uri, text, "budget_trend = cut", delta=len("budget_trend = ")) == (
        SCHEMA,
        "cut",
    )


def test_definition_of_a_parameter_a_type_and_an_imported_file(
    server: LspClient, workspace: Path
) -> None:
    folder = workspace / "imports"
    (folder / "shared").mkdir(parents=True)
    (folder / "shared" / "vocabulary.rules").write_text(
        "enum Status { proposed < funded }\nentity Claim { id: text  status: Status }\n", "utf-8"
    )
    main_text = (
        'import "shared/vocabulary.rules"\n\nparam floor: Status = funded\n\n'
        "rule r { no claim where status < floor }\n"
    )
    (folder / "main.rules").write_text(main_text, "utf-8")
    uri = server.open(folder / "main.rules")
    assert server.diagnostics(uri) == []
    assert _definition(server, uri, main_text, "floor }") == ("imports/main.rules", "floor")
    assert _definition(server, uri, main_text, ": Status", delta=2) == (
        "imports/shared/vocabulary.rules",
        "Status",
    )
    (loc,) = server.request("textDocument/definition", doc(uri, main_text, '"shared/'))
    assert loc["uri"] == (folder / "shared" / "vocabulary.rules").as_uri()


def test_references_of_a_field_across_the_ruleset(
    server: LspClient, brand: tuple[str, str]
) -> None:
    uri, text = brand
    params = doc(uri, text, "capability.budget_trend", delta=len("capability."))
    found = server.request(
        "textDocument/references", {**params, "context": {"includeDeclaration": True}}
    )
    files = sorted({Path(loc["uri"]).name for loc in found})
    assert files == ["brand-erosion.rules", "schema.rules"]
    in_brand = [loc for loc in found if loc["uri"] == uri]
    assert len(in_brand) == 4  # `budget_trend` twice in each of the two rules
    without = server.request(
        "textDocument/references", {**params, "context": {"includeDeclaration": False}}
    )
    assert len(without) == len(found) - 1


def test_references_of_an_entity_and_a_rule(server: LspClient, workspace: Path) -> None:
    path = workspace / SCHEMA
    text = path.read_text("utf-8")
    uri = server.open(path)
    params = doc(uri, text, "entity Segment", delta=len("entity "))
    found = server.request(
        "textDocument/references", {**params, "context": {"includeDeclaration": True}}
    )
    # Declared once, then used as the type of three `list of Segment` fields (at least).
    assert len(found) >= 4
    assert {Path(loc["uri"]).name for loc in found} >= {"schema.rules"}


# ------------------------------------------------------------------ completion
def _labels(server: LspClient, uri: str, text: str, needle: str, delta: int) -> dict[str, int]:
    result = server.request("textDocument/completion", doc(uri, text, needle, delta=delta))
    return {i["label"]: i["kind"] for i in result["items"]}


FIELD, ENUM_MEMBER, KEYWORD, CLASS, CONSTANT = 5, 20, 14, 7, 21


def test_completion_after_a_dot_offers_the_fields(
    server: LspClient, brand: tuple[str, str]
) -> None:
    uri, text = brand
    edited = text.replace("no claim where is_premium(claim)", "no claim where claim.", 1)
    server.change(uri, 2, edited)
    labels = _labels(server, uri, edited, "where claim.", len("where claim."))
    assert {"id", "text", "campaign", "capabilities", "premium", "public"} <= labels.keys()
    assert set(labels.values()) == {FIELD}
    # Through a reference field: the fields of the entity it names.
    edited = edited.replace("where claim.", "where claim.campaign.", 1)
    server.change(uri, 3, edited)
    labels = _labels(server, uri, edited, "claim.campaign.", len("claim.campaign."))
    assert {"launch_on", "budget", "channel", "strategy"} <= labels.keys()


def test_completion_offers_enum_values_where_an_enum_is_expected(
    server: LspClient, brand: tuple[str, str]
) -> None:
    uri, text = brand
    edited = text.replace("budget_trend = cut", "budget_trend = ", 1)
    server.change(uri, 2, edited)
    labels = _labels(server, uri, edited, "budget_trend = ", len("budget_trend = "))
    assert labels == {"cut": ENUM_MEMBER, "flat": ENUM_MEMBER, "increased": ENUM_MEMBER}


def test_completion_elsewhere_offers_keywords_entities_and_parameters(
    server: LspClient, brand: tuple[str, str]
) -> None:
    uri, text = brand
    labels = _labels(server, uri, text, "    no claim where", 4)
    assert labels["where"] == KEYWORD and labels["every"] == KEYWORD
    assert labels["Capability"] == CLASS and labels["Claim"] == CLASS
    assert labels["ltv_cac_min"] == CONSTANT
    assert "is_premium" in labels


# ------------------------------------------------------------------ symbols, formatting, fixes
def test_document_symbols_list_rules_entities_and_enums(
    server: LspClient, brand: tuple[str, str], workspace: Path
) -> None:
    uri, _ = brand
    rules = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [s["name"] for s in rules if s["detail"] != "example"] == [
        "premium-claim-on-cut-capability",
        "premium-claim-while-service-cut",
    ]
    schema_uri = server.open(workspace / SCHEMA)
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": schema_uri}})
    by_name = {s["name"]: s for s in symbols}
    assert by_name["CapabilityStatus"]["detail"] == "ordered enum"
    assert [c["name"] for c in by_name["CapabilityStatus"]["children"]] == [
        "proposed",
        "funded",
        "built",
        "stress_tested",
    ]
    claim = by_name["Claim"]
    assert claim["detail"] == "entity"
    fields = {c["name"]: c["detail"] for c in claim["children"]}
    assert fields["capabilities"] == "list of Capability"
    assert fields["campaign"] == "Campaign?"


def test_a_rule_of_several_bodies_is_one_symbol_and_its_hover_names_the_bodies(
    server: LspClient, workspace: Path
) -> None:
    path = workspace / "several" / "levels.rules"
    path.parent.mkdir(exist_ok=True)
    text = (
        "entity Objective { id: text  metric: text }\n"
        "entity Strategy { id: text  metric: int }\n"
        "rule by-level {\n"
        '    every Objective as item must item.metric != ""\n'
        "    every Strategy as item must item.metric > 0\n"
        "}\n"
    )
    path.write_text(text, "utf-8")
    uri = server.open(path)
    assert server.diagnostics(uri) == []
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [s["name"] for s in symbols].count("by-level") == 1
    shown = _hover(server, uri, text, "by-level")
    assert "bodies: `every Objective`, `every Strategy`" in shown
    # Each body's `item` is its own subject: hover on a field names that body's entity.
    assert "Strategy" in _hover(server, uri, text, "item.metric > 0", delta=5)
    assert "Objective" in _hover(server, uri, text, 'item.metric != ""', delta=5)


def test_formatting_gives_what_alignrules_fmt_writes(server: LspClient, workspace: Path) -> None:
    path = workspace / "fmt" / "messy.rules"
    path.parent.mkdir(exist_ok=True)
    messy = 'entity Claim{id:text   text : text}\nrule   r{no claim where text contains "x"}\n'
    path.write_text(messy, "utf-8")
    uri = server.open(path)
    (edit,) = server.request(
        "textDocument/formatting",
        {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": True}},
    )
    assert edit["range"]["start"] == {"line": 0, "character": 0}
    assert edit["range"]["end"] == {"line": 2, "character": 0}
    assert edit["newText"] == format_source(Source("messy.rules", messy))
    # A file that does not parse is left alone, as `alignrules fmt` leaves it.
    server.change(uri, 2, "entity Claim {")
    assert (
        server.request(
            "textDocument/formatting",
            {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": True}},
        )
        is None
    )


def test_code_action_applies_the_did_you_mean_hint(
    server: LspClient, brand: tuple[str, str]
) -> None:
    uri, text = brand
    typo = text.replace("capability.area = service", "capability.aera = service", 1)
    server.change(uri, 2, typo)
    (d,) = server.diagnostics(uri)
    assert d["code"] == "unknown-field" and "did you mean `area`?" in d["message"]
    actions = server.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}},
    )
    (action,) = actions
    assert action["kind"] == "quickfix" and action["title"] == "Replace with `area`"
    (edit,) = action["edit"]["changes"][uri]
    lines = typo.split("\n")
    start, end = edit["range"]["start"], edit["range"]["end"]
    line = lines[start["line"]]
    assert line[start["character"] : end["character"]] == "aera"
    lines[start["line"]] = line[: start["character"]] + edit["newText"] + line[end["character"] :]
    fixed = "\n".join(lines)
    assert fixed == text
    server.change(uri, 3, fixed)
    assert server.diagnostics(uri) == []


# ------------------------------------------------------------------ more names, broken files
def test_template_holes_and_reference_words_are_names_too(
    server: LspClient, workspace: Path
) -> None:
    path = workspace / HOLLOW
    text = path.read_text("utf-8")
    uri = server.open(path)
    shown = _hover(server, uri, text, "{capability.name}", delta=len("{capability."))
    assert "`Capability.name: text`" in shown
    assert _definition(server, uri, text, "reference a capability", delta=len("reference a ")) == (
        SCHEMA,
        "Capability",
    )


def test_navigation_keeps_working_beside_a_type_error(
    server: LspClient, brand: tuple[str, str]
) -> None:
    uri, text = brand
    typo = text.replace("capability.area = service", "capability.aera = service", 1)
    server.change(uri, 2, typo)
    assert server.diagnostics(uri)
    # The other rule of the file was typed: its names still lead to their declarations.
    assert _definition(server, uri, typo, "budget_trend = cut", delta=len("budget_trend = ")) == (
        SCHEMA,
        "cut",
    )


def test_a_duplicate_rule_points_at_the_first_one(server: LspClient, workspace: Path) -> None:
    path = workspace / "dup" / "dup.rules"
    path.parent.mkdir(exist_ok=True)
    text = (
        'entity Claim { id: text }\nrule r { no claim where id = "a" }\n'
        'rule r { no claim where id = "b" }\n'
    )
    path.write_text(text, "utf-8")
    uri = server.open(path)
    (d,) = server.diagnostics(uri)
    assert d["code"] == "duplicate-rule"
    assert d["range"]["start"] == {"line": 2, "character": 5}
    (related,) = d["relatedInformation"]
    assert related["location"]["uri"] == uri
    assert related["location"]["range"]["start"] == {"line": 1, "character": 5}


def test_lsp_without_its_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.delitem(sys.modules, "alignrules.lsp.server", raising=False)
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    assert main(["lsp"]) == 2
    err = capsys.readouterr().err
    assert "error: the language server needs `pygls`, which is not installed  [usage]" in err
    assert "pip install 'alignrules[lsp]'" in err
    assert "Traceback" not in err


def test_an_edit_to_an_imported_file_updates_the_files_that_import_it(
    server: LspClient, workspace: Path
) -> None:
    folder = workspace / "importers"
    (folder / "shared").mkdir(parents=True)
    vocabulary = folder / "shared" / "vocabulary.rules"
    vocabulary_text = (
        "enum Status { proposed < funded }\nentity Claim { id: text  status: Status }\n"
    )
    vocabulary.write_text(vocabulary_text, "utf-8")
    main_text = 'import "shared/vocabulary.rules"\n\nrule r { no claim where status < funded }\n'
    (folder / "main.rules").write_text(main_text, "utf-8")
    main_uri = server.open(folder / "main.rules")
    assert server.diagnostics(main_uri) == []
    vocabulary_uri = server.open(vocabulary)
    assert server.diagnostics(vocabulary_uri) == []
    server.change(vocabulary_uri, 2, vocabulary_text.replace("funded", "fundd"))
    (d,) = server.diagnostics(main_uri)
    assert d["code"] == "unknown-enum-value" and "did you mean `fundd`?" in d["message"]
    server.change(vocabulary_uri, 3, vocabulary_text)
    assert server.diagnostics(main_uri) == []


def test_completion_finds_the_rule_by_name_after_lines_moved(
    server: LspClient, brand: tuple[str, str]
) -> None:
    uri, text = brand
    # Lines added above move every offset; the variable `capability` of the second rule
    # (bound by `some capability in Capability`) is still found.
    edited = "# a new comment\n" * 20 + text.replace(
        "where capability.area is present", "where capability.", 1
    )
    server.change(uri, 2, edited)
    labels = _labels(server, uri, edited, "where capability.", len("where capability."))
    assert {"status", "area", "budget_trend", "ready_on"} <= labels.keys()


def test_via_names_the_field_a_traversal_follows(server: LspClient, workspace: Path) -> None:
    path = workspace / "via" / "via.rules"
    path.parent.mkdir(exist_ok=True)
    text = (
        "enum Status { proposed < funded }\n"
        "entity Capability { id: text  status: Status }\n"
        "entity Campaign { id: text }\n"
        "entity Claim {\n"
        "    id: text\n"
        "    campaign: Campaign?\n"
        "    capabilities: list of Capability\n"
        "    backups: list of Capability\n"
        "}\n"
        "rule r1 { no claim may reference a Capability via backups with status < funded }\n"
        "rule r2 { no campaign where count(Claim referencing campaign via campaign) = 0 }\n"
    )
    path.write_text(text, "utf-8")
    uri = server.open(path)
    assert server.diagnostics(uri) == []
    target = "via/via.rules"
    assert _definition(server, uri, text, "via backups", delta=4) == (target, "backups")
    assert _definition(server, uri, text, "via campaign", delta=4) == (target, "campaign")
    assert _definition(server, uri, text, "Claim referencing") == (target, "Claim")


def test_hover_describes_names_while_another_file_does_not_parse(
    server: LspClient, brand: tuple[str, str], workspace: Path
) -> None:
    uri, text = brand
    server.change(uri, 2, text + "\nrule broken {")
    (d,) = server.diagnostics(uri)
    assert d["code"] == "syntax"
    # Declarations are still known (from the files that parse); uses inside rules need the
    # IR, which a ruleset with a syntax error does not have.
    path = workspace / SCHEMA
    schema = path.read_text("utf-8")
    schema_uri = server.open(path)
    shown = _hover(server, schema_uri, schema, "capabilities: list of Capability")
    assert "`Claim.capabilities: list of Capability`" in shown
    assert server.request("textDocument/hover", doc(uri, text, "capability.area", delta=11)) is None
