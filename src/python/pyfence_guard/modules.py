"""Imports: the allow/deny decision and the filtered module proxies the script
gets instead of module objects (a module carries its whole namespace)."""

import builtins
import dis
import importlib
import sys
import types

from .errors import SCRIPT_FILENAME

_IMPORT_NAME = dis.opmap["IMPORT_NAME"]
_real_import = builtins.__import__


_MODULE_DUNDERS = frozenset({"__name__", "__doc__", "__all__", "__version__"})


class ModuleProxy:
    """A module as the script sees it. It stores nothing itself: the target
    lives in the importer, keyed by the proxy's identity, so no attribute,
    slot or C-level lookup on the proxy can hand out the real module."""

    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create module proxies")

    def __init_subclass__(cls, **kwargs):
        raise TypeError("cannot subclass module proxies")

    def __getattr__(self, name):
        return _IMPORTERS[0].member(self, name)

    def __setattr__(self, name, value):
        raise AttributeError("module attributes are read-only")

    def __delattr__(self, name):
        raise AttributeError("module attributes are read-only")

    def __dir__(self):
        return _IMPORTERS[0].visible_names(self)

    def __repr__(self):
        return f"<module '{_IMPORTERS[0].target(self).__name__}'>"


# The one importer of this run (execute() runs once per interpreter).
_IMPORTERS = []


class Importer:
    def __init__(self, run, guard_modules, replacements):
        self._run = run
        self._config = run.config
        self._proxies = {}          # module name -> proxy
        self._targets = {}          # id(proxy) -> module
        # Modules the guard itself provides (the `pyfence` package), by name.
        self._guard_modules = guard_modules
        # (module, member) -> safe stand-in (str.format-like attribute walkers).
        self._replacements = replacements
        _IMPORTERS[:] = [self]

    def target(self, proxy):
        return self._targets[id(proxy)]

    def proxy(self, module):
        name = module.__name__
        p = self._proxies.get(name)
        if p is None:
            p = object.__new__(ModuleProxy)
            self._proxies[name] = p
            self._targets[id(p)] = module
        return p

    def allowed(self, name):
        return name in self._guard_modules or self._config.import_allowed(name)

    def load(self, name):
        """Import `name` for the script (checked), return the real module."""
        if type(name) is not str or not self.allowed(name):
            self._run.import_violation(str.__str__(name) if isinstance(name, str) else repr(name))
        if name in self._guard_modules:
            mod = self._guard_modules[name]
        else:
            mod = importlib.import_module(name)
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            self._run.imported.add(".".join(parts[:i]))
        return mod

    def import_(self, name, globals=None, locals=None, fromlist=(), level=0):
        """The script's __import__. C code that imports a helper module of its
        own (datetime.strptime -> _strptime, unraisable-hook printing, ...)
        also finds this function, through the builtins of the script frame
        on top: only an IMPORT_NAME instruction of the script is the script
        asking. The function itself is never reachable from script code."""
        f = sys._getframe(1)
        if f.f_code.co_filename != SCRIPT_FILENAME or f.f_code.co_code[f.f_lasti] != _IMPORT_NAME:
            return _real_import(name, globals, locals, fromlist, level)
        if level:
            self._run.import_violation("." * level + str(name))
        mod = self.load(name)
        if not fromlist:
            top = name.partition(".")[0]
            return self.proxy(self._guard_modules.get(top) or sys.modules[top])
        for item in fromlist:
            if type(item) is not str or item.startswith("_"):
                self._run.violation("import", f"from {name} import {item!s}")
            sub = f"{name}.{item}"
            if not hasattr(mod, item) and self.allowed(sub):
                self.load(sub)
            elif isinstance(getattr(mod, item, None), types.ModuleType):
                self._run.imported.add(sub)
        return self.proxy(mod)

    def member(self, proxy, name):
        mod = self._targets.get(id(proxy))
        if mod is None or type(name) is not str:
            raise AttributeError(name)
        modname = mod.__name__
        if name.startswith("_") and name not in _MODULE_DUNDERS:
            self._run.violation("attribute", f"'{modname}.{name}' is private")
        if not self._config.member_visible(modname, name):
            self._run.violation("attribute", f"'{modname}.{name}' is not allowed by policy")
        try:
            value = getattr(mod, name)
        except AttributeError:
            # Never AttributeError for a loaded submodule: `from m import x`
            # would then fetch sys.modules['m.x'] itself, unfiltered.
            if f"{modname}.{name}" in sys.modules:
                self._run.violation("attribute", f"'{modname}.{name}' is hidden")
            raise AttributeError(f"module '{modname}' has no attribute '{name}'") from None
        if isinstance(value, types.ModuleType):
            sub = f"{modname}.{name}"
            if getattr(value, "__name__", None) == sub and sub in self._run.imported and self.allowed(sub):
                return self.proxy(value)
            self._run.violation("attribute", f"'{modname}.{name}' is a module the script did not import")
        key = (modname, name)
        if key in self._replacements:
            stand_in = self._replacements[key]
            if stand_in is None:
                self._run.violation("attribute", f"'{modname}.{name}' is not available")
            return stand_in
        return self._run.guard.checked(value, name)

    def visible_names(self, proxy):
        mod = self._targets[id(proxy)]
        out = []
        for name in dir(mod):
            if name.startswith("_") or not self._config.member_visible(mod.__name__, name):
                continue
            value = getattr(mod, name, None)
            if isinstance(value, types.ModuleType) and f"{mod.__name__}.{name}" not in self._run.imported:
                continue
            out.append(name)
        return out


def hide_host_modules():
    """Drop JS-bridge and guard modules from sys.modules before the script
    runs. Import machinery cannot re-find `js`/`pyodide_js` once they are
    unregistered on the JS side; the guard keeps its own references."""
    bad = ("js", "pyodide", "pyodide_js", "_pyodide", "_pyodide_core", "micropip", "pyfence_guard")
    for name in list(sys.modules):
        top = name.partition(".")[0]
        if top in bad or top.startswith("_pyodide"):
            del sys.modules[name]

