"""The example plugin (examples/arabic-quality): installed with pip, enabled by one line, run.

pip installs the package into a temporary ``--target`` folder put on PYTHONPATH (not a fresh venv:
that would need Scrapy installed again, a minute or more on this machine). The build runs offline
against the venv's setuptools and wheel (``--no-build-isolation --no-index``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, SEEDS

PLUGIN = PROJECT_ROOT / "examples" / "arabic-quality"
ENABLE_LINE = 'ITEM_PIPELINES = {"newspipe_arabic_quality.ArabicQualityStage": 150}\n'
SCRAPY = [sys.executable, "-m", "scrapy.cmdline"]

HEADLINE = "واشنطن تطالب بوقف لإطلاق النار في جميع أنحاء سوريا"
LATIN = (
    "The ministry said on Sunday that the meeting would take place in Riyadh next week, "
    "and that delegations from several countries had confirmed they would attend. "
) * 3 + "وقال المتحدث"
MENU = "\n".join(
    [
        "الرئيسية أخبار محلية أخبار دولية",
        "رياضة اقتصاد ثقافة وفنون",
        "اتصل بنا من نحن سياسة الخصوصية",
    ]
    * 3
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin installed with pip into a folder of its own; returns that folder."""
    work = tmp_path_factory.mktemp("plugin")
    source = work / "src"
    # a copy: pip builds in the source tree and would leave build/ and *.egg-info behind
    shutil.copytree(
        PLUGIN, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__")
    )
    target = work / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    options = ["--no-deps", "--no-build-isolation", "--no-index", "--target", str(target)]
    done = subprocess.run(
        [*pip, *options, str(source)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (target / "newspipe_arabic_quality" / "stage.py").is_file()
    assert list(target.glob("newspipe_arabic_quality-0.1.0.dist-info"))
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project whose settings.py has the one line that enables the plugin."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(PROJECT_ROOT / "scrapy.cfg", root)
    shutil.copytree(
        PROJECT_ROOT / "newspipe", root / "newspipe", ignore=shutil.ignore_patterns("__pycache__")
    )
    with (root / "newspipe" / "settings.py").open("a", encoding="utf-8") as settings:
        settings.write(ENABLE_LINE)
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "junk_headline.txt").write_text(HEADLINE, encoding="utf-8")
    (seeds / "junk_latin.txt").write_text(LATIN, encoding="utf-8")
    (seeds / "junk_menu.txt").write_text(MENU, encoding="utf-8")
    return root


def run(project: Path, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project), str(site)])}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return subprocess.run(
        [*SCRAPY, *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


def test_installed_plugin_passes_its_own_tests(installed: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), str(installed)])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PLUGIN / "tests")],
        cwd=installed,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout


def test_crawl_with_the_plugin_rejects_junk_with_its_reasons(
    installed: Path, project: Path
) -> None:
    done = run(project, installed, "crawl", "seeds", "-s", "NEWSPIPE_RUN_ID=plugin-run")
    assert done.returncode == 0, done.stderr[-3000:]
    output = project / "output"
    kept = [json.loads(line) for line in (output / "seeds-plugin-run.jsonl").open(encoding="utf-8")]
    rejects = [
        json.loads(line)
        for line in (output / "seeds-plugin-run.rejects.jsonl").open(encoding="utf-8")
    ]
    assert sorted(doc["path"] for doc in kept) == sorted(p.name for p in SEEDS.glob("*.txt"))
    # low_arabic, not language: the plugin at 150 saw the Latin text before the language stage
    assert {doc["path"]: doc["reject_reason"] for doc in rejects} == {
        "junk_headline.txt": "too_short",
        "junk_latin.txt": "low_arabic",
        "junk_menu.txt": "no_sentences",
    }
    assert all(doc["reject_detail"] for doc in rejects)
    manifest = json.loads((output / "runs" / "plugin-run.json").read_text(encoding="utf-8"))
    counters = dict(manifest["stages"]["arabic_quality"])
    assert counters.pop("seconds") >= 0  # time spent in the stage, wherever it ran
    assert counters == {
        "total": 8,
        "forwarded": 5,
        "dropped": 3,
        "dropped/low_arabic": 1,
        "dropped/no_sentences": 1,
        "dropped/too_short": 1,
    }
    assert manifest["stages"]["language"]["total"] == 5


def test_scrapy_stages_lists_the_plugin_between_clean_and_language(
    installed: Path, project: Path
) -> None:
    done = run(project, installed, "stages")
    assert done.returncode == 0, done.stderr[-3000:]
    heads = [line.split()[:2] for line in done.stdout.splitlines() if not line.startswith(" " * 7)]
    assert heads[:3] == [["100", "clean"], ["150", "arabic_quality"], ["200", "language"]]
    assert "ARABIC_QUALITY_MIN_WORDS = 30" in done.stdout

    off = run(project, installed, "stages", "-s", "ARABIC_QUALITY_ENABLED=false")
    assert "150  arabic_quality  newspipe_arabic_quality.ArabicQualityStage  [off]" in off.stdout
    assert "off: ARABIC_QUALITY_ENABLED is off" in off.stdout
