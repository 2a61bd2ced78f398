# class: filesystem
# source: pyfence guard review
# goal: open('new.txt', 'x') outside the read-only virtual FS
# expect: blocked

f = open('new.txt', 'x')
print("ESCAPED")
