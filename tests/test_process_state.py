"""Library calls leave the process as they found it (docs/api.md, "Threads, state and
determinism"): the garbage collector keeps running unless the caller allows a pause;
compiled modules are not left in `sys.modules`, and their source leaves `linecache` when
the cache drops them; generated source names are unique per ruleset.
"""

from __future__ import annotations

import datetime
import gc
import linecache
import sys
from typing import Any

import alignrules
from alignrules.codegen.writer import py_literal

SCHEMA = 'entity Claim in "claims" {{ id: text  {field}: int }}\n'
RULE = "rule r{n} {{ no claim where claim.{field} > {n} }}\n"


def ruleset(n: int, field: str = "amount") -> str:
    return SCHEMA.format(field=field) + RULE.format(n=n, field=field)


def plan(n: int, field: str = "amount") -> dict[str, Any]:
    return {"claims": [{"id": f"C{i}", field: i % 7} for i in range(n)]}


def collections() -> int:
    return sum(s["collections"] for s in gc.get_stats())


AS_OF = datetime.date(2026, 11, 22)


def test_check_keeps_the_garbage_collector_running() -> None:
    checker = alignrules.load(ruleset(3))
    assert gc.isenabled()
    before = collections()
    report = checker.check(plan(30_000), as_of=AS_OF)
    assert collections() > before  # it ran while 30,000 records were bound and checked
    assert gc.isenabled()
    assert len(report.violations) == sum(1 for i in range(30_000) if i % 7 > 3)


def test_a_host_may_allow_the_pause() -> None:
    checker = alignrules.load(ruleset(3))
    data = plan(30_000)
    gc.collect()
    before = collections()
    with alignrules.pausing_gc():
        checker.check(data, as_of=AS_OF)
        assert gc.isenabled()  # paused inside each step only, and switched back on
    # the binder, the rules and the report build ran with the collector paused
    assert collections() - before <= 2


def test_compiled_modules_are_not_left_in_sys_modules() -> None:
    before = {m for m in sys.modules if m.startswith("alignrules.compiled")}
    checker = alignrules.load(ruleset(11).replace("amount: int", "amount: decimal"))
    assert checker.compiled.module.__name__ not in sys.modules
    assert {m for m in sys.modules if m.startswith("alignrules.compiled")} == before
    # ...and the module works without it: a record the fast reader refuses goes to cattrs
    report = checker.check({"claims": [{"id": "C1", "amount": "1,200"}]}, as_of=AS_OF)
    assert [v.key for v in report.violations] == ["C1"]


def test_linecache_forgets_what_the_cache_dropped() -> None:
    digests = []
    for n in range(100, 200):  # 100 different rulesets; the compile cache keeps 32
        checker = alignrules.load(ruleset(n))
        checker.check(plan(3), as_of=AS_OF)
        digests.append(checker.compiled.module.__name__.rsplit(".m", 1)[1])
    del checker
    gc.collect()
    # the module's own lines, its Binder's readers and attrs' generated methods are there
    # for the rulesets the cache still holds, and gone for the other 68
    kept = {d for d in digests if any(d in k for k in linecache.cache)}
    assert 0 < len(kept) <= 32, len(kept)


def test_two_rulesets_with_the_same_entity_keep_their_own_reader_lines() -> None:
    """The record readers are part of each generated module's text, shown in tracebacks under
    that module's own name: two rulesets with a `Claim` entity never share reader lines."""
    a = alignrules.load(ruleset(1, "alpha"))
    b = alignrules.load(ruleset(1, "beta"))
    for checker, field, other in ((a, "alpha", "beta"), (b, "beta", "alpha")):
        checker.check(plan(2, field), as_of=AS_OF)
        text = "".join(linecache.cache[checker.compiled.module.__file__][2])
        reader = text[text.index("def read_claim(") :]
        reader = reader[: reader.index("\n\n\n")]
        assert py_literal(field) in reader and other not in reader
    assert a.compiled.module.__file__ != b.compiled.module.__file__
