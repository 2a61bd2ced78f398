# class: resource-cpu
# source: pyfence guard review
# goal: the exception's __str__ spins while the guard formats the error
# expect: limit

class E(Exception):
    def __str__(self):
        while True:
            pass
raise E()
