"""What an answer is: the answer models, their schemas, the prompts, languages."""
