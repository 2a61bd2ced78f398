# class: builtins
# source: pyfence guard review
# goal: the script's exception __str__ runs while the guard formats the error: it must still be the guarded script (imports blocked)
# expect: blocked

class E(Exception):
    def __str__(self):
        import os
        os.listdir('/')
        print("ESCAPED")
        return "x"
raise E()
