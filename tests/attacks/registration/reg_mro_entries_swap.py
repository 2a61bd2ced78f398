# class: registration
# source: pyfence red team, issue 8 item 1 (registration decided on the bases as written)
# goal: __mro_entries__ swaps in a base whose metaclass returns a library class
# expect: blocked
import random
MM = type("MM", (type,), {"__call__": lambda cls, *a, **k: random.Random if a and a[0] == "X" else type.__call__(cls, *a, **k)})
Evil = MM("Evil", (type,), {})
EvilBase = Evil("EvilBase", (), {})
class Swap:
    def __mro_entries__(self, bases):
        return (EvilBase,)
class X(Swap()):
    pass
try:
    f = X._randbelow
    print("ESCAPED" if X is random.Random else "")
except Exception as e:
    print(type(e).__name__)
