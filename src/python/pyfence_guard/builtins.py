"""The restricted builtins dict the script runs with."""

import builtins as _real
import sys
import types

from .attrs import instance_dict
from .errors import SCRIPT_FILENAME, ImportBlockedError, SecurityError
from .names import NEVER_BUILTINS, READ_DUNDERS, is_dunder, match_attr_problem
from . import transform

_SAFE = (
    "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "bytearray",
    "bytes", "callable", "chr", "classmethod", "complex", "dict", "divmod",
    "enumerate", "filter", "float", "format", "frozenset", "hash", "hex", "id",
    "int", "isinstance", "issubclass", "iter", "len", "list", "map", "max",
    "memoryview", "min", "next", "object", "oct", "ord", "pow", "print",
    "property", "range", "repr", "reversed", "round", "set", "slice", "sorted",
    "staticmethod", "str", "sum", "super", "tuple", "type", "zip",
    "NotImplemented", "Ellipsis", "None", "True", "False",
)
_type_mro = type.__dict__["__mro__"].__get__
_type_dict = type.__dict__["__dict__"].__get__


def _exceptions():
    out = {}
    for name in dir(_real):
        v = getattr(_real, name)
        if isinstance(v, type) and issubclass(v, BaseException):
            out[name] = v
    return out


def _library_metaclasses():
    out = [type, object]
    for modname, attr in (("abc", "ABCMeta"), ("enum", "EnumType")):
        mod = sys.modules.get(modname)
        if mod is not None and isinstance(getattr(mod, attr, None), type):
            out.append(getattr(mod, attr))
    return out


class CompiledCode:
    """What compile() returns: an opaque handle for exec/eval."""

    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create code handles")

    def __init_subclass__(cls, **kwargs):
        raise TypeError("cannot subclass code handles")

    def __repr__(self):
        return "<code object at <script>>"


