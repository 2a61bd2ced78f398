# class: import
# source: pyfence guard review
# goal: import pyfence_guard (not on the allow-list)
# expect: blocked

import pyfence_guard
print("ESCAPED")
