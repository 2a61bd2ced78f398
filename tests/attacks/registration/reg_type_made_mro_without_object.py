# class: registration
# source: pyfence guard-b red team (issue 15: metaclass mro allowed for the script's own metaclasses)
# goal: a type()-made metaclass gives a class an MRO without object, so the guard finds no __getattribute__ and lets a private read through
# expect: blocked
import collections
M = type("M", (type,), {"mro": lambda cls: (cls, collections.abc.Mapping)})
try:
    X = M("X", (), {})
    x = X()
    print("ESCAPED" if x._abc_impl is not None else "")
except Exception as e:
    print(type(e).__name__)
