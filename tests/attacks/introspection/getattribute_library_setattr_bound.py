# class: introspection
# source: pyfence red team, round 2 review (the __getattribute__ stand-in skipped the stand-ins)
# goal: take a library's Python __setattr__ through a library object's own bound __getattribute__, install it on a script class, and let it write to a library class
# policy: compute
# expect: blocked
import collections, typing


class Forwarder:
    def __getattr__(self, name):
        return collections.ChainMap  # what the stolen __setattr__ reads as self.__origin__


Forwarder().x = 1  # the script class is known as plain before its __setattr__ changes
Forwarder.__setattr__ = typing.ChainMap[int, int].__getattribute__("__setattr__")
try:
    Forwarder().pf_marker = "patched"
except Exception:
    pass
print("ESCAPED" if getattr(collections.ChainMap, "pf_marker", None) else "safe")
