# class: registration
# source: pyfence red team, issue 8 item 1 (metaclass behaviour inherited from a plain script class)
# goal: __call__ on a base of the metaclass of a metaclass returns a library class for a class statement
# expect: blocked
import random
class B:
    def __call__(cls, *a, **k):
        return random.Random
class MM(B, type):
    pass
try:
    class M(type, metaclass=MM):
        pass
    class X(metaclass=M):
        pass
    print("ESCAPED" if X is random.Random and X._randbelow else "")
except Exception as e:
    print(type(e).__name__)
