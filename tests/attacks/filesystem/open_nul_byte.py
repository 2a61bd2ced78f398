# class: filesystem
# source: pyfence guard review
# goal: open('data.txt\x00/etc/passwd') outside the read-only virtual FS
# expect: blocked

f = open('data.txt\x00/etc/passwd')
print("ESCAPED")
