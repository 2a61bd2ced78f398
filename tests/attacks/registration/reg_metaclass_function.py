# class: registration
# source: pyfence red team, issue 8 item 1 (a metaclass that is not a class)
# goal: metaclass=<function> returns a library class from the class statement
# expect: blocked
import random
def meta(name, bases, ns):
    return random.Random
try:
    class X(metaclass=meta):
        pass
    print("ESCAPED" if X._randbelow else "")
except Exception as e:
    print(type(e).__name__)
