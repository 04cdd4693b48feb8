def join_words(words):
    text = ""
    for word in words:
        if text:
            text = text + " "
        text = text + word
    return text
