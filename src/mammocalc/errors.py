"""The errors mammocalc raises; each message names the file or argument and the fix.

The CLI maps :class:`MammocalcError` to exit code 2 (bad input) and prints only its message.
"""

from __future__ import annotations


class MammocalcError(Exception):
    """Base class: an error the user can act on, with a message fit to print as is."""


class InputError(MammocalcError):
    """An input file or array cannot be used: unreadable, corrupt, wrong modality, no breast..."""


class ParameterError(MammocalcError, ValueError):
    """An argument or setting is out of range or of the wrong kind."""


class DatasetError(MammocalcError):
    """A dataset directory or truth file is malformed (the message names the line)."""
