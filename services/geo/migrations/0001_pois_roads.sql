-- geo-service schema: POIs (PostGIS) and a road graph for pgRouting.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pgrouting;

-- id: the OSM node id; closed ways (buildings, parks) are stored as -way_id, since
-- node and way ids overlap. Demo and bench data use their own ranges.
CREATE TABLE pois (
    id       bigint PRIMARY KEY,
    name     text NOT NULL,
    category text NOT NULL,
    city     text NOT NULL DEFAULT '',
    address  text NOT NULL DEFAULT '',
    location geography(Point, 4326) NOT NULL,
    tags     jsonb NOT NULL DEFAULT '{}'
);
-- ST_DWithin filters and KNN ordering (location <-> point) use GiST indexes: one over
-- all POIs, and one per category, because walking the first in distance order past
-- dozens of cafes for every viewpoint is slow. (A composite (category, location)
-- index via btree_gist answers as fast but doubles the time of a bulk load.) The
-- queries name the category as a literal so the planner can pick its index; a new
-- category needs its index here, and works without one, only slower.
CREATE INDEX pois_location ON pois USING gist (location);
CREATE INDEX pois_museum_location ON pois USING gist (location) WHERE category = 'museum';
CREATE INDEX pois_theatre_location ON pois USING gist (location) WHERE category = 'theatre';
CREATE INDEX pois_gallery_location ON pois USING gist (location) WHERE category = 'gallery';
CREATE INDEX pois_park_location ON pois USING gist (location) WHERE category = 'park';
CREATE INDEX pois_monument_location ON pois USING gist (location) WHERE category = 'monument';
CREATE INDEX pois_cafe_location ON pois USING gist (location) WHERE category = 'cafe';
CREATE INDEX pois_library_location ON pois USING gist (location) WHERE category = 'library';
CREATE INDEX pois_cinema_location ON pois USING gist (location) WHERE category = 'cinema';
CREATE INDEX pois_concert_hall_location ON pois USING gist (location) WHERE category = 'concert_hall';
CREATE INDEX pois_viewpoint_location ON pois USING gist (location) WHERE category = 'viewpoint';
CREATE INDEX pois_church_location ON pois USING gist (location) WHERE category = 'church';
CREATE INDEX pois_bookstore_location ON pois USING gist (location) WHERE category = 'bookstore';

-- Road graph edges in pgRouting's shape. cost / reverse_cost are metres;
-- reverse_cost < 0 means the edge cannot be travelled target -> source (one-way).
CREATE TABLE roads (
    id           bigint PRIMARY KEY,
    source       bigint NOT NULL,
    target       bigint NOT NULL,
    cost         double precision NOT NULL,
    reverse_cost double precision NOT NULL,
    geom         geometry(LineString, 4326) NOT NULL
);
CREATE INDEX roads_geom ON roads USING gist (geom);
CREATE INDEX roads_source ON roads (source);
CREATE INDEX roads_target ON roads (target);

-- Graph vertices, for snapping a trip's endpoints to the nearest one.
CREATE TABLE roads_vertices (
    id   bigint PRIMARY KEY,
    geog geography(Point, 4326) NOT NULL
);
CREATE INDEX roads_vertices_geog ON roads_vertices USING gist (geog);
