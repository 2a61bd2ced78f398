"""exec, eval and compile: the script's own (when the policy allows dynamic
code) and library code's (they replace the real builtins for the run), in
one implementation. Text is parsed, checked and rewritten like the script
and compiled as `<script>` (the script's dynamic code) or `<generated>`
(what a library generated from the script's data: dataclasses, namedtuple,
annotations). It runs with the script's builtins in a namespace that
belongs to the script: its own globals, or a fresh dict a library built,
never the namespace of a module."""

import ast
import builtins as _builtins
import sys
import types

from . import prologue, transform
from .errors import GENERATED_FILENAME, SCRIPT_FILENAME, ImportBlockedError, SecurityError
from .identity import identity
from .names import is_dunder

_real_compile = _builtins.compile
_real_exec = _builtins.exec
_real_eval = _builtins.eval
_modules = sys.modules
_module_dict = types.ModuleType.__dict__["__dict__"].__get__
# Flags that only parse (ast.parse): no code comes out.
_PARSE_ONLY = ast.PyCF_ONLY_AST
_PARSE_FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_TYPE_COMMENTS | getattr(ast, "PyCF_OPTIMIZED_AST", 0)


def _key_name(key):
    """A namespace key as a name for a message, without calling the key's
    own __str__ (it may be the script's object)."""
    return key if type(key) is str else "<a key that is not a str>"


class CompiledCode:
    """What the script's compile() returns: an opaque handle for exec/eval."""

    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create code handles")

    def __init_subclass__(cls, **kwargs):
        raise TypeError("cannot subclass code handles")

    def __repr__(self):
        return "<code object at <script>>"


