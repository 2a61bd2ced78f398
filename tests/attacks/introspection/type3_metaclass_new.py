# class: introspection
# source: pyfence guard review
# goal: 3-argument type() builds a metaclass with __new__ returning a library class
# expect: blocked

import random
M = type('M', (type,), {'__new__': lambda m, n, b, ns: random.Random})
class X(metaclass=M):
    pass
print("ESCAPED" if X._randbelow else "")
