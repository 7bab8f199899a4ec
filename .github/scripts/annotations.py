#!/usr/bin/env python3
"""Turn ``python graph_loader.py validate --format json`` output into GitHub Actions annotations.

Usage::

    python graph_loader.py validate --format json > validate.json
    python .github/scripts/annotations.py validate.json --base origin/main

Each problem becomes a workflow command such as
``::error file=cases/x.md,line=5,col=7,title=validate::kind: 'charitee' is not allowed (did you mean 'charity'?)``,
which GitHub shows on that line of the pull request's diff.  With ``--base``, the lines the change
touched are read from ``git diff BASE``: errors are annotated wherever they are (a change can break a
file it did not touch, and the check fails either way), warnings only on the lines the change touched,
so that warnings already on main do not clutter every pull request.

GitHub shows at most 10 annotations of each level (error, warning, notice) per step: the first 10
of each (those on changed lines first) become annotations, and with ``--summary FILE`` (in the
workflow: ``$GITHUB_STEP_SUMMARY``) every problem is listed in the job's summary page, with a line
saying how many did not fit.  Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

#: GitHub's limit of annotations per level in one step (more are dropped without a word).
ANNOTATIONS_PER_LEVEL = 10
_LEVELS = {"error": "error", "warning": "warning", "note": "notice"}
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_CONTENT = ["cases", "concepts", "vocabulary"]


def changed_lines(base: str, cwd: Path | None = None) -> dict[str, set[int] | None]:
    """File -> the line numbers the working tree changed since ``base`` (None: the whole file is new)."""
    command = ["git", "diff", "--relative", "--unified=0", "--no-color", "--no-ext-diff", base, "--", *_CONTENT]
    diff = subprocess.run(command, capture_output=True, text=True, check=True, cwd=cwd).stdout
    changed: dict[str, set[int] | None] = {}
    current = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            current = line[6:] if line.startswith("+++ b/") else None
            if current is not None:
                changed.setdefault(current, set())
        elif current is not None and (hunk := _HUNK.match(line)):
            start, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            changed[current].update(range(start, start + count))
    untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "--", *_CONTENT],
                               capture_output=True, text=True, check=True, cwd=cwd).stdout
    changed.update({path: None for path in untracked.splitlines()})
    return changed


def annotations(report: dict, changed: dict[str, set[int] | None] | None = None,
                limit: int | None = None) -> tuple[list[str], int]:
    """The workflow commands for a validate report, and how many warnings were held back.

    With ``limit``, at most that many commands of each level (those on changed lines first).
    """
    candidates, held_back = [], 0
    for problem in report.get("problems", []):
        on_changed_line = changed is None or _touches(changed, problem["path"], problem["line"])
        if problem["severity"] != "error" and not on_changed_line:
            held_back += 1
            continue
        title = "validate" if on_changed_line else "validate (on a line this change did not touch)"
        hint = f" ({problem['hint']})" if problem.get("hint") else ""
        level = _LEVELS.get(problem["severity"], "warning")
        properties = ",".join(f"{key}={_property(str(value))}" for key, value in (
            ("file", problem["path"]), ("line", problem["line"]), ("col", problem["col"]), ("title", title)))
        candidates.append((not on_changed_line, level, f"::{level} {properties}::{_data(problem['message'] + hint)}"))
    if limit is None:
        return [command for _, _, command in candidates], held_back
    kept, per_level = [], dict.fromkeys(_LEVELS.values(), 0)
    for _, level, command in sorted(candidates, key=lambda c: c[0]):
        if per_level[level] < limit:
            per_level[level] += 1
            kept.append(command)
    return kept, held_back


def summary(report: dict, annotated: int) -> str:
    """Markdown for the job's summary page: the counts and every problem, collapsed when there are many."""
    problems = report.get("problems", [])
    lines = [f"### Validation: {report.get('errors', 0)} error(s), {report.get('warnings', 0)} warning(s)", ""]
    if not problems:
        return "\n".join([*lines, "No problems.", ""])
    if annotated < len(problems):
        lines += [f"{len(problems) - annotated} of {len(problems)} problem(s) are not shown as annotations on the "
                  f"changed files (GitHub shows at most {ANNOTATIONS_PER_LEVEL} of each level per step, and warnings "
                  "only on changed lines); all are listed below. Run `python graph_loader.py validate` to see them "
                  "locally.", ""]
    lines += ["<details><summary>Every problem</summary>", "", "| Where | Level | Problem | How to fix |",
              "|---|---|---|---|"]
    for problem in problems:
        where = f"`{problem['path']}:{problem['line']}:{problem['col']}`"
        lines.append(f"| {where} | {problem['severity']} | {_cell(problem['message'])} | "
                     f"{_cell(problem.get('hint', ''))} |")
    return "\n".join([*lines, "", "</details>", ""])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _touches(changed: dict[str, set[int] | None], path: str, line: int) -> bool:
    if path not in changed:
        return False
    lines = changed[path]
    return lines is None or line in lines


def _data(text: str) -> str:
    """Escape a workflow command's message (GitHub's own rules, as in @actions/core)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="the JSON that validate --format json printed ('-' for stdin)")
    parser.add_argument("--base", help="git revision the change is compared with, e.g. origin/main")
    parser.add_argument("--summary", type=Path, help="append a Markdown list of every problem to this file "
                        "(in a workflow: $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--limit", type=int, default=ANNOTATIONS_PER_LEVEL,
                        help="annotations of each level at most (default: GitHub's limit, %(default)s)")
    args = parser.parse_args(argv)
    text = sys.stdin.read() if str(args.report) == "-" else args.report.read_text(encoding="utf-8")
    report = json.loads(text)
    commands, held_back = annotations(report, changed_lines(args.base) if args.base else None, args.limit)
    for command in commands:
        print(command)
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as handle:
            handle.write(summary(report, len(commands)))
    note = f"; {held_back} warning(s) on lines this change did not touch are not shown" if held_back else ""
    print(f"{report.get('errors', 0)} error(s), {report.get('warnings', 0)} warning(s){note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
