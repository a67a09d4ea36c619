"""Video summaries: the evaluation protocol, SumBal, fair LP/ILP summarizers and h5 I/O.

Thesis 3.2 (fair video summarization, FairVidSum). Import from here, never from a private
module::

    from robustfair.summarize import sumbal, FVSLP, FairSummarizer, generate_summary, f1_score

- protocol: :func:`upsample_scores`, :func:`shot_scores`, :func:`knapsack`,
  :func:`generate_summary`, :func:`f1_score` (eq. 3.6), :func:`uniform_change_points`,
  :func:`user_summaries_from_ratings`, :func:`summary_capacity`
- fairness: :func:`sumbal` (eq. 3.7), :func:`group_balance`
- summarizers: :class:`FVSLP` (eq. 3.8), :class:`FairSummarizer`,
  :func:`fairness_utility_front`, :func:`random_summary`, :func:`human_summary`,
  :func:`annotator_agreement`,
  :class:`VASNetSummarizer` (PyTorch, imported lazily)
- data: :class:`Video`, :func:`read_h5`, :func:`write_h5`, :func:`load_group_labels`,
  :func:`load_group_names`, :func:`load_splits`, :func:`load_model_summaries`,
  :func:`load_tvsum`, :func:`tvsum_user_summaries`
- annotations: :func:`cronbach_alpha`; the figures of thesis 3.2.4 are in
  :mod:`robustfair.report.figures.video` (the old names here warn for one release)
"""

from robustfair._lazy import attach
from robustfair.summarize._annotations import cronbach_alpha
from robustfair.summarize._baselines import annotator_agreement, human_summary, random_summary
from robustfair.summarize._io import (
    GROUP_TYPES,
    TVSumVideo,
    Video,
    load_group_labels,
    load_group_names,
    load_model_summaries,
    load_splits,
    load_tvsum,
    read_h5,
    tvsum_user_summaries,
    write_h5,
)
from robustfair.summarize._lp import FVSLP, FairnessFront, FairSummarizer, fairness_utility_front
from robustfair.summarize._protocol import (
    f1_score,
    generate_summary,
    knapsack,
    shot_scores,
    summary_capacity,
    uniform_change_points,
    upsample_scores,
    user_summaries_from_ratings,
)
from robustfair.summarize._sumbal import group_balance, sumbal
from robustfair.summarize._vasnet import VASNetSummarizer

__all__ = [
    # protocol
    "upsample_scores",
    "shot_scores",
    "knapsack",
    "summary_capacity",
    "generate_summary",
    "f1_score",
    "uniform_change_points",
    "user_summaries_from_ratings",
    # fairness
    "sumbal",
    "group_balance",
    # summarizers
    "FVSLP",
    "FairSummarizer",
    "FairnessFront",
    "fairness_utility_front",
    "random_summary",
    "human_summary",
    "annotator_agreement",
    "VASNetSummarizer",
    # data
    "Video",
    "read_h5",
    "write_h5",
    "GROUP_TYPES",
    "load_group_labels",
    "load_group_names",
    "load_splits",
    "load_model_summaries",
    "TVSumVideo",
    "load_tvsum",
    "tvsum_user_summaries",
    # annotations
    "cronbach_alpha",
]

# Deprecated aliases, removed in the next release: the annotation figures moved to the report
# layer (the one arrow from summarize up to report, taken only when an old name is asked for).
__getattr__, __dir__ = attach(
    __name__,
    {},
    __all__,
    moved={
        name: ("robustfair.report.figures.video", "robustfair.report.figures.video")
        for name in ("plot_annotator_heatmap", "plot_group_violins", "plot_importance_with_groups")
    },
)
