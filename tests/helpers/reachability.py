# Walks public attributes (no leading underscore, not one of the names the
# guard checks by name) from every public member of each module in MODULES,
# breadth first to depth 3, and reports any value that is a frame, code
# object, traceback, cell, capsule, or a module reached from a non-module.
# A module's own members are not reported: they reach the script through the
# module proxy, which checks every value (datetime.datetime_CAPI, a capsule,
# is refused there).
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
print(json.dumps({"objects": objects, "findings": findings}))
