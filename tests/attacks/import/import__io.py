# class: import
# source: pyfence guard review
# goal: import _io (not on the allow-list)
# expect: blocked

import _io
print("ESCAPED")
