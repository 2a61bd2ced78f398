# class: library
# source: pyfence red team, round 2 review (get_type_hints follows __wrapped__ to a library function's globals)
# goal: an ordinary-looking functools.wraps over a library function, then a string annotation that names a module bound in that function's namespace
# policy: compute
# expect: blocked
import functools, json, typing


@functools.wraps(json.dumps)
def dumps(obj, *, codec: "codecs" = None):
    return json.dumps(obj)


try:
    got = typing.get_type_hints(dumps)["codec"]
except Exception:
    got = None
print("ESCAPED" if type(got).__name__ == "module" else "safe")
