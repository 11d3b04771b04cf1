"""mammocalc: find, describe and triage breast calcifications on mammograms.

Research and decision-support software; not a diagnostic device.

The one flow is ``read -> breast -> detect -> group -> characterise -> assess -> report``;
:func:`analyze` runs it on one exam.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mammocalc")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "analyze"]


def __getattr__(name: str) -> object:
    # ``analyze`` is imported on first use so that ``import mammocalc`` stays light for the CLI.
    if name == "analyze":
        from mammocalc.pipeline import analyze

        return analyze
    raise AttributeError(f"module 'mammocalc' has no attribute {name!r}")
