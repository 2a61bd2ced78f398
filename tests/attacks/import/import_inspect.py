# class: import
# source: pyfence guard review
# goal: import inspect (not on the allow-list)
# expect: blocked

import inspect
print("ESCAPED")
