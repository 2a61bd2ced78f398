"""Library code is not trusted with the script's data.

For the run, the real builtins library code uses are replaced: its imports
get modules loaded ahead of the run only, its exec/eval/compile go through
the script's check and rewrite (dynamic.py), open() sees the script's
virtual files. The script's globals become `sys.modules['__main__']`, so
library code that picks `sys.modules[cls.__module__]` gets the script's
own namespace. And the library functions that take names, namespaces or
templates from the script (found by tests/library_audit_test.ts) are
replaced or wrapped here, each with the reason. The interpreter serves
one run, so changing them for the run is changing them for good."""

import builtins
import keyword
import sys
import types

from .caps import shown, type_name
from .context import entry
from .identity import identity
from .modules import ModuleProxy
from .names import SCRIPT_MODULE, is_dunder, is_script_module

_modules = sys.modules
_real_getattr = getattr
_real_setattr = setattr
_type_dict = type.__dict__["__dict__"].__get__
_REPLACED_BUILTINS = ("breakpoint", "input", "help", "exit", "quit", "copyright", "credits", "license")


def harden(run, guard, importer, dynamic, open_, denied_builtin, script_module):
    """Install everything for the run (call once, before the script)."""
    b = builtins.__dict__
    guarded = entry(run, "builtin")
    b["__import__"] = entry(run, "import")(importer.library_import)
    b["exec"] = guarded(dynamic.library_exec)
    b["eval"] = guarded(dynamic.library_eval)
    b["compile"] = guarded(dynamic.library_compile)
    b["open"] = open_
    for name in _REPLACED_BUILTINS:
        b[name] = denied_builtin(run, name)
    _modules[SCRIPT_MODULE] = script_module
    random = _modules.get("random")
    if random is not None:
        # The snapshot froze the generator's state: every run would draw the
        # same numbers. Fresh entropy from the worker's crypto source.
        random.seed()
    patch_loaded(run, guard, dynamic)


_patched = {}  # identity(module) -> module


def patch_loaded(run, guard, dynamic):
    """Patch the modules loaded so far (again after each import: idempotent)."""
    for module_name, patch in _PATCHES:
        mod = _modules.get(module_name)
        if mod is not None and _patched.get(identity(mod)) is not mod:
            for name, value in patch(mod, run, guard, dynamic):
                _install(mod, name, guard.membrane.publish(entry(run, "attribute")(value)))
            _patched[identity(mod)] = mod


def _install(mod, dotted, value):
    """Set module member or class attribute `dotted` ("f" or "Cls.f") of `mod`."""
    owner_name, _, name = dotted.rpartition(".")
    if owner_name:
        type.__setattr__(_real_getattr(mod, owner_name), name, value)
    else:
        _real_setattr(mod, name, value)


def _patch_collections(mod, run, guard, dynamic):
    """UserString.format/format_map call the real str.format (its attribute walk)."""
    formatting = run.formatting

    def format(self, /, *args, **kwds):
        return formatting.format_with(str.__str__(self.data), args, kwds)

    def format_map(self, mapping):
        return formatting.format_map_with(str.__str__(self.data), mapping)

    return [("UserString.format", format), ("UserString.format_map", format_map)]


def _patch_enum(mod, run, guard, dynamic):
    """global_enum writes an enum's members into sys.modules[cls.__module__]
    (any module, chosen by a class body or `module=`); _convert_ copies a
    module's globals into members and writes the class into it."""
    global_enum = mod.global_enum

    def module_of(cls):
        return type.__dict__["__module__"].__get__(cls)

    def checked_global_enum(cls, update_str=False):
        if not is_script_module(module_of(cls)):
            run.violation("attribute", f"enum.global_enum into module {shown(module_of(cls))}")
        return global_enum(cls, update_str)

    checked_global_enum.__doc__ = global_enum.__doc__
    # A method of the metaclass: `SomeEnum._convert_(...)` binds the class.
    convert = _type_dict(mod.EnumType)["_convert_"]

    def _convert_(cls, name, module, filter, source=None, *, boundary=None, as_global=False):
        if not is_script_module(module) or source is not None:
            run.violation("attribute", f"EnumType._convert_ from module {shown(module)}")
        return convert(cls, name, module, filter, source, boundary=boundary, as_global=as_global)

    return [("global_enum", checked_global_enum), ("EnumType._convert_", _convert_)]


