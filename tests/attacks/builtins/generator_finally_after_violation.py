# class: builtins
# source: pyfence guard review
# goal: generator finally runs during unwinding
# expect: blocked

def g():
    try:
        yield 1
    finally:
        print("ESCAPED")
it = g()
next(it)
import os
