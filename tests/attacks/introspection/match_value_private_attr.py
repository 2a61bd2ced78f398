# class: introspection
# source: pyfence guard review
# goal: a dotted value pattern fetches a private module member in C
# expect: blocked

import random
class Eq:
    def __eq__(self, other):
        if other is not None:
            print("ESCAPED")
        return False
match Eq():
    case random._os:
        pass
