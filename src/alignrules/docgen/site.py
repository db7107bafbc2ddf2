"""RulesetDoc → a static HTML site: an index page and one page per rule.

Each page is complete on its own (inline style, no script, nothing fetched), so the folder
can be published anywhere or opened from disk, and it prints cleanly for sign-off.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from alignrules.diagnostics import visible
from alignrules.docgen.highlight import highlight
from alignrules.docgen.markdown import by_owner, by_tag, expected_lines
from alignrules.docgen.model import ExampleDoc, RuleDoc, RulesetDoc
from alignrules.render.html_assets import html_document

CSP = "default-src 'none'; style-src 'unsafe-inline'"

CSS = """
body { margin: 0 auto; max-width: 60rem; padding: 1rem 1.25rem 3rem; color: #1b1b1b;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: #fff; }
a { color: #0b4f8a; }
h1 { font-size: 1.6rem; margin: .5rem 0; } h2 { font-size: 1.25rem; margin-top: 2rem;
  border-bottom: 1px solid #d0d0d0; } h3 { font-size: 1.05rem; }
nav { font-size: .9rem; } .muted { color: #4a4a4a; }
table { border-collapse: collapse; } th, td { text-align: left; vertical-align: top;
  padding: .25rem .8rem .25rem 0; border-bottom: 1px solid #d0d0d0; }
pre { background: #f6f6f4; border: 1px solid #d0d0d0; border-radius: .3rem; padding: .6rem .8rem;
  overflow-x: auto; white-space: pre-wrap; }
code, pre { font-family: ui-monospace, Menlo, monospace; font-size: .9em; }
.k { color: #6b1f7a; font-weight: 600; } .s { color: #1d5c1d; } .n { color: #8a3b00; }
.c { color: #4a4a4a; font-style: italic; }
.sev { display: inline-block; min-width: 4.6rem; padding: 0 .4rem; border-radius: .25rem;
  font-weight: 600; font-size: .85rem; text-align: center; }
.sev-error { color: #8a0016; background: #fde8eb; } .sev-warning { color: #5c3700;
  background: #fff1cc; } .sev-info { color: #0c3b6e; background: #e4effb; }
.fails { color: #8a0016; font-weight: 600; }
@media print {
  nav { display: none; } body { max-width: none; font-size: 11pt; }
  a { color: inherit; text-decoration: none; } pre { white-space: pre-wrap; break-inside: avoid; }
  h2, h3 { break-after: avoid; } section.example { break-inside: avoid; }
}
"""


def esc(text: str) -> str:
    return html.escape(visible(text), quote=True)


def site_pages(doc: RulesetDoc) -> dict[str, str]:
    """Relative path → page text: `index.html` and `rules/<rule>.html` for each rule."""
    slugs = _slugs(doc.rules)
    pages = {"index.html": _index(doc, slugs)}
    for r in doc.rules:
        pages[f"rules/{slugs[r.id]}.html"] = _rule_page(doc, r)
    return pages


def _slugs(rules: tuple[RuleDoc, ...]) -> dict[str, str]:
    """A file name per rule id: lowercase [a-z0-9_-], unique (`-2`... on a clash)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for r in rules:
        stem = re.sub(r"[^a-z0-9_-]+", "-", r.id.lower()).strip("-") or "rule"
        slug, n = stem, 2
        while slug in taken:
            slug, n = f"{stem}-{n}", n + 1
        taken.add(slug)
        out[r.id] = slug
    return out


def _page(title: str, body: list[str]) -> str:
    return html_document(title, CSP, CSS, body)


def _sev(severity: str) -> str:
    return f'<span class="sev sev-{esc(severity)}">{esc(severity)}</span>'


def _coverage(r: RuleDoc) -> str:
    return {
        (True, True): "fires and passes",
        (True, False): "fires only",
        (False, True): "passes only",
    }.get((r.fires, r.passes), "not covered")


def _index(doc: RulesetDoc, slugs: dict[str, str]) -> str:
    n = len(doc.rules)
    body = [f"<header><h1>Ruleset {esc(doc.name)}</h1>"]
    body.append(
        f'<p class="muted">{n} rule{"" if n == 1 else "s"} · {len(doc.params)} parameters · '
        f"{doc.examples} examples, {doc.examples_passed} passing · "
        f"{doc.coverage_percent:g}% of the rules fully covered by examples</p></header>"
    )
    body.append("<main>")

    def link(r: RuleDoc) -> str:
        return f'<a href="rules/{slugs[r.id]}.html">{esc(r.id)}</a>'

    body += ['<section aria-labelledby="tags-h">', '<h2 id="tags-h">Rules by tag</h2>', "<ul>"]
    body += [
        f"<li><strong>{esc(tag)}</strong>: {', '.join(link(r) for r in rules)}</li>"
        for tag, rules in by_tag(doc.rules).items()
    ]
    body += ["</ul>", "</section>"]
    body += ['<section aria-labelledby="owners-h">', '<h2 id="owners-h">Rules by owner</h2>']
    body.append("<ul>")
    body += [
        f"<li><strong>{esc(owner)}</strong>: {', '.join(link(r) for r in rules)}</li>"
        for owner, rules in by_owner(doc.rules).items()
    ]
    body += ["</ul>", "</section>"]
    body += ['<section aria-labelledby="rules-h">', '<h2 id="rules-h">All rules</h2>', "<table>"]
    body.append(
        "<thead><tr><th scope='col'>Rule</th><th scope='col'>Title</th>"
        "<th scope='col'>Severity</th><th scope='col'>Owner</th>"
        "<th scope='col'>Coverage</th></tr></thead><tbody>"
    )
    body += [
        f"<tr><td>{link(r)}</td><td>{esc(r.title)}</td><td>{_sev(r.severity)}</td>"
        f"<td>{esc(r.owner or 'none')}</td><td>{_coverage(r)}</td></tr>"
        for r in doc.rules
    ]
    body += ["</tbody></table>", "</section>"]
    if doc.params:
        body += ['<section aria-labelledby="params-h">', '<h2 id="params-h">Parameters</h2>']
        body.append(
            "<table><thead><tr><th scope='col'>Parameter</th><th scope='col'>Type</th>"
            "<th scope='col'>Default</th><th scope='col'>Declared at</th></tr></thead><tbody>"
        )
        body += [
            f'<tr id="param-{esc(p.name)}"><td><code>{esc(p.name)}</code></td>'
            f"<td>{esc(p.type)}</td><td>{esc(p.default)}</td><td>{esc(p.origin)}</td></tr>"
            for p in doc.params
        ]
        body += ["</tbody></table>", "</section>"]
    body.append("</main>")
    return _page(f"Ruleset {esc(doc.name)}", body)


def _rule_page(doc: RulesetDoc, r: RuleDoc) -> str:
    params = {p.name: p for p in doc.params}
    body = [f'<nav><a href="../index.html">Ruleset {esc(doc.name)}</a></nav>']
    body += [f"<header><h1>{esc(r.id)}</h1>", f"<p><strong>{esc(r.title)}</strong></p>"]
    facts = [_sev(r.severity), f"owner {esc(r.owner or 'none')}"]
    if r.tags:
        facts.append("tags " + ", ".join(esc(t) for t in r.tags))
    facts.append(f"declared at <code>{esc(r.origin)}</code>")
    body += [f"<p>{' · '.join(facts)}</p>", "</header>", "<main>"]
    if r.rationale:
        body += ['<section aria-labelledby="why-h">', '<h2 id="why-h">Rationale</h2>']
        body += [f"<p>{esc(r.rationale)}</p>", "</section>"]
    if r.links:
        body += ['<section aria-labelledby="links-h">', '<h2 id="links-h">Links</h2>', "<ul>"]
        body += [f"<li>{_external(u)}</li>" for u in r.links]
        body += ["</ul>", "</section>"]
    body += ['<section aria-labelledby="text-h">', '<h2 id="text-h">Rule text</h2>']
    body += [f'<pre><code class="alignrules">{highlight(r.text)}</code></pre>', "</section>"]
    if r.params:
        body += ['<section aria-labelledby="params-h">', '<h2 id="params-h">Parameters</h2>']
        body.append("<ul>")
        body += [
            f'<li><a href="../index.html#param-{esc(name)}"><code>{esc(name)}</code></a>: '
            f"{esc(params[name].type)}, default {esc(params[name].default)}</li>"
            for name in r.params
            if name in params
        ]
        body += ["</ul>", "</section>"]
    body += ['<section aria-labelledby="examples-h">', '<h2 id="examples-h">Examples</h2>']
    body.append(f"<p>Coverage: {_coverage(r)} in its examples.</p>")
    for ex in r.examples:
        body += _example(ex, r.id)
    body += ["</section>", "</main>"]
    return _page(f"{esc(r.id)} · Ruleset {esc(doc.name)}", body)


def _example(ex: ExampleDoc, rule_id: str) -> list[str]:
    state = "passes" if ex.passed else '<span class="fails">fails</span>'
    out = ['<section class="example">', f"<h3>{esc(ex.name)} ({state})</h3>"]
    facts = [f"declared at <code>{esc(ex.origin)}</code>"]
    if ex.today is not None:
        facts.append(f"as of {esc(ex.today)}")
    if ex.params:
        facts.append(
            "parameters " + ", ".join(f"<code>{esc(k)}</code> = {esc(v)}" for k, v in ex.params)
        )
    out.append(f'<p class="muted">{" · ".join(facts)}</p>')
    if ex.given is not None:
        out.append(f"<p>Given:</p><pre><code>{esc_block(ex.given)}</code></pre>")
    elif ex.given_file is not None:
        out.append(f"<p>Given the file <code>{esc(ex.given_file)}</code>.</p>")
    expected = "\n".join(expected_lines(ex, rule_id))
    out += [f"<p>Expected:</p><pre><code>{esc_block(expected)}</code></pre>", "</section>"]
    return out


def esc_block(text: str) -> str:
    """Multi-line text for a `<pre>`: escaped line by line, line breaks kept."""
    return "\n".join(esc(line) for line in text.rstrip("\n").split("\n"))


def _external(url: str) -> str:
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
    return esc(url)
