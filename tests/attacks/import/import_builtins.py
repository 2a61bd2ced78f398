# class: import
# source: pyfence guard review
# goal: import builtins (not on the allow-list)
# expect: blocked

import builtins
print("ESCAPED")
