"""What the script did, for the host's audit trail (not for deciding
anything): an allowed import, a virtual file read or written, a network
request or WebSocket opened and its verdict, storage access. Each is sent to
the host as one capped message it validates (src/protocol/operations.ts);
past the per-run cap, one last notice says the rest is not listed. Every
field is cut or checked here so that the host never receives what it would
reject: a script must not be able to turn its own audit record into a crash.

A record never decides anything, so it never raises: out of memory or stack,
it is lost and the run goes on to whatever it was doing. It runs no code
outside the guard (no json, no formatting of the script's objects), so it
can still be sent after a refusal armed termination (see context.py)."""

import re

from .caps import cut
from .identity import identity

_METHOD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}\Z")
_VERDICTS = ("allowed", "refused", "failed", "limit")
# Operations reported so far, by run (Run is the guard's own class).
_counts = {}


def operation(run, kind, target, method=None, verdict=None, status=None):
    """Report one operation of kind `kind` on `target` (a module, path, URL or key)."""
    try:
        _send(run, kind, target, method, verdict, status)
    except Exception:
        pass


def _send(run, kind, target, method, verdict, status):
    caps = run.config.caps
    key = identity(run)
    count = _counts.get(key, 0) + 1
    _counts[key] = count
    limit = caps["operations"]
    if count > limit + 1:
        return
    if count == limit + 1:
        run._host.op(kind, f"more than {limit} operations; later ones are not listed", None, None, None, True)
        return
    if type(method) is not str or not _METHOD.match(method):
        method = None
    if verdict not in _VERDICTS:
        verdict = None
    if type(status) is not int or not 100 <= status <= 999:
        status = None
    run._host.op(kind, cut(str.__str__(target), caps["detail_bytes"]), method, verdict, status, False)
