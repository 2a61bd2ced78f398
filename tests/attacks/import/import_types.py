# class: import
# source: pyfence guard review
# goal: import types (not on the allow-list)
# expect: blocked

import types
print("ESCAPED")
