"""The shapes planning exports have: records nested in other records, values inside nested
objects, lists of plain ids, a single object as a record.

Each test writes a ruleset and a plan to disk and checks them as a user would: through the
API on real files, or through the CLI where the message or the exit code is the point.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import alignrules
from alignrules.cli import main
from alignrules.diagnostics import DiagnosticError

AS_OF = date(2026, 11, 22)

MARKET = """
entity Segment in "market.segments" {
    id: text
    name: text
}

# Needs sit inside each segment's record; each knows the segment that holds it.
entity Need in "market.segments[].needs" {
    id: text
    segment: Segment from parent
    urgency: int
    due: date? from "schedule.due"
    owner: text? from "meta.owner.name"
}

# Funding records sit inside each need, two levels down.
entity Funding in "market.segments[].needs[].funding" {
    id: text
    need: Need from parent
    segment: Segment from parent
    amount: money
}

entity Claim in "marketing.claims" {
    id: text
    need: Need
}

rule urgent-need-unfunded {
    no need where urgency >= 3 and count(Funding referencing need) = 0
    message "need {need.id} of segment {need.segment.name} is urgent and unfunded"
}

rule funding-owner {
    no funding where funding.need.owner is missing
    message "funding {funding.id} ({funding.segment.id}) backs a need with no owner"
}
"""

MARKET_JSON = {
    "market": {
        "segments": [
            {
                "id": "S1",
                "name": "Small business",
                "needs": [
                    {
                        "id": "N1",
                        "urgency": 3,
                        "schedule": {"due": "2026-06-30"},
                        "meta": {"owner": {"name": "Ana"}},
                        "funding": [{"id": "F1", "amount": "USD 10"}],
                    },
                    {"id": "N2", "urgency": 4, "meta": {}},
                ],
            },
            {
                "id": "S2",
                "name": "Enterprise",
                "needs": [{"id": "N3", "urgency": 1, "funding": [{"id": "F2", "amount": 5}]}],
            },
            {"id": "S3", "name": "Public sector"},
        ]
    },
    "marketing": {"claims": [{"id": "C1", "need": "N2"}, {"id": "C2", "need": "N9"}]},
}


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def findings(report: alignrules.Report) -> list[tuple[str, str, str]]:
    return sorted((v.rule, v.key, v.message) for v in report.violations)


def test_nested_records_know_their_holders_and_back_references_reach_them(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"m.rules": MARKET, "plan.json": json.dumps(MARKET_JSON, indent=2)})
    report = alignrules.load(tmp_path / "m.rules").check_file(tmp_path / "plan.json", as_of=AS_OF)
    assert findings(report) == [
        ("dangling-reference", "C2", "Claim C2 references Need N9, which does not exist"),
        ("funding-owner", "F2", "funding F2 (S2) backs a need with no owner"),
        ("urgent-need-unfunded", "N2", "need N2 of segment Small business is urgent and unfunded"),
    ]
    assert dict(report.entities) == {"Claim": 2, "Funding": 2, "Need": 3, "Segment": 3}


def test_nested_records_are_located_in_json_and_yaml(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    write(
        tmp_path,
        {
            "m.rules": MARKET,
            "plan.json": json.dumps(MARKET_JSON, indent=2),
            "plan.yaml": yaml.safe_dump(MARKET_JSON, sort_keys=False),
        },
    )
    checker = alignrules.load(tmp_path / "m.rules")
    for name in ("plan.json", "plan.yaml"):
        report = checker.check_file(tmp_path / name, as_of=AS_OF)
        by_rule = {v.rule: v for v in report.violations}
        need = by_rule["urgent-need-unfunded"].location
        assert need.pointer == "/market/segments/0/needs/1"
        assert need.file == str(tmp_path / name) and need.line is not None
        assert need.column is not None
        lines = (tmp_path / name).read_text().splitlines()
        # The reported place is where N2's record starts: its id is on that line or the next.
        assert "N2" in "\n".join(lines[need.line - 1 : need.line + 1])
        funding = by_rule["funding-owner"].location
        assert funding.pointer == "/market/segments/1/needs/0/funding/0"
        assert "F2" in "\n".join(lines[funding.line - 1 : funding.line + 1])


def test_id_keyed_maps_nest_too_and_keys_are_unique_in_the_whole_plan(tmp_path: Path) -> None:
    plan = {
        "market": {
            "segments": {
                "S1": {"name": "SMB", "needs": {"N1": {"urgency": 1}}},
                "S2": {"name": "Ent", "needs": {"N1": {"urgency": 5}}},
            }
        },
        "marketing": {"claims": []},
    }
    text = json.dumps(plan, indent=1)
    write(tmp_path, {"m.rules": MARKET, "plan.json": text})
    # The second `"N1": {` opens the duplicate record; its place is the `{`.
    second = text.index('"N1"', text.index('"N1"') + 1)
    line = text.count("\n", 0, second) + 1
    column = second - text.rindex("\n", 0, second) + len('"N1": ')
    checker = alignrules.load(tmp_path / "m.rules")
    with pytest.raises(DiagnosticError) as caught:
        checker.check_file(tmp_path / "plan.json", as_of=AS_OF)
    [diag] = caught.value.diagnostics
    assert diag.message == (
        "/market/segments/S2/needs/N1: duplicate Need key 'N1' "
        "(first at /market/segments/S1/needs/N1)"
    )
    assert diag.where == f"{tmp_path / 'plan.json'}:{line}:{column}"


def test_a_record_without_the_nested_list_holds_none_but_a_missing_top_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = {"market": {"segments": [{"id": "S1", "name": "SMB"}]}, "marketing": {"claims": []}}
    write(tmp_path, {"m.rules": MARKET, "plan.json": json.dumps(plan)})
    checker = alignrules.load(tmp_path / "m.rules")
    assert checker.check_file(tmp_path / "plan.json", as_of=AS_OF).violations == ()
    write(tmp_path, {"bad.json": json.dumps({"marketing": {"claims": []}})})
    code = main(["check", str(tmp_path / "m.rules"), "--data", str(tmp_path / "bad.json")])
    out = capsys.readouterr()
    assert code == 2
    assert "/: no `market` here, where entity Segment is read (at /)" in out.err


@pytest.mark.parametrize(
    ("market", "message"),
    [
        (
            [{"segments": []}],
            "/market: `market` is a list here, so it has no `segments`, where entity Segment "
            'is read; to read the records inside each element, write `in "market[].segments"`',
        ),
        (
            {"segments": "S1, S2"},
            "/market/segments: `market.segments` is text here, where entity Need is read; "
            "`[]` reads the elements of a list or the values of an object",
        ),
        (
            {"segmnets": []},
            "/market: no `market.segments` here, where entity Segment is read (at /market); "
            "did you mean `segmnets`?",
        ),
        (
            {"segments": [{"id": "S1", "name": "SMB", "needs": 3}]},
            "/market/segments/0/needs: expected a list of Need records, got a number",
        ),
    ],
    ids=["reached-a-list", "reached-text", "key-absent", "not-a-collection"],
)
def test_a_path_that_does_not_fit_says_where_it_stopped_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], market: object, message: str
) -> None:
    plan = {"market": market, "marketing": {"claims": []}}
    write(tmp_path, {"m.rules": MARKET, "plan.json": json.dumps(plan)})
    code = main(["check", str(tmp_path / "m.rules"), "--data", str(tmp_path / "plan.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{tmp_path / 'plan.json'}:1:" in err
    assert message in err, err


def test_field_paths_read_nested_objects_and_a_missing_step_is_a_missing_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = """
    entity Campaign {
        id: text
        start: date from "schedule.start"
        end: date? from "schedule.end"
        lead: text? from "team.lead.name"
        dotted: text? from "Revenue (k\\.USD)"
    }
    rule late {
        no campaign where end is present and end < start
        message "{campaign.id} ends before it starts"
    }
    rule unled {
        no campaign let revenue = dotted otherwise "-" where lead is missing
        message "{campaign.id} has no lead ({revenue})"
    }
    """
    plan = {
        "campaigns": [
            {"id": "M1", "schedule": {"start": "2026-05-01", "end": "2026-04-01"}},
            {"id": "M2", "schedule": {"start": "2026-05-01"}, "team": {"lead": {"name": "Bo"}}},
            {"id": "M3", "schedule": {"start": "2026-05-01"}, "team": None, "Revenue (k.USD)": "7"},
        ]
    }
    write(tmp_path, {"c.rules": rules, "plan.json": json.dumps(plan, indent=2)})
    checker = alignrules.load(tmp_path / "c.rules")
    report = checker.check_file(tmp_path / "plan.json", as_of=AS_OF)
    assert findings(report) == [
        ("late", "M1", "M1 ends before it starts"),
        ("unled", "M1", "M1 has no lead (-)"),
        ("unled", "M3", "M3 has no lead (7)"),
    ]
    late = next(v for v in report.violations if v.rule == "late")
    assert late.field == "end"
    assert late.field_location is not None
    assert late.field_location.pointer == "/campaigns/0/schedule/end"
    assert (late.field_location.line, late.field_location.column) == (7, 16)

    # A required value whose object is absent is missing; one whose object is text stops there.
    plan["campaigns"] = [{"id": "M4"}, {"id": "M5", "schedule": "soon"}]
    write(tmp_path, {"plan.json": json.dumps(plan, indent=2)})
    code = main(["check", str(tmp_path / "c.rules"), "--data", str(tmp_path / "plan.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert "/campaigns/0: missing required field `schedule.start`" in err
    assert (
        f"{tmp_path / 'plan.json'}:8:19: error: /campaigns/1/schedule: field `schedule.start`: "
        "`schedule` is text, so it has no `start`  [data]"
    ) in err


def test_plain_values_and_a_single_object_are_records(tmp_path: Path) -> None:
    rules = """
    entity Segment { id: text  name: text }
    entity Served in "strategy.served_segments" { id: text  note: text? }
    entity Strategy at "strategy" {
        id: text
        horizon_years: int
        served: list of Segment from "served_segments"
    }
    rule short-horizon {
        no strategy where horizon_years < 3
        message "strategy {strategy.id} looks {strategy.horizon_years} years ahead"
    }
    rule served-declared {
        no served where count(Segment where segment.id = served.id) = 0
        message "the strategy serves {served.id}, which no segment declares"
    }
    """
    plan = """\