def make_builtins(run, guard, importer, open_):
    config = run.config
    d = {name: getattr(_real, name) for name in _SAFE}
    d.update(_exceptions())
    d["SecurityError"] = SecurityError
    d["ImportBlockedError"] = ImportBlockedError

    def script_frame():
        f = sys._getframe(2)
        return f if f.f_code.co_filename == SCRIPT_FILENAME else None

    def public(mapping):
        return {k: v for k, v in mapping.items() if not (type(k) is str and k.startswith("_"))}

    def globals_():
        return public(run.script_globals)

    def locals_():
        f = script_frame()
        return public(dict(f.f_locals)) if f is not None else {}

    _missing = object()

    def vars_(obj=_missing):
        if obj is _missing:
            f = script_frame()
            return public(dict(f.f_locals)) if f is not None else {}
        if not guard.script_owned(obj) or type(obj) is types.FunctionType:
            run.violation("builtin", f"vars() of a {type(obj).__name__} object is not allowed")
        if isinstance(obj, type):
            ns = _type_dict(obj)
        else:
            ns = instance_dict(obj, _type_mro(type(obj)))
            if ns is None:
                raise TypeError("vars() argument must have __dict__ attribute")
        return {k: v for k, v in ns.items() if not (is_dunder(k) and k not in READ_DUNDERS)}

    def dir_(obj=_missing):
        if obj is _missing:
            f = script_frame()
            return sorted(public(dict(f.f_locals))) if f is not None else []
        return sorted(n for n in dir(obj) if type(n) is str and guard.visible(obj, n))

    known_metaclasses = _library_metaclasses()
    real_build_class = _real.__build_class__

    def build_class(func, name, *bases, **kwargs):
        meta = kwargs.get("metaclass", type)
        if not isinstance(meta, type):
            run.violation("builtin", "a metaclass must be a class")
        for b in bases:
            if isinstance(b, type):
                m = type(b)
                if not issubclass(meta, m):
                    meta = m
        # Only metaclasses whose __new__/__call__ really create a class: the
        # result is then new, and may be recorded as the script's own.
        for c in _type_mro(meta):
            if c not in known_metaclasses and not run.is_script_class(c):
                run.violation("builtin", f"metaclass '{c.__name__}' is not allowed")
        cls = real_build_class(func, name, *bases, **kwargs)
        if not isinstance(cls, type):
            return cls
        ns = _type_dict(cls)
        if issubclass(cls, type) and ("__new__" in ns or "__call__" in ns):
            run.violation("builtin", "a metaclass may not define __new__ or __call__")
        run.add_script_class(cls)
        return cls

    def denied(name):
        def stub(*args, **kwargs):
            run.violation("builtin", f"{name}() is not allowed")
        stub.__name__ = stub.__qualname__ = name
        return stub

    # compile() handles -> checked code objects, by identity.
    compiled = {}
    handles = []

    def compile_checked(source, mode):
        if isinstance(source, CompiledCode):
            return compiled[id(source)]
        if isinstance(source, (bytes, bytearray)):
            source = bytes(source).decode("utf-8")
        if not isinstance(source, str):
            raise TypeError("source must be a string")
        source = str.__str__(source)
        tree = transform.parse(source, config.code_bytes, mode)
        findings = transform.check_tree(tree, config)
        if findings:
            f = findings[0]
            run.violation("import" if f.kind == "import" else "builtin", f"dynamic code: {f.detail}",
                          ImportBlockedError if f.kind == "import" else SecurityError)
        return compile(transform.rewrite(tree), SCRIPT_FILENAME, mode, dont_inherit=True)

    def run_in(code, globals, locals):
        # The code runs in private copies: the script holds the dicts it
        # passed and could otherwise swap the guard's helper names in them.
        if globals is None:
            f = script_frame()
            g = run.script_globals if f is None or f.f_globals is run.script_globals else None
            if g is None:
                raise SecurityError("exec/eval outside the script's scope")
            globals, own = g, True
        else:
            own = False
        if not isinstance(globals, dict) or (locals is not None and not isinstance(locals, dict)):
            raise TypeError("globals and locals must be dicts")
        g2 = globals if own else dict(globals)
        g2["__builtins__"] = d
        l2 = dict(locals) if locals is not None else None
        try:
            return code(g2, l2)
        finally:
            if not own:
                for k, v in g2.items():
                    if not (type(k) is str and is_dunder(k)):
                        globals[k] = v
            if l2 is not None:
                locals.update(l2)

    def exec_(source, globals=None, locals=None):
        code = compile_checked(source, "exec")
        run_in(lambda g, l: exec(code, g, l), globals, locals)

    def eval_(source, globals=None, locals=None):
        code = compile_checked(source, "eval")
        return run_in(lambda g, l: eval(code, g, l), globals, locals)

    def compile_(source, filename="<string>", mode="exec", flags=0, dont_inherit=False, optimize=-1):
        if mode not in ("exec", "eval", "single") or flags:
            raise ValueError("compile(): only plain exec/eval/single mode")
        code = compile_checked(source, "exec" if mode == "single" else mode)
        handle = object.__new__(CompiledCode)
        compiled[id(handle)] = code
        handles.append(handle)
        return handle

    def match_class(cls, subject, top, npos, kwd):
        if not isinstance(cls, type):
            raise TypeError("called match pattern must be a class")
        for c in _type_mro(type(cls)):
            if c is not type and c is not object and not run.is_script_class(c):
                run.violation("attribute", f"class pattern on a class with metaclass '{type(cls).__name__}'")
        names = list(kwd)
        if npos:
            margs = None
            for c in _type_mro(cls):
                ns = _type_dict(c)
                if "__match_args__" in ns:
                    margs = ns["__match_args__"]
                    break
            if margs is not None:
                if type(margs) is not tuple:
                    raise TypeError(f"{cls.__name__}.__match_args__ must be a tuple")
                names += [n for n in margs[:npos] if type(n) is str]
        for n in names:
            if type(n) is str and match_attr_problem(n) and not (n.startswith("_") and guard.script_owned(cls)):
                run.violation("attribute", f"class pattern fetches '{n}'")
        if top and isinstance(subject, cls):
            for n in names:
                if type(n) is str:
                    try:
                        guard.ga(subject, n)
                    except AttributeError:
                        pass
        return cls

    dynamic_ok = config.dynamic_code == "guarded"
    for name, fn in (("exec", exec_), ("eval", eval_), ("compile", compile_)):
        d[name] = fn if dynamic_ok else denied(name)

    d.update(
        getattr=guard.getattr, hasattr=guard.hasattr, setattr=guard.setattr,
        delattr=guard.delattr, globals=globals_, locals=locals_, vars=vars_,
        dir=dir_, open=open_,
        __import__=importer.import_, __build_class__=build_class,
        __name__="builtins",
    )
    d[transform.GETATTR] = guard.ga
    d[transform.WRITE] = guard.write_check
    d[transform.WRITE_PUBLIC] = guard.write_public
    d[transform.MATCHCLS] = match_class
    d[transform.NAMESPACE] = types.SimpleNamespace
    for name in NEVER_BUILTINS | config.builtins_deny:
        d[name] = denied(name)
    return d
