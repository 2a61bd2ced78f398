# Tries to reach the host. pyfence refuses, records the violation and ends the
# script (exit code 3); catching the error does not let it go on.
print("about to read /etc/passwd")
try:
    print(open("/etc/passwd").read())
except Exception as e:
    print("caught:", type(e).__name__)
print("this line never runs")
