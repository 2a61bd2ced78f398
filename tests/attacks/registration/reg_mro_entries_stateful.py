# class: registration
# source: pyfence red team, issue 8 item 1 (__mro_entries__ asked twice answers differently)
# goal: the guard sees a plain base, the class statement gets one whose metaclass returns a library class
# expect: blocked
import random
MM = type("MM", (type,), {"__call__": lambda cls, *a, **k: random.Random if a and a[0] == "X" else type.__call__(cls, *a, **k)})
Evil = MM("Evil", (type,), {})
EvilBase = Evil("EvilBase", (), {})
calls = []
class Swap:
    def __mro_entries__(self, bases):
        calls.append(1)
        return (object,) if len(calls) == 1 else (EvilBase,)
try:
    class X(Swap()):
        pass
    f = X._randbelow
    print("ESCAPED" if X is random.Random else "")
except Exception as e:
    print(type(e).__name__)
