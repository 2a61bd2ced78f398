# class: introspection
# source: pyfence guard review
# goal: namedtuple __new__ is eval'd in collections' namespace
# expect: blocked

import collections
P = collections.namedtuple('P', 'x')
g = getattr(P.__new__, '__glo' + 'bals__')
print("ESCAPED" if g else "")
