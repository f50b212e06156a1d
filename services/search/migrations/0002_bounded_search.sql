-- Bounded work per search. A broad word ("концерт") matches a fifth of the catalog: the
-- GIN bitmap alone for 20k matches costs ~5 ms here, and every match counted, ranked or
-- ordered is a visit to a wide heap row. So each document keeps its next session (so
-- windows and "soonest" need no unnest, and browsing can walk an index in that order),
-- and a `soon` flag whose partial GIN index lets a search look at the next days'
-- matches first and stop there when they are enough (see adapters/pg_query.py).

-- Searches are short interactive queries on two cores: a parallel worker costs more to
-- start than it saves, and takes a core from a concurrent search. Prepared statements
-- (the search statement, the token analysis) keep one generic plan: the search
-- statement's shape is fixed by its CTEs and indexes, so planning it anew for every
-- execution (~1.5 ms, a third of a narrow search) buys nothing.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET max_parallel_workers_per_gather = 0', current_database());
    EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_generic_plan', current_database());
END
$$;

-- The first session not over at `at` (NULL: none), in the multirange's order.
CREATE FUNCTION search_next_session(sessions tstzmultirange, at timestamptz) RETURNS tstzrange
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (SELECT r FROM unnest(sessions) AS r WHERE upper(r) > at LIMIT 1);

-- How far ahead "soon" reaches: about a seventh of a two-month catalog, which still
-- holds a thousand matches of the broadest words.
CREATE FUNCTION search_soon_until() RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN now() + interval '3 days';

CREATE FUNCTION search_is_soon(next_start timestamptz) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(next_start < search_soon_until(), false);

-- Words of the title as typed (folded, no positions): "does the query match the title"
-- for every match counted, the first criterion of the rank window. Russian stems are
-- prefixes of their words, so the query's prefix operands work on it as they are.
CREATE FUNCTION search_title_terms(title text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN strip(to_tsvector('simple'::regconfig, search_fold(title)));

-- The filters as lexemes of the matched vector, so GIN intersects them with the words
-- of a text search instead of handing over rows for the filters to reject. They start
-- with "_", which no query word can (words are letters and digits). The conditions on
-- the columns stay in the statement: results never depend on these lexemes.
CREATE FUNCTION search_filter_vector(category text, city text, is_free boolean, kids boolean) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN array_to_tsvector(ARRAY['_c_' || category, '_city_' || city,
                                   CASE WHEN is_free THEN '_free' ELSE '_paid' END,
                                   CASE WHEN kids THEN '_kids' ELSE '_adults' END]);

-- Likewise the days (Moscow time) a session touches, as "_d_<days since 2000-01-01>":
-- a date window becomes an OR of a few days, checked exactly on the rows GIN returns.
CREATE FUNCTION search_day_vector(sessions tstzmultirange) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN array_to_tsvector(ARRAY(
        SELECT DISTINCT '_d_' || d::text
        FROM unnest(sessions) AS r,
             generate_series(timezone('Europe/Moscow', lower(r))::date - DATE '2000-01-01',
                             (timezone('Europe/Moscow', upper(r)) - interval '1 microsecond')::date
                             - DATE '2000-01-01') AS d));

-- search_vector gains the filter and day lexemes (a generation expression cannot be
-- altered: the column and its GIN index are made again).
ALTER TABLE documents DROP COLUMN search_vector;
ALTER TABLE documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    search_document_vector(title, tags, place_name, place_address, description)
    || search_filter_vector(category, city, is_free, kids) || search_day_vector(sessions)) STORED;
ALTER TABLE documents ALTER COLUMN search_vector SET STORAGE EXTERNAL;
CREATE INDEX documents_search_vector ON documents USING gin (search_vector);

-- next_start/next_end: the next session as of the last write or refresh. Searches stay
-- exact whatever its age: a session that overlaps a window (which never starts before
-- now) ends after that moment, so it is this one or a later one.
ALTER TABLE documents
    ADD COLUMN title_terms tsvector GENERATED ALWAYS AS (search_title_terms(title)) STORED,
    ADD COLUMN last_end timestamptz GENERATED ALWAYS AS (upper(sessions)) STORED,
    ADD COLUMN next_start timestamptz,
    ADD COLUMN next_end timestamptz,
    ADD COLUMN soon boolean NOT NULL DEFAULT false;
ALTER TABLE documents ALTER COLUMN title_terms SET STORAGE PLAIN;  -- read inline for every match

CREATE FUNCTION search_track_next_session() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    next tstzrange := search_next_session(NEW.sessions, now());
BEGIN
    NEW.next_start := lower(next);
    NEW.next_end := upper(next);
    NEW.soon := search_is_soon(lower(next));
    RETURN NEW;
END
$$;

CREATE TRIGGER documents_next_session BEFORE INSERT OR UPDATE OF sessions ON documents
    FOR EACH ROW EXECUTE FUNCTION search_track_next_session();

UPDATE documents SET sessions = sessions;  -- fills the new columns through the trigger

-- Every lexeme of the indexed vectors, for prefix expansion (see adapters/pg_query.py):
-- a query prefix becomes the exact lexemes it stands for, which GIN intersects by
-- skipping through posting lists instead of collecting all of them first.
CREATE TABLE search_lexemes (
    lexeme text COLLATE "C" PRIMARY KEY  -- "C": a prefix is a btree range
);
INSERT INTO search_lexemes (lexeme)
SELECT DISTINCT l FROM documents, unnest(tsvector_to_array(search_vector)) AS l;

-- Matching the soon documents first: a GIN index over them alone.
CREATE INDEX documents_search_vector_soon ON documents USING gin (search_vector) WHERE soon;
-- Browsing walks this in next-session order; what it includes is read from the index
-- (index-only scans), not from the wide rows.
CREATE INDEX documents_next_start ON documents (next_start)
    INCLUDE (next_end, last_end, sessions, category, is_free, kids, city, lat, lon, location, slug);
-- The refresh finds the rows whose next session is over here.
CREATE INDEX documents_next_end ON documents (next_end);
-- Window checks use the columns above; nothing reads this one any more.
DROP INDEX documents_sessions;
-- "Near" is a lat/lon box and ST_DWithin on the rows that the next-session index or a
-- GIN index brings (see adapters/pg_statement.py). PostGIS estimates a dense centre at
-- a handful of events (10 for 16k), so with this index the planner would walk it and
-- sort every event of the area.
DROP INDEX documents_location;
