-- auth-service schema: users, sessions (one per sign-in), rotating refresh tokens.
CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL,
    login         text NOT NULL,
    password_hash text NOT NULL,
    full_name     text NOT NULL DEFAULT '',
    phone         text NOT NULL DEFAULT '',
    city          text NOT NULL DEFAULT '',
    birth_date    date,
    bio           text NOT NULL DEFAULT '',
    interests     text[] NOT NULL DEFAULT '{}',
    avatar        text NOT NULL DEFAULT '',
    roles         text[] NOT NULL DEFAULT '{user}',
    create_time   timestamptz NOT NULL DEFAULT now(),
    update_time   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_login_key ON users (lower(login));

-- A session is one sign-in and the family of refresh tokens rotated from it.
CREATE TABLE sessions (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    create_time   timestamptz NOT NULL DEFAULT now(),
    expire_time   timestamptz NOT NULL,
    revoked_at    timestamptz,
    revoke_reason text
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash  bytea PRIMARY KEY,  -- sha256 of the opaque token; the token itself is never stored
    session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    create_time timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
