# class: resource-recursion
# source: pyfence guard review
# goal: repr of a 10^5-deep list recurses in C
# expect: limit

l = []
for i in range(100000):
    l = [l]
repr(l)
