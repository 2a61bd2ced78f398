# class: import
# source: pyfence guard review
# goal: import traceback (not on the allow-list)
# expect: blocked

import traceback
print("ESCAPED")
