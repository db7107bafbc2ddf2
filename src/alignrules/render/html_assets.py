"""The stylesheet and script inlined into every HTML report (no network: no CDN, no fonts).

Severity colours are dark text on a light tint of the same hue; each pair has a contrast
ratio above 7:1 (WCAG AAA for normal text), which tests/test_html_browser.py measures on the
rendered page. The script only filters what is shown: the page is complete without it.
"""

from __future__ import annotations

from typing import Final

CSS: Final = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --line: #d0d0d0;
  --paper: #ffffff; --panel: #f6f6f4; --accent: #0b4f8a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink); background: var(--paper); }
header, main { max-width: 72rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.25rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
h4 { font-size: 1rem; margin: 0 0 .25rem; }
a { color: var(--accent); }
a:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid #1a73e8;
  outline-offset: 2px; }
.about, .where, .refs, .muted { color: var(--muted); }
.about { margin: 0 0 1rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .92em; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .75rem .3rem 0; text-align: left;
  vertical-align: top; }
td.n, th.n { text-align: right; }
.tables { display: flex; flex-wrap: wrap; gap: 0 2.5rem; align-items: flex-start; }
caption { text-align: left; font-weight: 600; padding-bottom: .25rem; }
.sev { display: inline-block; min-width: 4.6rem; padding: 0 .4rem; border-radius: .25rem;
  font-weight: 600; font-size: .85rem; text-align: center; }
.sev-error { color: #8a0016; background: #fde8eb; }
.sev-warning { color: #5c3700; background: #fff1cc; }
.sev-info { color: #0c3b6e; background: #e4effb; }
.state { display: inline-block; padding: 0 .4rem; border-radius: .25rem; font-size: .85rem;
  color: #24303d; background: #e6e9ed; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: end;
  padding: .75rem; background: var(--panel); border: 1px solid var(--line); border-radius: .4rem; }
form.filters label { display: flex; flex-direction: column; font-size: .9rem; }
form.filters label.check { flex-direction: row; gap: .4rem; align-items: center; }
select { font: inherit; padding: .15rem; min-width: 10rem; }
.entity-type { margin-top: 1.5rem; }
.record { border: 1px solid var(--line); border-radius: .4rem; padding: .6rem .8rem;
  margin: .5rem 0; background: var(--paper); }
.record.has-findings { border-left: .35rem solid #8a0016; }
.record:target { box-shadow: 0 0 0 3px #1a73e8; }
.key { font-family: ui-monospace, Menlo, monospace; }
.refs, .where { margin: .15rem 0; font-size: .92rem; }
ul.findings { list-style: none; padding: 0; margin: .4rem 0 0; }
li.finding { padding: .3rem 0; border-top: 1px dashed var(--line); }
li.finding[data-state="waived"], li.finding[data-state="baseline"] { opacity: .85; }
.trace ul { margin: .2rem 0; padding-left: 1.2rem; }
[hidden] { display: none !important; }
@media print {
  form.filters, .skip { display: none; }
  .record { break-inside: avoid; }
  a { color: inherit; }
}
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: .5rem; background: var(--paper); padding: .25rem .5rem; }
"""

JS: Final = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var status = document.getElementById("shown");
  function value(name) { return form.elements[name].value; }
  function apply() {
    var f = { rule: value("rule"), severity: value("severity"), owner: value("owner"),
              entity: value("entity") };
    var onlyFindings = form.elements["only-findings"].checked;
    var byFinding = Boolean(f.rule || f.severity || f.owner);
    var shown = 0;
    document.querySelectorAll("li.finding").forEach(function (li) {
      var d = li.dataset;
      var ok = (!f.rule || d.rule === f.rule) && (!f.severity || d.severity === f.severity) &&
               (!f.owner || d.owner === f.owner) && (!f.entity || d.entity === f.entity);
      li.hidden = !ok;
      if (ok && d.state === "violation") { shown += 1; }
    });
    var records = 0;
    document.querySelectorAll("article.record").forEach(function (rec) {
      var visible = rec.querySelectorAll("li.finding:not([hidden])").length;
      rec.hidden = Boolean(f.entity && rec.dataset.entity !== f.entity) ||
                   ((byFinding || onlyFindings) && visible === 0);
      if (!rec.hidden) { records += 1; }
    });
    document.querySelectorAll("section.entity-type").forEach(function (sec) {
      sec.hidden = !sec.querySelector("article.record:not([hidden])");
    });
    status.textContent = shown + (shown === 1 ? " violation" : " violations") + " shown in " +
      records + (records === 1 ? " record" : " records");
  }
  // A link to a record that the filters hide clears them, so that every link leads somewhere.
  document.addEventListener("click", function (event) {
    var a = event.target.closest && event.target.closest("a[href^='#']");
    if (!a) { return; }
    var target = document.getElementById(a.getAttribute("href").slice(1));
    if (target && target.closest("[hidden]")) { form.reset(); apply(); }
  });
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  apply();
})();
"""


def html_document(title: str, csp: str, css: str, body: list[str]) -> str:
    """A self-contained page: `title` and `body` already escaped, `csp` its Content Security
    Policy (what it may load: nothing from the network), `css` its inline style."""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>"]) + "\n"
