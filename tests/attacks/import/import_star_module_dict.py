# class: import
# source: pyfence guard review
# goal: from math import * reads the module __dict__
# expect: blocked

from random import *
print("ESCAPED" if _os else "")
