"""The runtime guard of one run, put together from its paths: every
attribute the script reads (reads.py), writes or deletes (writes.py), the
stand-ins for the descriptors the guard answers itself (standins.py), the
values that cross into script code (membrane.py, crossings.py,
library_returns.py), and who owns what (ownership.py, namespaces.py).

Decisions are made on facts: identity, the real type of an object, the
real dicts of classes walked in their real MROs. The guard never calls a
method the script may have defined while it decides (no isinstance() on
script objects, no ==, no `in` on lists, no hash of script objects).
Private names are denied unless the place Python would read them from is
provably the script's own namespace."""

import types

from .crossings import make_crossings
from .membrane import Membrane
from .namespaces import Denied, Namespaces
from .ownership import Ownership
from .reads import as_name, make_reads
from .standins import make_stand_ins
from .writes import make_writes

__all__ = ["Denied", "make_guard"]


def make_guard(run, importer, registry, formatting, script_facing_types=()):
    """Build the guard functions for one run; they close over `run`.
    `registry` knows the script's classes; `formatting` supplies the safe
    str.format stand-ins; `script_facing_types` are the guard's classes the
    script may hold instances of (module proxies, code handles, match
    pattern stand-ins)."""
    namespaces = Namespaces()
    own = Ownership(registry, namespaces)
    membrane = Membrane(run, importer, registry)
    membrane.formatting = formatting
    plain_write = {}

    def refuse(exc, retry=None, *args):
        """After a check raised (its caller has already given the guard stack
        headroom, run.headroom: this call needs a frame): Denied is a
        violation; anything else ends the run, as the violation `retry(*args)`
        finds on deciding again with the memory and stack kept back, else as
        that limit (context.py)."""
        run.check_failed(exc, "attribute", Denied, retry, args)

    guard = types.SimpleNamespace()
    stand_ins = make_stand_ins(own, membrane, guard)
    membrane.stand_ins = (stand_ins.getattribute, stand_ins.setattr)
    reads = make_reads(run, own, membrane, refuse, stand_ins)
    writes = make_writes(run, own, namespaces, refuse, plain_write)
    crossings = make_crossings(run, membrane, refuse)
    guard.__dict__.update(
        # reads
        ga=reads.ga, dunder_value=reads.dunder_value, slow=reads.slow, lookup=reads.lookup,
        checked=reads.checked, getattr=reads.getattr,
        hasattr=reads.hasattr, visible=reads.visible,
        # writes
        write_check=writes.write_check, write_public=writes.write_public, wrote=writes.wrote,
        setattr=writes.setattr, delattr=writes.delattr, set_fast_switch=writes.set_fast_switch,
        plain_write=plain_write, plain_self=writes.plain_self,
        # values crossing into script code
        membrane=membrane, crossings=crossings, refuse=refuse,
        # ownership
        owns=own.owns, owns_instance=own.owns_instance, owns_function=own.owns_function,
        private_ok=own.private_ok, instance_dict=namespaces.instance_dict, namespaces=namespaces,
        Denied=Denied, as_name=as_name,
    )
    for cls in script_facing_types:
        membrane.publish_type(cls)
    membrane.keep(guard)
    return guard
