"""`--engine duckdb` on a CSV plan (a folder of `.csv` files, or one file): DuckDB reads the
files itself, and the report is the Python engine's, byte for byte, with locations into the
files; bad data is the Python reader's located error.

The plans are the shipped CSV example and plans generated with hypothesis: missing cells,
quoted cells holding commas, quotes and line breaks, both kinds of line end, blank lines,
every spelling of numbers, money, dates, durations, booleans and enums the binder takes,
decimals at the edge of the SQL columns' places, and values the binder refuses. Where
DuckDB's reader cannot read a plan exactly, the engine reads it through Python; the tests
also count how many plans DuckDB read itself, so that the fallback cannot pass for the
native reader.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import alignrules
from alignrules.cli import main
from alignrules.render import FORMATS
from alignrules.sql import native_engine
from tests.conftest import benchmark_csv_plan, layout_tables

duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hardware-launch"
AS_OF = "2026-11-22"

RULES = """
enum Stage { draft < live "Going Live" < closed }

entity Thing in "things" {
    id: text
    label: text
    note: text?
    size: int?
    price: money?
    ratio: decimal? from "Ratio (%)"
    day: date?
    wait: duration?
    active: bool?
    stage: Stage?
    peer: Thing? from "peer id"
    peers: list of Thing? from "peer ids" split ";"
    stages: list of Stage? split "|"
}

entity Note in "notes" {
    id: int
    thing: Thing from "thing_id"
    amount: money from "Budget (USD)"
}

rule shows {
    every thing must thing.id = "none"
    message "{thing.label}|{thing.note}|{thing.size}|{thing.price}|{thing.ratio}|{thing.day}|{thing.wait}|{thing.active}|{thing.stage}|{thing.peer}"
}

rule dear {
    no note where note.amount > 100 EUR
    message "note {note.id} on {note.thing} spends {note.amount}"
}

rule late {
    no thing where thing.day is present and thing.wait is present
        may thing.day + thing.wait > 2027-01-01
    message "{thing.id} ends after the year"
}

rule staged {
    every thing where thing.stages is present must (some s in thing.stages where s >= live)
    message "{thing.id} has stages {thing.stages}"
}

