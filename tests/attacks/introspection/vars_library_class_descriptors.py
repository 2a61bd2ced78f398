# class: introspection
# source: pyfence red team, round 2 (a library class's namespace hands out raw descriptors)
# goal: take object's __class__ descriptor and __setattr__ slot from vars(object) to swap classes and write private state
# policy: compute
# expect: blocked
import random, string
d = vars(object)
class X:
    pass
swapped = written = False
try:
    X.k = d["__class__"]
    x = X()
    x.k = string.Template
    swapped = type(x) is string.Template
except Exception:
    pass
try:
    r = random.Random()
    d["__setattr__"](r, "_x", 1)
    written = True
except Exception:
    pass
print("ESCAPED" if swapped or written else "")
