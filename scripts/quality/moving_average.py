def moving_average(nums, k):
    averages = []
    for i in range(len(nums) - k + 1):
        total = 0
        for j in range(i, i + k):
            total += nums[j]
        averages.append(total / k)
    return averages
