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
        lines += self.stats_lines()
        verdict = "ok" if self.ok else counted(len(self.errors), "error")
        names = ", ".join(self.files)
        warnings = counted(len(self.warnings), "warning")
        lines.append(f"{names}: {self.records} records, target {self.target}: {verdict}, {warnings}")
        return "\n".join(lines)

    def stats_lines(self) -> list[str]:
        """The cookbook's statistics (stats.py) and the cost estimate (costs.py) as readable lines."""
        lines = []
        examples = self.stats.get("examples")
        if examples and examples["records"]:
            lines.append(
                f"examples: {examples['records']}; {examples['missing_system']} without a system message, "
                f"{examples['missing_user']} without a user message; "
                f"messages per example {spread(examples['messages'])}"
            )
        tokens = self.stats.get("tokens")
        if tokens:
            lines.append(
                f"tokens ({tokens['encoding']}{', an estimate' if tokens['estimate'] else ''}): {tokens['total']} in "
                f"{tokens['records']} training records; per record {spread(tokens)}; limit {tokens['limit']}, "
                f"{tokens['over_limit']} over it (truncated)"
            )
            lines.append(f"assistant tokens per record: {spread(tokens['assistant'])}")
            tools = tokens["tool_definitions"]
            if tools["records"]:
                lines.append(
                    f"tool definitions: {tools['tokens']} tokens in {tools['records']} records, counted by the "
                    "OpenAI cookbook's num_tokens_for_tools rule (an estimate: OpenAI does not publish the method)"
                )
        cost = self.stats.get("cost")
        if cost:
            price = (
                f" = ${cost['usd']:.2f} at ${cost['price_per_1m']}/1M ({cost['model']}, prices as of {cost['as_of']})"
                if cost.get("usd") is not None
                else f" (no training price known for {cost['model']})"
            )
            lines.append(
                f"training estimate: {cost['epochs']} epochs x {cost['billed_tokens'] // max(cost['epochs'], 1)}"
                f" billed tokens = {cost['billed_tokens']} tokens{price}"
            )
        return lines


def counted(count: int, noun: str) -> str:
    """`1 error`, `2 errors`: the summary lines' counts."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def spread(figures: dict) -> str:
    names = ("min", "p50", "mean", "p95", "max")
    return ", ".join(f"{name} {figures[name]}" for name in names)
