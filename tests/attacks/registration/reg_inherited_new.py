# class: registration
# source: pyfence red team, issue 8 item 1 (registration: metaclass __new__ inherited from a plain script base)
# goal: get a library class recorded as the script's own, then read its private members
# expect: blocked
import random
class Base:
    def __new__(mcls, name, bases, ns, **kw):
        return random.Random
class Meta(Base, type):
    pass
class X(metaclass=Meta):
    pass
try:
    f = X._randbelow
    print("ESCAPED" if X is random.Random and f is not None else "")
except Exception as e:
    print(type(e).__name__)
