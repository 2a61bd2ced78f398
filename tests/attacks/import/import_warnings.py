# class: import
# source: pyfence guard review
# goal: import warnings (not on the allow-list)
# expect: blocked

import warnings
print("ESCAPED")
