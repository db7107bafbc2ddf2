"""Report (+ alignment map) → one self-contained HTML page for the people who sign off.

The page has a summary by severity, rule and owner; filters; the alignment map, in which
every record of the plan appears once with its findings, its references (to the records it
names) and what references it, so a reader can follow a claim to its campaign, strategy and
objective and to the capabilities behind it; the rules with their rationale and links; and
the waived, baseline and resolved findings. CSS and script are inline and a Content Security
Policy forbids every fetch: the file can be mailed, archived or opened offline.

Everything from outside (plan text, keys, rule names, messages, file names) goes through
`esc`, and a link is only ever made to a page anchor, a relative plan file, or an http(s)
address from a rule's `links`.
"""

from __future__ import annotations

import contextlib
import html
import os
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from alignrules.diagnostics import visible
from alignrules.render.alignment import AlignmentMap, EntityType, Record
from alignrules.render.html_assets import CSS, JS, html_document
from alignrules.render.sarif import artifact_uri
from alignrules.render.text import place, primary_location, rules_of, summary
from alignrules.runtime.report import Location, Report, RuleInfo, Severity, Violation

#: The policy of every report: inline style and script only; nothing is fetched.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
#: How deep "traces to" follows references from a record.
TRACE_DEPTH = 6
_NO_OWNER = "-"


