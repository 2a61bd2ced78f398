# class: introspection
# source: pyfence guard review
# goal: metaclass= a plain function returning a library class
# expect: blocked

import random
class X(metaclass=lambda *a: random.Random):
    pass
print("ESCAPED" if X._randbelow else "")
