# class: introspection
# source: pyfence guard review
# goal: a script metaclass __new__ returns a library class so the guard records it as the script's
# expect: blocked

import random
class M(type):
    def __new__(m, name, bases, ns):
        return random.Random
class X(metaclass=M):
    pass
print("ESCAPED" if X._randbelow else "")
