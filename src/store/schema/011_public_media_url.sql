-- rectify schema (issue 9): the media_url of an Open311 request.
-- Migrations apply in file order, and the version is the position.
--
-- media_url: the URL of a picture the Open311 client posted with the request (GeoReport v2 POST
--   parameter media_url): an http or https URL of at most 2,048 bytes, hosted by the client, echoed back
--   as the request's media_url. NULL for portal filings and requests without one (docs/PUBLIC.md#open311).
ALTER TABLE public_intake ADD COLUMN media_url TEXT;
