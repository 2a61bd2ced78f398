"""GuardConfig (src/capabilities/guard_config.ts) read from JSON, strictly:
a missing or mistyped key is an error, never a default. The import
decision lives here, once."""

import base64
import json
import re

# Never importable, whatever a policy says: the bridges into JavaScript and
# the guard itself.
ALWAYS_DENIED = frozenset({
    "js", "pyodide", "pyodide_js", "_pyodide", "_pyodide_core", "micropip",
    "pyfence_guard",
})

# The package of modules the guard provides to every script.
GUARD_PACKAGE = "pyfence"
GUARD_MODULES = frozenset({"pyfence", "pyfence.web", "pyfence.host"})
# Modules the guard answers with a stand-in of its own when the policy allows
# them (sysmod.py): the real module is never the script's, nor any submodule.
STAND_INS = frozenset({"sys"})


class ConfigError(Exception):
    """The host sent a configuration the guard cannot use."""


def _get(raw, key, kind, where):
    if not isinstance(raw, dict) or key not in raw:
        raise ConfigError(f"missing key {where}{key}")
    value = raw[key]
    if kind is int and type(value) is not int or kind is not int and not isinstance(value, kind):
        raise ConfigError(f"{where}{key} must be {getattr(kind, '__name__', kind)}")
    return value


def _strings(raw, key, where):
    value = _get(raw, key, list, where)
    if not all(type(v) is str for v in value):
        raise ConfigError(f"{where}{key} must be a list of strings")
    return frozenset(value)


class Config:
    __slots__ = (
        "allow", "deny", "members", "builtins_deny", "builtins_restrict",
        "dynamic_code", "files", "network", "storage", "recursion",
        "output_bytes", "code_bytes", "terminate", "static_check", "caps", "file_names",
        "writable", "write_bytes", "write_files", "inputs", "import_probe",
        "host_functions", "host_calls", "host_call_bytes", "stream_output", "session",
    )

    def __init__(self, raw):
        modules = _get(raw, "modules", dict, "")
        self.allow = _strings(modules, "allow", "modules.")
        self.deny = _strings(modules, "deny", "modules.") | ALWAYS_DENIED
        self.members = {}
        for name, rule in _get(modules, "members", dict, "modules.").items():
            allow = rule.get("allow") if isinstance(rule, dict) else None
            self.members[name] = (
                None if allow is None else _strings(rule, "allow", f"modules.members.{name}."),
                _strings(rule, "deny", f"modules.members.{name}.") if "deny" in rule else frozenset(),
            )
        b = _get(raw, "builtins", dict, "")
        self.builtins_deny = _strings(b, "deny", "builtins.")
        self.builtins_restrict = _strings(b, "restrict", "builtins.")
        self.dynamic_code = _get(raw, "dynamic_code", str, "")
        if self.dynamic_code not in ("deny", "guarded"):
            raise ConfigError("dynamic_code must be deny or guarded")
        self.files = {name: _file_bytes(name, f) for name, f in _get(raw, "files", dict, "").items()}
        self.writable = _get(raw, "writable", bool, "")
        self.inputs = _get(raw, "inputs", dict, "")
        network = _get(raw, "network", dict, "")
        origin = network.get("origin", ...)
        if origin is ... or not (origin is None or type(origin) is str):
            raise ConfigError("network.origin must be a string or null")
        self.network = {
            "origin": origin,
            "same_origin": _get(network, "same_origin", bool, "network."),
            "cors": _strings(network, "cors", "network."),
            "websocket": _get(network, "websocket", bool, "network."),
        }
        self.storage = _get(raw, "storage", bool, "")
        self.host_functions = tuple(sorted(_strings(raw, "host_functions", "")))
        self.stream_output = _get(raw, "stream_output", bool, "")
        self.session = _get(raw, "session", bool, "")
        limits = _get(raw, "limits", dict, "")
        self.recursion = _get(limits, "recursion", int, "limits.")
        self.output_bytes = _get(limits, "output_bytes", int, "limits.")
        self.code_bytes = _get(limits, "code_bytes", int, "limits.")
        self.write_bytes = _get(limits, "write_bytes", int, "limits.")
        self.write_files = _get(limits, "write_files", int, "limits.")
        self.host_calls = _get(limits, "host_calls", int, "limits.")
        self.host_call_bytes = _get(limits, "host_call_bytes", int, "limits.")
        on_violation = _get(raw, "on_violation", str, "")
        if on_violation not in ("terminate", "raise"):
            raise ConfigError("on_violation must be terminate or raise")
        self.terminate = on_violation == "terminate"
        imports = _get(raw, "imports", str, "")
        if imports not in ("violation", "probe"):
            raise ConfigError("imports must be violation or probe")
        self.import_probe = imports == "probe"
        self.static_check = _get(raw, "static_check", bool, "")
        caps = _get(raw, "caps", dict, "")
        self.caps = {k: _get(caps, k, int, "caps.") for k in (
            "chunk_bytes", "detail_bytes", "message_bytes", "traceback_bytes", "findings", "violations",
            "value_bytes", "value_depth", "path_bytes", "operations",
            "host_data_bytes", "host_data_depth", "host_calls_in_flight")}
        # The host's rule for file names (src/capabilities/file_names.ts), used as sent.
        rules = _get(raw, "file_names", list, "")
        if not rules:
            raise ConfigError("file_names must list the host's file name rules")
        self.file_names = tuple(
            (re.compile(_get(r, "pattern", str, "file_names[].")), _get(r, "problem", str, "file_names[]."))
            for r in rules
        )

    def import_refusal(self, name):
        """Why the script may not import `name`, or None when it may: the
        name or a parent is allowed, and neither it nor a parent is denied
        or private. The guard's own package is always importable."""
        if type(name) is not str:
            return "not a module name"
        parts = name.split(".")
        if parts[0] == GUARD_PACKAGE:
            return None if name in GUARD_MODULES else "no such module in the pyfence package"
        if any(not p or p[0] == "_" for p in parts):
            return "private modules are not importable"
        prefixes = [".".join(parts[: i + 1]) for i in range(len(parts))]
        if any(p in self.deny for p in prefixes):
            return "denied by the policy"
        if not any(p in self.allow for p in prefixes):
            return "not in the policy's allow-list"
        if parts[0] in STAND_INS and len(parts) > 1:
            return f"the guard's {parts[0]} has no submodules"
        for i in range(1, len(parts)):
            # A package's member rule also decides its submodules.
            if not self.member_visible(prefixes[i - 1], parts[i]):
                return f"'{parts[i]}' is not among the members of '{prefixes[i - 1]}' the policy allows"
        return None

    def file_name_problem(self, name):
        """What is wrong with `name` as a virtual file name, or None: the
        same rule, in the same order, as the host's."""
        for pattern, problem in self.file_names:
            if pattern.search(name):
                return problem
        return None

    def member_visible(self, module_name, member):
        rule = self.members.get(module_name)
        if rule is None:
            return True
        allow, deny = rule
        if allow is not None and member not in allow:
            return False
        return member not in deny


def _file_bytes(name, f):
    if isinstance(f, dict) and type(f.get("text")) is str:
        return f["text"].encode("utf-8", "surrogatepass")
    if isinstance(f, dict) and type(f.get("base64")) is str:
        return base64.b64decode(f["base64"])
    raise ConfigError(f"files[{name!r}] must have text or base64")


def load(config_json):
    if type(config_json) is not str:
        raise ConfigError("the configuration must be a JSON string")
    return Config(json.loads(config_json))
