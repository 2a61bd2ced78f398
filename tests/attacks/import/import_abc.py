# class: import
# source: pyfence guard review
# goal: import abc (not on the allow-list)
# expect: blocked

import abc
print("ESCAPED")
