# class: library
# source: pyfence red team, round 2 review (get_type_hints follows __wrapped__ to a library function's globals)
# goal: the real os module, bound as random's private _os, named by a string annotation evaluated in random's namespace
# policy: compute
# expect: blocked
import random, typing


def f(x: "_os"):
    pass


f.__wrapped__ = random.Random.seed
try:
    got = typing.get_type_hints(f)["x"]
except Exception:
    got = None
print("ESCAPED" if type(got).__name__ == "module" else "safe")
