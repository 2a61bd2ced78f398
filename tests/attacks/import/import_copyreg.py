# class: import
# source: pyfence guard review
# goal: import copyreg (not on the allow-list)
# expect: blocked

import copyreg
print("ESCAPED")
