"""The identity of a live object, without id().

id() raises the audit event `builtins.id` on every call, and the
tripwire's hook (tripwire.py) is then a Python call: the guard keys its
tables by identity on its hottest paths. object's own __hash__ is the
object's address, rotated: unique among live objects (the tables keep
their objects alive), and no __hash__ a script defined is asked."""

identity = object.__hash__
