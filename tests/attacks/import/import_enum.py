# class: import
# source: pyfence guard review
# goal: import enum (not on the allow-list)
# expect: blocked

import enum
print("ESCAPED")
