"""What the default thresholds reject on real news: SaudiNewsNet (../shared), one line per reason.

Run from the newspipe repository: ``python examples/arabic-quality/calibrate.py [ZIP_DIR]``.
The texts go through newspipe's cleaning first, as in the pipeline; empty ones are left out
(newspipe's clean stage rejects them before this stage sees them). Last line: the figure set.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

from newspipe_arabic_quality import Thresholds, measure, verdict

from newspipe.text.clean import clean_text


def main(folder: Path) -> None:
    limits = Thresholds()
    reasons: Counter[str] = Counter()
    seen = 0
    for archive in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                for article in json.loads(zipped.read(member)):
                    text = clean_text(article.get("content") or "").text
                    if not text:
                        continue
                    seen += 1
                    found = verdict(measure(text), limits)
                    reasons[found[0] if found else "kept"] += 1
    for reason, count in reasons.most_common():
        print(f"{reason:<14}{count:>7}  {count / seen:.2%}")
    figures = {reason: round(count / seen, 4) for reason, count in sorted(reasons.items())}
    print(json.dumps({"articles": seen, "thresholds": limits.__dict__, "share": figures}))


if __name__ == "__main__":
    here = Path(__file__).resolve().parents[2]
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent / "shared/data/saudinewsnet")
