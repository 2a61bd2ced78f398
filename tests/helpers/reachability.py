# Walks public attributes (no leading underscore, not one of the names the
# guard checks by name) from every public member of each module in MODULES,
# and from what each public callable returns when called with a few plain
# arguments, breadth first to depth 3, and reports any value that is a frame,
# code object, traceback, cell, capsule, or a module reached from a
# non-module. A module's own members are not reported: they reach the script
# through the module proxy, which checks every value (datetime.datetime_CAPI,
# a capsule, is refused there). What a call returns is also checked by the
# membrane when the call is library code's; this audit is the other layer,
# and covers C functions too.
import importlib
import json
import types

SLOW = {"format", "format_map", "obj", "name", "gi_frame", "gi_code", "cr_frame",
        "cr_code", "ag_frame", "ag_code", "f_back", "f_globals", "f_builtins",
        "f_locals", "f_code", "f_trace", "f_generator", "tb_frame", "tb_next",
        "func_globals", "func_code"}
BAD = (types.FrameType, types.CodeType, types.TracebackType, types.CellType,
       types.CapsuleType)

findings, seen, objects = [], set(), 0
queue = []
for m in MODULES:
    mod = importlib.import_module(m)
    for n in dir(mod):
        if not n.startswith("_"):
            try:
                queue.append((f"{m}.{n}", getattr(mod, n), 1))
            except Exception:
                pass
# Call results: each public callable with a few plain arguments (C and Python alike).
_ARGS = [(), ("x",), (1,), ("x", "y"), ([1, 2],), ({"a": 1},), (None,)]
calls = 0
for m in MODULES:
    mod = importlib.import_module(m)
    for n in dir(mod):
        if n.startswith("_"):
            continue
        try:
            fn = getattr(mod, n)
        except Exception:
            continue
        rule = MEMBERS.get(m, {})
        if not callable(fn) or f"{m}.{n}" in ("itertools.repeat", "itertools.cycle") \
                or ("allow" in rule and n not in rule["allow"]) or n in rule.get("deny", ()):
            continue
        for args in _ARGS:
            calls += 1
            try:
                r = fn(*args)
            except Exception:
                continue
            if isinstance(r, BAD) or isinstance(r, types.ModuleType):
                findings.append(f"{m}.{n}{args!r} returns {type(r).__name__}")
            else:
                queue.append((f"{m}.{n}{args!r}", r, 2))
while queue:
    path, value, depth = queue.pop(0)
    if id(value) in seen:
        continue
    seen.add(id(value))
    objects += 1
    if isinstance(value, BAD):
        if depth > 1:
            findings.append(f"{path}: {type(value).__name__}")
        continue
    if isinstance(value, types.ModuleType):
        continue  # reached from a module: answered by the module proxy
    if depth >= 3:
        continue
    for n in dir(value):
        if n.startswith("_") or n in SLOW:
            continue
        try:
            v = getattr(value, n)
        except Exception:
            continue
        if isinstance(v, types.ModuleType) and not isinstance(value, types.ModuleType):
            findings.append(f"{path}.{n}: module {v.__name__}")
            continue
        queue.append((f"{path}.{n}", v, depth + 1))
print(json.dumps({"objects": objects, "calls": calls, "findings": findings}))
