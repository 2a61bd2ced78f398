# class: library
# source: pyfence issue 15 item 2 (get_type_hints copies a module's globals to add type parameters; the copy passed an identity test)
# goal: "sys" evaluated in a copy of typing's globals, reached through __wrapped__
# policy: compute
# expect: blocked
import typing


def f[T](x: "sys"):
    pass


f.__wrapped__ = typing.get_type_hints
try:
    got = typing.get_type_hints(f)["x"]
except Exception as e:
    got = None
print("ESCAPED" if hasattr(got, "modules") else "safe")
