"""Annotation analysis of thesis 3.2.4: annotator consistency.

The figures of thesis 3.2.4 (annotator heatmap, group violins, importance with groups) live
in :mod:`robustfair.report.figures.video`.
"""

from __future__ import annotations

from typing import Any

from .._validation import check_array

__all__ = ["cronbach_alpha"]


def cronbach_alpha(ratings: Any) -> float:
    r"""Cronbach's alpha of annotators rating the same frames (thesis 3.2.4.5).

    With ``K`` annotators (the items), :math:`\sigma^2_u` the variance of annotator ``u``'s
    scores over frames and :math:`\sigma^2_T` the variance of the per-frame total:

    .. math:: \alpha = \frac{K}{K-1}\left(1 - \frac{\sum_u \sigma^2_u}{\sigma^2_T}\right)

    At most 1; 1 means perfectly consistent annotators (higher is more consistent; the
    thesis reports 0.995 for FairVidSum, 0.81 for TVSum).

    Parameters
    ----------
    ratings : array-like of shape (n_frames, n_annotators)
    """
    r = check_array(ratings, "ratings", ndim=2, min_samples=2, min_features=2)
    k = r.shape[1]
    item_var = r.var(axis=0, ddof=1).sum()
    total_var = r.sum(axis=1).var(ddof=1)
    if total_var == 0:
        raise ValueError("ratings: the per-frame totals are constant; Cronbach's alpha is undefined.")
    return float(k / (k - 1) * (1.0 - item_var / total_var))
