# class: filesystem
# source: pyfence guard review
# goal: open(b'/etc/passwd') outside the read-only virtual FS
# expect: blocked

f = open(b'/etc/passwd')
print("ESCAPED")
