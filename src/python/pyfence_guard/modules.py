"""Imports, through three doors, none of which asks who is calling:

- the script's import statements (rewritten into `Importer.script_import`)
  import what the policy allows and hand out filtered module proxies;
- `__import__` in the script's builtins is reached only by C code running
  on the script's frames (`datetime.strptime` importing `_strptime`); it
  hands out nothing (C code reads sys.modules itself) and loads nothing
  that was not loaded ahead;
- `builtins.__import__` itself, used by library code, returns only modules
  loaded ahead of the run (or while an allowed import is in progress).

The module table and the import machinery are captured once, at start-up."""

import builtins
import gc
import importlib
import sys
import types

from .caps import shown
from .config import STAND_INS
from .identity import identity
from .operations import operation


_real_import = builtins.__import__
_import_module = importlib.import_module
_gc_isenabled, _gc_enable, _gc_disable = gc.isenabled, gc.enable, gc.disable
_modules = sys.modules
_MODULE_DUNDERS = frozenset({"__name__", "__doc__", "__all__", "__version__"})
# Packages library code may import lazily during a run: codecs found by
# name (`"x".encode("idna")` imports encodings.idna). They grant nothing.
_LAZY_PACKAGES = ("encodings.",)
_module_dict = types.ModuleType.__dict__["__dict__"].__get__
_missing = object()


class ModuleProxy:
    """A module as the script sees it. The real module lives in the
    importer, keyed by the proxy's identity, so no attribute, slot or
    C-level lookup on the proxy can hand it out. The proxy's own dict
    holds the members already handed to the script (see
    Importer.member): the interpreter finds them there at the speed of a
    plain attribute, without a call into the guard."""

    __slots__ = ("__dict__",)

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create module proxies")

    def __init_subclass__(cls, **kwargs):
        raise TypeError("cannot subclass module proxies")

    def __getattr__(self, name):
        importer = _IMPORTERS[0]
        try:
            return importer.member(self, name)
        except (RecursionError, MemoryError) as e:
            importer.headroom()
            importer.failed(e, importer.member, self, name)

    def __setattr__(self, name, value):
        raise AttributeError("module attributes are read-only")

    def __delattr__(self, name):
        raise AttributeError("module attributes are read-only")

    def __dir__(self):
        return _IMPORTERS[0].visible_names(self)

    def __repr__(self):
        return f"<module '{_IMPORTERS[0].target(self).__name__}'>"


_proxy_dict = ModuleProxy.__dict__["__dict__"].__get__


def proxy_getattr(proxy, name):
    """getattr() of a proxy for the script's dunder and private reads: the
    module answers (its __name__, __doc__, __all__, __version__; any other
    is refused as private), never the proxy's class. Its __dict__ is the
    guard's cache, its __getattribute__ and __reduce_ex__ would read that
    cache or the class behind it."""
    if name[:1] == "_" and name != "__class__":
        return ModuleProxy.__getattr__(proxy, name)
    return getattr(proxy, name)


# The one importer of this run (execute() runs once per interpreter).
_IMPORTERS = []


def is_module(value):
    return issubclass(type(value), types.ModuleType)


