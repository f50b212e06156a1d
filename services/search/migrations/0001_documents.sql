-- search-service store: one denormalised, pre-analysed document per published event,
-- plus the vocabulary that typo correction runs against.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS postgis;

-- Planner settings of this database (new sessions). Searches are short interactive
-- queries: JIT compilation (tens of ms) costs more than it saves, and broad queries
-- cross jit_above_cost. The index is memory-resident, so random reads cost about what
-- sequential ones do; at the default 4.0 a broad word (20% of rows) tips the plan to a
-- sequential scan that detoasts every search_vector (~30x slower than the GIN bitmap).
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
    EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
END
$$;

-- Searchers type "елка" for "ёлка": fold case and ё on both sides before analysing.
CREATE FUNCTION search_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(lower(value), 'ё', 'е');

-- One field in both configurations: `russian` stems ("художников" -> "художник"),
-- `simple` keeps the exact word (names, brands, words the stemmer gets wrong).
CREATE FUNCTION search_field_vector(value text, weight "char") RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN setweight(to_tsvector('russian'::regconfig, search_fold(value)), weight)
        || setweight(to_tsvector('simple'::regconfig, search_fold(value)), weight);

-- The fields that say what an event is: title (A) > tags (B) > place (C). Ranking reads
-- only this small vector (ts_rank_cd cost grows with the vector; the full one is ~3x larger).
-- array_to_string is STABLE in general but immutable for text[]; the IMMUTABLE wrapper
-- lets generated columns use it.
CREATE FUNCTION search_rank_vector(title text, tags text[], place_name text, place_address text)
    RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN search_field_vector(coalesce(title, ''), 'A')
        || search_field_vector(coalesce(array_to_string(tags, ' '), ''), 'B')
        || search_field_vector(concat_ws(' ', place_name, place_address), 'C');

-- Everything that can match: the ranked fields plus the description (D).
CREATE FUNCTION search_document_vector(title text, tags text[], place_name text, place_address text,
                                       description text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN search_rank_vector(title, tags, place_name, place_address)
        || search_field_vector(coalesce(description, ''), 'D');

-- Lower-cased title + tags: what the query's trigram similarity is measured against.
CREATE FUNCTION search_trigram_text(title text, tags text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN search_fold(concat_ws(' ', title, array_to_string(tags, ' ')));

-- End of the earliest session. While it lies ahead, the next start of an event is
-- simply lower(sessions): no per-row unnest for most events.
CREATE FUNCTION search_first_session_end(sessions tstzmultirange) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT upper(r) FROM unnest(sessions) AS r LIMIT 1);

-- Highlights are HTML (<mark>): escape the text before ts_headline adds the only markup.
CREATE FUNCTION search_html_escape(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN replace(replace(replace(value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;');

CREATE TABLE documents (
    slug            text        PRIMARY KEY,
    version         bigint      NOT NULL,
    title           text        NOT NULL,
    description     text        NOT NULL DEFAULT '',
    category        text        NOT NULL,
    tags            text[]      NOT NULL DEFAULT '{}',
    city            text        NOT NULL,
    place_name      text        NOT NULL DEFAULT '',
    place_address   text        NOT NULL DEFAULT '',
    lat             double precision,
    lon             double precision,
    -- Every session as one multirange: "overlaps the window" is a single && (GiST).
    sessions        tstzmultirange NOT NULL,
    first_session_end timestamptz GENERATED ALWAYS AS (search_first_session_end(sessions)) STORED,
    is_free         boolean     NOT NULL DEFAULT false,
    kids            boolean     NOT NULL DEFAULT false,  -- includes category "kids"
    price_min       bigint      NOT NULL DEFAULT 0,
    price_max       bigint      NOT NULL DEFAULT 0,
    age_restriction integer     NOT NULL DEFAULT 0,
    image           text        NOT NULL DEFAULT '',
    indexed_at      timestamptz NOT NULL DEFAULT now(),
    location        geography(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN lat IS NOT NULL AND lon IS NOT NULL
             THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography END) STORED,
    rank_vector     tsvector GENERATED ALWAYS AS (
        search_rank_vector(title, tags, place_name, place_address)) STORED,
    search_vector   tsvector GENERATED ALWAYS AS (
        search_document_vector(title, tags, place_name, place_address, description)) STORED
);

-- Rows that outgrow a page get toasted: push the matching-only columns out of line
-- first (GIN answers @@ without reading them) and keep what every match reads inline
-- and uncompressed.
ALTER TABLE documents ALTER COLUMN search_vector SET STORAGE EXTERNAL,
                      ALTER COLUMN description SET STORAGE EXTERNAL,
                      ALTER COLUMN rank_vector SET STORAGE MAIN,
                      ALTER COLUMN sessions SET STORAGE MAIN;

CREATE INDEX documents_search_vector ON documents USING gin (search_vector);
CREATE INDEX documents_sessions ON documents USING gist (sessions);
CREATE INDEX documents_location ON documents USING gist (location);

-- Vocabulary of title/tag/place words (folded). A query word that is no known word's
-- prefix is probably a typo: its nearest terms by trigram word_similarity join the query.
-- Matching typos here (a few thousand short terms) instead of per document keeps the
-- cost independent of how many events contain the intended word.
CREATE TABLE search_terms (
    term text COLLATE "C" PRIMARY KEY  -- "C": LIKE 'prefix%' can use the btree
);
CREATE INDEX search_terms_trigram ON search_terms USING gin (term gin_trgm_ops);
