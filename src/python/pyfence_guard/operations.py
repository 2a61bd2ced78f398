"""What the script did, for the host's audit trail (not for deciding
anything): an allowed import, a virtual file opened, a network request and
its verdict. Each is sent to the host as one capped message it validates
(src/protocol/operations.ts); past the per-run cap, one last notice says the
rest is not listed. Every field is cut or checked here so that the host never
receives what it would reject: a script must not be able to turn its own
audit record into a crash."""

import json
import re

from .caps import cut

_METHOD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}\Z")
# Operations reported so far, by run (keyed by identity: Run is the guard's own class).
_counts = {}


def operation(run, kind, target, method=None, verdict=None, status=None):
    """Report one operation of kind `kind` on `target` (a module, path or URL)."""
    caps = run.config.caps
    count = _counts.get(id(run), 0) + 1
    _counts[id(run)] = count
    limit = caps["operations"]
    if count > limit + 1:
        return
    message = {"op": kind, "target": cut(str.__str__(target), caps["detail_bytes"])}
    if count == limit + 1:
        message["target"] = f"more than {limit} operations; later ones are not listed"
        message["capped"] = True
    else:
        if type(method) is str and _METHOD.match(method):
            message["method"] = method
        if verdict in ("allowed", "refused", "failed", "limit"):
            message["verdict"] = verdict
        if type(status) is int and 100 <= status <= 999:
            message["status"] = status
    try:
        run._host.op(json.dumps(message))
    except Exception:
        pass
