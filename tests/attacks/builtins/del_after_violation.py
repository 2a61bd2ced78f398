# class: builtins
# source: pyfence guard review
# goal: __del__ prints after the violation ended the run
# expect: blocked

class D:
    def __del__(self):
        print("ESCAPED")
d = D()
import os
