"""Datasets: the ``Dataset`` record, built-in data and loaders for files on disk.

Built-ins (``digits``, ``digits-pair``, ``inverted-digits``, ``toy-spillover``,
``toy-fairness``) need no files. File datasets are read from the data root
(``data_dir=``, else ``$ROBUSTFAIR_DATA``, else the fetch cache), one subfolder per
dataset. Loading never downloads; ``fetch(name)`` does, on request only, verifying SHA-256. See ``docs/datasets.md``.

>>> from robustfair.datasets import load_dataset
>>> load_dataset("inverted-digits").summary()
'inverted-digits: 3594 x 64, 10 classes, 2 groups'
"""

from . import (  # noqa: F401  (register the datasets)
    _builtin,
    _dfdc_data,
    _image_loaders,
    _influence_data,
    _loaders,
    _office_caltech,
    _spillover_data,
)
from ._base import Dataset
from ._fetch import DatasetFetchError, FetchSource, default_data_home, fetch, fetchable, register_fetch_source
from ._frame import make_preprocessor
from ._registry import (
    DATA_ENV_VAR,
    DatasetInfo,
    DatasetNotFoundError,
    configured_data_root,
    data_root,
    list_datasets,
    load_dataset,
    register_dataset,
    require_file,
    use_data_root,
)

# The table constructors, also reachable as Dataset.from_frame etc.
from_frame = Dataset.from_frame
from_csv = Dataset.from_csv
from_parquet = Dataset.from_parquet
from_file = Dataset.from_file

__all__ = [
    "DATA_ENV_VAR",
    "DatasetFetchError",
    "FetchSource",
    "default_data_home",
    "fetch",
    "fetchable",
    "register_fetch_source",
    "Dataset",
    "DatasetInfo",
    "DatasetNotFoundError",
    "configured_data_root",
    "data_root",
    "use_data_root",
    "from_csv",
    "from_file",
    "from_frame",
    "from_parquet",
    "make_preprocessor",
    "list_datasets",
    "load_dataset",
    "register_dataset",
    "require_file",
]
