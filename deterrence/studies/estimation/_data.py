"""Example data sets shipped with the package (``data/``, with their provenance in ``data/README.md``)."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from ...errors import ParameterError

_DATASETS = {
    "war1800": {
        "file": "war1800.csv",
        "factors": {"regime1": ["autoc", "dem", "mixed"], "regime2": ["autoc", "dem", "mixed"]},
        "citation": (
            "Militarized interstate disputes 1816-1899 (Correlates of War): Jones, D. M., Bremer, S. A. & "
            "Singer, J. D. (1996). Militarized Interstate Disputes, 1816-1992: Rationale, Coding Rules, and "
            "Empirical Patterns. Conflict Management and Peace Science 15(2): 163-213. As distributed with "
            "the R package games 1.1.2: Kenkel, B. & Signorino, C. S. (2014). Estimating Extensive Form "
            "Games in R. Journal of Statistical Software 56(8): 1-27."
        ),
    },
}


def list_datasets() -> list[str]:
    """Names of the example data sets."""
    return sorted(_DATASETS)


def load_dataset(name: str) -> pd.DataFrame:
    """An example data set as a DataFrame; its citation is in ``.attrs["citation"]``.

    ``"war1800"``: militarized interstate disputes 1816–1899 (313 dyad-years), the R package
    ``games``' example for the crisis tree ``egame12``. ``regime1``/``regime2`` are categorical
    (``autoc``, ``dem``, ``mixed``), as the package's factors.

    Raises
    ------
    ParameterError
        For an unknown name (the message lists the data sets).
    """
    spec = _DATASETS.get(name)
    if spec is None:
        raise ParameterError(
            f"no data set named {name!r}; data sets are {list_datasets()}", name="name", value=name
        )
    with resources.files(__package__).joinpath("data", spec["file"]).open("r") as fh:
        df = pd.read_csv(fh, na_values=["NA"])
    for column, levels in spec["factors"].items():
        df[column] = pd.Categorical(df[column], categories=levels)
    df.attrs["citation"] = spec["citation"]
    return df
