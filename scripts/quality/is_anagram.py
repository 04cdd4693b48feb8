def is_anagram(a, b):
    if len(a) != len(b):
        return False
    for ch in a:
        if a.count(ch) != b.count(ch):
            return False
    return True