segments:
  - {id: S1, name: SMB}
strategy:
  id: core
  horizon_years: 2
  served_segments: [S1, S2]
"""
    pytest.importorskip("yaml")
    write(tmp_path, {"s.rules": rules, "plan.yaml": plan})
    report = alignrules.load(tmp_path / "s.rules").check_file(tmp_path / "plan.yaml", as_of=AS_OF)
    assert findings(report) == [
        ("dangling-reference", "core", "Strategy core references Segment S2, which does not exist"),
        ("served-declared", "S2", "the strategy serves S2, which no segment declares"),
        ("short-horizon", "core", "strategy core looks 2 years ahead"),
    ]
    located = {v.rule: v.location for v in report.violations}
    assert (located["short-horizon"].line, located["short-horizon"].column) == (4, 3)
    assert (located["served-declared"].line, located["served-declared"].column) == (6, 25)
    assert dict(report.entities) == {"Segment": 1, "Served": 2, "Strategy": 1}


def test_plain_values_need_an_entity_whose_other_fields_are_optional(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "s.rules": 'entity Served in "served" { id: text  note: text }',
            "plan.json": '{"served": ["S1"]}',
        },
    )
    code = main(["check", str(tmp_path / "s.rules"), "--data", str(tmp_path / "plan.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        "/served/0: expected an object for a Served, got text (a list of plain values can be "
        "read as Served records when every field of Served but its key is optional)"
    ) in err


def test_a_single_object_entity_refuses_a_list_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        tmp_path,
        {
            "s.rules": 'entity Strategy at "strategy" { id: text }',
            "plan.json": '{"strategy": [{"id": "A"}]}',
        },
    )
    code = main(["check", str(tmp_path / "s.rules"), "--data", str(tmp_path / "plan.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        "/strategy: expected an object for the Strategy record, got a list; declare Strategy "
        "with `in` to read a list of records"
    ) in err


def test_csv_reads_nested_entities_from_their_own_files(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "m.rules": MARKET,
            "plan/segments.csv": "id,name\nS1,SMB\n",
            # A flattened export: the holder's key in a column named after the field, and a
            # nested value in the column its path names.
            "plan/needs.csv": "id,segment,urgency,schedule.due,meta.owner.name\nN1,S1,5,,\n",
            "plan/funding.csv": "id,need,segment,amount\n",
            "plan/claims.csv": "id,need\nC1,N1\n",
        },
    )
    report = alignrules.load(tmp_path / "m.rules").check_file(tmp_path / "plan", as_of=AS_OF)
    assert findings(report) == [
        ("urgent-need-unfunded", "N1", "need N1 of segment SMB is urgent and unfunded"),
    ]


def test_generated_module_for_nested_shapes_passes_mypy_strict(tmp_path: Path) -> None:
    write(tmp_path, {"m.rules": MARKET})
    out = tmp_path / "checks.py"
    assert main(["compile", str(tmp_path / "m.rules"), "-o", str(out)]) == 0
    text = out.read_text()
    assert 'path=("market", "segments", "[]", "needs"),' in text
    assert "parent=3" in text and 'path=("schedule", "due")' in text
    typed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert typed.returncode == 0, typed.stdout


def test_fmt_keeps_at_and_from_parent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        {
            "s.rules": 'entity  Need in "a.needs"{id:text\n a: A  from parent}\nentity A at "a" {id: text}'
        },
    )
    assert main(["fmt", str(tmp_path / "s.rules")]) == 0
    assert (tmp_path / "s.rules").read_text() == (
        'entity Need in "a.needs" {\n    id: text\n    a: A from parent\n}\n\n'
        'entity A at "a" {\n    id: text\n}\n'
    )
    capsys.readouterr()
    assert main(["fmt", "--check", str(tmp_path / "s.rules")]) == 0
