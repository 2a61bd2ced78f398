# class: import
# source: pyfence guard review
# goal: collections.abc reachable as an attribute
# expect: blocked

import collections
print("ESCAPED" if collections.abc.Mapping else "")
