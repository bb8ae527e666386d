"""Running the real command, ``scrapy crawl seeds``, in a temporary copy of the project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT_ROOT

PROJECT_PARTS = ("newspipe", "scrapy.cfg", "setup.cfg", "seeds")


def copy_project(destination: Path) -> Path:
    """A copy of the project (package, config, seeds) with an empty ``output/``."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(
                source, destination / part, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, destination / part)
    (destination / "output").mkdir(exist_ok=True)
    return destination


@dataclass
class CommandRun:
    exit_code: int
    stdout: str
    stderr: str
    output_dir: Path

    def manifests(self) -> list[dict[str, Any]]:
        runs = sorted((self.output_dir / "runs").glob("*.json"))
        return [json.loads(path.read_text("utf-8")) for path in runs]

    def last_manifest(self) -> dict[str, Any]:
        return self.manifests()[-1]

    def records(self, pattern: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for path in sorted(self.output_dir.glob(pattern)):
            with path.open(encoding="utf-8") as lines:
                found.extend(json.loads(line) for line in lines if line.strip())
        return found

    def kept(self, run_id: str = "*") -> list[dict[str, Any]]:
        return [r for r in self.records(f"seeds-{run_id}.jsonl")]

    def rejected(self, run_id: str = "*") -> list[dict[str, Any]]:
        return self.records(f"seeds-{run_id}.rejects.jsonl")


def scrapy_crawl(project: Path, *args: str, timeout: float = 600) -> CommandRun:
    """``scrapy crawl seeds ARGS`` in ``project``, with that copy's package first on the path."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "seeds", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CommandRun(completed.returncode, completed.stdout, completed.stderr, project / "output")
