# class: registration
# source: pyfence red team, issue 8 item 1 (a vetted metaclass changed afterwards)
# goal: give a script metaclass __new__ after it was created, then use it
# expect: blocked
import random
class M(type):
    pass
try:
    setattr(M, "__n" + "ew__", staticmethod(lambda *a, **k: random.Random))
    class X(metaclass=M):
        pass
    print("ESCAPED" if X._randbelow else "")
except Exception as e:
    print(type(e).__name__)
