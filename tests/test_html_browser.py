"""The HTML report opened in a real browser: Debian's Chromium driven by Playwright.

Never a browser that Playwright downloads: `.ci/run` installs the system `chromium`, and the
tests launch it by path with a fresh profile and everything that could reach the network
turned off. Where Chromium or Playwright is missing the tests skip and say which.

Checked on the rendered page: no console errors (a blocked fetch is one, under the page's
Content Security Policy), as many findings as the JSON report, filters that change what is
visible, links that lead somewhere, headings, labels and the contrast of the severity colours
as the browser computes them. Screenshots go to tests/artifacts/browser/ (ignored by git).
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from alignrules.cli import main
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUICK = ROOT / "examples" / "quick-commerce"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')"
    )
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        try:
            yield context
        finally:
            context.close()


class Opened:
    """A page and everything it said: console messages, page errors, dialogs."""

    def __init__(self, context: Any, path: Path) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = context.new_page()
        self.page.set_viewport_size({"width": 1280, "height": 900})
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def _console(self, msg: Any) -> None:
        if msg.type in ("error", "warning"):
            self.errors.append(f"{msg.type}: {msg.text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def count(self, selector: str) -> int:
        return int(
            self.page.eval_on_selector_all(
                selector, "els => els.filter(e => e.offsetParent !== null).length"
            )
        )

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        out = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(out), full_page=False)
        assert out.stat().st_size > 10_000  # a page was drawn, not a blank
        return out


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The quick-commerce plan's report as HTML in reports/, and as JSON."""
    work = tmp_path_factory.mktemp("quick")
    shutil.copytree(QUICK, work / "plan")
    json_path = work / "report.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        code = main(["check", "std:strategy", "--data", "plan/plan.json", "--as-of", "2026-11-22",
                     "--format", "json", "--output", "html=reports/alignment.html",
                     "--output", f"json={json_path}"])  # fmt: skip
    assert code == 1
    return work / "reports" / "alignment.html", json.loads(json_path.read_text("utf-8"))


