"""The embedded HTTP server: app factory, SSE streams, security. No Qt imports."""
