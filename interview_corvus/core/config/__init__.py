"""Settings, secrets (keyring) and logging set-up."""