rule peers-live {
    no thing where thing.peers is present and (some p in thing.peers where p.stage is present and p.stage < live)
    message "{thing.id} leans on a peer not yet live"
}
"""

THING_COLUMNS = [
    "id",
    "label",
    "note",
    "size",
    "price",
    "Ratio (%)",
    "day",
    "wait",
    "active",
    "stage",
    "peer id",
    "peer ids",
    "stages",
]
NOTE_COLUMNS = ["id", "thing_id", "Budget (USD)"]


@pytest.fixture(scope="module")
def checkers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    rules = tmp_path_factory.mktemp("rules") / "things.rules"
    rules.write_text(RULES, encoding="utf-8")
    return alignrules.load(rules), alignrules.load(rules, engine="duckdb"), rules


def _native(rules: Path | str, plan: Path) -> Any:
    """The report of DuckDB's own reading of `plan`, or None where it hands it to Python."""
    checker = alignrules.load(rules)
    try:
        return native_engine.check_csv(
            checker.compiled.program,
            checker.module,
            plan,
            checker._params,
            today=date.fromisoformat(AS_OF),
        )
    except native_engine.NativeUnavailable:
        return None


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args, "--as-of", AS_OF])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ the shipped example
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_shipped_csv_example_gives_the_python_engines_output_in_every_format(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    assert _native("std:strategy", EXAMPLE) is not None  # read by DuckDB, not handed back
    args = ("std:strategy", "--data", str(EXAMPLE), "--format", fmt)
    python = _cli(capsys, *args)
    sql = _cli(capsys, *args, "--engine", "duckdb")
    assert python[0] == 1
    assert sql == python


def test_the_shipped_example_finds_what_its_readme_says(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "std:strategy", "--data", str(EXAMPLE), "--engine", "duckdb")
    assert code == 1
    assert "campaigns.csv:2:65: error: campaign M1 plans 60000 units a month" in out
    assert "claims.csv:5:1: error: claim CL4" in out


def test_the_benchmark_plan_as_csv_gives_the_python_engines_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan, text = benchmark_csv_plan(tmp_path, 3000)
    rules = tmp_path / "reference.rules"
    rules.write_text(text, encoding="utf-8")
    assert _native(rules, plan) is not None
    python = _cli(capsys, str(rules), "--data", str(plan), "--format", "json")
    sql = _cli(capsys, str(rules), "--data", str(plan), "--format", "json", "--engine", "duckdb")
    assert python[0] == 1
    assert sql == python
    assert '"rule": "dangling-reference"' in python[1] and "claims.csv" in python[1]


def test_one_csv_file_is_a_plan_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "o.rules"
    rules.write_text(
        'entity Offer in "offers" { id: text\n price: money from "Price (EUR)" }\n'
        'rule cheap { no offer where offer.price < 10 EUR\n message "{offer.id} at {offer.price}" }\n',
        encoding="utf-8",
    )
    plan = tmp_path / "offers.csv"
    plan.write_text('id,Price (EUR)\nA,"EUR 1,200.50"\nB,€9.90\nC,"9.5 EUR"\n', encoding="utf-8")
    assert _native(rules, plan) is not None
    python = _cli(capsys, str(rules), "--data", str(plan), "--format", "json")
    sql = _cli(capsys, str(rules), "--data", str(plan), "--format", "json", "--engine", "duckdb")
    assert sql == python
    assert "B at 9.90 EUR" in python[1] and '"line": 3' in python[1]


def test_a_clean_csv_plan_is_never_read_in_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "o.rules"
    rules.write_text(
        'entity Offer in "offers" { id: text\n price: money }\n'
        'rule cheap { no offer where offer.price < 10\n message "{offer.id}" }\n',
        encoding="utf-8",
    )
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "offers.csv").write_text("id,price\nA,12\n", encoding="utf-8")
    import alignrules.data.read as reading

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the Python reader read a clean CSV plan")

    monkeypatch.setattr(reading, "read_plan", refuse)
    report = alignrules.load(rules, engine="duckdb").check_file(tmp_path / "plan")
    assert report.ok and report.entities == (("Offer", 1),)


