# class: registration
# source: pyfence red team, issue 8 item 1 (registration decided on what the statement returns)
# goal: a base's __init_subclass__ and a metaclass __init__ try to get a library class recorded
# expect: blocked
import random
class Base:
    def __init_subclass__(cls, **kw):
        cls.peer = random.Random
class M(type):
    def __init__(cls, name, bases, ns, **kw):
        cls.other = random.Random
class X(Base, metaclass=M):
    pass
try:
    f = X.peer._randbelow
    print("ESCAPED" if f else "")
except Exception as e:
    print(type(e).__name__)
