# class: import
# source: pyfence guard review
# goal: import string (not on the allow-list)
# expect: blocked

import string
print("ESCAPED")
