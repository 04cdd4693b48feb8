def count_pairs_with_difference(nums, k):
    count = 0
    for i in range(len(nums)):
        for j in range(len(nums)):
            if nums[i] - nums[j] == k:
                count += 1
    return count
