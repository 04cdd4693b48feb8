def longest_unique_substring(s):
    best = 0
    for i in range(len(s)):
        for j in range(i, len(s)):
            window = s[i:j + 1]
            if len(set(window)) == len(window):
                best = max(best, len(window))
    return best
