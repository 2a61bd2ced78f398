# class: library
# source: pyfence red team, round 2 audit (write decisions are cached per type)
# goal: patch a library class once the guard has seen, and allowed, a write to a script class of the same metaclass
# policy: compute
# expect: blocked
import abc, collections, json, textwrap


class Mine:
    pass


class MyBase(abc.ABC):
    pass


# Allowed writes: `type` and `abc.ABCMeta` now each have a cached decision.
Mine.pf_marker = "mine"
MyBase.pf_marker = "mine"
patched = 0
for target in (textwrap.TextWrapper, json.JSONEncoder, collections.ChainMap):
    try:
        target.pf_marker = "patched"
    except Exception:
        pass
    patched += getattr(target, "pf_marker", None) == "patched"
print("ESCAPED" if patched else "safe")
