# class: introspection
# source: pyfence guard review
# goal: bound classmethod __func__.__globals__
# expect: blocked

import collections
P = collections.namedtuple('P', 'x')
f = getattr(P._make, '__fu' + 'nc__')
print("ESCAPED" if f.__globals__ else "")
