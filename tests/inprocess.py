"""Run `alignrules ARGS` inside the test process, with the streams a real process would have.

Most tests check what the command line prints and returns, not that it is a process; starting
Python for each of them cost most of the suite's time. `run_in_process` gives the same
`CompletedProcess` as `subprocess.run(..., text=True)`: stdout and stderr decoded as UTF-8 with
universal newlines, standard input from `input`, the working directory and environment as
given for the call only, and an exception that escapes `main` reported as the interpreter would
(a traceback on stderr, exit 1) so a test that forbids tracebacks still sees one. Tests whose
contract is the process itself (exit status of `python -m alignrules`, no traceback from a real
interpreter, stream encodings, signals) keep using a subprocess.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path


class _Pipe:
    """One output stream of the fake process, and what was written to it."""

    def __init__(self, errors: str) -> None:
        # The interpreter's own choices for a pipe under a UTF-8 locale: strict on stdout,
        # backslashreplace on stderr.
        self.raw = io.BytesIO()
        self.stream = io.TextIOWrapper(
            self.raw, encoding="utf-8", errors=errors, write_through=True
        )

    def text(self) -> str:
        self.stream.flush()
        text = self.raw.getvalue().decode("utf-8", errors="replace")
        return text.replace("\r\n", "\n").replace("\r", "\n")


@contextlib.contextmanager
def _environment(cwd: Path, env: Mapping[str, str | None]) -> Iterator[None]:
    saved_env = {k: os.environ.get(k) for k in env}
    saved_cwd = os.getcwd()
    try:
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        os.chdir(cwd)
        yield
    finally:
        os.chdir(saved_cwd)
        for key, old in saved_env.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run_in_process(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path,
    input: str | None = None,
    env: Mapping[str, str | None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`alignrules ARGS` through `alignrules.cli.main`, as `subprocess.run` would report it."""
    from alignrules.cli import main

    argv = [str(a) for a in args]
    stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    out, err = _Pipe("strict"), _Pipe("backslashreplace")
    changes: dict[str, str | None] = {"ALIGNRULES_DEBUG": None}
    changes.update(env or {})
    saved = sys.stdin, sys.stdout, sys.stderr
    code: int
    with _environment(cwd, changes):
        sys.stdin, sys.stdout, sys.stderr = stdin, out.stream, err.stream
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's --help and usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                err.stream.write(exc.code + "\n")
        except Exception:
            traceback.print_exc(file=err.stream)
            code = 1
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
    return subprocess.CompletedProcess(
        ["alignrules", *argv], code, stdout=out.text(), stderr=err.text()
    )
