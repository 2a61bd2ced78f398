# class: resource-cpu
# source: pyfence guard review
# goal: Python callback called from C in a hot loop, catching everything
# expect: limit

def k(x):
    try:
        return x
    except BaseException:
        return 0
while True:
    try:
        sorted(range(1000), key=k)
    except BaseException:
        pass
