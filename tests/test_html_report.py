"""The HTML report without a browser: complete, self-contained, escaped, and drawn on the plan's
alignment map. tests/test_html_browser.py opens the same pages in Chromium."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from alignrules.cli import main
from alignrules.render.html import render_html
from tests.conftest import ROOT
from tests.test_render import HOSTILE, REPORT

QUICK = ROOT / "examples" / "quick-commerce" / "plan.json"
VOID = {"meta", "br", "input", "link", "img", "hr", "wbr", "source", "col", "area", "base"}


class Page(HTMLParser):
    """Tags, attributes and text of a page; refuses unbalanced elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.feed(text)
        self.close()
        assert self.stack == [], f"unclosed: {self.stack}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script":
            self.scripts.append(data)
        else:
            self.text.append(data)

    def all(self, tag: str, **want: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in want.items())
        ]


def check_html(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", *args, "--as-of", "2026-11-22"])
    return code, capsys.readouterr().out


def test_every_violation_is_drawn_once_on_its_record(capsys: pytest.CaptureFixture[str]) -> None:
    _, page_text = check_html(["std:strategy", "--data", str(QUICK), "--format", "html"], capsys)
    _, json_text = check_html(["std:strategy", "--data", str(QUICK), "--format", "json"], capsys)
    report = json.loads(json_text)
    page = Page(page_text)
    findings = page.all("li", **{"class": "finding", "data-state": "violation"})
    assert len(findings) == len(report["violations"]) == 28
    # Every record of the plan appears once, in the reading order of the reference chain.
    records = page.all("article", **{"class": "record"}) + page.all(
        "article", **{"class": "record has-findings"}
    )
    assert len(records) == 31
    headings = [t.strip() for t in page.text]
    order = [
        h
        for h in headings
        if re.fullmatch(r"[A-Za-z]+", h)
        and h
        in {
            "Objective",
            "MarketingStrategy",
            "Campaign",
            "Claim",
            "Capability",
            "Segment",
            "Product",
        }
    ]
    assert order[:7] == [
        "Objective",
        "MarketingStrategy",
        "Campaign",
        "Claim",
        "Capability",
        "Segment",
        "Product",
    ]


def test_a_claim_traces_back_to_its_capability_and_objective(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, text = check_html(["std:strategy", "--data", str(QUICK), "--format", "html"], capsys)
    ids = {
        m[2]: m[1]
        for m in re.finditer(
            r'<article class="record[^"]*" id="(rec-\d+)" data-entity="[^"]*" aria-label="([^"]*)"',
            text,
        )
    }
    claim = text[text.index(f'id="{ids["Claim CL1"]}"') :]
    claim = claim[: claim.index("</article>")]
    trace = claim[claim.index('<details class="trace">') :]
    # claim → campaign → strategy → objective, and claim → capability, all as page links
    for name in ("Campaign C2", "MarketingStrategy MS1", "Objective O4", "Capability K2"):
        assert f'<a href="#{ids[name]}">{name}</a>' in trace, name


def test_self_contained_nothing_fetched(capsys: pytest.CaptureFixture[str]) -> None:
    _, text = check_html(["std:strategy", "--data", str(QUICK), "--format", "html"], capsys)
    page = Page(text)
    assert page.all("meta", **{"http-equiv": "Content-Security-Policy"})[0]["content"].startswith(
        "default-src 'none'"
    )
    assert not page.all("link") and not page.all("img") and not page.all("iframe")
    assert all("src" not in a for _, a in page.elements)  # inline script and style only
    assert "url(" not in text and "@import" not in text
    for a in page.all("a"):
        # page anchors, the plan file (relative, or a file: URL), and rules' own https links
        assert urlsplit(a["href"] or "").scheme in ("", "file", "https"), a["href"]


def test_outside_text_is_escaped_everywhere() -> None:
    text = render_html(REPORT, tool_version="0.1.0", ruleset_names=("<b>rs</b>",))
    page = Page(text)  # balanced: nothing from outside opened or closed an element
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;rs&lt;/b&gt;" in text
    assert any(HOSTILE in t for t in page.text)  # the reader sees the text as written
    assert "\u202e" not in text  # bidi controls made visible, never active
    assert len(page.scripts) == 1  # only the page's own script


def test_hostile_plan_text_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.rules").write_text(
        "entity Claim { id: text  name: text }\n"
        'rule short { title "<i>t</i>" owner "<img src=x onerror=alert(1)>" '
        'no claim where length(name) > 3 message "claim {claim.name}" }\n',
        "utf-8",
    )
    evil = '"><script>alert(document.domain)</script>'
    (tmp_path / "plan.json").write_text(
        json.dumps({"claims": [{"id": evil, "name": evil}]}), "utf-8"
    )
    code, text = check_html(["r.rules", "--data", "plan.json", "--format", "html"], capsys)
    assert code == 1
    page = Page(text)
    assert "<script>alert" not in text and "<img src=x" not in text
    assert len(page.scripts) == 1
    assert page.all("option", value="<img src=x onerror=alert(1)>")  # filters hold the raw value


def test_output_file_links_to_the_plan_relative_to_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(QUICK.parent, tmp_path / "plan")
    monkeypatch.chdir(tmp_path)
    code, out = check_html(
        ["std:strategy", "--data", "plan/plan.json", "--output", "html=reports/deep/r.html"], capsys
    )
    assert code == 1 and out.startswith("plan/plan.json:")  # text on stdout, as before
    page_path = tmp_path / "reports" / "deep" / "r.html"
    page = Page(page_path.read_text("utf-8"))
    files = {a["href"] for a in page.all("a", **{"class": "file"})}
    assert files == {"../../plan/plan.json"}
    for href in files:
        assert (page_path.parent / unquote(href or "")).resolve() == (
            tmp_path / "plan" / "plan.json"
        )


def test_waived_and_baseline_states_are_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(QUICK, tmp_path / "plan.json")
    (tmp_path / "waivers.yaml").write_text(
        "waivers:\n"
        "  - rule: demand-over-capacity\n    entity: Campaign\n    key: C1\n"
        "    reason: fleet doubles in December\n    owner: ops-lead\n    expires: 2027-01-31\n",
        "utf-8",
    )
    _, before = check_html(["std:strategy", "--data", "plan.json", "--format", "json"], capsys)
    (tmp_path / "before.json").write_text(before, "utf-8")
    code, text = check_html(
        ["std:strategy", "--data", "plan.json", "--format", "html",
         "--waivers", "waivers.yaml", "--baseline", "before.json"], capsys,
    )  # fmt: skip
    assert code == 0  # nothing new since the baseline
    page = Page(text)
    assert len(page.all("li", **{"data-state": "waived"})) == 1
    assert "fleet doubles in December" in text
    assert len(page.all("li", **{"data-state": "baseline"})) == 27
    assert len(page.all("li", **{"data-state": "violation"})) == 0
    assert "compared with the baseline before.json: 0 new, 27 unchanged, 0 resolved" in text
