"""What the command line adds when a person is watching a terminal: colour, and a progress line
for work that takes more than a couple of seconds.

Both change nothing when the stream is not a terminal (a CI log, a pipe, a file), so every
machine-read output stays byte for byte the same. Colour follows the NO_COLOR convention
(https://no-color.org): set to anything but the empty string, it turns colour off; so does
`TERM=dumb`. Only `cli` uses this module: it is the one that owns the process's streams.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

_RESET = "\x1b[0m"
_STYLES = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;34m"}
_DIM = "\x1b[2m"

# `place: severity: message  [rule]`, as render/text and diagnostics.render_text write it; the
# message itself is left as it is (it has been through `visible`, so it holds no escapes).
_FINDING = re.compile(r"^(?P<place>\S[^\n]*?: )(?P<severity>error|warning|info)(?P<rest>: .*)$")
_RULE = re.compile(r"  \[(?P<rule>[^\]\n]+)\]$")
_HINT = re.compile(r"^(?P<indent>\s+)hint: ")

#: Seconds of silent work before the progress line appears.
PROGRESS_AFTER = 2.0


def wants_colour(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to `stream`: a terminal, NO_COLOR unset or empty, TERM not dumb."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", "") != "" or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def colour(text: str) -> str:
    """`text` as written by the text renderers, with severities, rule ids and hints coloured."""
    out = []
    for line in text.split("\n"):
        found = _FINDING.match(line)
        if found:
            rest = _RULE.sub(lambda m: f"  {_DIM}[{m['rule']}]{_RESET}", found["rest"])
            style = _STYLES[found["severity"]]
            line = f"{found['place']}{style}{found['severity']}{_RESET}{rest}"
        else:
            line = _HINT.sub(lambda m: f"{m['indent']}{_DIM}hint:{_RESET} ", line)
        out.append(line)
    return "\n".join(out)


@contextmanager
def progress(stream: TextIO, label: str, after: float | None = None) -> Iterator[None]:
    """Show `label` and the seconds spent on one line of `stream` while the block runs, once it
    has run for `after` seconds (`ALIGNRULES_PROGRESS_AFTER`, else 2), and only on a terminal;
    the line is erased when the block ends, so what follows starts on a clean line."""
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        yield
        return
    delay = (
        after
        if after is not None
        else float(os.environ.get("ALIGNRULES_PROGRESS_AFTER", PROGRESS_AFTER))
    )
    done = threading.Event()
    shown = threading.Event()
    start = time.monotonic()

    def tick() -> None:
        if done.wait(delay):
            return
        while not done.is_set():
            stream.write(f"\r{label}… {time.monotonic() - start:.0f} s")
            stream.flush()
            shown.set()
            done.wait(0.5)

    worker = threading.Thread(target=tick, name="alignrules-progress", daemon=True)
    worker.start()
    try:
        yield
    finally:
        done.set()
        worker.join()
        if shown.is_set():
            stream.write("\r\x1b[K")
            stream.flush()
