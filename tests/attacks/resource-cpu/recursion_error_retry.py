# class: resource-cpu
# source: pyfence guard review
# goal: catch RecursionError and retry forever
# expect: limit

def f(n):
    return f(n + 1)
while True:
    try:
        f(0)
    except BaseException:
        pass