# ------------------------------------------------------------------ generated plans
#: Cells the binder mostly refuses, or reads only through spellings DuckDB leaves to it.
_ODD = st.one_of(
    st.sampled_from([" ", "  x ", "\u00a05", "５", "null", "-", "1e3", "1.2.3", "\u2003"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6),
)


_ids = st.sampled_from(["T0", "T1", "T2", "T3", "T9", "t1", " T1"])
_amount = st.sampled_from(
    [
        "5",
        "0.50",
        "100.50",
        "1,200.50",
        "-3",
        "+7",
        "-0.00",
        "0.000000001",
        "0.0000000001",
        "12345678901234567890123456789",
        "123456789012345678901234567890",
        "1_000.5",
        "99,999,999.999999999",
    ]
)
_money = st.one_of(
    _amount,
    _amount.map(lambda a: f"EUR {a}"),
    _amount.map(lambda a: f"{a} EUR"),
    _amount.map(lambda a: f"€{a}"),
    _amount.map(lambda a: f"-€{a}"),
    _amount.map(lambda a: f" EUR  {a} "),
    # One currency: a rule comparing two is refused by the DuckDB engine, not by Python.
    st.sampled_from(["EUR -5", "-EUR 5", "- € 5", "€ -5", "EUR5", "€5 EUR", "eur 5", "€ 5"]),
)
_thing_cells = {
    "label": st.one_of(
        st.sampled_from(["Lamp", 'say "hi"', "a, b", "two\nlines", "x\r\ny", "é", ""])
    ),
    "note": st.one_of(st.sampled_from(["n", "  spaced  ", '"quoted"', "semi;colon"])),
    "size": st.one_of(
        st.sampled_from(["0", "12", "-4", "1,000", " 7 ", "+3", "1_0", "99999999999999999999"])
    ),
    "price": st.one_of(_money),
    "Ratio (%)": st.one_of(_amount),
    "day": st.one_of(st.sampled_from(["2026-03-31", " 2026-12-01 ", "2026-02-30", "0000-01-01"])),
    "wait": st.one_of(st.sampled_from(["90", "3 weeks", "1 Year", "2quarters", "P1Y", "0 days"])),
    "active": st.one_of(st.sampled_from(["true", "No", " y ", "1", "0", "FALSE", "maybe"])),
    "stage": st.one_of(st.sampled_from(["draft", "Going Live", "LIVE", "closed", " on-hold"])),
    "peer id": st.one_of(_ids),
    "peer ids": st.one_of(
        st.lists(_ids, max_size=3).map(";".join),
        st.sampled_from(["T1;;T2;", " T1 ; T2", "T1;\tT2"]),
    ),
    "stages": st.one_of(
        st.lists(st.sampled_from(["draft", "live", "Going Live", "closed"]), max_size=3).map(
            "|".join
        ),
        st.sampled_from(["draft||closed", "nope|live"]),
    ),
}


@st.composite
def csv_plans(draw: st.DrawFn) -> dict[str, str]:
    """A CSV plan: {file name: text}."""
    n = draw(st.integers(0, 5))
    # Plain values (`_CLEAN`), every spelling the tests know (`_thing_cells`, some of them
    # refused), or those with empty and odd cells among them.
    mode = draw(st.sampled_from(["clean", "clean", "spelled", "hostile"]))
    clean = mode == "clean"

    def cell(column: str) -> str:
        if clean:
            return draw(_CLEAN[column])
        if mode == "spelled":
            return draw(_thing_cells[column])
        return draw(st.one_of(_thing_cells[column], st.just(""), _ODD))

    things = [[f"T{i}", *(cell(c) for c in THING_COLUMNS[1:])] for i in range(n)]
    amounts = _CLEAN["price"].filter(bool) if clean else _money
    notes = [
        [str(i) if clean else draw(st.sampled_from(["1", "2", "3", "3"])), f"T{i % max(n, 1)}"]
        for i in range(draw(st.integers(0, 3)))
    ]
    notes = [[*row, draw(amounts)] for row in notes]
    terminator = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    files = {
        "things.csv": _write(THING_COLUMNS, things, terminator, quoting),
        "notes.csv": _write(NOTE_COLUMNS, notes, terminator, quoting),
    }
    hazard = (
        None
        if mode != "hostile"
        else draw(
            st.sampled_from(
                [
                    None,
                    None,
                    None,
                    "blank line",
                    "spaced quote",
                    "short row",
                    "stray quote",
                    "extra",
                ]
            )
        )
    )
    if hazard == "blank line":
        files["notes.csv"] += terminator
        files["things.csv"] = files["things.csv"].replace(terminator, terminator * 2, 1)
    elif hazard == "spaced quote":
        files["notes.csv"] = files["notes.csv"].replace(",", ', "', 1).replace("\n", '"\n', 1)
    elif hazard == "short row":
        files["notes.csv"] += "7" + terminator
    elif hazard == "stray quote":
        files["things.csv"] += 'T8,"open' + terminator
    elif hazard == "extra":
        files["other.csv"] = "a,b" + terminator + "1" + terminator
    files["clean"] = "yes" if clean else ""
    return files


_CLEAN = {
    "label": st.sampled_from(["Lamp", 'say "hi"', "a, b", "two\nlines", "é", ""]),
    "note": st.sampled_from(["", "n", "a, b"]),
    "size": st.sampled_from(["", "0", "12", "-4", "1,000"]),
    "price": st.sampled_from(["", "5", "EUR 100.50", "1,200.50 EUR", "€0.5", "150"]),
    "Ratio (%)": st.sampled_from(["", "0.5", "12.000", "-1", "0.000000001"]),
    "day": st.sampled_from(["", "2026-03-31", "2026-12-24"]),
    "wait": st.sampled_from(["", "90", "3 weeks", "1 year"]),
    "active": st.sampled_from(["", "true", "no", "1"]),
    "stage": st.sampled_from(["", "draft", "Going Live", "closed"]),
    "peer id": st.sampled_from(["", "T0", "T1", "T9"]),
    "peer ids": st.sampled_from(["", "T0;T1", "T2;;T9;", "T1"]),
    "stages": st.sampled_from(["", "draft", "live|closed", "Going Live"]),
}


def _write(header: list[str], rows: list[list[str]], terminator: str, quoting: int) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=terminator, quoting=quoting)  # type: ignore[arg-type]
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _outcome(checker: Any, plan: Path) -> Any:
    try:
        return checker.check_file(plan, as_of=date.fromisoformat(AS_OF))
    except alignrules.AlignError as exc:
        return ("stopped", tuple((d.code, d.message, str(d.where)) for d in exc.diagnostics))


