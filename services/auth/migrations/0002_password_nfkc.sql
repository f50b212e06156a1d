-- Passwords are hashed in their Unicode NFKC form (services/auth/domain/passwords.py).
-- Hashes made before are of the password as typed: false until the next successful
-- sign-in rehashes them.
ALTER TABLE users ADD COLUMN password_nfkc boolean NOT NULL DEFAULT false;
