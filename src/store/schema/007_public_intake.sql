-- rectify schema (issue 9): public intake — opinions filed by the public through the portal or
-- Open311 GeoReport v2. One row per such opinion, beside the opinion itself.
-- Migrations apply in file order, and the version is the position. Times are seconds since the Unix
-- epoch, UTC.
--
-- tracking_code: 12 symbols of domain::kTrackingAlphabet, stored without dashes; unique (a collision
--   makes the service draw a new code and try again).
-- via: portal | open311.
-- address / latitude / longitude: the location when it was not (only) a division code; latitude and
--   longitude are WGS 84 degrees stored as text exactly as received (no float rounding on the way back).
-- contact_*: stored for the staff who answer; never in any public answer or notice.
-- photo_*: the optional photo, a file of the blob store (content-addressed by SHA-256, like evidence).
-- text_hash: domain::NormalisedTextHash(title, text); ip_hash / contact_hash: SHA-256 of the client
--   address / the normalised contact, kept for the duplicate-submission check only (no raw address is
--   stored).
-- service_code / api_token_id: Open311 requests: the service code posted and the API token used.
CREATE TABLE public_intake (
    opinion_id     BIGINT PRIMARY KEY REFERENCES opinion(id),
    tracking_code  TEXT NOT NULL,
    via            TEXT NOT NULL,
    address        TEXT,
    latitude       TEXT,
    longitude      TEXT,
    contact_name   TEXT,
    contact_phone  TEXT,
    contact_email  TEXT,
    photo_sha256   TEXT,
    photo_type     TEXT,
    photo_size     BIGINT,
    text_hash      TEXT NOT NULL,
    ip_hash        TEXT,
    contact_hash   TEXT,
    service_code   TEXT,
    api_token_id   BIGINT,
    received_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX public_intake_code ON public_intake(tracking_code);
CREATE INDEX public_intake_text ON public_intake(text_hash, received_at);
CREATE INDEX public_intake_received ON public_intake(received_at);
