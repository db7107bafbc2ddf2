#!/usr/bin/env bash
# Editor support in CI: the TextMate grammar's snapshot tests and the VS Code extension's .vsix.
# Both npm tools are pinned in editors/vscode/package-lock.json; `npm ci` installs exactly that.
# tests/test_vscode_extension.py then inspects the .vsix this leaves in editors/vscode/.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"

npm ci --no-audit --no-fund --loglevel=error
# Fails when a grammar change alters the scopes of a snapshot: review the change, then
# rerun with --updateSnapshot and commit the .snap files.
npx --no-install vscode-tmgrammar-snap --grammar syntaxes/alignrules.tmLanguage.json "tests/snap/*.rules"
npx --no-install vsce package --allow-missing-repository --skip-license --out alignrules.vsix