def _patch_annotationlib(mod, run, guard, dynamic):
    """ForwardRef.evaluate picks its namespace from the reference's module,
    its owner's module or a function's __globals__, and looks names up in
    the real builtins: a ForwardRef is evaluated in the script's namespace
    only, as script code."""
    Format = mod.Format
    ForwardRef = mod.ForwardRef
    script_builtins = run.script_builtins
    script_globals = run.script_globals
    cell_type = types.CellType
    check = guard.membrane.check
    called_only = getattr(run, "called_only", frozenset())

    def _passing(ns, namespace):
        for name, value in list(namespace.items()):
            if type(name) is str and not is_dunder(name):
                try:
                    ns[name] = check(value)
                except guard.Denied:
                    pass

    def evaluate(self, *, globals=None, locals=None, type_params=None, owner=None, format=Format.VALUE):
        if format == Format.STRING:
            return self.__forward_arg__
        if format != Format.VALUE and format != Format.FORWARDREF:
            raise NotImplementedError(format)
        cell = self.__cell__
        if type(cell) is cell_type:
            try:
                return cell.cell_contents
            except ValueError:
                pass
        arg = self.__forward_arg__
        try:
            module = self.__forward_module__
            if module is not None and not is_script_module(module):
                raise NameError(f"cannot evaluate {arg!r} in module {module!r}")
            # Library code hands in namespaces it picked or built: a module's
            # globals (get_type_hints() follows __wrapped__ to a library
            # function), or a copy of them (type parameters are added to a
            # copy). Whatever its provenance, the text runs as script code in
            # the script's globals; a namespace handed in contributes only
            # the names whose values the script may hold.
            ns = {}
            if type(globals) is dict and globals is not script_globals:
                _passing(ns, globals)
            if owner is not None and issubclass(type(owner), type) and guard.owns(owner):
                ns.update(_type_dict(owner))
                params = _type_dict(owner).get("__type_params__", ())
                for p in params if type(params) is tuple else ():
                    ns.setdefault(p.__name__, p)
            for p in type_params or ():
                ns.setdefault(p.__name__, p)
            if type(cell) is dict:
                for name, c in cell.items():
                    if type(c) is cell_type:
                        try:
                            ns.setdefault(name, c.cell_contents)
                        except ValueError:
                            pass
            extra = self.__extra_names__
            if type(extra) is dict:
                ns.update(extra)
            if type(locals) is dict and locals is not script_globals:
                _passing(ns, locals)
            if type(arg) is not str:
                raise NameError("not a forward reference")
            if arg.isidentifier() and not keyword.iskeyword(arg):
                if is_dunder(arg) or arg in called_only:
                    # (A function the script only calls never becomes a value.)
                    raise NameError(f"name {arg!r} is not defined")
                for space in (ns, script_globals, script_builtins):
                    if arg in space:
                        return space[arg]
                raise NameError(f"name {arg!r} is not defined", name=arg)
            return dynamic.script_eval(arg, None, ns)
        except Exception:
            if format == Format.FORWARDREF:
                return self
            raise

    evaluate.__doc__ = ForwardRef.evaluate.__doc__
    return [("ForwardRef.evaluate", evaluate)]


def _patch_copy(mod, run, guard, dynamic):
    """copy._reconstruct applies a reduced object's state with real setattr,
    __dict__.update and __setstate__ to whatever the reduction's callable
    returned: a script's __reduce_ex__ can name an existing library object.
    State from a script object only lands on an object the script owns."""
    reconstruct = mod._reconstruct

    def _reconstruct(x, memo, func, args, state=None, listiter=None, dictiter=None, *, deepcopy=mod.deepcopy):
        if state is None or not guard.owns(x):
            return reconstruct(x, memo, func, args, state, listiter, dictiter, deepcopy=deepcopy)
        y = reconstruct(x, memo, func, args, None, listiter, dictiter, deepcopy=deepcopy)
        if not guard.owns(y):
            run.violation("attribute", f"copy: the state of a {type_name(type(x))} lands on a "
                                       f"{type_name(type(y))}, which the script does not own")
        if memo is not None:
            state = deepcopy(state, memo)
        if hasattr(y, "__setstate__"):
            y.__setstate__(state)
            return y
        if type(state) is tuple and len(state) == 2:
            state, slotstate = state
        else:
            slotstate = None
        if state is not None:
            guard.instance_dict(y, type.__dict__["__mro__"].__get__(type(y))).update(state)
        if slotstate is not None:
            for key, value in slotstate.items():
                guard.setattr(y, key, value)
        return y

    return [("_reconstruct", _reconstruct)]


