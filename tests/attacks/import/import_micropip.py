# class: import
# source: pyfence guard review
# goal: import micropip (not on the allow-list)
# expect: blocked

import micropip
print("ESCAPED")
