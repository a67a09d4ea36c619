"""What every attack shares: the contract (:class:`BaseAttack` and its families), the one
result type ``AttackResult`` and the query-counting target wrapper.

The contract
------------
Every attack is an object configured in its constructor (victim, budget, ``random_state``;
no work in ``__init__``) and run by one method with one signature::

    SomeAttack(target, <budget>, random_state=0).attack(X, *, y=None, sensitive_features=None)
        -> AttackResult

``X`` is validated here (a finite numeric array, a ``ValueError`` naming ``X`` otherwise);
``y`` (class or cluster labels) and ``sensitive_features`` (the protected attribute) are
keyword-only and validated against ``X``. Each attack says, in ``uses_y`` and
``uses_sensitive_features``, whether it ``"requires"``, takes (``"optional"``) or does not use
(``"unused"``; passing it raises) each of them. Anything else an attack needs is a constructor
parameter, or a fit step before ``attack`` (``TransferAttack.fit(X_attacker)``).

Families: :class:`PoisoningAttack` (the attacker changes training data: features, labels or
the protected attribute, and the victim is refit) takes tabular ``X`` of shape
``(n_samples, n_features)``; :class:`EvasionAttack` (the attacker perturbs inputs of a trained
victim) takes grayscale images ``(n, H*W)``, ``(n, H, W)`` or ``(n, 1, H, W)`` in [0, 1].
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np

from .._validation import check_array, check_images, check_labels, check_params, check_sensitive_features

__all__ = ["AttackResult", "BaseAttack", "EvasionAttack", "PoisoningAttack", "QueryCounter", "as_target"]

Use = Literal["required", "optional", "unused"]


@dataclass(frozen=True)
class AttackResult:
    """The outcome of ``SomeAttack(...).attack(...)``, the same type for every attack.

    Attributes
    ----------
    X_adv : ndarray
        The features after the attack: poisoned data (rows added or moved), perturbed images,
        or ``X`` itself when the attack changes only labels or the protected attribute.
    changed : ndarray of int
        Row indices of what the attacker changed: moved or added samples, samples whose
        group label was switched, images whose cluster changed.
    metrics_before, metrics_after : dict of str to float
        Victim metrics without and with the attack.
    n_queries : int
        Number of victim queries the attack spent.
    seconds : float
        Wall time of the attack.
    history : ndarray
        The optimizer's objective value per query (empty when not applicable).
    info : dict
        Attack-specific extras (target index, perturbation, depth, ...).
    y_adv : ndarray or None
        The labels that go with ``X_adv`` when the attack poisons or extends them (rows
        added with their labels); ``None`` when it does not touch labels.
    sensitive_features_adv : ndarray or None
        The protected attribute that goes with ``X_adv`` when the attack poisons or extends
        it; ``None`` when it does not touch it.
    """

    X_adv: np.ndarray
    changed: np.ndarray
    metrics_before: Mapping[str, float]
    metrics_after: Mapping[str, float]
    n_queries: int
    seconds: float
    history: np.ndarray = field(default_factory=lambda: np.empty(0))
    info: Mapping[str, Any] = field(default_factory=dict)
    y_adv: np.ndarray | None = None
    sensitive_features_adv: np.ndarray | None = None

    def to_frame(self) -> Any:
        """The victim's metrics as a pandas DataFrame: one row per metric, ``before``, ``after``
        and ``change`` (after - before) columns."""
        import pandas as pd

        names = list(dict.fromkeys([*self.metrics_before, *self.metrics_after]))
        before = [float(self.metrics_before.get(m, np.nan)) for m in names]
        after = [float(self.metrics_after.get(m, np.nan)) for m in names]
        frame = pd.DataFrame({"before": before, "after": after}, index=pd.Index(names, name="metric"))
        frame["change"] = frame["after"] - frame["before"]
        return frame


class QueryCounter:
    """Wrap a black-box victim so every query is counted.

    ``target`` is an object with ``fit_predict(X)``, or with ``fit(X, sensitive_features=...)``
    and ``labels_`` (fair clusterers), or a callable returning labels. Calling the wrapper
    runs one query and returns the labels as a 1-D array.
    """

    def __init__(self, target: Any, name: str = "target") -> None:
        if isinstance(target, QueryCounter):
            target = target.target  # unwrap: count on one wrapper only
        if not (callable(target) or hasattr(target, "fit_predict") or hasattr(target, "fit")):
            raise ValueError(
                f"{name} must have fit_predict(X), fit(X, sensitive_features=...) with labels_, "
                f"or be a callable returning labels; got {type(target).__name__}."
            )
        self.target: Any = target
        self.name = name
        self.n_queries = 0

    def __call__(self, X: np.ndarray, **fit_params: Any) -> np.ndarray:
        """Run one query: fit the victim on ``X`` and return its labels.

        A ``ValueError`` or ``TypeError`` from the victim is its input validation refusing
        the query (bad input, e.g. too small a group for SFD) and reaches the caller as it
        is, which attacks may score as a rejected query. Any other exception is a failure
        of the victim, not of the input, and propagates unchanged.
        """
        self.n_queries += 1
        target = self.target
        if hasattr(target, "fit_predict") and not fit_params:
            labels = target.fit_predict(X)
        elif hasattr(target, "fit"):
            target.fit(X, **fit_params)
            if not hasattr(target, "labels_"):
                raise ValueError(f"{self.name} has no labels_ after fit; it cannot be queried for labels.")
            labels = target.labels_
        else:
            labels = target(X, **fit_params)
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.shape[0] != np.shape(X)[0]:
            raise ValueError(f"{self.name} returned labels of shape {labels.shape} for {np.shape(X)[0]} samples.")
        return labels


def as_target(target: Any, name: str = "target") -> QueryCounter:
    """Wrap ``target`` in a fresh :class:`QueryCounter`."""
    return QueryCounter(target, name)


_F = TypeVar("_F", bound=Callable[..., AttackResult])


def _legacy_call_forms(method: _F) -> _F:
    """Accept the call forms of the previous release, with a ``DeprecationWarning``.

    Positional arguments after ``X`` are mapped, in order, to the names in the attack's
    ``_legacy_positional`` (e.g. ``FairnessAttack.attack(X, s)`` to ``sensitive_features=s``);
    keywords in ``_legacy_keywords`` go to ``_legacy_keyword``. ``inspect.signature`` still
    shows the one contract, ``(self, X, *, y=None, sensitive_features=None)``.
    """

    @functools.wraps(method)
    def attack(self: BaseAttack, X: Any, *args: Any, **kwargs: Any) -> AttackResult:
        cls = type(self).__name__
        if args:
            names = self._legacy_positional[: len(args)]
            if len(args) > len(self._legacy_positional):
                raise TypeError(f"{cls}.attack() takes X as its only positional argument; got {1 + len(args)}.")
            for name, value in zip(names, args, strict=True):
                if name in kwargs:
                    raise TypeError(f"{cls}.attack() got multiple values for argument {name!r}.")
                kwargs[name] = value
            warnings.warn(
                f"{cls}.attack(X, {', '.join(names)}) is deprecated and will stop working in the next "
                f"release; pass {', '.join(f'{n}=...' for n in names)} as keyword argument(s).",
                DeprecationWarning,
                stacklevel=2,
            )
        for name in [k for k in kwargs if k not in ("y", "sensitive_features")]:
            if name not in self._legacy_keywords:
                raise TypeError(f"{cls}.attack() got an unexpected keyword argument {name!r}.")
            warnings.warn(
                f"{cls}.attack(..., {name}=...) is deprecated and will stop working in the next release; "
                f"{self._legacy_keywords[name]}",
                DeprecationWarning,
                stacklevel=2,
            )
            self._legacy_keyword(name, kwargs.pop(name))
        return method(self, X, **kwargs)

    return attack  # type: ignore[return-value]


class BaseAttack:
    """Base class of every attack: one public method, :meth:`attack`, with one signature.

    Subclasses set ``uses_y`` and ``uses_sensitive_features`` (``"required"``,
    ``"optional"`` or ``"unused"``) and implement ``_attack(X, *, y, sensitive_features)``,
    which receives validated inputs: ``X`` as returned by :meth:`_check_X`, ``y`` and
    ``sensitive_features`` as 1-D arrays of one entry per sample, or ``None``.
    """

    #: Whether :meth:`attack` needs, takes or rejects ``y``.
    uses_y: ClassVar[Use] = "optional"
    #: Whether :meth:`attack` needs, takes or rejects ``sensitive_features``.
    uses_sensitive_features: ClassVar[Use] = "unused"
    #: Fewest samples :meth:`attack` accepts.
    _min_samples: ClassVar[int] = 1
    #: The constructor's parameters in scikit-learn's declarative form (``Interval``,
    #: ``StrOptions``, ... from :mod:`robustfair._validation`), checked by :meth:`attack`
    #: before any work on the data; every ``__init__`` parameter has an entry
    #: (``"no_validation"`` where the check needs the data, e.g. a budget per feature).
    _parameter_constraints: ClassVar[dict] = {}
    #: Deprecated positional arguments after ``X`` (previous release), mapped in order.
    _legacy_positional: ClassVar[tuple[str, ...]] = ()
    #: Deprecated keyword arguments of :meth:`attack` -> what to do instead.
    _legacy_keywords: ClassVar[Mapping[str, str]] = {}

    @_legacy_call_forms
    def attack(self, X: Any, *, y: Any = None, sensitive_features: Any = None) -> AttackResult:
        """Run the attack on ``X`` and return what it did.

        Parameters
        ----------
        X : array-like
            The data the attack works on (see the attack's family for its shape).
        y : array-like of shape (n_samples,), optional
            Class or cluster labels: required by attacks that poison labels, used by others
            only to score the victim before and after (NMI, ACC, ...).
        sensitive_features : array-like of shape (n_samples,), optional
            The protected attribute, one group id per sample.

        Returns
        -------
        AttackResult

        Raises
        ------
        ValueError
            Naming the argument, for NaN or badly shaped input, a required ``y`` or
            ``sensitive_features`` that is missing, or one the attack does not use.
        """
        check_params(self)
        X = self._check_X(X)
        n = X.shape[0]
        y = self._check_use("y", y, n, self.uses_y)
        s = self._check_use("sensitive_features", sensitive_features, n, self.uses_sensitive_features)
        return self._attack(X, y=y, sensitive_features=s)

    def _attack(self, X: np.ndarray, *, y: np.ndarray | None, sensitive_features: np.ndarray | None) -> AttackResult:
        raise NotImplementedError  # pragma: no cover - every attack implements it

    def _check_X(self, X: Any) -> np.ndarray:
        return check_array(X, "X", min_samples=self._min_samples)

    def _check_use(self, name: str, value: Any, n: int, use: Use) -> np.ndarray | None:
        cls = type(self).__name__
        if value is None:
            if use == "required":
                raise ValueError(f"{cls}.attack needs {name}=..., one entry per sample of X.")
            return None
        if use == "unused":
            raise ValueError(f"{cls}.attack does not use {name}; leave it out.")
        if name == "sensitive_features":
            return check_sensitive_features(value, n)
        arr = check_labels(value, name)
        if arr.shape[0] != n:
            raise ValueError(f"{name} has {arr.shape[0]} entries but X has {n} samples; they must match.")
        return arr

    def _legacy_keyword(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__}.attack() got an unexpected keyword argument {name!r}.")


class PoisoningAttack(BaseAttack):
    """An attack on the training data: it changes (or adds) samples, labels or group ids and
    the victim is refit. ``X`` is tabular, ``(n_samples, n_features)``, finite."""


class EvasionAttack(BaseAttack):
    """An attack on the inputs of a trained victim: it perturbs images within a budget.

    ``X`` is grayscale images in [0, 1] as ``(n, H*W)`` (square unless the attack has an
    ``image_shape``), ``(n, H, W)`` or ``(n, 1, H, W)``; a torch tensor is moved to the CPU.
    The attack receives the validated array in its original shape and dtype.
    """

    def _check_X(self, X: Any) -> np.ndarray:
        if hasattr(X, "detach"):  # a torch tensor, possibly on the GPU
            X = X.detach().cpu().numpy()
        check_images(X, "X", image_shape=getattr(self, "image_shape", None))
        return np.asarray(X)
