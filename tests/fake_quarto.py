"""A stand-in for `quarto render FILE [--to FORMAT[,FORMAT]] [--output-dir DIR] [--no-execute | --execute]` that
behaves like quarto-cli where synthlib depends on it. Each rule names the quarto-cli source it follows (paths in
github.com/quarto-dev/quarto-cli); the refusal was also seen with a real Quarto 1.10.18.

- Project: the nearest folder at or above the input's that holds `_quarto.yml` / `_quarto.yaml`
  (`src/project/project-context.ts`, projectContext).
- Input files of a project (`projectInputFiles`, same file): the `render:` list, globbed from the project folder,
  when there is one; otherwise every file found walking the project folder, where a path that matches
  `kSkipHidden` (a dot after any slash, `src/core/path.ts`) is skipped, the walk's root included, so a project
  anywhere under a dot folder has no input files. Either way paths with a segment starting with `_` or `.`
  (relative to the project), README files and the output folder are left out (`projectHiddenIgnoreGlob`), and
  a notebook beside a .qmd of the same name is the .qmd's intermediate file, not an input
  (`intermediateFiles` in `src/execute/jupyter/jupyter.ts`).
- `--output-dir` (`src/command/render/render-shared.ts`, render and validateDocumentRenderFlags): a file of a
  project that is not one of its input files is rendered on its own, and then `--output-dir` is refused with
  "ERROR: The --output-dir flag can only be used when rendering projects." and exit 1, the stack trace after it.
  With no `_quarto.yml` above the file, `--output-dir` makes the file's folder a project of that one file
  (projectContextForDirectory). A relative `--output-dir` is taken from the project folder
  (`src/project/project-context.ts`: it replaces the project's `output-dir`).
- Outputs (`src/command/render/project.ts`, renderProject): `<project>/<output-dir>/<input's path in the
  project>/<stem>.html|.pdf`, or beside the input without an output-dir or outside a project.
- `.gitignore` (`src/project/project-gitignore.ts`, ensureGitignore, called by renderProject): a project
  render appends `/.quarto/` and `**/*.quarto_ipynb` when missing, or writes a new file inside a git work tree;
  the project gets its `.quarto/` scratch folder.
- Execution (`src/command/render/render-files.ts`, renderExecute once per format): a .qmd executes once for each
  format it is rendered to, unless `--no-execute` or `execute: enabled: false`; a notebook executes only with
  `--execute` or `execute: enabled: true` / `execute-ipynb: true` (filterFormat in
  `src/execute/jupyter/jupyter.ts`).

Every call is recorded as JSON in $FAKE_QUARTO_RECORD (a folder): arguments, project, its settings, the
input's front matter, executions per format and outputs. $FAKE_QUARTO_FAIL=FORMAT makes a render to that
format fail as a Typst error does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

SKIP_HIDDEN = re.compile(r"[/\\][.]")  # src/core/path.ts kSkipHidden
ENGINE_SUFFIXES = {".qmd", ".ipynb", ".md", ".rmd"}
GITIGNORE = ["/.quarto/", "**/*.quarto_ipynb"]
STACK = "".join(f"    at {name} (file:///opt/quarto/bin/quarto.js:{line}:{column})\n" for name, line, column in [
    ("validateDocumentRenderFlags", 95211, 19), ("render", 95163, 5), ("eventLoopTick", 3, 1),
    ("async Command.fn", 98114, 26), ("async Command.execute", 8104, 13), ("async Command.parseCommand", 7989, 20),
    ("async quarto", 131260, 5), ("async mainRunner", 3911, 5), ("async file:///opt/quarto/bin/quarto.js", 131301, 5),
    ("async render", 95190, 7), ("async Command.actionHandler", 98208, 12),
]) + "    at render (file:///opt/quarto/src/command/render/render-shared.ts:111:3)\n"


def fail(message: str) -> None:
    """How quarto.ts ends on an uncaught error: the ERROR line, then the stack trace (longer than 800 characters)."""
    sys.stderr.write(f"ERROR: {message}\n\nStack trace:\n{STACK}")
    sys.exit(1)


def option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def find_project(folder: Path) -> tuple[Path, dict] | None:
    for candidate in (folder, *folder.parents):
        for name in ("_quarto.yml", "_quarto.yaml"):
            if (candidate / name).is_file():
                return candidate, yaml.safe_load((candidate / name).read_text()) or {}
    return None


def input_files(project: Path, settings: dict, output_dir: str | None) -> set[Path]:
    def ignored(path: Path) -> bool:
        parts = path.relative_to(project).parts
        inside_output = output_dir is not None and path.is_relative_to((project / output_dir).resolve())
        return (inside_output or any(p.startswith(("_", ".")) for p in parts)
                or re.fullmatch(r"README\.[Rrq]?md", parts[-1]) is not None)

    listed = (settings.get("project") or {}).get("render")
    if listed:
        found = {p.resolve() for entry in listed for p in project.glob(entry) if p.is_file()}
    else:
        found = set()
        for folder, dirs, files in os.walk(project):
            if SKIP_HIDDEN.search(folder):  # the walk's root too
                dirs[:] = []
                continue
            found |= {(Path(folder) / f).resolve() for f in files if not SKIP_HIDDEN.search(str(Path(folder) / f))}
    found = {p for p in found if p.suffix.lower() in ENGINE_SUFFIXES and not ignored(p)}
    return {p for p in found if not (p.suffix == ".ipynb" and p.with_suffix(".qmd").exists())}


def front_matter(source: Path) -> dict:
    if source.suffix == ".ipynb":
        cells = json.loads(source.read_text())["cells"]
        text = "".join(cells[0]["source"]) if cells and cells[0]["cell_type"] == "raw" else ""
    else:
        text = source.read_text()
    return (yaml.safe_load(text.split("---", 2)[1]) or {}) if text.startswith("---") else {}


def ensure_gitignore(project: Path) -> None:
    gitignore = project / ".gitignore"
    if gitignore.exists():
        lines = [line.strip() for line in gitignore.read_text().splitlines()]
        missing = [entry for entry in GITIGNORE if entry not in lines]
        if missing:
            gitignore.write_text("\n".join(lines + missing) + "\n")
    elif subprocess.run(["git", "rev-parse"], cwd=project, capture_output=True).returncode == 0:
        gitignore.write_text("\n".join(GITIGNORE) + "\n")
    (project / ".quarto").mkdir(exist_ok=True)


def main(args: list[str]) -> None:
    if not args or args[0] != "render" or len(args) < 2:
        fail("the fake quarto knows only `quarto render FILE`")
    source = Path(args[1]).resolve()
    if not source.is_file():
        fail(f"No valid input files passed to render: {args[1]}")
    flag_output_dir = option(args, "--output-dir")
    found = find_project(source.parent)
    project, settings = found if found else (None, {})
    output_dir = flag_output_dir or (settings.get("project") or {}).get("output-dir")
    if project is not None and source not in input_files(project, settings, output_dir):
        project, output_dir = None, flag_output_dir  # rendered on its own
        if flag_output_dir:
            fail("The --output-dir flag can only be used when rendering projects.")
    if project is None and flag_output_dir and not found:
        project = source.parent  # --output-dir outside any project: the file's folder becomes one
    settings_formats = settings.get("format") or {}
    front = front_matter(source)
    declared = [*(settings_formats if isinstance(settings_formats, dict) else [settings_formats]),
                *(front.get("format") or {})]
    to = option(args, "--to")
    formats = to.split(",") if to and to != "all" else list(dict.fromkeys(declared)) or ["html"]
    if os.environ.get("FAKE_QUARTO_FAIL") in formats:
        sys.stdout.write(f"[typst]: Compiling {source.stem}.typ to {source.stem}.pdf...\n")
        sys.stderr.write("error: unknown variable: fake-error\n   ┌─ audit.typ:12:3\n")
        fail("typst compilation failed")
    execute = {**(settings.get("execute") or {}), **(front.get("execute") or {})}
    if source.suffix == ".ipynb":
        runs = "--execute" in args or execute.get("execute-ipynb") is True or execute.get("enabled") is True
    else:
        runs = "--no-execute" not in args and execute.get("enabled") is not False
    outputs = []
    for name in formats:
        if project is not None:
            folder = (project / (output_dir or ".")).resolve() / source.parent.relative_to(project)
        else:
            folder = source.parent
        target = folder / (source.stem + (".pdf" if name == "typst" else ".html"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("%PDF-1.7 fake quarto\n" if name == "typst" else f"<html>fake quarto: {front.get('title')}</html>\n")
        outputs.append(str(target))
    if project is not None:
        ensure_gitignore(project)
    record = Path(os.environ["FAKE_QUARTO_RECORD"])
    record.mkdir(parents=True, exist_ok=True)
    call = {"args": args, "cwd": os.getcwd(), "project": str(project) if project else None, "settings": settings,
            "front": front, "executions": {name: int(runs) for name in formats}, "outputs": outputs,
            "files": sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) if project else []}
    (record / f"call-{len(list(record.iterdir())) + 1}.json").write_text(json.dumps(call, indent=1, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
