"""Write docs/errors.md: every error code, what it means, what the CLI prints, and the fix.

The examples are not typed by hand: each one is run through the command line (in process, in
a scratch folder) and its output is pasted in, so the page shows exactly what users see.

    python scripts/gen_errors_doc.py            # rewrite docs/errors.md
    python scripts/gen_errors_doc.py --check    # exit 1 if docs/errors.md is out of date

tests/test_errors_doc.py runs the check, so a changed message fails CI until this is rerun.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import attrs

from alignrules.cli import main
from alignrules.compile import compile_paths
from alignrules.diagnostics import CODES, DiagnosticError

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "errors.md"

SCHEMA = """\
enum Status { proposed < funded < built }
enum Channel { social, tv, search }
entity Capability in "capabilities" {
    id: text
    status: Status
    ready_on: date?
    capacity: int?
}
entity Campaign in "campaigns" {
    id: text
    channel: Channel
    budget: money
    launch_on: date
    capabilities: list of Capability from "capability_ids"
}
param min_budget: money = 1000 USD
"""

PLAN = """\
{
  "capabilities": [{"id": "K1", "status": "funded", "capacity": 0}],
  "campaigns": [
    {"id": "M1", "channel": "tv", "budget": "USD 5,000", "launch_on": "2026-03-01",
     "capability_ids": ["K1"]}
  ]
}
"""

CHECK = ("check", "schema.rules", "rules.rules", "--data", "plan.json")


@attrs.frozen
class Example:
    """Files written to the workspace (each shown on the page, in order) and a command."""

    files: dict[str, str]
    args: tuple[str, ...] = CHECK


@attrs.frozen
class Entry:
    code: str
    means: str
    fix: str
    examples: tuple[Example, ...] = ()


def rules(text: str) -> Example:
    return Example({"rules.rules": text})


ENTRIES: list[Entry] = [
    Entry(
        "syntax",
        "The parser could not read the file: a misspelt keyword, a missing brace, an "
        "operator with nothing after it, a string that is not closed. Parsing stops at the "
        "first such error, so a file has at most one.",
        "Correct the text at the caret; the hint often names the word meant. When the file "
        "ends too early, the message names the line of the `{` that is still open.",
        (rules("rul budget-floor { every campaign must campaign.budget >= min_budget }\n"),),
    ),
    Entry(
        "bidi-control",
        "A bidirectional control character (such as U+202E, right-to-left override) appears "
        "in code or a comment. These characters make text display in a different order "
        "from how it is read, so a rule could look different from what it checks "
        '("Trojan Source", CVE-2021-42574). They are allowed inside strings.',
        "Delete the character. If it belongs in a message, write it inside the string, or "
        "as an escape such as `\\u{202E}`.",
        (rules("rule r1 { every campaign must true } # \u202e}\n"),),
    ),
    Entry(
        "carriage-return",
        "A carriage return that does not end a line appears in a comment. A terminal or a "
        "diff then shows what follows it at the start of the line, as if it were code, while "
        "the parser reads it as part of the comment. Line ends written CR LF are fine.",
        "Delete the character. (No example is shown: a page cannot hold the character "
        "without showing the very effect it is refused for.)",
    ),
    Entry(
        "unknown-name",
        "A bare name is not a variable, a parameter, a field of an entity in scope, an "
        "entity, or a value of an enum that the comparison allows.",
        "Fix the spelling (the hint offers the closest name), or declare the parameter.",
        (rules("rule r1 { every campaign must budgett >= min_budget }\n"),),
    ),
    Entry(
        "unknown-entity",
        "A binder (`every x`, `no x`), a `reference`, or `referencing` names an entity type "
        "that no file of the ruleset declares.",
        "Fix the spelling, or add the file that declares the entity to the command line "
        "(or `import` it).",
        (rules("rule r1 { every campagn must campagn.budget >= min_budget }\n"),),
    ),
    Entry(
        "unknown-field",
        "A path such as `campaign.budgt` names a field that the entity does not declare.",
        "Use one of the entity's fields (the hint names the closest, or lists them all).",
        (rules("rule r1 { every campaign must campaign.budgt >= min_budget }\n"),),
    ),
    Entry(
        "unknown-enum-value",
        "A value compared with an enum, or written as `Enum.value`, or given as a parameter "
        "default, is not one of the enum's values.",
        "Use one of the declared values, or add the value to the enum.",
        (rules("rule r1 { no campaign where campaign.channel = radio }\n"),),
    ),
    Entry(
        "unknown-parameter",
        "An `example` sets a parameter (`param name = value`) that the ruleset does not "
        "declare. (On the command line the same mistake is `bad-parameter`.)",
        "Fix the name, or declare the parameter with `param name: type = default`.",
        (
            rules(
                "rule budget-floor { every campaign must campaign.budget >= min_budget }\n"
                'example "small budgets pass with a low floor" {\n'
                '    given "campaigns: []"\n'
                "    param min_budgt = 5 USD\n"
                "    expect nothing\n"
                "}\n"
            ),
        ),
    ),
    Entry(
        "unknown-predicate",
        "A call `name(...)` names neither a declared predicate nor a built-in function "
        "(`lower`, `upper`, `trim`, `length`, `abs`, `days`, `year`, `month`).",
        "Fix the spelling, or declare the predicate: `predicate name(x: Entity) = ...`.",
        (
            rules(
                "predicate is_public(c: Campaign) = c.channel in {tv, social}\n"
                "rule r1 { no campaign where is_publc(campaign) and campaign.budget < min_budget }\n"
            ),
        ),
    ),
    Entry(
        "unknown-type",
        "A field, parameter or predicate parameter has a type that is neither built in "
        "(`text`, `int`, `decimal`, `money`, `bool`, `date`, `duration`) nor a declared "
        "enum or entity.",
        "Fix the spelling, or declare the enum or entity.",
        (rules("entity Claim { id: text\n    published: dat }\n"),),
    ),
    Entry(
        "duplicate-name",
        "Two declarations share a name: two types (enums and entities share one namespace "
        "with the built-in types), two parameters, two predicates, two fields of an entity, "
        "a value listed twice in an enum, or a `let` that reuses a bound name.",
        "Rename one of them, or delete the copy.",
        (rules("param min_budget: money = 500 USD\n"),),
    ),
    Entry(
        "duplicate-rule",
        "Two rules have the same id. Ids name rules in reports, in `expect` and in "
        "suppressions, so they must be unique across every file of the ruleset.",
        "Rename one rule.",
        (
            rules(
                "rule budget-floor { every campaign must campaign.budget >= min_budget }\n"
                "rule budget-floor { every campaign must campaign.budget < 1000000 USD }\n"
            ),
        ),
    ),
    Entry(
        "type-mismatch",
        "An operation gets a value of the wrong type: a comparison between different types, "
        "a condition that is not true or false, a function argument, a parameter default, a "
        "test for `missing` on a value that is never missing.",
        "Compare like with like; the hint suggests a conversion where one exists.",
        (rules("rule r1 { every campaign must campaign.launch_on > 30 days }\n"),),
    ),
    Entry(
        "arithmetic-type",
        "Arithmetic on values that do not combine: `date + money`, `-` on text, money in two "
        "currencies.",
        "Use the combinations the language defines: `date - date` gives a duration, "
        "`date ± duration` a date, `money ± money`, `money × number`, `money / money` a "
        "decimal.",
        (rules("rule r1 { every campaign must campaign.launch_on + campaign.budget > today }\n"),),
    ),
    Entry(
        "unordered-compare",
        "`<`, `<=`, `>`, `>=` (or `is below`, `is at least`, ...) on an enum declared with "
        "`,` between its values, which gives it no order.",
        "Declare the enum with `<` between its values if its values are ordered; otherwise "
        "compare with `=` or `in`.",
        (rules("rule r1 { no campaign where campaign.channel < social }\n"),),
    ),
    Entry(
        "not-a-collection",
        "A quantifier (`every x in ...`), an aggregate (`count`, `sum`, ...) or `in` is "
        "given a single value instead of a list or set.",
        "Aggregate a list field, a path through one, or an entity type.",
        (rules("rule r1 { every campaign must count(campaign.budget) > 0 }\n"),),
    ),
    Entry(
        "not-a-reference",
        "`references` or `referencing` is used on something that is not an entity, `via` "
        "names a field that does not reference the target, `is dangling` tests something "
        "that is not a reference field, or `dangling unreported` is declared on one.",
        "Start from an entity (`campaign references a Capability`), and name a reference "
        "field in `via`. `is dangling` and `dangling unreported` take a reference field "
        "itself (`claim.campaign is dangling`), not a field of the record it names.",
        (
            rules(
                "rule r1 { every campaign must campaign.id references a Capability via capabilities }\n"
            ),
        ),
    ),
    Entry(
        "ambiguous-reference",
        "An entity references the target through more than one field, so `references a X` "
        "or `X referencing y` could mean either.",
        "Say which field with `via field`.",
        (
            rules(
                "entity Brief { id: text\n"
                "    campaign: Campaign\n"
                "    follow_up: Campaign? }\n"
                "rule r1 { every brief must brief references a Campaign }\n"
            ),
        ),
    ),
    Entry(
        "no-reference",
        "`references a X` from an entity that has no field referencing `X`.",
        "Add a reference field to the entity, or start from the entity that has one.",
        (rules("rule r1 { every capability must capability references a Campaign }\n"),),
    ),
    Entry(
        "optional-value",
        "A field declared with `?` may be missing, and it is used as if it were always "
        "there. The language makes you say what a missing value means.",
        "Guard it (`x is present and x < today`), accept it (`x is missing or ...`), or "
        "give a default (`x otherwise 0`).",
        (rules("rule r1 { every capability must capability.ready_on <= today }\n"),),
    ),
    Entry(
        "template",
        "A `message` names a value that is not bound in the rule or a field that does not "
        "exist, or a `{...}` hole is not a field path.",
        "Name a bound variable and its fields, e.g. `{campaign.id}`; write `{{` and `}}` for "
        "literal braces.",
        (
            rules(
                "rule r1 {\n"
                "    every campaign must campaign.budget >= min_budget\n"
                '    message "campaign {campaign.id} has only {campaign.budgt}"\n'
                "}\n"
            ),
        ),
    ),
    Entry(
        "bad-regex",
        "`matches` runs on RE2, a regular-expression engine that never backtracks, so no "
        "pattern can make a check hang on hostile text. A pattern RE2 cannot run (a "
        "look-around, a back-reference, an atomic group, more than 1,000 repetitions) is "
        "refused, and so is every `matches` when RE2 (`google-re2`) is not installed: a check "
        "never falls back to a backtracking engine.",
        "Rewrite the pattern in RE2 syntax as the hint says, or install RE2 with "
        "`pip install 'alignrules[re2]'`; `contains`, `starts with` and `ends with` need no "
        "pattern at all.",
        (rules('rule r1 { no campaign where campaign.id matches "^(?>M+)$" }\n'),),
    ),
    Entry(
        "bad-literal",
        "A literal that looks like a value of its type but is not one, such as the date "
        "`2026-13-45`.",
        "Write a real value: dates are `YYYY-MM-DD`.",
        (rules("rule r1 { every campaign must campaign.launch_on > 2026-13-45 }\n"),),
    ),
    Entry(
        "too-deep",
        "An expression nests more than 64 levels deep: 65 `not`s in a row, or a sum of a "
        "hundred terms. The later stages of the compiler and the generated Python would "
        "run out of stack on it. A long chain of `and` or `or` does not nest and is never "
        "refused.",
        "Name parts of the expression with `let` or a predicate.",
        (rules("rule r1 { no campaign where " + "not " * 70 + "campaign.budget > 1 USD }\n"),),
    ),
    Entry(
        "recursive-predicate",
        "A predicate calls itself, directly or through other predicates. A predicate is one "
        "condition with no base case, so a recursion could only run until Python gives up.",
        "Write the condition out, or use a quantifier (`some`, `every`) over the collection "
        "the recursion was meant to walk.",
        (
            rules(
                "predicate big(c: Campaign) = c.budget > 100 USD and big(c)\n"
                "rule r1 { no campaign where big(campaign) }\n"
            ),
        ),
    ),
    Entry(
        "arity",
        "A predicate or built-in function is called with the wrong number of arguments.",
        "Pass as many arguments as the predicate declares parameters.",
        (
            rules(
                "predicate is_public(c: Campaign) = c.channel in {tv, social}\n"
                "rule r1 { no campaign where is_public(campaign, campaign) }\n"
            ),
        ),
    ),
    Entry(
        "import-cycle",
        "Two or more files import each other.",
        "Move what the files share into a third file that both import.",
        (
            Example(
                {
                    "a.rules": 'import "b.rules"\nenum A { x }\n',
                    "b.rules": 'import "a.rules"\nenum B { y }\n',
                },
                ("check", "a.rules", "--data", "plan.json"),
            ),
        ),
    ),
    Entry(
        "missing-import",
        "An `import` names a file that does not exist (paths are relative to the importing "
        "file), or a ruleset given as text (`alignrules.load(text)`) tries to import.",
        "Fix the path; or pass the file on the command line instead of importing it.",
        (
            Example(
                {"main.rules": 'import "shared/schema.rules"\nenum A { x }\n'},
                ("check", "main.rules", "--data", "plan.json"),
            ),
        ),
    ),
    Entry(
        "bad-key",
        "An entity's key (`key field`, `id` by default) is not one of its fields, or is not a "
        "required `text` or `int` field. Keys identify records in reports and references.",
        "Name an existing text or int field after `key`, and do not make it optional.",
        (rules("entity Brief key code { id: text }\n"),),
    ),
    Entry(
        "bad-binding",
        "A field's binding to the data cannot work: two fields read the same data name, "
        "`split` on a field that is not a list, an empty `split` separator, a field name "
        "starting with the reserved `ar_`, or an `in` path that is not dotted names.",
        "Give each field its own data name with `from`, and use `split` only on `list of` fields.",
        (rules('entity Brief { id: text\n    tags: text split ";" }\n'),),
    ),
    Entry(
        "bad-parameter",
        "`--param name=value` (or `params=` in the API) names a parameter the ruleset does "
        "not declare, or gives a value that is not of the parameter's type.",
        "Use a declared parameter name (the message lists them) and a value of its type; "
        "sets are written `a,b,c`.",
        (
            Example({}, (*CHECK[:2], "--data", "plan.json", "--param", "min_budget=lots")),
            Example({}, (*CHECK[:2], "--data", "plan.json", "--param", "max_budget=5")),
        ),
    ),
    Entry(
        "bad-metadata",
        "Rule metadata is repeated (`title` twice) or takes the wrong number of strings.",
        "Give each of `title`, `severity`, `rationale`, `owner` once; `tags` and `links` "
        "take a list of strings.",
        (
            rules(
                "rule r1 {\n"
                '    title "Budgets"\n'
                '    title "Campaign budgets"\n'
                "    every campaign must campaign.budget >= min_budget\n"
                "}\n"
            ),
        ),
    ),
    Entry(
        "missing-subject",
        "A rule has nothing to check: it has no condition at all, or its first binder "
        "ranges over a list of plain values rather than entities (a violation must name an "
        "entity), or `reference` is used where no entity is in scope.",
        "Give the rule one body: `every <Entity> ... must <condition>` or `no <Entity> where "
        "<condition>`.",
        (rules('rule r1 {\n    title "Campaigns need a budget"\n    severity warning\n}\n'),),
    ),
    Entry(
        "no-rules",
        "`alignrules check` was given ruleset files that declare no `rule`: an empty file, or only the schema. A check without rules would pass every "
        "plan, which in CI looks exactly like a plan that is fine.",
        "Pass the files or the folder that hold the rules as well as the schema "
        "(`alignrules check schema.rules rules.rules ...`, or the ruleset's folder).",
        (Example({}, ("check", "schema.rules", "--data", "plan.json")),),
    ),
    Entry(
        "example",
        "An `example` next to the rules names something that does not exist, such as a rule "
        "in `expect`, or gives no data.",
        "Fix the rule id in `expect`, or add `given` data.",
        (
            rules(
                "rule budget-floor { every campaign must campaign.budget >= min_budget }\n"
                'example "a small budget is reported" {\n'
                '    given "campaigns: [{id: M1, channel: tv, budget: 5, launch_on: 2026-01-01, capability_ids: []}]"\n'
                '    expect budget-flor on "M1"\n'
                "}\n"
            ),
        ),
    ),
    Entry(
        "data",
        "The plan data cannot be read or bound to the schema. Reading: a file that is "
        "missing, empty, not UTF-8, malformed JSON, YAML or CSV, a duplicate key, `NaN` or a "
        "number too large, nesting too deep. Binding: a missing required field, a value of "
        "the wrong type, an enum value that is not declared, a date that does not exist, "
        "two records with the same key. The message names the file, the line and column, "
        "and the data path (a JSON pointer such as `/campaigns/0/budget`).",
        "Correct the data at that place (or the schema, if the data is right). A reference "
        "to a record that does not exist is not a data error: it is reported as a "
        "`dangling-reference` violation.",
        (
            Example(
                {"broken.json": '{\n  "capabilities": [],\n  "campaigns": [}\n'},
                ("check", "schema.rules", "--data", "broken.json"),
            ),
            Example(
                {
                    "wrong.json": '{\n  "capabilities": [{"id": "K1", "status": "sold"}],\n'
                    '  "campaigns": [{"id": "M1", "channel": "tv", "budget": 10,\n'
                    '                 "launch_on": "2026-02-30", "capability_ids": []}]\n}\n'
                },
                ("check", "schema.rules", "--data", "wrong.json"),
            ),
        ),
    ),
    Entry(
        "waiver",
        "The waiver file given with `--waivers` cannot be used: it is missing or not YAML or "
        "JSON, or a waiver lacks `rule`, `key`, `reason`, `owner` or `expires`, has a field "
        "of another name, an empty value, or an `expires` that is not a date. Every problem "
        "is listed with its line and column; nothing is checked.",
        "Correct the waiver at that place. Each waiver needs all five fields (`entity` is "
        "optional); `expires` is the last day it is in force, like `2026-06-30`. See "
        "[docs/ci.md](ci.md#waivers).",
        (
            Example(
                {
                    "waivers.yaml": "waivers:\n"
                    "  - rule: budget-floor\n"
                    "    key: M1\n"
                    "    owner: growth-team\n"
                    "    expires: 2026-02-30\n"
                    "    approved_by: cfo\n"
                },
                (*CHECK, "--waivers", "waivers.yaml"),
            ),
        ),
    ),
    Entry(
        "baseline",
        "The baseline given with `--baseline` cannot be used: it is missing, not JSON, or "
        "not a report written by `alignrules check --format json` (it has no `violations` "
        "list, or a violation lacks its rule, entity, key, message or severity).",
        "Give the JSON report of an earlier run, e.g. one saved with "
        "`--output json=baseline.json`. See [docs/ci.md](ci.md#baselines).",
        (
            Example(
                {"baseline.json": '{\n  "version": 1,\n  "results": []\n}\n'},
                (*CHECK, "--baseline", "baseline.json"),
            ),
        ),
    ),
    Entry(
        "rule-crashed",
        "A rule raised an error on one record, for instance a division by zero. That record "
        "is reported as a `rule-crashed` finding, placed at the record and naming the rule "
        "and where it is declared; the rule goes on with the next record and the other rules "
        "run, so the rest of the report is kept. Because the report is not complete, the "
        "command also prints the error with a hint and exits with code 2.",
        "Guard the rule against the data that broke it, e.g. `where x.capacity > 0` before "
        "dividing by `x.capacity`.",
        (
            rules(
                "rule budget-per-unit {\n"
                "    every campaign\n"
                "    must every c in campaign.capabilities\n"
                "        must campaign.budget / (c.capacity otherwise 1) < 1000 USD\n"
                "}\n"
            ),
        ),
    ),
    Entry(
        "sql-unsupported",
        "The SQL target (`alignrules compile --target sql`, `alignrules check --engine "
        "duckdb`) cannot give exactly the answer the Python engine gives for this construct, "
        "in this dialect or on this data: a division (the language rounds quotients to 60 "
        "digits), `avg`, `matches` in a dialect whose regular expressions are not RE2, "
        "`ignoring case`, `lower` or `upper` in SQL text. The error names the rule and "
        "points at the construct; nothing is written.",
        "Check with the Python engine (the default), or rewrite the rule without the "
        "construct. docs/sql.md lists what the SQL target supports, and why.",
    ),
    Entry(
        "format",
        "`alignrules fmt` formats a file, parses the result again and compares the two "
        "syntax trees; when they differ, the formatter would have changed what the file "
        "means, so the file is left as it was. This is a bug in the formatter, not in the "
        "file, and it has no example here.",
        "Report it with the file. The file itself is valid and can be used as it is.",
    ),
    Entry(
        "usage",
        "The command line cannot be carried out: an unknown option or command, a missing "
        "argument, an option value of the wrong form, a file that cannot be written.",
        "See `alignrules --help` and `alignrules COMMAND --help`.",
        (
            Example({}, ("check", "schema.rules", "--data", "plan.json", "--as-of", "soon")),
            Example({}, ("check", "schema.rules", "--data", "plan.json", "--format", "xml")),
        ),
    ),
]

#: Printed by the CLI without being a Diagnostic, so not in CODES.
INTERNAL = """\
## `internal`

