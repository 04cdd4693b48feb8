"""The API's routers: answers (blocking and streamed) and runs (the mirror)."""
