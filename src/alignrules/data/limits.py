"""What a plan may hold: a regular file, of bounded size, in UTF-8, whose numbers are in range.

A plan path comes from a CI job's configuration or a user's command line, and what it names
is not always a file: a FIFO blocks the reader forever, and a link to `/dev/zero` is read
until memory runs out. So the path is examined first (following symbolic links, since the
link's target is what would be read), only a regular file is opened, it is examined again
through the open descriptor (the path may have been swapped in between), and it is read only
up to the limit.

>>> parse_size("256M"), parse_size("1g"), parse_size("1500")
(268435456, 1073741824, 1500)
"""

from __future__ import annotations

import os
import re
import stat
from decimal import Decimal
from typing import Final

from alignrules.data.plan import fail
from alignrules.diagnostics import DiagnosticError
from alignrules.runtime.values import (
    MAX_DECIMAL_PLACES,
    MAX_INTEGER_DIGITS,
    ValueProblem,
    bounded_decimal,
    bounded_int,
)

#: The default largest plan file, and the largest total of a folder of CSV files.
DEFAULT_MAX_BYTES: Final = 256 * 1024 * 1024

_UNITS: Final = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_SIZE: Final = re.compile(r"([0-9]{1,15})\s*([kmg]?)(?:i?b)?", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from `1500`, `64K`, `256M`, `2G` (binary units; `MB`, `MiB` accepted too)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None or int(match[1]) == 0:
        raise ValueError(f"`{text}` is not a size like 256M (K, M and G are binary units)")
    return int(match[1]) * _UNITS[match[2].lower()]


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _bytes(n: int) -> str:
    return f"{n:,} bytes"


def too_large(size: int, max_bytes: int, name: str, what: str = "the file is") -> DiagnosticError:
    """The error for a plan over the limit."""
    return fail(
        f"{what} {_bytes(size)}, more than the limit of {_bytes(max_bytes)}",
        name,
        hint=_LIMIT_HINT,
    )


_LIMIT_HINT: Final = "raise the limit with `--max-data-size` (API: `max_bytes=`), or split the plan"


def _check_stat(st: os.stat_result, name: str, max_bytes: int) -> None:
    kind = _kind(st.st_mode)
    if kind is not None:
        via = " (through a symbolic link)" if os.path.islink(name) else ""
        if kind == "a directory":
            raise fail(f"is a directory{via}, expected a file", name)
        raise fail(
            f"is {kind}{via}, not a regular file",
            name,
            hint="save the plan to a file and give that file",
        )
    if st.st_size > max_bytes:
        raise too_large(st.st_size, max_bytes, name)


def file_size(name: str, max_bytes: int) -> int:
    """The size of the regular file `name`, refusing anything else as `read_regular_file` does."""
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise fail("no such file", name) from None
    except OSError as e:
        raise fail(
            f"cannot read the file: {(e.strerror or type(e).__name__).lower()}", name
        ) from None
    _check_stat(st, name, max_bytes)
    return st.st_size


def read_regular_file(name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of `name`, which must be a regular file of at most `max_bytes` bytes.

    Anything else (missing, a directory, a FIFO, a device, a socket, also behind a symbolic
    link, or too large) is a `data` DiagnosticError naming the file; nothing blocks and
    nothing is read past the limit.
    """
    file_size(name, max_bytes)
    # O_NONBLOCK: should the path have become a FIFO since the check, opening it must not
    # wait for a writer. It changes nothing for a regular file.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(name, flags | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise fail("no such file", name) from None
    except OSError as e:
        raise fail(
            f"cannot read the file: {(e.strerror or type(e).__name__).lower()}", name
        ) from None
    with os.fdopen(fd, "rb") as f:
        _check_stat(os.fstat(f.fileno()), name, max_bytes)
        try:
            data = f.read(max_bytes + 1)
        except OSError as e:
            reason = (e.strerror or type(e).__name__).lower()
            raise fail(f"cannot read the file: {reason}", name) from None
    if len(data) > max_bytes:  # it grew after it was examined
        raise fail(f"the file grew past the limit of {_bytes(max_bytes)}", name, hint=_LIMIT_HINT)
    return data


def read_text(name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of the regular file `name` (see `read_regular_file`): UTF-8, without its BOM;
    a bad byte is reported with its line and column."""
    data = read_regular_file(name, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = data.rfind(b"\n", 0, e.start) + 1
        line = data.count(b"\n", 0, e.start) + 1
        column = len(data[line_start : e.start].decode("utf-8", "replace")) + 1
        raise fail(
            f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})",
            name,
            line,
            column,
            hint="save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


# ----------------------------------------------------------------------------- numbers as read


def number_problem(value: Decimal | int) -> str | None:
    """Why a number read from a plan is outside the documented range, or None.

    The range (`alignrules.runtime.values.bounded_decimal`) is checked as the number is read,
    so the message can name the file and place; binding checks it again for the numbers it
    parses itself (CSV cells, `--param`).
    """
    try:
        if isinstance(value, int):
            bounded_int(value)
        else:
            bounded_decimal(value)
    except ValueProblem as exc:
        return str(exc)
    return None


def json_int(text: str) -> int:
    """The JSON parser's hook for integers: the digit count is checked before `int()`."""
    digits = text.lstrip("-")
    if len(digits) > MAX_INTEGER_DIGITS and len(digits.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise ValueProblem(
            f"a number with {len(digits)} digits is out of range: numbers must be less than"
            f" 10^{MAX_INTEGER_DIGITS} in size with at most {MAX_DECIMAL_PLACES} decimal places"
        )
    return int(text)


NUMBER_RANGE_HINT: Final = (
    "a value this large or this precise is almost always an export error (a unit, a"
    " separator, a float printed in full); fix it at the source"
)
