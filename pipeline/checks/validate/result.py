"""The validation result: its findings as data for `--json` and as the readable summary, in one place."""

from collections import Counter
from dataclasses import asdict, dataclass, field

from pipeline.checks.finding import Finding


@dataclass
class ValidationResult:
    target: str
    files: list[str]
    records: int = 0
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict:
        """The `--json` output; schemas/validation-report.schema.json describes it."""
        return {
            "ok": self.ok,
            "target": self.target,
            "files": self.files,
            "errors": [asdict(finding) for finding in self.errors],
            "warnings": [asdict(finding) for finding in self.warnings],
            "stats": {
                "records": self.records,
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "errors_by_code": dict(sorted(Counter(f.code for f in self.errors).items())),
                "warnings_by_code": dict(sorted(Counter(f.code for f in self.warnings).items())),
                **self.stats,
            },
        }

    def summary(self, max_examples: int = 3) -> str:
        """Counts by code with the first few places of each, then token and cost figures."""
        lines = []
        for label, findings in (("error", self.errors), ("warning", self.warnings)):
            by_code: dict[str, list[Finding]] = {}
            for finding in findings:
                by_code.setdefault(finding.code, []).append(finding)
            for code, group in sorted(by_code.items()):
                lines.append(f"{label} {code}: {len(group)}")
                for finding in group[:max_examples]:
                    lines.append(f"  {finding.place}: {finding.path}: {finding.message}")
                if len(group) > max_examples:
                    lines.append(f"  ... and {len(group) - max_examples} more")
        tokens = self.stats.get("tokens")
        if tokens:
            lines.append(
                f"tokens ({tokens['encoding']}{', an estimate' if tokens['estimate'] else ''}): {tokens['total']} in "
                f"{tokens['records']} training records; per record "
                f"p50 {tokens['p50']}, p95 {tokens['p95']}, max {tokens['max']}; limit {tokens['limit']}"
            )
        cost = self.stats.get("cost")
        if cost and cost.get("usd") is not None:
            lines.append(
                f"training estimate: {cost['epochs']} epochs x {cost['billed_tokens']} tokens = "
                f"${cost['usd']:.2f} at ${cost['price_per_1m']}/1M ({cost['model']}, prices as of {cost['as_of']})"
            )
        verdict = "ok" if self.ok else f"{len(self.errors)} errors"
        names = ", ".join(self.files)
        lines.append(f"{names}: {self.records} records, target {self.target}: {verdict}, {len(self.warnings)} warnings")
        return "\n".join(lines)