class Dynamic:
    def __init__(self, run, script_builtins, script_globals, checked_value, importing, membrane):
        self._run = run
        # True while the guard imports a vetted module: the import machinery
        # compiles and runs that module's own (standard library) source.
        self._importing = importing
        self._config = run.config
        self._d = script_builtins
        self._g = script_globals
        self._checked = checked_value
        self._membrane = membrane
        self._codes = {}    # identity(code) -> code, for every code object compiled here
        self._handles = {}  # identity(handle) -> (handle, code), the script's compile() results

    def _refuse(self, detail, exc_type=SecurityError, kind="builtin"):
        self._run.violation(kind, detail, exc_type)

    def compile_text(self, source, mode, library):
        if type(source) is bytes or type(source) is bytearray:
            source = bytes(source).decode("utf-8")
        if not issubclass(type(source), str):
            raise TypeError("source must be a string")
        source = str.__str__(source)
        filename = GENERATED_FILENAME if library else SCRIPT_FILENAME
        tree = transform.parse(source, self._config.code_bytes, mode, filename)
        findings = transform.check_tree(tree, self._config, library=library)
        if findings:
            f = findings[0]
            what = "generated code" if library else "dynamic code"
            if f.kind == "import":
                self._refuse(f"{what}: {f.detail}", ImportBlockedError, "import")
            self._refuse(f"{what}: {f.detail}")
        named = prologue.free_names(tree) & getattr(self._run, "called_only", frozenset())
        if named:
            what = "generated code" if library else "dynamic code"
            self._refuse(f"{what} names the function '{min(named)}', which the script only ever calls")
        tree, flags = transform.rewrite(tree)
        prologue.add(tree, whole_script=False)
        code = _real_compile(tree, filename, mode, flags=flags, dont_inherit=True)
        self._codes[identity(code)] = code
        return code

    def _code(self, source, mode, library):
        if type(source) is types.CodeType:
            if self._codes.get(identity(source)) is source:
                return source
            self._refuse("exec/eval of a code object the guard did not compile")
        if type(source) is CompiledCode:
            entry = self._handles.get(identity(source))
            if entry is not None and entry[0] is source:
                return entry[1]
        return self.compile_text(source, mode, library)

    @staticmethod
    def is_module_dict(mapping):
        """`mapping` is the namespace of a loaded module (none is the script's
        to evaluate in)."""
        for m in list(_modules.values()):
            if issubclass(type(m), types.ModuleType) and _module_dict(m) is mapping:
                return True
        return False

    def _namespace(self, globals, locals):
        """The namespace library code asked for, if it may have it."""
        if globals is None:
            self._refuse("generated code without a namespace of its own")
        if type(globals) is not dict:
            raise TypeError("globals must be a dict")
        if globals is not self._g:
            if self.is_module_dict(globals):
                self._refuse("generated code in the namespace of a module")
            for key, value in list(globals.items()):
                if not (type(key) is str and key == "__builtins__"):
                    self._checked(value, _key_name(key))
            globals["__builtins__"] = self._d
        if locals is not None:
            if locals is not globals and self.is_module_dict(locals):
                self._refuse("generated code in the namespace of a module")
            # items(), not locals[key]: a lookup would hash the key, and a
            # key may be the script's object.
            for key, value in list(locals.items()):
                self._checked(value, _key_name(key))
        return globals, locals

    # Library code's exec/eval/compile (the real builtins, during the run).

    def library_exec(self, source, globals=None, locals=None, /, *, closure=None):
        if self._importing():
            return _real_exec(source, globals, locals, closure=closure)
        code = self._code(source, "exec", True)
        g, l = self._namespace(globals, locals)
        return _real_exec(code, g, l, closure=closure)

    def library_eval(self, source, /, globals=None, locals=None):
        if self._importing():
            return _real_eval(source, globals, locals)
        code = self._code(source, "eval", True)
        g, l = self._namespace(globals, locals)
        return _real_eval(code, g, l)

    def library_compile(self, source, filename, mode, flags=0, dont_inherit=False, optimize=-1, *,
                        _feature_version=-1):
        if self._importing() or flags & _PARSE_ONLY and not flags & ~_PARSE_FLAGS:
            # ast.parse: a tree, no code.
            return _real_compile(source, filename, mode, flags, dont_inherit, optimize,
                                 _feature_version=_feature_version)
        if flags or mode not in ("exec", "eval", "single") or issubclass(type(source), ast.AST):
            self._refuse("library code compiling with flags or from a tree")
        return self._code(source, "exec" if mode == "single" else mode, True)

    # The script's own exec/eval/compile (dynamic_code: guarded).

    def _run_script(self, fn, globals, locals):
        # Code runs in private copies of the dicts the script passes: it
        # holds them and could otherwise plant names the checked code uses.
        if globals is None:
            g, own = self._g, True
        elif type(globals) is not dict or (locals is not None and type(locals) is not dict):
            raise TypeError("globals and locals must be dicts")
        else:
            g = {k: v for k, v in globals.items() if not (type(k) is str and is_dunder(k))}
            g["__builtins__"] = self._d
            own = False
        # Locals are looked up first: the guard's helper names stay out of them too.
        l2 = None if locals is None else {k: v for k, v in locals.items() if not (type(k) is str and is_dunder(k))}
        try:
            return fn(g, l2)
        finally:
            if not own:
                for k, v in g.items():
                    if not (type(k) is str and is_dunder(k)):
                        globals[k] = v
            if l2 is not None:
                for k, v in l2.items():
                    if not (type(k) is str and is_dunder(k)):
                        locals[k] = v

    def script_exec(self, source, globals=None, locals=None):
        code = self._code(source, "exec", False)
        self._run_script(lambda g, l: _real_exec(code, g, l), globals, locals)

    def script_eval(self, source, globals=None, locals=None):
        code = self._code(source, "eval", False)
        return self._run_script(lambda g, l: _real_eval(code, g, l), globals, locals)

    def script_compile(self, source, filename="<string>", mode="exec", flags=0, dont_inherit=False, optimize=-1):
        if mode not in ("exec", "eval", "single") or flags:
            raise ValueError("compile(): only plain exec/eval/single mode")
        code = self._code(source, "exec" if mode == "single" else mode, False)
        handle = object.__new__(CompiledCode)
        self._handles[identity(handle)] = (handle, code)
        return handle
