"""CI recipes (docs/ci.md, "Recipes"): the pre-commit hooks, the GitHub Actions workflow and the
GitLab CI job are real files, and the `alignrules` command lines in them are run here as CI runs
them: from the root of a copy of the repository, with the variables the recipe sets.

Only two things are substituted, both documented in docs/ci.md: the shell expressions that give
the pipeline's date become a fixed date, and a plan with errors stands in for `PLAN` to show the
failing run. The commands run at once, each in its own copy of the files they read (they write
reports to the same paths), to keep the module fast.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, junit_schema, run_cli, sarif_validator
from tests.test_docs import blocks_of

HOOKS = ROOT / ".pre-commit-hooks.yaml"
RECIPES = ROOT / "examples" / "ci"
PRE_COMMIT_CONFIG = RECIPES / "pre-commit-config.yaml"
GITHUB = RECIPES / "github-actions.yml"
GITLAB = RECIPES / "gitlab-ci.yml"
CI_DOC = ROOT / "docs" / "ci.md"

AS_OF = "2026-11-22"
#: the recipes' shell expressions for the pipeline's date (GitHub, GitLab), pinned here
PIPELINE_DATES = ("$(date -u +%F)", "${CI_PIPELINE_CREATED_AT%%T*}")
FAILING_PLAN = "examples/quick-commerce/plan.json"  # errors: the run exits 1
SHIPPED = ("rulesets", "examples")  # what the commands read, copied into each workspace
MESSY = "scratch/hollow-brand.rules"  # a shipped rule file, indented by 2 instead of 4

#: the keys pre-commit accepts in a hook definition (pre_commit/clientlib.py, MANIFEST_HOOK_DICT)
MANIFEST_REQUIRED = {"id", "name", "entry", "language"}
MANIFEST_KEYS = MANIFEST_REQUIRED | {
    "alias",
    "files",
    "exclude",
    "types",
    "types_or",
    "exclude_types",
    "additional_dependencies",
    "args",
    "always_run",
    "fail_fast",
    "pass_filenames",
    "description",
    "language_version",
    "log_file",
    "minimum_pre_commit_version",
    "require_serial",
    "stages",
    "verbose",
}


# ------------------------------------------------------------------------------ reading recipes
def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def shell_lines(script: str) -> list[str]:
    """The commands of a shell script: `\\`-continued lines joined, blanks and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", script)
    return [s for line in joined.splitlines() if (s := line.strip()) and not s.startswith("#")]


def alignrules_commands(script: str) -> list[str]:
    return [line for line in shell_lines(script) if line.startswith("alignrules ")]


def expand(command: str, variables: Mapping[str, object]) -> list[str]:
    """`command` as the shell would split it, with the recipe's variables and the pinned date."""
    for expression in PIPELINE_DATES:
        command = command.replace(expression, AS_OF)
    for name in sorted(variables, key=len, reverse=True):
        value = str(variables[name])
        command = command.replace("${" + name + "}", value).replace("$" + name, value)
    assert "$" not in command, f"a shell expansion the recipe does not define: {command}"
    return shlex.split(command)


def outputs(argv: list[str]) -> dict[str, str]:
    """`--output FORMAT=PATH` options of a `check` command line, as {format: path}."""
    pairs = [argv[i + 1].split("=", 1) for i, arg in enumerate(argv[:-1]) if arg == "--output"]
    return {fmt: path for fmt, path in pairs}


def github_job() -> tuple[dict[str, Any], dict[str, Any]]:
    """The workflow and its only job."""
    workflow = load(GITHUB)
    (job,) = workflow["jobs"].values()
    return workflow, job


def github_step(job: dict[str, Any], *, uses: str = "", runs: str = "") -> dict[str, Any]:
    found = [
        s
        for s in job["steps"]
        if (uses and s.get("uses", "").startswith(uses)) or (runs and runs in s.get("run", ""))
    ]
    assert len(found) == 1, f"expected one step using {uses!r} / running {runs!r}: {found}"
    return found[0]


def github_check(plan: str | None = None) -> list[str]:
    workflow, job = github_job()
    step = github_step(job, runs="alignrules check")
    variables = {**workflow.get("env", {}), **job.get("env", {}), **step.get("env", {})}
    if plan is not None:
        variables["PLAN"] = plan
    (command,) = alignrules_commands(step["run"])
    return expand(command, variables)


