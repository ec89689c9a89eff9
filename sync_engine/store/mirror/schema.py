"""DDL of the mirror's tables (migrations 6-8), kept apart from ``migrations.py`` for size only.

Released statements are never edited: a later change to these tables is a new migration.

Shadow tables hold typed columns for what matching and the dashboard query, and the whole record as
canonical JSON (``raw_record``); they have a primary key for point reads by id. Match keys live in
``mirror_contact_points``, whose one ART index serves lookups by email, phone or domain -- the only
index on an append-heavy table, since each one slows every write. State rows are written in the same
transaction as the records they describe, which is what makes a crash resume exactly where it stopped.
"""
MIRROR_RECORDS = """
CREATE TABLE mirror_contacts (                  -- Zoho's Contacts; typed columns for matching, the rest in raw_record
    org_id            VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,          -- Zoho's id
    first_name        VARCHAR,
    last_name         VARCHAR,
    full_name         VARCHAR,
    email             VARCHAR,                   -- as Zoho holds it; normalised keys in mirror_contact_points
    secondary_email   VARCHAR,
    phone             VARCHAR,
    mobile            VARCHAR,
    home_phone        VARCHAR,
    other_phone       VARCHAR,
    asst_phone        VARCHAR,
    account_id        VARCHAR,
    title             VARCHAR,
    owner_id          VARCHAR,
    created_time      TIMESTAMPTZ,
    modified_time     TIMESTAMPTZ,
    raw_record        JSON NOT NULL,             -- every mirrored field: lookups as ids, datetimes in UTC
    synced_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, record_id)
);
CREATE TABLE mirror_leads (                     -- unconverted leads only: a converted lead is its contact now
    org_id            VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    first_name        VARCHAR,
    last_name         VARCHAR,
    full_name         VARCHAR,
    email             VARCHAR,
    secondary_email   VARCHAR,
    phone             VARCHAR,
    mobile            VARCHAR,
    company           VARCHAR,
    website           VARCHAR,
    lead_status       VARCHAR,
    converted         BOOLEAN,
    owner_id          VARCHAR,
    created_time      TIMESTAMPTZ,
    modified_time     TIMESTAMPTZ,
    raw_record        JSON NOT NULL,
    synced_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, record_id)
);
CREATE TABLE mirror_accounts (
    org_id            VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    account_name      VARCHAR,
    website           VARCHAR,
    phone             VARCHAR,
    parent_account_id VARCHAR,
    account_type      VARCHAR,
    industry          VARCHAR,
    owner_id          VARCHAR,
    created_time      TIMESTAMPTZ,
    modified_time     TIMESTAMPTZ,
    raw_record        JSON NOT NULL,
    synced_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, record_id)
);
CREATE TABLE mirror_deals (
    org_id            VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    deal_name         VARCHAR,
    stage             VARCHAR,                   -- the stage's actual value (see mirror_deal_stages)
    pipeline          VARCHAR,
    amount            DOUBLE,
    closing_date      DATE,
    probability       DOUBLE,
    account_id        VARCHAR,
    contact_id        VARCHAR,
    owner_id          VARCHAR,
    created_time      TIMESTAMPTZ,
    modified_time     TIMESTAMPTZ,
    raw_record        JSON NOT NULL,
    synced_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, record_id)
);
CREATE TABLE mirror_deal_stages (               -- each pipeline's stages, replaced whole on every refresh
    org_id            VARCHAR NOT NULL,
    pipeline_id       VARCHAR NOT NULL,
    pipeline          VARCHAR NOT NULL,          -- display value, what Deals.Pipeline holds
    is_default        BOOLEAN NOT NULL,
    stage             VARCHAR NOT NULL,          -- actual value, what Deals.Stage holds and writes must send
    display_value     VARCHAR NOT NULL,
    sequence_number   INTEGER,
    forecast_type     VARCHAR,                   -- Open, Closed Won, Closed Lost
    forecast_category VARCHAR,
    probability       DOUBLE,
    synced_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, pipeline_id, stage)
);
"""

MIRROR_CONTACT_POINTS = """
CREATE TABLE mirror_contact_points (            -- match keys derived from mirrored records (records/contact_points.py)
    org_id            VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL CHECK (kind IN ('email', 'phone', 'domain')),
    value             VARCHAR NOT NULL,          -- casefolded email, E.164 phone, bare domain
    module            VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    field             VARCHAR NOT NULL,          -- the Zoho field it came from
    raw_value         VARCHAR NOT NULL,
    extension         VARCHAR,                   -- phones: the extension, kept apart from the number
    flag              VARCHAR CHECK (flag IN ('invalid', 'unparseable', 'personal'))
);
CREATE INDEX mirror_contact_points_by_value ON mirror_contact_points (org_id, kind, value);
"""

MIRROR_STATE = """
CREATE TABLE mirror_orgs (                      -- per org: reference data and the initial sync's lifetime
    org_id                 VARCHAR PRIMARY KEY,
    country_code           VARCHAR,              -- GET /org; the default region for phone numbers
    time_zone              VARCHAR,
    currency               VARCHAR,
    initial_started_at     TIMESTAMPTZ,
    initial_finished_at    TIMESTAMPTZ,          -- NULL until every module has been pulled once
    users_refreshed_at     TIMESTAMPTZ,
    settings_refreshed_at  TIMESTAMPTZ
);
CREATE TABLE mirror_modules (                   -- per org and module: committed with the rows it covers
    org_id                 VARCHAR NOT NULL,
    module                 VARCHAR NOT NULL,
    fields                 JSON NOT NULL,        -- [[api_name, data_type], ...] pulled for this module
    method                 VARCHAR CHECK (method IN ('bulk', 'coql')),
    method_reason          VARCHAR,
    expected_count         BIGINT,               -- COQL COUNT(id) when the initial pull was planned
    records_done           BIGINT NOT NULL DEFAULT 0,
    last_id                VARCHAR,              -- COQL key pagination: the last id committed
    bulk_job_id            VARCHAR,              -- the job being read, so a restart does not pay for another
    bulk_page              INTEGER NOT NULL DEFAULT 1,
    bulk_page_token        VARCHAR,
    bulk_rows_done         BIGINT NOT NULL DEFAULT 0,  -- rows of the job's file already committed
    initial_started_at     TIMESTAMPTZ,
    initial_finished_at    TIMESTAMPTZ,
    changes_cursor         TIMESTAMPTZ,          -- next poll reads Modified_Time >= this
    changes_polled_at      TIMESTAMPTZ,
    deletions_cursor       TIMESTAMPTZ,          -- next poll reads deleted_time >= this
    deletions_polled_at    TIMESTAMPTZ,
    PRIMARY KEY (org_id, module)
);
"""
