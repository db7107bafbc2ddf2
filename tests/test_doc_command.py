"""`alignrules doc`: the reviewer's document of a ruleset, as Markdown and as a static site."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from alignrules.cli import main
from alignrules.docgen.highlight import highlight
from tests.test_html_report import Page


def write_doc(out: Path, *rulesets: str) -> int:
    return main(["doc", *rulesets, "-o", str(out)])


def test_standard_ruleset_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert write_doc(tmp_path / "site", "std:strategy") == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / 'site'}: 27 files, 25 rules\n"
    md = (tmp_path / "site" / "ruleset.md").read_text("utf-8")
    assert md.startswith("# Ruleset std:strategy\n\n25 rules · 11 parameters · 35 examples")
    assert md.count("\n### ") == 25
    assert "- **hollow-brand**: [claim-capability-funded](#claim-capability-funded)," in md
    assert "- **growth-finance**: [acquisition-negative-margin]" in md
    assert "| `ltv_cac_min` | decimal | 3 | std:strategy/rules/params.rules:" in md
    assert "| `min_lead_time` | duration | 0 days |" in md
    # a rule: metadata, text, parameters, coverage, examples with data and expectations
    rule = md[md.index("### ltv-cac-below-threshold") :]
    rule = rule[: rule.index("\n### ")]
    assert "severity **error** · owner growth-finance · tags viral-death-spiral" in rule
    assert "```alignrules\nrule ltv-cac-below-threshold {" in rule
    assert "Parameters: `acquisition_kinds`, `ltv_cac_min`" in rule
    assert "Coverage: fires and passes in its examples." in rule
    assert "#### Example: " in rule and "Given:\n\n```yaml\n" in rule
    assert 'expect ltv-cac-below-threshold on "' in rule


def test_site_pages_link_to_each_other(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert write_doc(tmp_path, "std:strategy") == 0
    index = Page((tmp_path / "index.html").read_text("utf-8"))
    hrefs = {a["href"] for a in index.all("a")}
    pages = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "rules").glob("*.html"))
    assert len(pages) == 25 and set(pages) <= hrefs
    for html_path in tmp_path.rglob("*.html"):  # every local link names a file that exists
        for a in Page(html_path.read_text("utf-8")).all("a"):
            href = (a["href"] or "").split("#")[0]
            if href and not href.startswith("https://"):
                assert (html_path.parent / href).is_file(), (html_path.name, href)
    page = Page((tmp_path / "rules" / "launch-before-ready.html").read_text("utf-8"))
    assert page.all("a", href="../index.html")
    assert page.all("a", href="../index.html#param-min_lead_time")
    assert page.all("code", **{"class": "alignrules"})


def test_a_hostile_ruleset_stays_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "r.rules"
    rules.write_text(
        "entity Claim { id: text }\n"
        'rule x { title "<script>alert(1)</script>" owner "</a><img src=x>" '
        'tags "<b>" links "javascript:alert(1)" no claim where id = "\\"><i>" }\n',
        "utf-8",
    )
    assert write_doc(tmp_path / "out", str(rules)) == 0
    for page_path in (tmp_path / "out").rglob("*.html"):
        text = page_path.read_text("utf-8")
        page = Page(text)
        assert "<script>" not in text and "<img" not in text and "<i>" not in text
        assert not [a for a in page.all("a") if (a["href"] or "").startswith("javascript:")]
    md = (tmp_path / "out" / "ruleset.md").read_text("utf-8")
    assert "<script>" not in md.split("```alignrules")[0]


def test_bad_ruleset_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("kept", "utf-8")
    bad = tmp_path / "bad.rules"
    bad.write_text("rule r { every claim must }\n", "utf-8")
    assert write_doc(out, str(bad)) == 2
    err = capsys.readouterr().err
    assert "bad.rules:1:" in err and "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert (out / "index.html").read_text("utf-8") == "kept"


def test_highlight_keeps_every_character() -> None:
    text = 'rule r { title "a <b> & c" every x must x.n >= 3 } # note\n'
    out = highlight(text)

    class Text(HTMLParser):
        data = ""

        def handle_data(self, data: str) -> None:
            self.data += data

    parser = Text(convert_charrefs=True)
    parser.feed(out)
    assert parser.data == text
    assert '<span class="k">every</span>' in out and '<span class="n">3</span>' in out
    assert '<span class="c"># note</span>' in out
