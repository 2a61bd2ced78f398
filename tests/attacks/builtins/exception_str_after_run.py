# class: builtins
# source: pyfence guard review
# goal: the script's exception __str__ prints while the guard formats the error
# expect: blocked

class E(Exception):
    def __str__(self):
        print("ESCAPED")
        return "x"
raise E()
