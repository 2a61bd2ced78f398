# class: output-flood
# source: pyfence guard review
# goal: millions of 1-byte writes
# expect: limit

while True:
    print(end='x')
