# class: library
# source: pyfence red team, round 2 review (the module check compared with the script's own !=)
# goal: enum.global_enum writes members into a real module named by a str subclass that says it is not unequal to '__main__'
# policy: compute
# expect: blocked
import enum


class Sneaky(str):
    def __ne__(self, other):
        return False

    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


E = enum.Enum("E", "pf_marker", module=Sneaky("json"))
try:
    enum.global_enum(E)
except Exception:
    pass
import json
print("ESCAPED" if getattr(json, "pf_marker", None) is not None else "safe")
