# class: library
# source: pyfence red team, round 2 review (get_type_hints follows __wrapped__ to a library function's globals)
# goal: a string annotation of a script function evaluated in json's real namespace, reached by setting __wrapped__ to json.dumps
# policy: compute
# expect: blocked
import json, typing


def f(x: "codecs"):
    pass


f.__wrapped__ = json.dumps
try:
    got = typing.get_type_hints(f)["x"]
except Exception:
    got = None
print("ESCAPED" if type(got).__name__ == "module" else "safe")
