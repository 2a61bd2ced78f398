# class: registration
# source: pyfence red team, issue 8 item 1 (registration: `in` on a list calls a script __eq__)
# goal: a metaclass whose own metaclass answers == True passes as a known metaclass
# expect: blocked
import random
MM = type("MM", (type,), {"__eq__": lambda a, b: True, "__hash__": lambda a: 0})
Evil = MM("Evil", (type,), {"__new__": lambda m, n, b, ns, **k: random.Random})
class X(metaclass=Evil):
    pass
try:
    f = X._randbelow
    print("ESCAPED" if X is random.Random else "")
except Exception as e:
    print(type(e).__name__)
