"""auth-service: sign-up/in, tokens, sessions, profile and avatar."""
