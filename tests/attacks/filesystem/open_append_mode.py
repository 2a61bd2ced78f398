# class: filesystem
# source: pyfence guard review
# goal: open('x.txt', 'a') outside the read-only virtual FS
# expect: blocked

f = open('x.txt', 'a')
print("ESCAPED")
