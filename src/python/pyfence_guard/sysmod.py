"""The `sys` a script imports when its policy allows `sys`: a stand-in that
holds the script's own output streams and a few constants, never the real
module (which holds the module table, the import machinery, frames and
the recursion limit). config.STAND_INS keeps the real one and its
submodules out of the script's reach."""

import sys
import types


def _exit(status=None):
    """Exit the script by raising SystemExit(status), as sys.exit does: 0 or
    None is success, anything else an error."""
    raise SystemExit(status)


_exit.__name__ = _exit.__qualname__ = "exit"
_exit.__module__ = "sys"


def sys_module(stdout, stderr):
    """The stand-in for one run, around the run's capped streams."""
    module = types.ModuleType("sys", "pyfence's stand-in for sys: stdout, stderr, version_info, maxsize, exit.")
    module.stdout = stdout
    module.stderr = stderr
    module.version_info = sys.version_info
    module.maxsize = sys.maxsize
    module.exit = _exit
    return module
