"""A tripwire beneath the rewrite: CPython's audit hooks (PEP 578) are called
from C, whatever route led there, for the events an escape's second step
causes: reading a frame or code object (`tb_frame`, `gi_frame`, `f_code`,
`__code__`, ...), `sys._getframe`, `gc`, `open`, `exec`, `compile`, the
`os`, process, socket and native-code events. The guard decides every such
read and call before it happens; this hook sees the ones that reached C
another way, and ends the run as a violation.

Who caused an event is decided by a fact the script cannot fake: the file
name of the code in the innermost Python frame (C functions push none).
The script's code is compiled by the guard as `<script>` or `<generated>`;
it cannot make a code object of any other name. The guard's own code
(its reports read frames and tracebacks, its checked exec/compile runs the
script) passes; library code may read frames and build functions (the
`sys._getframemodulename` of namedtuple and enum, annotationlib's
`__code__`), and may exec, compile or unmarshal only while the guard
imports a vetted module; nobody else may touch gc, tracing, audit hooks,
processes, sockets or native code, or open a file for writing.

CPython says audit hooks are no sandbox, and this is not the boundary: a
hook sees nothing of a route that stays in Python (f_back, f_globals,
__globals__, type.__subclasses__ do not fire), and library code handing a
frame it read to the script is the membrane's business. The hook cannot be
removed; its state is in its closure, which only the interpreter holds."""

import sys

from .errors import SCRIPT_FILES
from .unwind import _GUARD_DIR

_getframe = sys._getframe
# The interpreter's own library: the standard library and the guard.
_LIB_DIR = _GUARD_DIR.rpartition("/site-packages/")[0] + "/"
_add = sys.addaudithook

# Who besides the guard may cause an event.
_LIBRARY = 1    # library code, never the script's
_IMPORTING = 2  # library code, while the guard imports a vetted module
_NEVER = 3      # nobody
_READS = 4      # open(): library code reading only
_IGNORE = ("", 0)  # events that come from everywhere, all the time

# Exact event name -> (violation kind, who may).
_EVENTS = {
    "builtins.id": _IGNORE,
    "object.__delattr__": _IGNORE,
    "object.__setattr__": ("attribute", _NEVER),  # only a function's __code__ is looked at
    "object.__getattr__": ("attribute", _LIBRARY),
    "sys._getframe": ("attribute", _LIBRARY),
    "sys._getframemodulename": ("attribute", _LIBRARY),
    "code.__new__": ("attribute", _LIBRARY),
    "function.__new__": ("attribute", _LIBRARY),
    "sys._current_frames": ("attribute", _NEVER),
    "sys._current_exceptions": ("attribute", _NEVER),
    "sys.addaudithook": ("bridge", _NEVER),
    "sys.settrace": ("bridge", _NEVER),
    "sys.setprofile": ("bridge", _NEVER),
    "sys._settraceallthreads": ("bridge", _NEVER),
    "sys._setprofileallthreads": ("bridge", _NEVER),
    "exec": ("builtin", _IMPORTING),
    "compile": ("builtin", _IMPORTING),
    "marshal.load": ("builtin", _IMPORTING),
    "marshal.loads": ("builtin", _IMPORTING),
    "builtins.input": ("builtin", _NEVER),
    "builtins.breakpoint": ("builtin", _NEVER),
    "open": ("filesystem", _READS),
    "os.system": ("bridge", _NEVER),
    "os.exec": ("bridge", _NEVER),
    "os.spawn": ("bridge", _NEVER),
    "os.posix_spawn": ("bridge", _NEVER),
    "os.fork": ("bridge", _NEVER),
    "os.forkpty": ("bridge", _NEVER),
    "os.kill": ("bridge", _NEVER),
    "os.killpg": ("bridge", _NEVER),
    "os.startfile": ("bridge", _NEVER),
}
# Any other event of these modules (the name before the first dot).
_MODULES = {
    "gc": ("attribute", _NEVER),
    "os": ("filesystem", _IMPORTING),
    "shutil": ("filesystem", _NEVER),
    "socket": ("network", _NEVER),
    "urllib": ("network", _NEVER),
    "http": ("network", _NEVER),
    "ftplib": ("network", _NEVER),
    "smtplib": ("network", _NEVER),
    "imaplib": ("network", _NEVER),
    "poplib": ("network", _NEVER),
    "nntplib": ("network", _NEVER),
    "telnetlib": ("network", _NEVER),
    "webbrowser": ("network", _NEVER),
    "subprocess": ("bridge", _NEVER),
    "pty": ("bridge", _NEVER),
    "ctypes": ("bridge", _NEVER),
    "cpython": ("bridge", _NEVER),
    "sqlite3": ("bridge", _NEVER),
    "winreg": ("bridge", _NEVER),
    "msvcrt": ("bridge", _NEVER),
    "_winapi": ("bridge", _NEVER),
    "fcntl": ("bridge", _NEVER),
    "resource": ("bridge", _NEVER),
    "syslog": ("bridge", _NEVER),
}
_WRITE_MODES = frozenset("wax+")


def _writes(args):
    """open()'s arguments (path, mode, flags) ask for more than reading."""
    mode = args[1] if len(args) > 1 else None
    if type(mode) is str:
        return not _WRITE_MODES.isdisjoint(mode)
    flags = args[2] if len(args) > 2 else 0
    return type(flags) is not int or flags & 3 != 0  # O_WRONLY | O_RDWR


def install(tripped, importing):
    """Install the hook for this interpreter's one run. `tripped(kind,
    detail)` ends the run as a violation (and raises, which aborts the
    audited operation); `importing()` says the guard is importing a vetted
    module."""
    busy = [False]

    def hook(event, args):
        if busy[0]:
            return
        rule = _EVENTS.get(event)
        if rule is None:
            rule = _MODULES.get(event.partition(".")[0])
            if rule is None:
                return
        if rule is _IGNORE:
            return
        if event == "object.__setattr__" and not (len(args) > 1 and type(args[1]) is str and args[1] == "__code__"):
            return
        kind, who = rule
        if event == "open" and args and type(args[0]) is str and not _writes(args) \
                and (args[0].startswith(_LIB_DIR) or args[0].rpartition("/")[2] in SCRIPT_FILES):
            # CPython's own traceback printer (an unraisable exception, a
            # generator that ignored GeneratorExit) reading the source lines
            # of the frames it prints: the standard library's and the
            # guard's public code, or the script's by its name, which no
            # file system has.
            return
        # The events the hook and the report cause themselves pass unseen.
        busy[0] = True
        try:
            # Frame 0 is this hook; the interpreter called it from C, so
            # frame 1 is the Python code that caused the event.
            try:
                frame = _getframe(1)
            except ValueError:
                return
            filename = frame.f_code.co_filename
            if type(filename) is not str or filename.startswith(_GUARD_DIR):
                return
            if filename in SCRIPT_FILES:
                whose = "the script's code"
            elif who == _LIBRARY or (who == _IMPORTING and importing()) or (who == _READS and not _writes(args)):
                return
            else:
                whose = "library code"
            tripped(kind, f"tripwire: {event} from {whose}, beneath the guard")
        finally:
            busy[0] = False

    _add(hook)
