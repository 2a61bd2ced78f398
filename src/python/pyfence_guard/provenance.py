"""Where a function's code was compiled: its code object's file name, the
fact the guard tells the script's functions (`<script>`, `<generated>`),
its own and library code apart by.

Reading `__code__` raises the audit event `object.__getattr__`, and the
tripwire's hook (tripwire.py) is then a Python call that looks at a frame:
about 8 µs in Pyodide, on the guard's hottest paths (every method a read
hands out or a check looks at). A function's code cannot change during a
run (the tripwire ends the run when anyone but the guard writes
`__code__`, and the guard says when it does: forget()), so the answer is
remembered per function. The table keeps its functions alive, so
identities stay unique while they are in it; it is bounded (emptied when
full). Nothing in it crosses runs: a run starts from
the snapshot, or from the tenant reset's copy of the heap, both taken
before any script ran."""

import types

from .errors import SCRIPT_FILES
from .identity import identity

_func_code = types.FunctionType.__dict__["__code__"].__get__
_method_func = types.MethodType.__dict__["__func__"].__get__
_MAX_REMEMBERED = 4096
_files = {}  # identity(function) -> (function, file name)


def code_file(fn):
    """The file name `fn`'s code was compiled under (fn: exactly a function)."""
    entry = _files.get(identity(fn))
    if entry is not None and entry[0] is fn:
        return entry[1]
    filename = _func_code(fn).co_filename
    if len(_files) >= _MAX_REMEMBERED:
        _files.clear()
    _files[identity(fn)] = (fn, filename)
    return filename


def forget(fn):
    """`fn`'s code was just replaced (by the guard, before the script runs)."""
    _files.pop(identity(fn), None)


def is_script_function(obj):
    """`obj` is a function of the script's own code."""
    return type(obj) is types.FunctionType and code_file(obj) in SCRIPT_FILES


def is_script_callable(value):
    """`value` is a function of the script's own code, or a method bound to
    one: what the membrane passes without a look at what it is bound to."""
    if type(value) is types.MethodType:
        value = _method_func(value)
    if type(value) is not types.FunctionType:
        return False
    # code_file()'s table, looked at here first: this is the hotter caller.
    entry = _files.get(identity(value))
    if entry is not None and entry[0] is value:
        return entry[1] in SCRIPT_FILES
    return code_file(value) in SCRIPT_FILES
