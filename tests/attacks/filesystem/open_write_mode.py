# class: filesystem
# source: pyfence guard review
# goal: open('data.txt', 'w') outside the read-only virtual FS
# expect: blocked

f = open('data.txt', 'w')
print("ESCAPED")