def _patch_functools(mod, run, guard, dynamic):
    """update_wrapper reads and writes attributes by the names it is given,
    and copies a namespace: names other than its defaults go through the
    guard; a namespace it does not get from the script is copied only in
    its public part; library classes are not rewritten (their __module__
    is what namespace pickers read)."""
    defaults = frozenset(mod.WRAPPER_ASSIGNMENTS)

    def update_wrapper(wrapper, wrapped, assigned=mod.WRAPPER_ASSIGNMENTS, updated=mod.WRAPPER_UPDATES):
        wrapped_owned = guard.owns(wrapped)
        protected = issubclass(type(wrapper), type) and not guard.owns(wrapper)
        for attr in assigned:
            attr = guard.as_name(attr)
            if attr in defaults:
                if attr in ("__annotate__", "__type_params__") and not wrapped_owned:
                    continue
                try:
                    value = _real_getattr(wrapped, attr)
                except AttributeError:
                    continue
                if protected:
                    guard.write_check(wrapper, attr)
            else:
                try:
                    value = guard.getattr(wrapped, attr)
                except AttributeError:
                    continue
                guard.write_check(wrapper, attr)
            _real_setattr(wrapper, attr, value)
        for attr in updated:
            attr = guard.as_name(attr)
            if attr != "__dict__":
                guard.getattr(wrapper, attr).update(guard.getattr(wrapped, attr, {}))
                continue
            if protected:
                guard.write_check(wrapper, "__dict__")
            source = _real_getattr(wrapped, "__dict__", {})
            items = [(k, v) for k, v in source.items()
                     if wrapped_owned or (type(k) is str and k[:1] != "_")]
            _real_getattr(wrapper, "__dict__").update(items)
        if protected:
            guard.write_check(wrapper, "__wrapped__")
        wrapper.__wrapped__ = wrapped
        return wrapper

    update_wrapper.__doc__ = mod.update_wrapper.__doc__
    return [("update_wrapper", update_wrapper)]


def _patch_dataclasses(mod, run, guard, dynamic):
    """_is_type recognises `typing.ClassVar` in a string annotation by the
    module object the class's module binds to `typing`: the script binds a
    proxy. Same answer, with the proxy seen through (a bool comes back)."""
    pattern = mod._MODULE_IDENTIFIER_RE
    target = run.importer.target

    def _is_type(annotation, cls, a_module, a_type, is_type_predicate):
        match = pattern.match(annotation)
        if not match:
            return False
        module = _modules.get(type.__dict__["__module__"].__get__(cls))
        module_name = match.group(1)
        if not module_name:
            ns = _real_getattr(module, "__dict__", None)
        else:
            bound = _real_getattr(module, "__dict__", {}).get(module_name)
            if type(bound) is ModuleProxy:
                bound = target(bound)
            ns = _real_getattr(_modules.get(a_type.__module__), "__dict__", None) if bound is a_module else None
        return bool(ns) and is_type_predicate(ns.get(match.group(2)), a_module)

    # slots=True rebuilds the class: a new class from the script's own
    # class, through its (vetted) metaclass, is the script's too (classes.py).
    add_slots = mod._add_slots
    registry = run.importer.registry

    def _add_slots(cls, is_frozen, weakref_slot, defined_fields):
        new = add_slots(cls, is_frozen, weakref_slot, defined_fields)
        if new is not cls:
            registry.adopt(new, cls)
        return new

    # A field's name is read and written by name (replace(), asdict(),
    # astuple() use the real getattr): a computed dunder name would read
    # the interpreter's own attributes of the script's object.
    get_field = mod._get_field

    def _get_field(cls, a_name, *args, **kwargs):
        if type(a_name) is not str or is_dunder(a_name):
            run.violation("attribute", f"a dataclass field named {shown(a_name)}")
        return get_field(cls, a_name, *args, **kwargs)

    return [("_is_type", _is_type), ("_add_slots", _add_slots), ("_get_field", _get_field)]


# (module, patch): each runs once, when its module is loaded.
_PATCHES = (
    ("dataclasses", _patch_dataclasses),
    ("collections", _patch_collections),
    ("enum", _patch_enum),
    ("annotationlib", _patch_annotationlib),
    ("copy", _patch_copy),
    ("functools", _patch_functools),
)
