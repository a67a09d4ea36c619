"""Group fairness and clustering quality metrics.

Pure functions of labels and groups (and data where needed). Every function validates
its inputs, accepts any label values (strings, negative or non-contiguous ids) and is
vectorized over one contingency table. Import from here, never from a private module::

    from robustfair.metrics import balance, clustering_accuracy
"""

from robustfair.metrics._classification import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    soft_demographic_parity,
    soft_equal_opportunity,
)
from robustfair.metrics._clustering import (
    adjusted_rand,
    calinski_harabasz,
    clustering_accuracy,
    davies_bouldin,
    normalized_mutual_info,
    silhouette,
)
from robustfair.metrics._fairness import (
    GroupBreakdown,
    balance,
    balance_cost,
    count_ratio_balance,
    fairness_entropy,
    group_breakdown,
    optimal_count_ratio_balance,
    social_fairness_cost,
)
from robustfair.metrics._grouped import GroupedMetrics, classification_by_group, clustering_by_group

__all__ = [
    # fairness of a clustering
    "balance",
    "count_ratio_balance",
    "optimal_count_ratio_balance",
    "fairness_entropy",
    "social_fairness_cost",
    "balance_cost",
    "group_breakdown",
    "GroupBreakdown",
    # grouped reports (per group, overall, difference, ratio, bootstrap intervals)
    "GroupedMetrics",
    "clustering_by_group",
    "classification_by_group",
    # fairness of a classifier
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
    "soft_demographic_parity",
    "soft_equal_opportunity",
    # clustering quality
    "clustering_accuracy",
    "normalized_mutual_info",
    "adjusted_rand",
    "silhouette",
    "calinski_harabasz",
    "davies_bouldin",
]
