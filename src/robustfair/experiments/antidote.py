"""``antidote``: antidote data for fair clustering (Algorithm 2; paper Tables 1 and 2, thesis 3.1/3.2).

Chhabra, Singla and Mohapatra, *Fair Clustering Using Antidote Data*, section 4. One cell
is one dataset and one clustering-fairness combination (k = 2 in the paper):

* ``combination=1``: k-means and the balance cost; fair baseline Bera et al. (``bera``),
* ``combination=2``: k-means and the social cost; fair baseline Fair-Lloyd (``fair-lloyd``),
* ``combination=3``: unnormalized spectral clustering (symmetric 10-NN graph, centers =
  cluster means) and the balance cost; fair baseline Kleindessner et al. (``fsc``), on a
  seeded subsample of 1000 points as in the paper.

``alpha_from=vanilla`` sets ``alpha`` to the vanilla clustering's cost and asks for a
strict improvement (Table 1 / thesis Table 3.1); ``alpha_from=baseline`` sets it to the
fair baseline's cost ``F(mu_SOTA, U)`` (Table 2 / thesis Table 3.2). Costs follow the
paper's definitions: ``F`` of the baseline is evaluated on its centers with nearest-center
assignment (Definition 2); ``cost_baseline_labels`` is the balance cost of the baseline's own
(fair) assignment, for reference. Balance enters as its negative: lower is fairer.

Data (section 4.1): adult 10000 x 5 numeric columns, race groups; bank 45211 x 3, marital
groups; creditcard 30000 x 23, education higher/lower; all standardized. LFW (13232 x 80)
is not available offline and is not run.

Queries of k-means are one Lloyd run (``n_init=1``) started from the vanilla centers
(``AntidoteData(warm_start=True)``): bank has 45k points and a query must be cheap.
Vanilla k-means and the queries run Lloyd to a fixed point (``tol=0``): with scikit-learn's
default tolerance the warm-started queries kept iterating from vanilla centers that had
stopped early, and every antidote set looked worse than vanilla by that drift (0.004 in
center coordinates on bank). The paper's SRE + RACOS (``method=sre``, default) samples the
box uniformly. On creditcard (23 heavy-tailed features, 230 coordinates for 10 points) the
bounding box is mostly empty space, and SRE finds no strict improvement there within 300
queries per size. In the 2%-98% quantile box (``--set box_quantile=0.02``) it does, and so
does the coincident phase of ``AntidoteData`` (``coincident_budget``, 300 queries per size
here; 0 is the paper's search alone): |V| copies of one point, a d-dimensional search.
``initial_size`` defaults to 10 (section 4.2) capped at 0.1% of ``|U|``.

Adult #1 is not always improvable at 0.1%: when the vanilla k-means (best inertia of 10
restarts) isolates the capital-gain outliers in a cluster of their own, no 10 points in the
bounding box can move a single point of U under warm-started Lloyd
(``benchmarks/antidote_lloyd_margin.py`` bounds the margin), so the balance stays 0.
``--set warm_start=false`` runs every query as 10 k-means++ restarts (C as a black box, the
paper's setting): 10 points then change which restart wins, and those seeds do improve.
``center_budget`` (0 here) adds the search over candidate centers that the large fractions
of Table 2 need (bank #2 at 15.49%: ``--set center_budget=400``).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from pydantic import Field, field_validator

from ._common import load_config_dataset
from ._registry import ExperimentConfig, Record, register

BASELINE = {1: "bera", 2: "fair-lloyd", 3: "fsc"}
_FAIRNESS = {1: "balance", 2: "social", 3: "balance"}
_CLUSTERER = {1: "kmeans", 2: "kmeans", 3: "spectral"}


def _published() -> tuple[dict, ...]:
    # (combination, dataset): Table 1 (alpha = vanilla) alpha, |V|/|U|, F(vanilla), F(ours);
    # Table 2 (alpha = SOTA) alpha, |V|/|U|, F(SOTA), F(ours).
    table1 = {
        (1, "adult"): (-0.6119, 0.001, -0.6119, -0.6196),
        (1, "bank"): (-0.3054, 0.00011, -0.3054, -0.3077),
        (1, "creditcard"): (-0.8696, 0.00017, -0.8696, -0.8715),
        (1, "lfw"): (-0.8815, 0.00075, -0.8815, -0.8821),
        (2, "adult"): (5.3678, 0.0005, 5.3678, 4.2104),
        (2, "bank"): (2.3432, 0.00022, 2.3432, 2.3416),
        (2, "creditcard"): (19.740, 0.00034, 19.740, 19.729),
        (2, "lfw"): (1406.3411, 0.00076, 1406.3411, 1406.1676),
        (3, "adult"): (-0.6458, 0.001, -0.6458, -0.6911),
        (3, "bank"): (-0.4811, 0.00022, -0.4811, -0.5489),
        (3, "creditcard"): (-0.8384, 0.00034, -0.8384, -0.8407),
        (3, "lfw"): (-0.9279, 0.00076, -0.9279, -0.9389),
    }
    table2 = {
        (1, "adult"): (-0.6059, 0.001, -0.6059, -0.6196),
        (1, "bank"): (-0.3065, 0.00011, -0.3065, -0.3077),
        (1, "creditcard"): (-0.8696, 0.00017, -0.8696, -0.8715),
        (1, "lfw"): (-0.8816, 0.00075, -0.8816, -0.8821),
        (2, "adult"): (4.2636, 0.0005, 4.2636, 4.2104),
        (2, "bank"): (2.3135, 0.1549, 2.3135, 2.3119),
        (2, "creditcard"): (18.998, 0.19, 18.998, 18.998),
        (2, "lfw"): (1344.5468, 0.3999, 1344.5468, 1344.5461),
        (3, "adult"): (-0.5973, 0.001, -0.5973, -0.6911),
        (3, "bank"): (-0.6086, 0.5, -0.6086, -0.6899),
        (3, "creditcard"): (-0.8407, 0.38, -0.8407, -0.9990),
        (3, "lfw"): (-0.9926, 0.4, -0.9926, -0.9997),
    }
    out = []
    for alpha_from, table, ref_metric, source in (
        ("vanilla", table1, "cost_vanilla", "antidote paper Table 1 (thesis Table 3.1)"),
        ("baseline", table2, "cost_baseline", "antidote paper Table 2 (thesis Table 3.2)"),
    ):
        for (comb, dataset), values in table.items():
            for metric, value in zip(("alpha", "antidote_fraction", ref_metric, "cost_antidote"), values):
                out.append(
                    {
                        "dataset": dataset,
                        "method": "antidote",
                        "metric": metric,
                        "value": value,
                        "combination": comb,
                        "alpha_from": alpha_from,
                        "source": source,
                    }
                )
    return tuple(out)


class AntidoteConfig(ExperimentConfig):
    dataset: str = "adult"
    combination: int = Field(
        default=1, ge=1, le=3, description="1: k-means+balance, 2: k-means+social, 3: spectral+balance"
    )
    k: int = Field(default=2, ge=2)
    alpha_from: str = Field(default="vanilla", description="vanilla (Table 1) or baseline (Table 2)")
    n_samples: int | None = Field(default=None, ge=10, description="default: adult 10000, combination 3: 1000")
    initial_size: int | None = Field(
        default=None, ge=1, description="V_s; default 10, at most 0.1% of |U| (at least 1)"
    )
    step: int = Field(default=1, ge=1, description="xi")
    low_dimension: int = Field(default=100, ge=1, description="n' of SRE")
    max_size: int | None = Field(default=None, ge=1, description="default: 0.1% of |U| (at least initial_size)")
    budget_per_size: int = Field(default=300, ge=4, description="queries of the search at each antidote size |V|")
    time_budget: float = Field(default=300.0, gt=0)
    method: str = "sre"
    box_quantile: float = Field(
        default=0.0,
        ge=0,
        lt=0.5,
        description="search V in the [q, 1-q] per-feature quantile box of U (0: the bounding box, the paper's)",
    )
    coincident_budget: int = Field(
        default=300,
        ge=0,
        description="queries per size on |V| copies of one point "
        "before the full search (ours; 0: the paper's search only)",
    )
    warm_start: bool = Field(
        default=True,
        description="k-means queries: one Lloyd run from the vanilla centers "
        "(True) or 10 k-means++ restarts with the cell's seed, as a black-box C would run (False)",
    )
    center_budget: int = Field(
        default=0,
        ge=0,
        description="queries per size on V proposed from candidate centers "
        "(ours; CMA-ES from the vanilla centers; for the large fractions of Table 2)",
    )
    n_jobs: int = 1

    @field_validator("alpha_from")
    @classmethod
    def _alpha_from(cls, value: str) -> str:
        if value not in ("vanilla", "baseline"):
            raise ValueError("alpha_from must be 'vanilla' or 'baseline'")
        return value


def _centers_of(model, X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    centers = getattr(model, "cluster_centers_", None)
    if centers is not None:
        return np.asarray(centers, dtype=float)
    _, codes = np.unique(labels, return_inverse=True)
    return np.stack([X[codes.ravel() == c].mean(0) for c in range(codes.max() + 1)])


@register(
    "antidote",
    config=AntidoteConfig,
    description="antidote data for fair clustering: alpha, |V|/|U|, F vanilla / ours / fair baseline",
    cites="Chhabra et al., Fair Clustering Using Antidote Data, Tables 1 and 2 (thesis Tables 3.1, 3.2)",
    published=_published(),
)
def antidote(config: AntidoteConfig, seed: int) -> list[Record]:
    from ..antidote import AntidoteData, fairness_cost
    from ..antidote._general import _quality
    from ..cluster import fit_labels
    from ..metrics import balance

    comb = config.combination
    n_samples = config.n_samples
    if n_samples is None:
        n_samples = 1000 if comb == 3 else (10000 if config.dataset == "adult" else None)
    data = load_config_dataset(config, seed=seed, standardize=True)
    if data.sensitive is None:
        raise ValueError(f"dataset: {data.name!r} has no sensitive attribute.")
    X, s = data.X, data.sensitive
    if n_samples is not None and n_samples < X.shape[0]:
        index = np.sort(np.random.default_rng(seed).choice(X.shape[0], n_samples, replace=False))
        X, s = X[index], s[index]
    k, fairness = config.k, _FAIRNESS[comb]

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Graph is not fully connected")
        model, base_labels = fit_labels(BASELINE[comb], X, s, k, random_state=seed)
    baseline_seconds = time.perf_counter() - start
    cost_baseline = fairness_cost(fairness, X, _centers_of(model, X, base_labels), s)
    alpha = None if config.alpha_from == "vanilla" else cost_baseline
    # section 4.2: V_s = 10; capped at 0.1% of |U| so the first size already meets the target fraction
    initial_size = config.initial_size or max(1, min(10, int(0.001 * X.shape[0])))
    max_size = config.max_size or max(initial_size, int(0.001 * X.shape[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ad = AntidoteData(
            _CLUSTERER[comb],
            k,
            fairness=fairness,
            alpha=alpha,
            initial_size=initial_size,
            low_dimension=config.low_dimension,
            step=config.step,
            max_size=max_size,
            time_budget=config.time_budget,
            budget_per_size=config.budget_per_size,
            method=config.method,
            box_quantile=config.box_quantile,
            coincident_budget=config.coincident_budget,
            center_budget=config.center_budget,
            warm_start=config.warm_start,
            n_jobs=config.n_jobs,
            random_state=seed,
        ).fit(X, sensitive_features=s)
    q_base = _quality(X, base_labels, seed)
    metrics = {
        "alpha": ad.alpha_,
        "antidote_fraction": ad.antidote_fraction_,
        "cost_vanilla": ad.cost_before_,
        "cost_antidote": ad.cost_after_,
        "cost_baseline": cost_baseline,
        "cost_baseline_labels": -balance(base_labels, sensitive_features=s) if fairness == "balance" else np.nan,
        "met": float(ad.met_),
        "silhouette_vanilla": ad.quality_before_["silhouette"],
        "silhouette_antidote": ad.quality_after_["silhouette"],
        "silhouette_baseline": q_base["silhouette"],
        "calinski_harabasz_antidote": ad.quality_after_["calinski_harabasz"],
        "calinski_harabasz_baseline": q_base["calinski_harabasz"],
        "davies_bouldin_antidote": ad.quality_after_["davies_bouldin"],
        "davies_bouldin_baseline": q_base["davies_bouldin"],
        "queries": ad.n_queries_,
        "seconds": ad.seconds_,
        "seconds_baseline": baseline_seconds,
    }
    keys = {"combination": comb, "alpha_from": config.alpha_from, "k": k}
    if not config.warm_start:
        keys["warm_start"] = False  # cold-start queries: kept apart from the default's records
    return [Record(data.name, "antidote", m, float(v), keys) for m, v in metrics.items()]
