# class: filesystem
# source: pyfence guard review
# goal: open('..\\..\\etc\\passwd') outside the read-only virtual FS
# expect: blocked

f = open('..\\..\\etc\\passwd')
print("ESCAPED")
