# class: builtins
# source: pyfence guard review
# goal: finally block runs after a violation
# expect: blocked

import random
try:
    random._os
finally:
    print("ESCAPED")
