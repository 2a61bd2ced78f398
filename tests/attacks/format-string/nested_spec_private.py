# class: format-string
# source: pyfence guard review
# goal: nested format spec fields are looked up too
# expect: blocked

import random
s = "{0:{1._os}}".format(1, random)
print("ESCAPED")
