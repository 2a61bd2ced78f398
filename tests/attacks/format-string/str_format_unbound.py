# class: format-string
# source: pyfence guard review
# goal: str.format(template, obj) unbound walks attributes
# expect: blocked

import random
s = str.format("{0._os}", random)
print("ESCAPED" if "os" in s else "")
