# class: import
# source: pyfence guard review
# goal: import gc (not on the allow-list)
# expect: blocked

import gc
print("ESCAPED")