def test_generated_csv_plans_give_the_python_engines_report_or_error(
    checkers: tuple[Any, Any, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    python, duck, rules = checkers
    read_natively = {"clean": 0, "clean plans": 0, "any": 0, "plans": 0, "errors": 0}

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(csv_plans())
    def agree(files: dict[str, str]) -> None:
        folder = tmp_path_factory.mktemp("plan")
        clean = files.pop("clean") == "yes"
        for name, text in files.items():
            (folder / name).write_bytes(text.encode("utf-8"))
        expected = _outcome(python, folder)
        assert _outcome(duck, folder) == expected
        read_natively["plans"] += 1
        read_natively["errors"] += isinstance(expected, tuple)
        read_natively["clean plans"] += clean
        if _native(rules, folder) is not None:
            read_natively["any"] += 1
            read_natively["clean"] += clean
            _same_tables(python, folder)

    agree()
    # DuckDB read nearly every plan of values the binder takes itself, and some of the
    # others; many of those were the Python reader's errors.
    counts = read_natively
    assert counts["clean"] >= 0.9 * counts["clean plans"] >= 40, counts
    assert counts["any"] > counts["clean"] and counts["errors"] >= 20, counts


def _same_tables(checker: Any, folder: Path) -> None:
    """The tables DuckDB's reader filled hold what the Python reader and binder give, loaded
    by the engine's baseline loader: every value, its places, currency, order and list."""
    from alignrules.sql.csv_reader import csv_files, load_csv

    program, module = checker.compiled.program, checker.module
    base, native = duckdb.connect(), duckdb.connect()
    lay = layout_tables(base, checker, folder, "csv")
    load_csv(native, program, module.SPECS, csv_files(folder))
    for table in lay.tables:
        names = ", ".join(f'"{c.name}"' for c in table.columns)
        query = f'SELECT {names} FROM "{table.name}" ORDER BY ALL'
        assert native.execute(query).fetchall() == base.execute(query).fetchall(), table.name


def test_a_bad_cell_is_the_python_readers_located_error(
    checkers: tuple[Any, Any, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, rules = checkers
    (tmp_path / "things.csv").write_text(
        _write(
            THING_COLUMNS, [["T0", "Lamp", "", "12", "", "0.5", "2026-02-30"] + [""] * 6], "\n", 0
        ),
        encoding="utf-8",
    )
    (tmp_path / "notes.csv").write_text("id,thing_id,Budget (USD)\n", encoding="utf-8")
    python = _cli(capsys, str(rules), "--data", str(tmp_path))
    sql = _cli(capsys, str(rules), "--data", str(tmp_path), "--engine", "duckdb")
    assert sql == python
    assert python[0] == 2 and python[1] == ""
    assert "things.csv:2:" in python[2] and "Traceback" not in python[2]


#: CSV texts DuckDB's reader reads otherwise than the Python reader, if left to itself.
HAZARDS = {
    "space before a quoted cell": 'id,label\nA, "x"\n',
    "space after a quoted cell": 'id,label\nA,"x" \n',
    "blank line in one column": "id\nA\n\nB\n",
    "quoted empty cell in one column": 'id\nA\n""\n',
    "mixed line ends": "id,label\r\nA,x\nB,y\r\n",
    "a cell longer than the csv module takes": "id,label\nA," + "x" * 131073 + "\n",
    "two byte order marks": "\ufeff\ufeffid,label\nA,x\n",
    "a duplicate column": "id,label,label\nA,x,y\n",
    "a row of one cell too many": "id,label\nA,x,y\n",
    "not UTF-8": b"id,label\nA,\xff\n",
}


def test_a_plan_left_to_the_python_reader_leaves_no_table_behind(
    checkers: tuple[Any, Any, Path], tmp_path: Path
) -> None:
    from alignrules.sql.csv_reader import csv_files, load_csv

    python, _, _ = checkers
    (tmp_path / "things.csv").write_text(
        _write(THING_COLUMNS, [["T0", "Lamp", *[""] * 9, "T1;T2", "draft"]], "\n", 0),
        encoding="utf-8",
    )
    # The things are read; a note's amount in two currencies is not.
    (tmp_path / "notes.csv").write_text("id,thing_id,Budget (USD)\n1,T0,€5 EUR\n", encoding="utf-8")
    con = duckdb.connect()
    with pytest.raises(native_engine.NativeUnavailable, match=r"notes\.csv row 0"):
        load_csv(con, python.compiled.program, python.module.SPECS, csv_files(tmp_path))
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]


def test_a_file_name_duckdb_would_read_as_a_pattern_is_the_python_readers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "r.rules"
    rules.write_text(
        'entity Item in "items" csv "it*ms.csv" { id: text }\n'
        'rule r { every item must item.id = "none"\n message "{item.id}" }\n',
        encoding="utf-8",
    )
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "it*ms.csv").write_text("id\nA\n", encoding="utf-8")
    (folder / "items.csv").write_text("id\nB\n", encoding="utf-8")  # the pattern matches it
    assert _native(rules, folder) is None
    python = _cli(capsys, str(rules), "--data", str(folder), "--format", "json")
    assert (
        _cli(capsys, str(rules), "--data", str(folder), "--format", "json", "--engine", "duckdb")
        == python
    )
    assert "item A" not in python[1] and '"key": "A"' in python[1]


@pytest.mark.parametrize("text", HAZARDS.values(), ids=HAZARDS.keys())
def test_where_duckdbs_reader_would_differ_the_python_reader_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | bytes
) -> None:
    rules = tmp_path / "r.rules"
    rules.write_text(
        'entity Item in "items" { id: text\n label: text? }\n'
        'rule r { every item must item.id = "none"\n message "{item.id}: {item.label}" }\n',
        encoding="utf-8",
    )
    plan = tmp_path / "items.csv"
    plan.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    assert _native(rules, plan) is None
    python = _cli(capsys, str(rules), "--data", str(plan), "--format", "json")
    assert (
        _cli(capsys, str(rules), "--data", str(plan), "--format", "json", "--engine", "duckdb")
        == python
    )


# ------------------------------------------------------------------ engine="auto"
def test_auto_picks_duckdb_for_a_large_csv_plan_only(tmp_path: Path) -> None:
    from alignrules.sql import choice

    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "offers.csv").write_text("id,price\nA,12\n", encoding="utf-8")
    (folder / "notes.txt").write_text("x" * 100, encoding="utf-8")  # not read, not counted
    size = (folder / "offers.csv").stat().st_size
    assert not choice.prefers_duckdb(folder)
    assert choice.prefers_duckdb(folder, min_csv_bytes=size)
    assert not choice.prefers_duckdb(folder, min_csv_bytes=size + 1)
    assert choice.prefers_duckdb(folder / "offers.csv", min_csv_bytes=size)
    assert not choice.prefers_duckdb(folder / "notes.txt", min_bytes=0, min_csv_bytes=0)


@pytest.mark.parametrize("threshold", [0, 1 << 40], ids=["duckdb", "python"])
def test_auto_on_a_csv_plan_gives_the_python_engines_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    from alignrules.sql import choice

    monkeypatch.setattr(choice, "AUTO_MIN_CSV_BYTES", threshold)
    args = ("std:strategy", "--data", str(EXAMPLE), "--format", "json")
    assert _cli(capsys, *args, "--engine", "auto") == _cli(capsys, *args)


def test_the_modules_examples_run() -> None:
    import doctest

    from alignrules.sql import csv_reader

    result = doctest.testmod(csv_reader)
    assert result.attempted > 0 and result.failed == 0
