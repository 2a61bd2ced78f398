# class: import
# source: pyfence guard review
# goal: import operator (not on the allow-list)
# expect: blocked

import operator
print("ESCAPED")
