# class: builtins
# source: pyfence guard review
# goal: print(file=...) to a non-writer reaching sys
# expect: blocked

class W:
    def write(self, s):
        pass
print("x", file=W())
import sys
print("ESCAPED")
