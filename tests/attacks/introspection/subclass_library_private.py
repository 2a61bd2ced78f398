# class: introspection
# source: pyfence guard review
# goal: subclass a library class to read its private members
# expect: blocked

import random
class R(random.Random):
    pass
r = R()
f = r._randbelow
print("ESCAPED" if getattr(f, '__func__', None) else "")
