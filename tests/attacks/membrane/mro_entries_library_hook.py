# class: introspection
# source: pyfence red team of the membrane (issue 15): the fast path for writes to self trusts classes that are the script's through and through
# goal: a base from __mro_entries__ puts a library class with a forwarding __setattr__ (a typing alias) under a class statement of the script's, whose method then writes to self as if the class were plain
# policy: compute
# expect: blocked
import fractions
import typing


class Entry:
    def __mro_entries__(self, bases):
        return (type(typing.List[int]),)


class C(Entry(), _root=True):
    def set(self, value):
        self.x = value
        return self


try:
    c = C(fractions.Fraction, ())
    c.set(1)
    c.set(2)
except Exception as e:
    print(type(e).__name__)
print("ESCAPED" if getattr(fractions.Fraction, "x", None) in (1, 2) else "safe")
