import json
from collections import ChainMap

DEFAULTS = json.loads('{"server": {"host": "localhost", "port": 8000}, "debug": false, "tags": ["base"]}')
USER = json.loads('{"server": {"port": 9000}, "tags": ["user"], "name": "demo"}')


def deep_merge(base, override):
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + value
        else:
            out[key] = value
    return out


merged = deep_merge(DEFAULTS, USER)
print(json.dumps(merged, sort_keys=True))
env = {"debug": True}
settings = ChainMap(env, merged)
print(settings["debug"], settings["server"]["port"], len(settings), sorted(settings))
print(json.dumps(merged, indent=2, sort_keys=True).splitlines()[1:4])
