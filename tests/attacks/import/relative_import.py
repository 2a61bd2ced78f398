# class: import
# source: pyfence guard review
# goal: relative import from the script's package
# expect: blocked

from . import something
print("ESCAPED")
