# class: output-flood
# source: pyfence guard review
# goal: flood stderr through exception printing in a loop
# expect: limit

class W:
    pass
while True:
    print('E' * 100000, end='', flush=True)