class Importer:
    def __init__(self, run, guard_modules, replacements, registry):
        self._run = run
        self._config = run.config
        self._proxies = {}          # module name -> proxy
        self._targets = {}          # identity(proxy) -> module
        # Modules the guard itself provides (the `pyfence` package), by name.
        self._guard_modules = guard_modules
        # (module, member) -> safe stand-in; None hides the member.
        self._replacements = replacements
        self._registry = self.registry = registry
        # Set while an allowed import runs: that module's own imports are library code's.
        self._loading = 0
        # Modules already in the audit trail (once per module per run).
        self._audited = set()
        # The modules the script holds: imported (with their parent packages),
        # or read as an allowed submodule. Only these reach it as values
        # (membrane.py): a proxy, or their C functions.
        self.imported = set()
        # Called after each module the script's import loaded (library patches).
        self.after_load = None
        # The guard's headroom for a failing check (a C callable, see context.py).
        self.headroom = run.headroom
        _IMPORTERS[:] = [self]

    def target(self, proxy):
        return self._targets[identity(proxy)]

    def proxy(self, module):
        name = module.__name__
        p = self._proxies.get(name)
        if p is None:
            p = object.__new__(ModuleProxy)
            self._proxies[name] = p
            self._targets[identity(p)] = module
            # The interpreter reads `m.__doc__` itself; the class's own
            # docstring would answer before the importer is asked.
            doc = _module_dict(module).get("__doc__")
            _proxy_dict(p)["__doc__"] = doc if type(doc) is str else None
        return p

    def _vetted(self, do_import, *args):
        """Run an import the guard has decided on. Inside it, the module's
        own imports and generated code pass unchecked (see library_import
        and Dynamic), so no code of the script's may run meanwhile: the
        garbage collector, which runs a script object's __del__ wherever an
        allocation happens to trigger it, is off until the import returns."""
        collecting = _gc_isenabled()
        _gc_disable()
        self._loading += 1
        try:
            return do_import(*args)
        finally:
            self._loading -= 1
            if collecting:
                _gc_enable()
            if self.after_load is not None:
                # Modules a library imported lazily are instrumented too.
                self.after_load()

    def importing(self):
        return self._loading > 0

    def failed(self, exc, retry, *args):
        """A member read failed out of stack or memory: decided again, then the run ends."""
        self._run.fail_closed(exc, "attribute", retry, args)

    def allowed(self, name):
        """Whether a real module of this name may reach the script (as its
        proxy). Never one the guard stands in for: only the stand-in may."""
        return name not in STAND_INS and self._config.import_refusal(name) is None

    def _refuse(self, name, why, probe=False):
        self._run.import_violation(name if type(name) is str else shown(name), why, probe)

    def load(self, name):
        """Import `name` for the script (checked), return the module: the
        guard's own for its package and its stand-ins, else the real one."""
        why = self._config.import_refusal(name)
        if why is not None:
            self._refuse(name, why, probe=True)
        mod = self._guard_modules.get(name)
        if mod is None:
            mod = _modules.get(name)
            if mod is None:
                mod = self._vetted(_import_module, name)
            self._registry.refresh()
            if self.after_load is not None:
                self.after_load()
        if name not in self._audited:
            self._audited.add(name)
            operation(self._run, "import", name)
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            self.imported.add(".".join(parts[:i]))
        return mod

    def _module(self, name):
        return self._guard_modules.get(name) or _modules[name]

    def script_import(self, name, fromlist, level, bind_leaf):
        """An import statement of the script (`__pf_imp__`): `import a.b`
        binds the proxy of `a`; `import a.b as c` (bind_leaf) and
        `from a.b import x` get the proxy of `a.b`."""
        if type(name) is not str:
            raise TypeError("module name must be str")
        if level:
            self._refuse("." * level + name, "relative imports are not allowed")
        mod = self.load(name)
        if fromlist:
            for item in fromlist:
                sub = f"{name}.{item}"
                if not hasattr(mod, item) and self.allowed(sub) and sub not in _modules \
                        and sub not in self._guard_modules:
                    try:
                        self.load(sub)
                    except ModuleNotFoundError:
                        pass
            return self.proxy(mod)
        if bind_leaf:
            return self.proxy(mod)
        return self.proxy(self._module(name.partition(".")[0]))

    def from_item(self, proxy, item, module_name):
        """`from m import item`: a missing name is an ImportError, as in CPython."""
        try:
            return self.member(proxy, item)
        except AttributeError:
            raise ImportError(f"cannot import name '{item}' from '{module_name}'", name=module_name) from None

    def c_import(self, name, globals=None, locals=None, fromlist=(), level=0):
        """`__import__` of the script's builtins: only C code calls it (the
        script cannot spell it), and only for the import's side effect."""
        if type(name) is not str or level:
            self._refuse(name, "not an absolute module name")
        if name in _modules:
            return None
        if name.startswith(_LAZY_PACKAGES):
            self._vetted(_import_module, name)
            return None
        self._refuse(name, "C code imported a module that was not loaded ahead")

    def library_import(self, name, globals=None, locals=None, fromlist=(), level=0):
        """`builtins.__import__` for library code: modules loaded ahead only."""
        if self._loading:
            return _real_import(name, globals, locals, fromlist, level)
        absolute = name
        if level:
            package = globals.get("__package__") if type(globals) is dict else None
            if type(package) is not str or not package:
                raise ImportError("attempted relative import with no known parent package")
            base = package.rsplit(".", level - 1)[0] if level > 1 else package
            absolute = f"{base}.{name}" if name else base
        needed = [absolute] if absolute else []
        for item in fromlist or ():
            if type(item) is str and item != "*":
                needed.append(f"{absolute}.{item}")
        lazy = False
        for n in needed:
            if n in _modules:
                continue
            if n.startswith(_LAZY_PACKAGES):
                lazy = True
                continue
            if n != absolute:
                # `from m import x`: x is an attribute of m, not a module to load.
                parent = _modules.get(absolute)
                if parent is not None and n.rpartition(".")[2] in _module_dict(parent):
                    continue
            self._refuse(n, "library code imported a module that was not loaded ahead")
        if not lazy:
            return _real_import(name, globals, locals, fromlist, level)
        return self._vetted(_real_import, name, globals, locals, fromlist, level)

    def member(self, proxy, name):
        if type(name) is not str:
            raise AttributeError(name)
        mod = self._targets.get(identity(proxy))
        if mod is None:
            raise AttributeError(name)
        modname = mod.__name__
        if name[:1] == "_" and name not in _MODULE_DUNDERS:
            self._run.violation("attribute", f"'{modname}.{name}' is private")
        if not self._config.member_visible(modname, name):
            self._run.violation("attribute", f"'{modname}.{name}' is not allowed by policy")
        key = (modname, name)
        if key in self._replacements:
            stand_in = self._replacements[key]
            if stand_in is None:
                self._run.violation("attribute", f"'{modname}.{name}' is not available")
            return self._remember(proxy, name, stand_in)
        try:
            value = getattr(mod, name)
        except AttributeError:
            # Never AttributeError for a loaded submodule: `from m import x`
            # would then fetch sys.modules['m.x'] itself, unfiltered.
            if f"{modname}.{name}" in _modules:
                self._run.violation("attribute", f"'{modname}.{name}' is hidden")
            raise AttributeError(f"module '{modname}' has no attribute '{name}'") from None
        if is_module(value):
            if self._submodule(modname, name, value):
                self.imported.add(value.__name__)
                return self._remember(proxy, name, self.proxy(value))
            self._run.violation("attribute", f"'{modname}.{name}' is a module the script may not import")
        out = self._run.guard.checked(value, name)
        # (Only from a plain module's dict: a module class's descriptor may
        # answer differently each time.)
        if out is value and name[:1] != "_" and type(mod) is types.ModuleType \
                and _module_dict(mod).get(name, _missing) is value:
            self._remember(proxy, name, value)
        return out

    @staticmethod
    def _remember(proxy, name, value):
        """`proxy.name` answers `value` from now on, without asking again: a
        public member that passed as itself, a stand-in, a submodule's proxy.
        What the module's dict holds later never reaches the script through
        this name (a member library code rebinds keeps its first value; one
        swapped for something dangerous is never seen)."""
        if name[:1] != "_":
            _proxy_dict(proxy)[name] = value
        return value

    def _submodule(self, modname, name, value):
        """`value`, read as `modname.name`, is that loaded submodule itself (not
        another module bound to the name, such as re.enum) and the policy
        lets the script import it: `import collections` then
        `collections.abc` reads what `import collections.abc` would give
        (the guard's own package, `pyfence.web`, is not in sys.modules)."""
        sub = f"{modname}.{name}"
        if value.__name__ != sub:
            return False
        known = self._guard_modules.get(sub)
        if known is None:
            known = _modules.get(sub)
        return known is value and self.allowed(sub)

    def visible_names(self, proxy):
        mod = self._targets[identity(proxy)]
        out = []
        for name in dir(mod):
            if name[:1] == "_" or not self._config.member_visible(mod.__name__, name):
                continue
            value = getattr(mod, name, None)
            if is_module(value) and not self._submodule(mod.__name__, name, value):
                continue
            out.append(name)
        return out


def hide_host_modules(always_denied):
    """Drop JS-bridge and guard modules from sys.modules before the script
    runs. Import machinery cannot re-find `js`/`pyodide_js` once they are
    unregistered on the JS side, and the library import door refuses what
    is not loaded; the guard keeps its own references."""
    for name in list(_modules):
        top = name.partition(".")[0]
        if top in always_denied or top.startswith("_pyodide"):
            del _modules[name]


