# class: resource-cpu
# source: pyfence guard review
# goal: guard-side loop over a huge __dir__ list while the deadline passes
# expect: limit

class D:
    def __dir__(self):
        return ['a%d' % i for i in range(3000000)]
while True:
    try:
        dir(D())
    except BaseException:
        pass
