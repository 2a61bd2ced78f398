# class: import
# source: pyfence guard review
# goal: import code (not on the allow-list)
# expect: blocked

import code
print("ESCAPED")
