"""The highlighters agree with the grammar, and every ruleset in the docs highlights cleanly.

The TextMate grammar is generated from `alignrules.syntax.keywords` (its scopes are covered
by the snapshot tests in editors/vscode/tests/snap, which scripts/ci-editor.sh runs); the
Pygments lexer reads the same table. Here: the table holds exactly the words that
grammar/alignrules.lark quotes, the committed TextMate grammar is the generated one, and the
lexer meets no construct of the docs it cannot read.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from lark import Lark
from lark.lexer import PatternStr

from alignrules.ir.builtins import PUBLIC as BUILTINS
from alignrules.ir.types import PRIMS
from alignrules.syntax import keywords as kw
from alignrules.syntax.parser import grammar_text
from tests.test_docs import DOCS, blocks_of

pygments = pytest.importorskip("pygments")
from pygments.token import Error, Keyword, Name, String  # noqa: E402

from alignrules.pygments_lexer import AlignrulesLexer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "editors" / "vscode" / "tests" / "snap"


def _grammar_words() -> set[str]:
    lark = Lark(grammar_text(), parser="lalr")
    return {
        t.pattern.value
        for t in lark.terminals
        if isinstance(t.pattern, PatternStr) and re.fullmatch(r"[a-z]+", t.pattern.value)
    }


def test_keyword_table_holds_exactly_the_grammars_words() -> None:
    words = _grammar_words()
    assert sorted(words - kw.KEYWORDS) == [], "keywords the highlighters do not know"
    assert sorted(kw.KEYWORDS - words) == [], "highlighted words the grammar no longer has"
    groups = [
        kw.DECLARATIONS,
        kw.SCHEMA,
        kw.META,
        kw.SEVERITIES,
        kw.CONTROL,
        kw.OPERATOR_WORDS,
        kw.AGGREGATES,
        kw.CONSTANTS,
        kw.EXAMPLES,
    ]
    assert sum(len(g) for g in groups) == len(kw.KEYWORDS), "a word is in two groups"


def test_names_the_type_checker_knows_are_in_the_table() -> None:
    assert set(kw.TYPES) == set(PRIMS)
    assert set(kw.BUILTIN_FUNCTIONS) == set(BUILTINS)
    unit = re.search(r"^DURATION_UNIT: /\((?P<units>[a-z|]+)\)", grammar_text(), re.M)
    assert unit is not None
    assert unit["units"].split("|") == list(kw.DURATION_UNITS)


def _script() -> ModuleType:
    path = ROOT / "scripts" / "gen_tmgrammar.py"
    spec = importlib.util.spec_from_file_location("gen_tmgrammar", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_committed_textmate_grammar_is_the_generated_one() -> None:
    script = _script()
    assert script.OUT.read_text("utf-8") == script.render(), "run scripts/gen_tmgrammar.py"


def test_every_snapshot_source_has_its_snapshot() -> None:
    sources = sorted(SNAPSHOTS.glob("*.rules"))
    assert sources
    for src in sources:
        snap = src.with_name(src.name + ".snap")
        assert snap.is_file(), f"{snap.name}: run vscode-tmgrammar-snap --updateSnapshot"
        # The snapshot quotes each source line after `>`: a stale one would not match.
        quoted = [line[1:] for line in snap.read_text("utf-8").splitlines() if line[:1] == ">"]
        assert quoted == src.read_text("utf-8").split("\n")


def test_snapshots_use_every_word_of_the_language() -> None:
    # Comments are left out: a word only in a comment is not highlighted as a keyword.
    text = "\n".join(re.sub(r"#.*", "", p.read_text("utf-8")) for p in SNAPSHOTS.glob("*.rules"))
    used = set(re.findall(r"[A-Za-z_]+", text))
    for group in (kw.KEYWORDS, kw.TYPES, kw.BUILTIN_FUNCTIONS, kw.DURATION_UNITS):
        assert sorted(set(group) - used) == []


def test_lexer_is_registered_as_a_pygments_entry_point() -> None:
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename

    points = importlib.metadata.entry_points(group="pygments.lexers")
    assert any(p.value == "alignrules.pygments_lexer:AlignrulesLexer" for p in points)
    assert isinstance(get_lexer_by_name("alignrules"), AlignrulesLexer)
    assert isinstance(get_lexer_by_name("alignrules-fragment"), AlignrulesLexer)
    assert isinstance(get_lexer_for_filename("strategy.rules"), AlignrulesLexer)


_DOC_BLOCKS = [
    block
    for doc in DOCS
    for block in blocks_of(doc)
    if block.lang in {"alignrules", "alignrules-fragment"}
]


def test_docs_have_ruleset_blocks() -> None:
    assert len(_DOC_BLOCKS) > 50


@pytest.mark.parametrize("block", _DOC_BLOCKS, ids=lambda b: b.id)
def test_doc_block_highlights_without_error_tokens(block: object) -> None:
    text = block.text  # type: ignore[attr-defined]
    tokens = list(AlignrulesLexer().get_tokens(text))
    errors = [value for tok, value in tokens if tok in Error]
    assert errors == []
    assert "".join(value for _, value in tokens) == text


def test_standard_ruleset_and_snapshots_highlight_without_error_tokens() -> None:
    files = sorted((ROOT / "rulesets").rglob("*.rules")) + sorted(SNAPSHOTS.glob("*.rules"))
    assert files
    for f in files:
        tokens = list(AlignrulesLexer().get_tokens(f.read_text("utf-8")))
        assert [v for t, v in tokens if t in Error] == [], f


def _kinds(text: str) -> list[tuple[str, object]]:
    return [(v, t) for t, v in AlignrulesLexer().get_tokens(text) if v.strip()]


def test_lexer_tells_the_constructs_apart() -> None:
    text = (
        "enum Status { proposed < funded }\n"
        'entity Claim in "marketing.claims" key id { title: text  ready: date? }\n'
        "rule no-unfunded.claims {\n"
        '    no claim where claim.title contains "a\\"b" ignoring case and ready is at least today\n'
        '    message "{{x}} {claim.id}: 30 days"\n'
        "}\n"
        "param floor: money = 1.5 USD  # comment\n"
    )
    kinds: dict[str, object] = {}
    for value, kind in _kinds(text):
        kinds.setdefault(value, kind)  # the first time each text occurs
    assert kinds["enum"] in Keyword.Declaration
    assert kinds["Status"] in Name.Class
    assert kinds["proposed"] in Name.Constant
    assert kinds["no-unfunded.claims"] in Name.Function
    assert kinds["title"] in Name.Variable  # a field declaration spelled like a keyword
    assert kinds['\\"'] in String.Escape
    assert kinds["{{"] in String.Escape
    assert kinds["claim.id"] in Name.Variable
    assert kinds["is at least"] in pygments.token.Operator.Word
    assert kinds["ignoring case"] in pygments.token.Operator.Word
    assert kinds["USD"] in Name.Constant
    assert kinds["# comment"] in pygments.token.Comment
    attrs = [v for v, t in _kinds(text) if t in Name.Attribute]
    assert attrs == ["id", "title"]  # `key id`, then `claim.title` after the dot
