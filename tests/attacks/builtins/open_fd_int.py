# class: builtins
# source: pyfence guard review
# goal: open(0)/open(fd) reaches real file descriptors
# expect: blocked

f = open(0)
print("ESCAPED")