An error inside alignrules itself: whatever the input, this should not happen.

**Fix.** Please report it, with the input if you can. Run again with `ALIGNRULES_DEBUG=1` to
see the traceback (by default the command line never prints one).
"""


#: tests/test_docs.py gives `check` this date when a command names none; so do we.
DEFAULT_AS_OF = "2026-11-22"


class Workspace:
    """One scratch folder for the whole page, as tests/test_docs.py runs it: files are
    written block by block, and each ruleset is compiled when its block is reached."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")

    def codes(self, files: Sequence[str]) -> list[str]:
        """The error codes compiling `files` gives, sorted; [] when they compile."""
        with contextlib.chdir(self.root):
            try:
                compile_paths([self.root / f for f in files])
            except DiagnosticError as exc:
                return sorted(d.code for d in exc.diagnostics)
        return []

    def run(self, args: Sequence[str]) -> tuple[str, int]:
        """What the command line prints (stdout, then stderr) and its exit code."""
        argv = list(args)
        if argv[:1] == ["check"] and "--as-of" not in argv:
            argv += ["--as-of", DEFAULT_AS_OF]
        out, err = io.StringIO(), io.StringIO()
        with (
            contextlib.chdir(self.root),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = main(argv)
        return out.getvalue() + err.getvalue(), code


def _fence(info: str, text: str) -> str:
    return f"```{info}\n{text.rstrip()}\n```\n"


def _rules_block(ws: Workspace, entry: Entry, example: Example, name: str) -> str:
    """The info string of a ruleset block: compiled with the schema when the command uses
    it, expecting the entry's code; a file that fails differently at this point of the page
    (half of an import cycle) is only written."""
    with_schema = "schema.rules" in example.args and name != "schema.rules"
    codes = ws.codes([name, "schema.rules"] if with_schema else [name])
    info = f'alignrules title="{name}"'
    if with_schema:
        info += ' with="schema.rules"'
    if not codes:
        return info
    if set(codes) == {entry.code}:
        return info + f' error="{" ".join(codes)}"'
    return info + " skip"


def render() -> str:
    missing = set(CODES) - {e.code for e in ENTRIES}
    assert not missing, f"no entry for {sorted(missing)}"
    with tempfile.TemporaryDirectory() as tmp:
        return _render(Workspace(Path(tmp)))


def _render(ws: Workspace) -> str:
    ws.write("schema.rules", SCHEMA)
    ws.write("plan.json", PLAN)
    assert ws.codes(["schema.rules"]) == []
    parts = [
        "# Error codes\n",
        "<!-- Generated by scripts/gen_errors_doc.py from alignrules.diagnostics.CODES; do not "
        "edit by hand: edit the script and run it. -->\n",
        "Every problem found before checking (in a ruleset, in plan data, or on the command line) "
        "is reported the same way: the file and place, `error:`, a one-line message, and a stable "
        "code in brackets; for a ruleset, the source line and a caret under the columns; then, "
        "where one helps, a `hint:`. The command exits with code 2 and prints no report. "
        "Violations found in valid data are not errors: they are the report (exit code 1).\n",
        "Lint findings (`alignrules lint`) are warnings and notes with codes of their own; "
        "they are not listed here.\n",
        "The examples below are real runs, in a folder holding this schema as `schema.rules`:\n",
        _fence('alignrules title="schema.rules"', SCHEMA),
        "and this plan as `plan.json`:\n",
        _fence('json title="plan.json"', PLAN),
        "| code | meaning |\n|---|---|\n"
        + "".join(f"| [`{e.code}`](#{e.code}) | {CODES[e.code]} |\n" for e in ENTRIES)
        + "| [`internal`](#internal) | an error inside alignrules itself |\n",
    ]
    for e in ENTRIES:
        parts.append(f"## `{e.code}`\n")
        parts.append(f"{e.means}\n")
        for ex in e.examples:
            for name, text in ex.files.items():
                ws.write(name, text)
                parts.append(f"`{name}`:\n")
                if name.endswith(".rules"):
                    parts.append(_fence(_rules_block(ws, e, ex, name), text))
                else:
                    language = "yaml" if name.endswith((".yaml", ".yml")) else "json"
                    parts.append(_fence(f'{language} title="{name}"', text))
            output, code = ws.run(ex.args)
            assert code == 2, (e.code, code, output)
            assert f"[{e.code}]" in output, (e.code, output)
            assert "Traceback" not in output, output
            parts.append(_fence('console exit="2"', f"$ alignrules {' '.join(ex.args)}\n{output}"))
        parts.append(f"**Fix.** {e.fix}\n")
    parts.append(INTERNAL)
    return "\n".join(parts)


def main_(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the page is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not DOC.is_file() or DOC.read_text("utf-8") != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run {__file__}", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, "utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main_())
