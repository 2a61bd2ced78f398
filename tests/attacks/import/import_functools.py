# class: import
# source: pyfence guard review
# goal: import functools (not on the allow-list)
# expect: blocked

import functools
print("ESCAPED")
