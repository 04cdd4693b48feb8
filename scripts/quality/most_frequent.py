def most_frequent(nums):
    best, best_count = None, 0
    for x in nums:
        count = 0
        for y in nums:
            if y == x:
                count += 1
        if count > best_count:
            best, best_count = x, count
    return best
