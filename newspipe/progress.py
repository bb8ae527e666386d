"""What a long run says while it works and when it ends: a progress line and a summary table.

Both are plain log lines (no carriage returns, no colours), so they read the same in a terminal
and in a cron log; the counters they show are also in Scrapy's stats.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field


def duration(seconds: float) -> str:
    """``2h03m``, ``4m05s``, ``12s``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def progress_line(
    *,
    documents: int,
    inputs_done: int,
    inputs_total: int,
    elapsed: float,
    bytes_read: int = 0,
    bytes_total: int = 0,
    inputs_before: int = 0,
) -> str:
    """``progress: 8,929 documents; 8,900/20,070 inputs (44%); 148 documents/s; ETA 1m15s``.

    With the bytes of the inputs (read so far, in all), their share and the ETA go by bytes:
    a run of one large dump is one input, done only at its end, but read piece after piece
    (``progress: 9,130 documents; 0/1 inputs, 45% of 70 MB; 2,282 documents/s; ETA 5s``).
    ``inputs_before``: inputs done when the run started (a scale-out worker joining a batch other
    workers are at): the ETA goes by the pace since."""
    rate = documents / elapsed if elapsed > 0 else 0.0
    parts = [f"progress: {documents:,} documents"]
    share = inputs_done / inputs_total if inputs_total else 0.0
    start = inputs_before / inputs_total if inputs_total and not bytes_total else 0.0
    if bytes_total:
        share = min(1.0, bytes_read / bytes_total)
        parts.append(
            f"{inputs_done:,}/{inputs_total:,} inputs, {share:.0%} of {size_text(bytes_total)}"
        )
    elif inputs_total:
        parts.append(f"{inputs_done:,}/{inputs_total:,} inputs ({share:.0%})")
    parts.append(f"{rate:,.0f} documents/s")
    if start < share < 1 and elapsed > 0:
        parts.append(f"ETA {duration(elapsed * (1 - share) / (share - start))}")
    return "; ".join(parts)


def size_text(count: int) -> str:
    """``70 MB``, ``3.5 MB``, ``812 kB``: bytes as a person reads them (SI units)."""
    if count >= 10_000_000:
        return f"{count / 1_000_000:,.0f} MB"
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    return f"{max(1, round(count / 1000)):,} kB"


@dataclass
class SourceCounts:
    """Documents read, kept and rejected (by reason) per source."""

    kept: Counter[str] = field(default_factory=Counter)
    rejected: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add_kept(self, source: str | None) -> None:
        self.kept[source or "-"] += 1

    def add_rejected(self, source: str | None, reason: str) -> None:
        self.rejected[source or "-"][reason] += 1

    def sources(self) -> list[str]:
        return sorted(set(self.kept) | set(self.rejected))

    def read(self, source: str) -> int:
        return self.kept[source] + sum(self.rejected[source].values())

    def stats(self) -> dict[str, int]:
        """The same counters as Scrapy stats keys ``newspipe/by_source/<source>/<metric>``."""
        values: dict[str, int] = {}
        for source in self.sources():
            prefix = f"newspipe/by_source/{source}/"
            values[prefix + "read"] = self.read(source)
            values[prefix + "kept"] = self.kept[source]
            for reason, count in self.rejected[source].items():
                values[prefix + f"rejected/{reason}"] = count
        return values

    def table(self) -> str:
        """A plain-text table: one row per source and a total row."""
        reasons = sorted({reason for counts in self.rejected.values() for reason in counts})
        header = ["source", "read", "kept", *reasons]
        rows = [
            [
                source,
                str(self.read(source)),
                str(self.kept[source]),
                *(str(self.rejected[source][r]) for r in reasons),
            ]
            for source in self.sources()
        ]
        total = [
            "total",
            str(sum(self.read(s) for s in self.sources())),
            str(sum(self.kept.values())),
        ]
        total += [str(sum(counts[r] for counts in self.rejected.values())) for r in reasons]
        rows.append(total)
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

        def line(cells: list[str]) -> str:
            first = cells[0].ljust(widths[0])
            return "  ".join(
                [
                    first,
                    *(cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)),
                ]
            )

        rule = "  ".join("-" * width for width in widths)
        return "\n".join(
            [line(header), rule, *(line(row) for row in rows[:-1]), rule, line(rows[-1])]
        )