def gitlab_job() -> tuple[dict[str, Any], dict[str, Any]]:
    """The pipeline and its only job."""
    pipeline = load(GITLAB)
    (job,) = [v for k, v in pipeline.items() if isinstance(v, dict) and "script" in v]
    return pipeline, job


def gitlab_check(plan: str | None = None) -> list[str]:
    pipeline, job = gitlab_job()
    variables = {**pipeline.get("variables", {}), **job.get("variables", {})}
    if plan is not None:
        variables["PLAN"] = plan
    (command,) = [c for line in job["script"] for c in alignrules_commands(line)]
    return expand(command, variables)


def hooks() -> dict[str, dict[str, Any]]:
    """Each hook of the manifest, with what the example consumer config sets on top of it."""
    (repo,) = load(PRE_COMMIT_CONFIG)["repos"]
    chosen = {h["id"]: h for h in repo["hooks"]}
    return {h["id"]: {**h, **chosen.get(h["id"], {})} for h in load(HOOKS)}


def selected(hook: dict[str, Any], files: list[str]) -> list[str]:
    """The files pre-commit passes to `hook` (its `files` and `exclude` regexes)."""
    include, exclude = re.compile(hook.get("files", "")), re.compile(hook.get("exclude", "^$"))
    return [f for f in files if include.search(f) and not exclude.search(f)]


def hook_argv(hook: dict[str, Any], files: list[str]) -> list[str]:
    """`entry args... filenames`, the command line pre-commit runs."""
    names = selected(hook, files) if hook.get("pass_filenames", True) else []
    return [*shlex.split(hook["entry"]), *hook.get("args", []), *names]


# ------------------------------------------------------------------------------ running recipes
@dataclass(frozen=True)
class Run:
    argv: list[str]
    cwd: Path
    result: subprocess.CompletedProcess[str]

    def __str__(self) -> str:  # what an assertion shows
        r = self.result
        return f"$ {shlex.join(self.argv)}\nexit {r.returncode}\n{r.stdout}{r.stderr}"


def messy_text() -> str:
    """A shipped rule file with the wrong indentation: same meaning, not the canonical layout."""
    original = (ROOT / "rulesets/strategy/rules/hollow-brand.rules").read_text("utf-8")
    assert "\n    " in original
    return original.replace("\n    ", "\n  ")


