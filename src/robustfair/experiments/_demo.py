"""``robustfair demo``: the main job end to end on built-in data.

Five steps, each a registered experiment at a size that runs in seconds: how unfair
vanilla clustering is, what the fair clustering suite buys, how an adversary who flips a
few protected-group labels undoes it (and how CFC resists), how one poisoned sample spills
over into others, and how trimming training points by influence repairs a classifier.
Everything is stored in the results database; the report is written at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DemoStep", "DEMO_STEPS", "run_demo"]


@dataclass(frozen=True)
class DemoStep:
    title: str
    experiment: str
    settings: dict[str, str]
    seeds: int
    metrics: tuple[str, ...]  # the headline metrics printed for this step
    keep: Callable[[dict[str, Any]], bool] = field(default=lambda rec: True)


DEMO_STEPS: tuple[DemoStep, ...] = (
    DemoStep(
        "1. Vanilla clustering of inverted digits splits the groups apart (balance ~ 0)",
        "fairness-audit",
        {"dataset": "inverted-digits"},
        2,
        ("balance", "fairness_entropy", "acc", "nmi", "seconds"),
    ),
    DemoStep(
        "2. The fair clustering suite on the same data (thesis Table 4.4, pre-attack)",
        "fair-clustering",
        {"dataset": "inverted-digits", "methods": "kmeans,sfd,kfc,fsc,bera"},
        1,
        ("balance", "fairness_entropy", "acc", "nmi", "cost", "seconds"),
    ),
    DemoStep(
        "3. Fairness attack: flipping 15% of protected labels (ours vs random) against SFD and CFC",
        "fairness-attack",
        {
            "dataset": "inverted-digits",
            "n_samples": "600",
            "methods": "sfd,cfc",
            "fractions": "0.15",
            "cfc_epochs": "30",
            "budget": "10",
            "cfc_budget": "3",
        },
        1,
        ("balance", "nmi"),
    ),
    DemoStep(
        "4. Spill-over poisoning: one perturbed digit moves others (UCI digits 1 & 4, Ward)",
        "spillover",
        {"dataset": "digits-pair", "digits": "1,4", "method": "rbf", "max_queries": "60"},
        1,
        ("n_spillover", "depth_quantile", "queries"),
    ),
    DemoStep(
        "5. Influence-based trimming of a classifier's training data (toy data, budget 5%)",
        "influence-trim",
        {"datasets": "toy-influence", "budgets": "0,0.05", "objectives": "utility,dp,robust"},
        1,
        ("accuracy", "dp", "robust_accuracy"),
        # each objective next to the metric it targets
        keep=lambda rec: (
            (rec.get("objective"), rec["metric"])
            in {("utility", "accuracy"), ("dp", "dp"), ("robust", "robust_accuracy")}
        ),
    ),
)


def run_demo(
    db: str,
    *,
    seeds: int | None = None,
    jobs: int = 1,
    echo: Callable[[str], None] = print,
    steps: tuple[DemoStep, ...] = DEMO_STEPS,
) -> list[Any]:
    """Run the demo steps into ``db`` and print a short table for each.

    ``seeds`` overrides every step's number of seeds (useful for a quicker run).
    """
    from ._runner import run_experiment
    from ._tables import summary_table

    results = []
    for step in steps:
        echo(f"\n{step.title}\n")
        result = run_experiment(
            step.experiment, dict(step.settings), seeds=seeds or step.seeds, db=db, jobs=jobs, progress=True
        )
        records = [r for r in result.records if r["metric"] in step.metrics and step.keep(r)]
        echo(summary_table(records))
        results.append(result)
    return results
