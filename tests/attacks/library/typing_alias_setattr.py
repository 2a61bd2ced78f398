# class: library
# source: pyfence red team, round 2 audit (a library __setattr__ forwards writes)
# goal: write to a library class through a typing alias of it
# policy: compute
# expect: blocked
import typing, collections
try:
    typing.ChainMap[int, int].pf_marker = "patched"
except Exception as e:
    print(type(e).__name__)
print("ESCAPED" if getattr(collections.ChainMap, "pf_marker", None) else "safe")
