# class: resource-cpu
# source: pyfence guard review
# goal: loop inside a generator that swallows GeneratorExit/BaseException
# expect: limit

def g():
    while True:
        try:
            yield 1
        except BaseException:
            pass
for x in g():
    pass
