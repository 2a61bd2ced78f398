# class: import
# source: pyfence guard review
# goal: import posix (not on the allow-list)
# expect: blocked

import posix
print("ESCAPED")
