# Run unguarded, in the interpreter state a run of POLICY starts from (its
# snapshot: the guard and the policy's modules loaded). Reports every import
# statement inside a public function (or method) of a module the policy lets
# the script reach, whose module is not loaded yet: under the guard, library
# code gets only modules loaded ahead of the run, so such a call would be
# refused. Output: {"functions": N, "missing": {"mod.func": ["module", ...]}}.
import ast
import json
import sys

missing = {}
functions = 0


def public(qualname):
    return all(not part.startswith("_") for part in qualname.split("."))


def visit(module_name, body, prefix):
    global functions
    for node in body:
        if isinstance(node, ast.ClassDef):
            visit(module_name, node.body, f"{prefix}{node.name}.")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qual = f"{prefix}{node.name}"
            if not public(qual):
                continue
            functions += 1
            # An import in an `except` handler is a fallback for one the
            # `try` made (random.seed: _sha2, else hashlib).
            fallback = {id(n) for h in ast.walk(node) if isinstance(h, ast.ExceptHandler)
                        for n in ast.walk(h)}
            for inner in ast.walk(node):
                if id(inner) in fallback:
                    continue
                if isinstance(inner, ast.Import):
                    names = [a.name for a in inner.names]
                elif isinstance(inner, ast.ImportFrom) and not inner.level and inner.module:
                    parent = sys.modules.get(inner.module)
                    names = [inner.module] + [f"{inner.module}.{a.name}" for a in inner.names
                                              if parent is None or not hasattr(parent, a.name)]
                else:
                    continue
                for n in names:
                    if n not in sys.modules:
                        missing.setdefault(f"{module_name}.{qual}", []).append(n)


for name, mod in sorted(sys.modules.items()):
    if name.split(".")[0] not in ALLOWED or not public(name):
        continue
    loader = getattr(mod, "__loader__", None)
    try:
        source = loader.get_source(name) if loader is not None else None
    except Exception:
        source = None
    if source:
        visit(name, ast.parse(source).body, "")

print(json.dumps({"functions": functions, "missing": {k: sorted(set(v)) for k, v in missing.items()}}))
