# class: registration
# source: pyfence red team, issue 8 item 1 (membership by hash and ==, not identity)
# goal: a metaclass's metaclass collides with type's hash and answers == True
# expect: blocked
import random
MM = type("MM", (type,), {"__eq__": lambda a, b: True, "__hash__": lambda a: hash(type)})
Evil = MM("Evil", (type,), {"__call__": lambda *a, **k: random.Random})
try:
    class X(metaclass=Evil):
        pass
    r = X._randbelow
    print("ESCAPED" if X is random.Random else "")
except Exception as e:
    print(type(e).__name__)
