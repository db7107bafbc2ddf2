"""Pausing the cyclic garbage collector, only where the caller allowed it.

Binding a million records, or reporting a hundred thousand violations, makes millions of
container objects. Each time enough of them pile up the collector runs, and its full
collections walk every object alive, so with the collector on the cost grows faster than the
data: about 4x for `json.loads` of a 10^6-claim plan, measured (docs/performance.md). But
`gc.disable()` is process-wide: it would also stop collection for every other thread of a
host. So the library never pauses it on its own: the command line, which owns its process,
allows it with `pausing_gc`, and so may a host that knows it can afford it.

A module of its own, outside the runtime and importing nothing from alignrules: the binder,
the plan reader and the JSON renderer all pause the collector, and none of them should depend
on another for it.
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
from collections.abc import Iterator

#: Whether this context asked for the collector to be paused (see `pausing_gc`). A context
#: variable, not a module flag: one thread or task opting in changes nothing for the others.
_PAUSE_GC: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "alignrules_pause_gc", default=False
)


@contextlib.contextmanager
def pausing_gc() -> Iterator[None]:
    """Allow alignrules to pause the cyclic garbage collector while it builds many acyclic
    objects inside this block. The permission holds for this thread or task only; a pause,
    while it lasts, is process-wide, which is why it is the caller's decision.

    >>> import alignrules
    >>> with alignrules.pausing_gc():          # doctest: +SKIP
    ...     report = checker.check_file("plan.json")
    """
    token = _PAUSE_GC.set(True)
    try:
        yield
    finally:
        _PAUSE_GC.reset(token)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many acyclic objects are made, when the
    caller allowed it with `pausing_gc`; otherwise do nothing.

    Entities, indexes and violations hold no reference cycles, so nothing is leaked; the
    collector is switched back on (if it was on) when the block ends, however it ends.
    """
    if not _PAUSE_GC.get():
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
