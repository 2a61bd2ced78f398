"""Exception types the script can see and catch (under on_violation: raise)."""


class SecurityError(PermissionError):
    """A capability the policy does not grant was requested."""


class ImportBlockedError(ImportError):
    """An import the policy does not allow.

    DESIGN.md wants it to subclass SecurityError too, but CPython cannot
    combine PermissionError (an OSError) and ImportError: their instance
    layouts conflict. ImportError wins so `except ImportError` fallbacks work."""


class OutputLimitError(Exception):
    """Only its name is reported: the run ends when stdout + stderr exceed the cap."""


# The script's frames carry this file name; tracebacks keep only these frames.
SCRIPT_FILENAME = "<script>"
# Code that library functions generate from text (dataclasses, namedtuple,
# annotations) is checked and rewritten like the script and carries this
# name: it is the script's code, but its lines are not the script's.
GENERATED_FILENAME = "<generated>"
SCRIPT_FILES = frozenset({SCRIPT_FILENAME, GENERATED_FILENAME})
