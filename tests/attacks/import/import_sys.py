# class: import
# source: pyfence guard review
# goal: import sys (not on the allow-list)
# expect: blocked

import sys
print("ESCAPED")