def esc(text: str) -> str:
    """`text` from outside as inert HTML text or attribute value (quotes too), with control and
    bidirectional characters made visible.

    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(visible(text), quote=True)


def render_html(
    report: Report,
    *,
    tool_version: str = "",
    ruleset_names: Sequence[str] = (),
    alignment: AlignmentMap | None = None,
    links_from: str = ".",
) -> str:
    """The report as one HTML page.

    `alignment` is the plan's records and reference graph; without it the map holds only the
    records that have findings. `links_from` is the folder the page will be written to, so
    that links to plan files are relative to it (`.`: the working directory).
    """
    page = _Page(report, alignment or _map_from_findings(report), links_from)
    count = len(report.violations)
    title = f"alignrules: {count} violation{'' if count == 1 else 's'}"
    about = [f"as of {report.as_of.isoformat()}"]
    if ruleset_names:
        about.append("rulesets: " + ", ".join(esc(n) for n in ruleset_names))
    if tool_version:
        about.append(f"alignrules {esc(tool_version)}")
    body = [
        '<a class="skip" href="#map">Skip to the alignment map</a>',
        "<header>",
        "<h1>Alignment report</h1>",
        f'<p class="about">{esc(summary(report).capitalize())} · {" · ".join(about)}</p>',
        "</header>",
        "<main>",
        *page.summary(),
        *page.filters(),
        *page.map(),
        *page.resolved(),
        *page.rules(),
        "</main>",
        f"<script>{JS}</script>",
    ]
    return html_document(title, CSP, CSS, body)


def _map_from_findings(report: Report) -> AlignmentMap:
    """A map of only the records that findings name, for a report given without plan data."""
    records: dict[tuple[str, str], Record] = {}
    for v in [*report.violations, *(w.violation for w in report.waived)]:
        records.setdefault((v.entity, v.key), Record(v.entity, v.key, v.location))
    types = dict.fromkeys(entity for entity, _ in records)
    return AlignmentMap(tuple(EntityType(t) for t in types), tuple(records.values()))


class _Page:
    """The parts of one page; ids of records and rules are numbered, never made from names."""

    def __init__(self, report: Report, alignment: AlignmentMap, links_from: str) -> None:
        self.report = report
        self.map_ = alignment
        self.links_from = links_from
        self.rules_list = rules_of(report)
        self.rule_ids = {r.id: f"rule-{n}" for n, r in reversed(list(enumerate(self.rules_list)))}
        self.rule_info = {r.id: r for r in reversed(self.rules_list)}
        self.record_ids = {(r.entity, r.key): f"rec-{n}" for n, r in enumerate(alignment.records)}
        self.records = {(r.entity, r.key): r for r in alignment.records}
        self.referrers: dict[tuple[str, str], list[Record]] = {}
        for r in alignment.records:
            for link in r.links:
                for key in link.keys:
                    self.referrers.setdefault((link.target, key), []).append(r)
        # Every finding is drawn on its record; a finding whose record the map lacks (data
        # given in memory, a record the binder refused) gets a record of its own.
        self.findings: dict[tuple[str, str], list[tuple[str, Violation, str]]] = {}
        extra: dict[tuple[str, str], Record] = {}
        for state, v, note in self._all_findings():
            ident = (v.entity, v.key)
            if ident not in self.records and ident not in extra:
                extra[ident] = Record(v.entity, v.key, v.location)
            self.findings.setdefault(ident, []).append((state, v, note))
        for n, (ident, rec) in enumerate(extra.items(), start=len(alignment.records)):
            self.records[ident] = rec
            self.record_ids[ident] = f"rec-{n}"
        self.extra = list(extra.values())

    def _all_findings(self) -> Iterable[tuple[str, Violation, str]]:
        for v in self.report.violations:
            yield "violation", v, "new" if self.report.baseline is not None else ""
        for w in self.report.waived:
            note = (
                f"waived until {w.expires.isoformat()} by {esc(w.owner)}: {esc(w.reason)} "
                f"({self._file_link(w.waiver)})"
            )
            yield "waived", w.violation, note
        if self.report.baseline is not None:
            for v in self.report.baseline.unchanged:
                yield "baseline", v, f"in the baseline {esc(self.report.baseline.file)}"

    # ------------------------------------------------------------------ summary and filters
    def summary(self) -> list[str]:
        counts = self.report.counts()
        out = ['<section aria-labelledby="summary-h">', '<h2 id="summary-h">Summary</h2>']
        out.append('<div class="tables">')
        out += _table(
            "Violations by severity",
            ["Severity", "Violations"],
            [[_sev(Severity.parse(s)), str(n)] for s, n in counts.items()],
        )
        by_rule: dict[str, int] = {}
        by_owner: dict[str, int] = {}
        for v in self.report.violations:
            by_rule[v.rule] = by_rule.get(v.rule, 0) + 1
            owner = self._owner(v.rule)
            by_owner[owner] = by_owner.get(owner, 0) + 1
        out += _table(
            "Violations by rule",
            ["Rule", "Severity", "Owner", "Violations"],
            [
                [
                    self._rule_link(rule),
                    _sev(self.rule_info[rule].severity),
                    esc(self._owner(rule)),
                    str(n),
                ]
                for rule, n in by_rule.items()
                if rule in self.rule_info
            ],
        )
        out += _table(
            "Violations by owner",
            ["Owner", "Violations"],
            [[esc(o), str(n)] for o, n in sorted(by_owner.items())],
        )
        waived, diff = self.report.waived, self.report.baseline
        states = [f"{len(waived)} waived"]
        if diff is not None:
            states.append(
                f"compared with the baseline {esc(diff.file)}: {diff.new} new, "
                f"{len(diff.unchanged)} unchanged, {len(diff.resolved)} resolved"
            )
        out += ["</div>", f"<p>{'; '.join(states)}.</p>", "</section>"]
        return out

    def filters(self) -> list[str]:
        found = [v for key in self.findings for _, v, _ in self.findings[key]]
        rules = sorted({v.rule for v in found})
        owners = sorted({self._owner(v.rule) for v in found})
        entities = [t.name for t in self.map_.types] + [
            e for e in dict.fromkeys(r.entity for r in self.extra) if e not in self._type_names()
        ]
        out = ['<section aria-labelledby="filters-h">', '<h2 id="filters-h">Filters</h2>']
        out.append('<form id="filters" class="filters" aria-describedby="shown">')
        out += _select("rule", "Rule", rules)
        out += _select("severity", "Severity", [str(s) for s in sorted(Severity, reverse=True)])
        out += _select("owner", "Owner", owners)
        out += _select("entity", "Entity", entities)
        out.append(
            '<label class="check"><input type="checkbox" name="only-findings">'
            "Only records with findings</label>"
        )
        out.append('<button type="reset">Show everything</button>')
        out.append('<output id="shown" aria-live="polite"></output>')
        out += ["</form>", "</section>"]
        return out

    # --------------------------------------------------------------------------- the map
    def map(self) -> list[str]:
        out = ['<section id="map" aria-labelledby="map-h">', '<h2 id="map-h">Alignment map</h2>']
        out.append(
            '<p class="muted">Every record of the plan, once, with its findings. Each names the '
            "records it references and those that reference it; “traces to” follows the "
            "references all the way.</p>"
        )
        by_type: dict[str, list[Record]] = {}
        for r in [*self.map_.records, *self.extra]:
            by_type.setdefault(r.entity, []).append(r)
        types = [*self.map_.types, *(EntityType(e) for e in by_type if e not in self._type_names())]
        for n, t in enumerate(types):
            recs = by_type.get(t.name, [])
            out.append(f'<section class="entity-type" aria-labelledby="type-{n}">')
            heading = f'{esc(t.name)} <span class="muted">({len(recs)})</span>'
            out.append(f'<h3 id="type-{n}">{heading}</h3>')
            if t.references:
                refs = ", ".join(f"{esc(r.field)} → {esc(r.target)}" for r in t.references)
                out.append(f'<p class="refs">references: {refs}</p>')
            for rec in recs:
                out += self._record(rec)
            out.append("</section>")
        out.append("</section>")
        return out

    def _record(self, rec: Record) -> list[str]:
        ident = (rec.entity, rec.key)
        findings = self.findings.get(ident, [])
        cls = "record has-findings" if any(s == "violation" for s, _, _ in findings) else "record"
        out = [
            f'<article class="{cls}" id="{self.record_ids[ident]}" '
            f'data-entity="{esc(rec.entity)}" aria-label="{esc(rec.entity)} {esc(rec.key)}">'
        ]
        label = f" {esc(rec.label)}" if rec.label else ""
        out.append(f'<h4>{esc(rec.entity)} <span class="key">{esc(rec.key)}</span>{label}</h4>')
        out.append(f'<p class="where">{self._file_link(rec.location)}</p>')
        if rec.links:
            parts = [
                f"{esc(link.field)} → " + ", ".join(self._ref(link.target, k) for k in link.keys)
                for link in rec.links
            ]
            out.append(f'<p class="refs">references {"; ".join(parts)}</p>')
        referrers = self.referrers.get(ident, [])
        if referrers:
            refs = ", ".join(self._ref(r.entity, r.key, typed=True) for r in referrers)
            out.append(f'<p class="refs">referenced by {refs}</p>')
        if rec.links:
            out.append('<details class="trace"><summary>traces to</summary>')
            out += self._trace(rec, TRACE_DEPTH, {ident})
            out.append("</details>")
        if findings:
            out.append('<ul class="findings">')
            out += [self._finding(state, v, note) for state, v, note in findings]
            out.append("</ul>")
        out.append("</article>")
        return out

    def _trace(self, rec: Record, depth: int, seen: set[tuple[str, str]]) -> list[str]:
        """The records `rec` references, and theirs, as nested lists; each path stops at a
        record already on it."""
        items = []
        for link in rec.links:
            for key in link.keys:
                ident = (link.target, key)
                item = f"<li>{esc(link.field)} → {self._ref(link.target, key, typed=True)}"
                target = self.records.get(ident)
                if target is not None and ident not in seen and depth > 1:
                    item += "".join(self._trace(target, depth - 1, seen | {ident}))
                items.append(item + "</li>")
        return ["<ul>", *items, "</ul>"] if items else []

    def _finding(self, state: str, v: Violation, note: str) -> str:
        related = ""
        if v.related:
            related = " · related " + ", ".join(self._ref(t, k, typed=True) for t, k in v.related)
        field = f" · field {esc(v.field)}" if v.field is not None else ""
        badge = {"violation": note, "waived": "waived", "baseline": "in baseline"}[state]
        state_html = f' <span class="state">{esc(badge)}</span>' if badge else ""
        detail = f'<br><span class="muted">{note}</span>' if state != "violation" else ""
        return (
            f'<li class="finding" data-state="{state}" data-rule="{esc(v.rule)}" '
            f'data-severity="{v.severity}" data-owner="{esc(self._owner(v.rule))}" '
            f'data-entity="{esc(v.entity)}">{_sev(v.severity)} {self._rule_link(v.rule)}'
            f"{state_html} {esc(v.message)}<br>"
            f'<span class="muted">{self._file_link(primary_location(v))}{field}{related}'
            f"</span>{detail}</li>"
        )

    # ------------------------------------------------------------------ resolved and rules
    def resolved(self) -> list[str]:
        diff = self.report.baseline
        if diff is None or not diff.resolved:
            return []
        out = ['<section aria-labelledby="resolved-h">']
        out.append(f'<h2 id="resolved-h">Resolved since the baseline ({len(diff.resolved)})</h2>')
        out.append('<ul class="resolved">')
        for v in diff.resolved:
            out.append(
                f"<li>{_sev(v.severity)} {self._rule_link(v.rule)} {esc(v.entity)} "
                f'<span class="key">{esc(v.key)}</span>: {esc(v.message)}</li>'
            )
        out += ["</ul>", "</section>"]
        return out

    def rules(self) -> list[str]:
        out = ['<section aria-labelledby="rules-h">', '<h2 id="rules-h">Rules</h2>']
        for r in self.rules_list:
            if self.rule_ids[r.id] != f"rule-{self.rules_list.index(r)}":
                continue  # a duplicate id: the first one is documented
            out += self._rule(r)
        out.append("</section>")
        return out

    def _rule(self, r: RuleInfo) -> list[str]:
        title = esc(r.id) if r.title == r.id else f"{esc(r.id)}: {esc(r.title)}"
        facts = [
            _sev(r.severity),
            f"owner {esc(r.owner or _NO_OWNER)}",
            f"<code>{esc(r.origin)}</code>",
        ]
        if r.tags:
            facts.append("tags " + ", ".join(esc(t) for t in r.tags))
        out = [f'<article class="rule" id="{self.rule_ids[r.id]}">', f"<h3>{title}</h3>"]
        out.append(f"<p>{' · '.join(facts)}</p>")
        if r.rationale:
            out.append(f"<p>{esc(r.rationale)}</p>")
        if r.links:
            out.append("<ul>" + "".join(f"<li>{_external(u)}</li>" for u in r.links) + "</ul>")
        out.append("</article>")
        return out

    # ------------------------------------------------------------------------- helpers
    def _type_names(self) -> set[str]:
        return {t.name for t in self.map_.types}

    def _owner(self, rule: str) -> str:
        info = self.rule_info.get(rule)
        return info.owner if info is not None and info.owner else _NO_OWNER

    def _rule_link(self, rule: str) -> str:
        anchor = self.rule_ids.get(rule)
        if anchor is None:
            return f"<code>{esc(rule)}</code>"
        return f'<a href="#{anchor}"><code>{esc(rule)}</code></a>'

    def _ref(self, entity: str, key: str, *, typed: bool = False) -> str:
        text = f"{esc(entity)} {esc(key)}" if typed else esc(key)
        anchor = self.record_ids.get((entity, key))
        if anchor is None:
            return f'{text} <span class="muted">(no such record)</span>'
        return f'<a href="#{anchor}">{text}</a>'

    def _file_link(self, loc: Location) -> str:
        """`file:line:col` linked to the plan file, relative to where the page is written."""
        shown = esc(place(loc))
        pointer = f" <code>{esc(loc.pointer or '/')}</code>" if loc.line is not None else ""
        if loc.file is None:
            return shown + pointer
        href, relative = artifact_uri(loc.file)
        if relative:  # relative to the working directory: make it relative to the page
            with contextlib.suppress(ValueError):  # another drive (Windows): keep it as it is
                href, _ = artifact_uri(os.path.relpath(loc.file, self.links_from))
        return f'<a class="file" href="{esc(href)}">{shown}</a>{pointer}'


def _sev(severity: Severity) -> str:
    return f'<span class="sev sev-{severity}">{severity}</span>'


def _table(caption: str, head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["<table>", f"<caption>{caption}</caption>", "<thead><tr>"]
    out += [f'<th scope="col"{_num(h, head)}>{h}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append(
            "<tr>"
            + "".join(f"<td{_num(h, head)}>{c}</td>" for h, c in zip(head, row, strict=True))
            + "</tr>"
        )
    out.append("</tbody></table>")
    return out


def _num(h: str, head: list[str]) -> str:
    return ' class="n"' if h == head[-1] and h == "Violations" else ""


def _select(name: str, label: str, options: Iterable[str]) -> list[str]:
    opts = "".join(f'<option value="{esc(o)}">{esc(o)}</option>' for o in options)
    return [
        f'<label>{label}<select name="{name}"><option value="">all</option>{opts}</select></label>'
    ]


def _external(url: str) -> str:
    """A rule's link: clickable when it is an http(s) address, plain text otherwise."""
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
    return esc(url)
