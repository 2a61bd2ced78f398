# class: import
# source: pyfence guard review
# goal: import weakref (not on the allow-list)
# expect: blocked

import weakref
print("ESCAPED")
