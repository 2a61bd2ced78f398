"""GuardConfig (src/guard_config.ts) read from JSON, with safe defaults."""

import base64
import json

_ALWAYS_DENIED = frozenset({
    "js", "pyodide", "pyodide_js", "_pyodide", "_pyodide_core", "micropip",
    "pyfence_guard",
})


class Config:
    __slots__ = (
        "allow", "deny", "members", "builtins_deny", "builtins_restrict",
        "dynamic_code", "files", "network", "storage", "recursion",
        "output_bytes", "code_bytes", "terminate", "static_check",
    )

    def __init__(self, raw):
        modules = raw.get("modules") or {}
        self.allow = frozenset(modules.get("allow") or ())
        self.deny = frozenset(modules.get("deny") or ()) | _ALWAYS_DENIED
        self.members = {
            k: (frozenset(v["allow"]) if v.get("allow") is not None else None,
                frozenset(v.get("deny") or ()))
            for k, v in (modules.get("members") or {}).items()
        }
        b = raw.get("builtins") or {}
        self.builtins_deny = frozenset(b.get("deny") or ())
        self.builtins_restrict = frozenset(b.get("restrict") or ("globals", "locals", "vars", "dir"))
        self.dynamic_code = raw.get("dynamic_code") or "deny"
        self.files = {name: _file_bytes(f) for name, f in (raw.get("files") or {}).items()}
        self.network = raw.get("network") or {"origin": None}
        self.storage = bool(raw.get("storage"))
        limits = raw.get("limits") or {}
        self.recursion = int(limits.get("recursion") or 1000)
        self.output_bytes = int(limits.get("output_bytes") or 1 << 20)
        self.code_bytes = int(limits.get("code_bytes") or 1 << 20)
        self.terminate = (raw.get("on_violation") or "terminate") != "raise"
        self.static_check = bool(raw.get("static_check"))

    def import_allowed(self, name):
        """Allowed when the name or a parent is allowed, and neither it nor a parent is denied."""
        parts = name.split(".")
        if not name or any(not p or p.startswith("_") for p in parts):
            return False
        prefixes = [".".join(parts[: i + 1]) for i in range(len(parts))]
        if any(p in self.deny for p in prefixes):
            return False
        return any(p in self.allow for p in prefixes)

    def member_visible(self, module_name, member):
        rule = self.members.get(module_name)
        if rule is None:
            return True
        allow, deny = rule
        if allow is not None and member not in allow:
            return False
        return member not in deny


def _file_bytes(f):
    if "text" in f:
        return f["text"].encode("utf-8")
    return base64.b64decode(f["base64"])


def load(config_json):
    return Config(json.loads(config_json) if config_json else {})
