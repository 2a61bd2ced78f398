# class: introspection
# source: pyfence red team of the membrane (issue 15): the fast path for writes to self
# goal: a class made by calling a metaclass whose __eq__/__hash__ lie looks like a plain script class to the write fast path, so a write to self goes through a library __setattr__ (typing's alias forwards it to the class it stands for: a library class gets written)
# policy: compute
# expect: blocked
import fractions
import typing


class Plain:
    def set(self, value):
        self.x = value


Plain().set(1)
Plain().set(2)
Alias = type(typing.List[int])
Liar = type("Liar", (type,), {"__eq__": lambda a, b: True, "__hash__": lambda a: hash(Plain)})
X = Liar("X", (Alias,), {}, _root=True)
try:
    target = X(fractions.Fraction, ())
    Plain.set(target, 5)
except Exception as e:
    print(type(e).__name__)
print("ESCAPED" if getattr(fractions.Fraction, "x", None) == 5 else "safe")
