"""Download file datasets on request: ``fetch(name)`` and ``robustfair datasets --fetch NAME``.

Nothing else downloads: :func:`robustfair.datasets.load_dataset` only reads files. A fetch
downloads each file of the dataset from its public source with pooch, checks its SHA-256,
and stores it under the data home at the path the loader reads (``<data home>/adult/adult.data``).
A file already there with the right hash is never downloaded again; a download whose hash
differs is refused and removed.

The data home is ``data_home=`` when given, else ``$ROBUSTFAIR_DATA``, else the platform's
cache folder for robustfair (``pooch.os_cache("robustfair")``: ``~/.cache/robustfair`` on
Linux). Once that cache folder exists, :func:`~robustfair.datasets.data_root` falls back to
it, so a fetched dataset loads without further settings.

The hashes are those of the files this project was developed against (the copies listed
in its data manifest, which are byte-for-byte copies of the public sources below). Should a
source change its file, the fetch refuses it rather than loading different data.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .._validation import check_choice

__all__ = ["DatasetFetchError", "FetchSource", "default_data_home", "fetch", "fetchable", "register_fetch_source"]


class DatasetFetchError(ValueError, OSError):
    """A download failed (server down, connection cut, hash mismatch); the message names the file.

    Subclasses ``ValueError`` so the command line reports it in one line with exit code 2.
    """


@dataclass(frozen=True)
class FetchSource:
    """One file of a dataset: where the loader reads it, where it is downloaded from, its SHA-256."""

    relative: str
    url: str
    sha256: str


_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases"
_SOURCES: dict[str, tuple[FetchSource, ...]] = {
    "adult": (
        FetchSource(
            "adult/adult.data",
            f"{_UCI}/adult/adult.data",
            "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d",
        ),
        FetchSource(
            "adult/adult.test",
            f"{_UCI}/adult/adult.test",
            "a2a9044bc167a35b2361efbabec64e89d69ce82d9790d2980119aac5fd7e9c05",
        ),
    ),
    "german": (
        FetchSource(
            "german/german.data",
            f"{_UCI}/statlog/german/german.data",
            "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871",
        ),
    ),
    "compas": (
        FetchSource(
            "compas/compas-scores-two-years.csv",
            "https://raw.githubusercontent.com/propublica/compas-analysis/master/compas-scores-two-years.csv",
            "c451db85908b2f7fef1d83203bedf6b71ecda0d5af468d82ae62178f91d0cc7d",
        ),
    ),
}


def register_fetch_source(name: str, files: Sequence[FetchSource]) -> None:
    """Make dataset ``name`` fetchable from ``files`` (replacing any earlier sources)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string; got {name!r}.")
    files = tuple(files)
    if not files or not all(isinstance(f, FetchSource) for f in files):
        raise ValueError("files must be a non-empty sequence of FetchSource.")
    for f in files:
        if len(f.sha256) != 64 or any(c not in "0123456789abcdef" for c in f.sha256.lower()):
            raise ValueError(f"sha256 of {f.relative!r} must be 64 hex digits; got {f.sha256!r}.")
    _SOURCES[name] = files


def fetchable() -> list[str]:
    """Names :func:`fetch` can download."""
    return sorted(_SOURCES)


def default_data_home() -> Path:
    """The configured data root (:func:`~robustfair.datasets.configured_data_root`: the
    active ``use_data_root`` or ``$ROBUSTFAIR_DATA``) when set, else the platform cache
    folder for robustfair."""
    from ._registry import configured_data_root

    configured = configured_data_root()
    if configured is not None:
        return configured
    import pooch

    return Path(pooch.os_cache("robustfair"))


def fetch(
    name: str,
    *,
    data_home: str | os.PathLike | None = None,
    mirror: str | None = None,
    progress: bool = False,
    timeout: float = 60.0,
) -> Path:
    """Download dataset ``name`` into the data home (once) and return the data home.

    Parameters
    ----------
    name : str
        One of :func:`fetchable` (``"adult"``, ``"german"``, ``"compas"``).
    data_home : path, optional
        Where to store it; default :func:`default_data_home`.
    mirror : str, optional
        Base URL of a mirror that serves the files under their file names
        (``{mirror}/adult.data``), instead of the public sources.
    progress : bool, default=False
        Show pooch's download progress bar (needs tqdm).
    timeout : float, default=60
        Seconds to wait for the server per request.

    Returns
    -------
    Path
        The data home; ``load_dataset(name, data_dir=...)`` reads from it.

    Raises
    ------
    ValueError
        For a name that cannot be fetched.
    DatasetFetchError
        When a download fails or its SHA-256 differs from the registered one (the file is
        not kept).
    """
    import pooch
    import requests

    check_choice(name, fetchable(), "fetchable dataset")
    home = Path(data_home).expanduser() if data_home is not None else default_data_home()
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=timeout)
    pooch.get_logger().setLevel("WARNING")  # its "Downloading ..." lines: the progress bar or the CLI says it
    for source in _SOURCES[name]:
        target = home / source.relative
        url = source.url if mirror is None else f"{mirror.rstrip('/')}/{Path(source.relative).name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            pooch.retrieve(
                url,
                known_hash=f"sha256:{source.sha256}",
                fname=target.name,
                path=target.parent,
                downloader=downloader,
                progressbar=progress,
            )
        except ValueError:  # pooch: "SHA256 hash of downloaded file (...) does not match"
            raise DatasetFetchError(
                f"{name}: the download of {url} does not have the expected SHA-256 {source.sha256[:12]}...; "
                "it was refused and not kept (the source may have changed its file)."
            ) from None
        except (requests.RequestException, OSError) as exc:
            raise DatasetFetchError(f"{name}: could not download {url}: {' '.join(str(exc).split())[:200]}") from None
    return home