def test_renders_without_console_errors_and_every_finding(
    browser: Any, quick_report: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    page_path, report = quick_report
    opened = Opened(browser, page_path)
    opened.screenshot("report-top")
    assert opened.errors == []
    assert opened.count('li.finding[data-state="violation"]') == len(report["violations"]) == 28
    assert opened.page.text_content("#shown") == "28 violations shown in 31 records"
    opened.page.locator("#map").scroll_into_view_if_needed()
    opened.screenshot("report-map")


def test_filters_change_what_is_visible(
    browser: Any, quick_report: tuple[Path, dict[str, Any]]
) -> None:
    page_path, report = quick_report
    opened = Opened(browser, page_path)
    page = opened.page
    warnings = [v for v in report["violations"] if v["severity"] == "warning"]
    page.select_option('select[name="severity"]', "warning")
    assert opened.count('li.finding[data-state="violation"]') == len(warnings) == 5
    assert opened.count("article.record") == len({(v["entity"], v["key"]) for v in warnings})
    opened.screenshot("report-filter-warnings")

    page.select_option('select[name="severity"]', "")
    page.select_option('select[name="entity"]', "Claim")
    claims = [v for v in report["violations"] if v["entity"] == "Claim"]
    assert opened.count('li.finding[data-state="violation"]') == len(claims)
    assert opened.count("article.record") == 5  # every claim, with findings or not
    assert opened.count('article.record:not([data-entity="Claim"])') == 0

    page.select_option('select[name="entity"]', "")
    page.select_option('select[name="rule"]', "ltv-cac-below-threshold")
    assert opened.count('li.finding[data-state="violation"]') == 4

    page.select_option('select[name="rule"]', "")
    page.select_option('select[name="owner"]', "growth-finance")
    owned = [
        v
        for v in report["violations"]
        if v["rule"].startswith(("ltv-cac", "acquisition-neg", "viral"))
    ]
    assert opened.count('li.finding[data-state="violation"]') == len(owned) == 7

    page.click('button[type="reset"]')
    # A locator wait, not wait_for_function: polling a string predicate evaluates it in the
    # page, which the report's Content Security Policy rightly forbids (no 'unsafe-eval').
    page.locator("#shown", has_text=re.compile(r"^28 ")).wait_for()
    page.check('input[name="only-findings"]')
    with_findings = len({(v["entity"], v["key"]) for v in report["violations"]})
    assert opened.count("article.record") == with_findings
    assert opened.errors == []


def test_links_lead_somewhere(browser: Any, quick_report: tuple[Path, dict[str, Any]]) -> None:
    page_path, _ = quick_report
    opened = Opened(browser, page_path)
    hrefs: list[str] = opened.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert len(hrefs) > 100
    for href in set(hrefs):
        parts = urlsplit(href)
        if parts.scheme == "https":  # a rule's own link: not followed, there is no network
            continue
        assert parts.scheme == "file", href
        if parts.fragment:
            assert Path(unquote(parts.path)) == page_path
            assert opened.page.locator(f"[id='{parts.fragment}']").count() == 1, href
        else:
            assert Path(unquote(parts.path)).is_file(), href
    # Following a link to a record hidden by a filter clears the filter and shows the record.
    page = opened.page
    page.select_option('select[name="entity"]', "Claim")
    link = page.locator("article[data-entity='Claim'] p.refs a").first
    target = link.get_attribute("href")
    link.click()
    assert page.locator(str(target)).is_visible()
    assert page.input_value('select[name="entity"]') == ""


def test_basic_accessibility(browser: Any, quick_report: tuple[Path, dict[str, Any]]) -> None:
    page_path, _ = quick_report
    page = Opened(browser, page_path).page
    assert page.get_attribute("html", "lang") == "en"
    levels = page.eval_on_selector_all("h1,h2,h3,h4,h5,h6", "els => els.map(e => +e.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), "a heading level is skipped"
    unlabelled = page.eval_on_selector_all(
        "select, input, textarea",
        "els => els.filter(e => !e.labels || e.labels.length === 0).map(e => e.name)",
    )
    assert unlabelled == []
    # Contrast of each severity badge, from the colours the browser computed (WCAG 2 formula).
    pairs = page.eval_on_selector_all(
        ".sev",
        "els => els.map(e => [e.textContent, getComputedStyle(e).color, getComputedStyle(e).backgroundColor])",
    )
    seen = {}
    for text, fg, bg in pairs:
        seen[text] = contrast(rgb(fg), rgb(bg))
    assert set(seen) == {"error", "warning", "info"}
    assert all(ratio >= 4.5 for ratio in seen.values()), seen


def test_hostile_plan_text_does_not_run(
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.rules").write_text(
        "entity Claim { id: text  name: text }\n"
        'rule short { owner "<img src=x onerror=alert(2)>" no claim where length(name) > 3 '
        'message "claim {claim.name}" }\n',
        "utf-8",
    )
    evil = '"><img src=x onerror=alert(1)><script>alert(3)</script>'
    (tmp_path / "plan.json").write_text(
        json.dumps({"claims": [{"id": evil, "name": evil}]}), "utf-8"
    )
    assert main(["check", "r.rules", "--data", "plan.json", "--output", "html=r.html"]) == 1
    capsys.readouterr()
    opened = Opened(browser, tmp_path / "r.html")
    assert opened.dialogs == [] and opened.errors == []
    assert opened.page.locator("img").count() == 0
    assert evil in opened.page.text_content("article.record h4")  # shown as text, as written


def rgb(css: str) -> tuple[float, float, float]:
    nums = [
        float(x) for x in css[css.index("(") + 1 : css.index(")")].replace(",", " ").split()[:3]
    ]
    return nums[0], nums[1], nums[2]


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    def luminance(c: tuple[float, float, float]) -> float:
        lin = [
            v / 255 / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c
        ]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture(scope="module")
def doc_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert main(["doc", "std:strategy", "-o", str(out)]) == 0
    return out


def test_doc_site_renders_links_and_prints(browser: Any, doc_site: Path) -> None:
    # The index and a few rule pages (every page's links are also checked without a browser,
    # in tests/test_doc_command.py): one with parameters, one with links, one warning.
    names = ["launch-before-ready", "claim-capability-funded", "strategy-without-campaigns"]
    pages = [doc_site / "index.html", *(doc_site / "rules" / f"{n}.html" for n in names)]
    for path in pages:
        opened = Opened(browser, path)
        page = opened.page
        assert opened.errors == [], path.name
        levels = page.eval_on_selector_all("h1,h2,h3", "els => els.map(e => +e.tagName[1])")
        assert levels.count(1) == 1 and levels[0] == 1, path.name
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.scheme == "https":
                continue
            target = Path(unquote(parts.path))
            assert target.is_file(), (path.name, href)
            if parts.fragment:
                assert f'id="{parts.fragment}"' in target.read_text("utf-8"), (path.name, href)
        if path.name in ("index.html", "launch-before-ready.html"):
            opened.screenshot(f"doc-{path.stem}")
            # The print stylesheet drops the navigation and keeps the rule text whole.
            page.emulate_media(media="print")
            assert page.locator("nav").count() == 0 or not page.locator("nav").is_visible()
            page.pdf(path=str(ARTIFACTS / f"doc-{path.stem}.pdf"))
            assert (ARTIFACTS / f"doc-{path.stem}.pdf").stat().st_size > 5_000
        pairs = page.eval_on_selector_all(
            ".sev",
            "els => els.map(e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor])",
        )
        assert all(contrast(rgb(fg), rgb(bg)) >= 4.5 for fg, bg in pairs), path.name
        page.close()
