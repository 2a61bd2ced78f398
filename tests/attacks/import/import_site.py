# class: import
# source: pyfence guard review
# goal: import site (not on the allow-list)
# expect: blocked

import site
print("ESCAPED")
