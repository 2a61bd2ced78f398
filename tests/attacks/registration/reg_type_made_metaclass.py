# class: registration
# source: pyfence red team, issue 8 item 1 (a registered "script class" that is a type()-made metaclass)
# goal: a metaclass made with type() (unchecked dunders) recorded as the script's via an inherited __new__
# expect: blocked
import random
M2 = type("M2", (type,), {"__call__": lambda cls, *a: random.Random})
class Base:
    def __new__(mcls, name, bases, ns, **kw):
        return M2
class Meta(Base, type):
    pass
class FakeMeta(metaclass=Meta):
    pass
class Y(metaclass=FakeMeta):
    pass
try:
    r = Y()
    print("ESCAPED" if type(r) is type and r is random.Random and r._randbelow else "")
except Exception as e:
    print(type(e).__name__)
