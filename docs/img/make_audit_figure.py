"""Regenerate docs/img/audit-by-group.png: the docs/audit.md example's grouped plot.

Run: ``python docs/img/make_audit_figure.py`` (from the repository root).
"""

from pathlib import Path

import numpy as np
import pandas as pd

from robustfair.cluster import make_clusterer
from robustfair.datasets import Dataset
from robustfair.metrics import clustering_by_group
from robustfair.report.figures import plot_grouped_metrics

rng = np.random.default_rng(0)
n = 600
sex = rng.choice(["F", "M"], n, p=[0.4, 0.6])
race = rng.choice(["A", "B"], n)
shift = np.where(sex == "F", -1.5, 1.5)
people = pd.DataFrame({
    "age": (40 + 8 * shift + rng.normal(0, 4, n)).round(),
    "hours": (40 + 4 * shift + rng.normal(0, 3, n)).round(1),
    "job": rng.choice(["clerk", "sales", "manager"], n),
    "sex": sex,
    "race": race,
    "income": np.where(rng.random(n) < 0.5, ">50K", "<=50K"),
})
people.loc[[4, 9], "job"] = None
data = Dataset.from_frame(people, sensitive=["sex", "race"], target="income", missing="drop", name="people")
fair = make_clusterer("bera", 2, random_state=0).fit(data.X, sensitive_features=data.groups)
report = clustering_by_group(fair.labels_, sensitive_features=data.groups, X=data.X, y_true=data.y,
                             n_boot=200, random_state=0)
out = Path(__file__).resolve().parent / "audit-by-group.png"
plot_grouped_metrics(report, title="bera on people.csv").savefig(out, dpi=100, bbox_inches="tight")
print(out)
