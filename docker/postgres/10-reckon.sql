-- Runs once, when the compose stack's Postgres volume is first created: Reckon gets its own role
-- and database beside Temporal's (temporal, temporal_visibility, created by auto-setup).
-- The password is the compose stack's default; a production database has its own credentials.
CREATE ROLE reckon LOGIN PASSWORD 'reckon';
CREATE DATABASE reckon OWNER reckon;