def _launch(argv: list[str], template: Path, cwd: Path) -> Run:
    assert argv[0] == "alignrules", argv
    shutil.copytree(template, cwd)
    if MESSY in argv:
        (cwd / MESSY).parent.mkdir()
        (cwd / MESSY).write_text(messy_text(), "utf-8")
    return Run(argv, cwd, run_cli(*argv[1:], cwd=cwd))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every command line of the recipes, each run from its own copy of the repo."""
    template = tmp_path_factory.mktemp("repo")
    for part in SHIPPED:
        shutil.copytree(ROOT / part, template / part)
    files = sorted(p.relative_to(template).as_posix() for p in template.rglob("*") if p.is_file())
    planned = {
        "github": github_check(),
        "github-failing": github_check(FAILING_PLAN),
        "gitlab": gitlab_check(),
        "gitlab-failing": gitlab_check(FAILING_PLAN),
        **{f"hook {id_}": hook_argv(hook, files) for id_, hook in hooks().items()},
        "hook alignrules-fmt, messy": hook_argv(
            hooks()["alignrules-fmt"], [MESSY, "rulesets/strategy/schema.rules"]
        ),
    }
    base = tmp_path_factory.mktemp("runs")
    # One after another: the commands run in this process, which has one working directory.
    return {
        name: _launch(argv, template, base / re.sub(r"\W+", "-", name))
        for name, argv in planned.items()
    }


# ------------------------------------------------------------------------------ pre-commit
def test_hook_manifest_is_one_pre_commit_accepts() -> None:
    manifest = load(HOOKS)
    assert isinstance(manifest, list)
    assert [h["id"] for h in manifest] == ["alignrules-fmt", "alignrules-lint", "alignrules-test"]
    for hook in manifest:
        assert MANIFEST_REQUIRED <= set(hook) <= MANIFEST_KEYS, hook
        assert hook["language"] == "python"  # pre-commit pip-installs this repository
        command = hook["id"].removeprefix("alignrules-")
        assert shlex.split(hook["entry"])[:2] == ["alignrules", command], hook
        pattern = re.compile(hook["files"])
        assert pattern.search("rulesets/strategy/rules/hollow-brand.rules")
        assert not pattern.search("examples/aligned/plan.yaml")
        assert not pattern.search("notes.rules.md")
    by_id = {h["id"]: h for h in manifest}
    assert by_id["alignrules-fmt"]["entry"] == "alignrules fmt --check"
    # fmt takes files one by one; lint and test compile the whole ruleset, so a changed rule
    # file alone (no schema) would not compile: they take the ruleset from `args` instead.
    assert by_id["alignrules-fmt"].get("pass_filenames", True) is True
    assert by_id["alignrules-lint"]["pass_filenames"] is False
    assert by_id["alignrules-test"]["pass_filenames"] is False
    # the examples' `given` data is YAML, which needs PyYAML (the `yaml` extra)
    deps = by_id["alignrules-test"]["additional_dependencies"]
    assert any(d.lower().startswith("pyyaml") for d in deps)


def test_consumer_config_uses_every_hook_and_names_the_ruleset() -> None:
    (repo,) = load(PRE_COMMIT_CONFIG)["repos"]
    assert set(repo) == {"repo", "rev", "hooks"}
    # pre-commit warns about a moving rev (a branch): a tag has a dot, a commit is hex
    assert "." in repo["rev"] or re.fullmatch(r"[0-9a-f]{40}", repo["rev"])
    assert [h["id"] for h in repo["hooks"]] == [h["id"] for h in load(HOOKS)]
    for hook in hooks().values():
        if hook.get("pass_filenames", True) is False:
            assert hook.get("args"), f"{hook['id']} gets no files, so `args` must name the ruleset"


def test_hooks_pass_on_the_shipped_rulesets(runs: dict[str, Run]) -> None:
    for id_ in hooks():
        run = runs[f"hook {id_}"]
        assert run.result.returncode == 0, run
    fmt = runs["hook alignrules-fmt"]
    rules = sorted(p.relative_to(fmt.cwd).as_posix() for p in fmt.cwd.rglob("*.rules"))
    assert len(rules) >= 12 and fmt.argv[3:] == rules, "fmt gets every .rules file, and only them"
    assert fmt.result.stdout == f"{len(rules)} files already formatted\n"
    assert fmt.result.stderr == ""
    assert re.search(
        r"^\d+ examples: \d+ passed, 0 failed$", runs["hook alignrules-test"].result.stdout, re.M
    )


def test_fmt_hook_fails_on_a_misformatted_file_and_changes_nothing(runs: dict[str, Run]) -> None:
    run = runs["hook alignrules-fmt, messy"]
    assert run.result.returncode == 1, run
    assert run.result.stdout.startswith(f"would reformat {MESSY}\n1 file would be reformatted"), run
    assert (run.cwd / MESSY).read_text("utf-8") == messy_text()  # --check writes nothing


# ------------------------------------------------------------------------------ GitHub Actions
def test_github_workflow_uploads_sarif_even_when_the_check_fails() -> None:
    workflow, job = github_job()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    checkout = github_step(job, uses="actions/checkout@")
    python = github_step(job, uses="actions/setup-python@")
    assert python["with"]["python-version"] == "3.11"  # a string: an unquoted 3.10 reads 3.1
    install = github_step(job, runs="pip install")
    check = github_step(job, runs="alignrules check")
    upload = github_step(job, uses="github/codeql-action/upload-sarif@")
    order = [steps.index(s) for s in (checkout, python, install, check, upload)]
    assert order == sorted(order)
    assert "always()" in upload["if"]
    argv = github_check()
    assert upload["with"]["sarif_file"] == outputs(argv)["sarif"]
    assert argv[argv.index("--format") + 1] == "github"
    assert argv[argv.index("--as-of") + 1] == AS_OF
    assert argv[argv.index("--fail-on") + 1] == "error"
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on"
    assert set(workflow.get("on", workflow.get(True))) == {"push", "pull_request"}


def test_github_check_passes_annotates_and_writes_sarif(runs: dict[str, Run]) -> None:
    run = runs["github"]
    assert run.result.returncode == 0, run
    lines = run.result.stdout.splitlines()
    assert lines and all(re.match(r"::(error|warning|notice) file=", line) for line in lines), run
    sarif = json.loads((run.cwd / outputs(run.argv)["sarif"]).read_text("utf-8"))
    (sarif_run,) = sarif["runs"]
    assert sarif_run["properties"]["asOf"] == AS_OF
    assert len(sarif_run["results"]) == len(lines)
    # code scanning places a result on a file of the repository: a path from its root
    for result in sarif_run["results"]:
        for location in result["locations"]:
            artifact = location["physicalLocation"]["artifactLocation"]
            assert artifact["uriBaseId"] == "%SRCROOT%"
            assert (run.cwd / artifact["uri"]).is_file(), artifact


def test_github_check_fails_on_errors_and_still_writes_sarif(runs: dict[str, Run]) -> None:
    run = runs["github-failing"]
    assert run.result.returncode == 1, run
    assert "::error file=examples/quick-commerce/plan.json," in run.result.stdout
    sarif = json.loads((run.cwd / outputs(run.argv)["sarif"]).read_text("utf-8"))
    assert any(r["level"] == "error" for r in sarif["runs"][0]["results"])


@pytest.mark.parametrize("name", ["github", "github-failing"])
def test_github_sarif_is_valid(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    doc = json.loads((run.cwd / outputs(run.argv)["sarif"]).read_text("utf-8"))
    errors = sorted(sarif_validator().iter_errors(doc), key=str)
    assert not errors, "\n".join(str(e) for e in errors[:3])


# ------------------------------------------------------------------------------ GitLab CI
def test_gitlab_job_keeps_the_junit_report_even_when_the_check_fails() -> None:
    _, job = gitlab_job()
    assert job["image"] == "python:3.11"
    assert any("pip install" in line for line in job["script"])
    assert job["artifacts"]["when"] == "always"
    argv = gitlab_check()
    assert job["artifacts"]["reports"]["junit"] == outputs(argv)["junit"]
    assert argv[argv.index("--as-of") + 1] == AS_OF
    assert argv[argv.index("--fail-on") + 1] == "error"


@pytest.mark.parametrize(("name", "exit_code"), [("gitlab", 0), ("gitlab-failing", 1)])
def test_gitlab_check_writes_the_junit_report(
    runs: dict[str, Run], name: str, exit_code: int
) -> None:
    run = runs[name]
    assert run.result.returncode == exit_code, run
    report = run.cwd / outputs(run.argv)["junit"]
    root = ET.parse(report).getroot()
    failures = [f.get("type") for f in root.iter("failure")]
    assert ("error" in failures) == (exit_code == 1), failures
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties["alignrules.as_of"] == AS_OF


@pytest.mark.parametrize("name", ["gitlab", "gitlab-failing"])
def test_gitlab_junit_is_valid(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    junit_schema().validate(str(run.cwd / outputs(run.argv)["junit"]))


# ------------------------------------------------------------------------------ docs/ci.md
def test_docs_show_each_recipe_verbatim() -> None:
    """Each yaml block of the Recipes section is the file named in the prose just before it."""
    lines = CI_DOC.read_text("utf-8").splitlines()
    start = lines.index("## Recipes") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    recipes = {
        p.relative_to(ROOT).as_posix(): p for p in (HOOKS, PRE_COMMIT_CONFIG, GITHUB, GITLAB)
    }
    shown: list[str] = []
    prose_from = start
    for block in blocks_of(CI_DOC):
        if not start < block.line <= end:
            continue
        assert block.lang == "yaml" and not block.attrs, f"docs/ci.md:{block.line}"
        prose = "\n".join(lines[prose_from : block.line - 1])
        named = [n for n in re.findall(r"`([^`\s]+)`", prose) if n in recipes]
        assert named, f"docs/ci.md:{block.line}: the text before the block names no recipe file"
        path = named[-1]
        assert block.text == recipes[path].read_text("utf-8"), (
            f"docs/ci.md:{block.line} differs from {path}: copy the file into the block"
        )
        shown.append(path)
        prose_from = block.line + block.text.count("\n") + 1
    assert sorted(shown) == sorted(recipes)
