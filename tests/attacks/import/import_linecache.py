# class: import
# source: pyfence guard review
# goal: import linecache (not on the allow-list)
# expect: blocked

import linecache
print("ESCAPED")
