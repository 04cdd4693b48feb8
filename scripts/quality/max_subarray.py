def max_subarray(nums):
    best = nums[0]
    for i in range(len(nums)):
        for j in range(i, len(nums)):
            total = 0
            for k in range(i, j + 1):
                total += nums[k]
            best = max(best, total)
    return best
