# class: introspection
# source: pyfence guard review
# goal: random.random.__self__ is the hidden Random instance
# expect: blocked

import random
r = getattr(random.random, '__se' + 'lf__')
print("ESCAPED" if r._randbelow else "")
