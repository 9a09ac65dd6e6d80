"""When each user last signed in (shown to admins), each user's time zone, and the full-text index over what was
said (models/search.py): an FTS5 table kept by triggers on SQLite, a GIN index on PostgreSQL

Revision ID: 0018_search_prefs
Revises: 0016_token_team
Create Date: 2026-12-02 10:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_search_prefs'
down_revision = '0017_call_comments'
branch_labels = None
depends_on = None

# frozen here as they were made (models/search.py explains them)
_LETTERS = (("ł", "l"), ("Ł", "L"), ("ø", "o"), ("Ø", "O"), ("đ", "d"), ("Đ", "D"),
            ("ß", "ss"))
_TRANSLATE_FROM = "ąćęłńóśźżàáâãäåçèéêëìíîïñòôõöùúûüýÿčďěňřšťůžæøđ"
_TRANSLATE_TO = "acelnoszzaaaaaaceeeeiiiinoooouuuuyycdenrstuzaod"


def _fold(column: str) -> str:
    sql = column
    for letter, plain in _LETTERS:
        sql = f"replace({sql}, '{letter}', '{plain}')"
    return sql


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_index()
    else:
        _postgresql_index()


def _sqlite_index() -> None:
    op.execute("CREATE VIRTUAL TABLE utterances_fts USING fts5("
               "text, content='', tokenize='unicode61 remove_diacritics 2')")
    insert = f"INSERT INTO utterances_fts(rowid, text) VALUES (new.id, {_fold('new.text')});"
    delete = (f"INSERT INTO utterances_fts(utterances_fts, rowid, text) "
              f"VALUES ('delete', old.id, {_fold('old.text')});")
    op.execute(f"CREATE TRIGGER utterances_fts_insert AFTER INSERT ON utterances "
               f"BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER utterances_fts_delete AFTER DELETE ON utterances "
               f"BEGIN {delete} END")
    op.execute(f"CREATE TRIGGER utterances_fts_update AFTER UPDATE OF text ON utterances "
               f"BEGIN {delete} {insert} END")
    op.execute(f"INSERT INTO utterances_fts(rowid, text) SELECT id, {_fold('text')} "
               f"FROM utterances")


def _postgresql_index() -> None:
    # unaccent when this role may make it (a superuser, or trusted); else a fixed translate
    op.execute("""
DO $body$
DECLARE
  schema_name text;
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
  EXCEPTION WHEN OTHERS THEN
    NULL;
  END;
  SELECT n.nspname INTO schema_name FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent';
  IF schema_name IS NOT NULL THEN
    EXECUTE format('CREATE OR REPLACE FUNCTION callqa_fold(text) RETURNS text '
      'LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS '
      '$f$ SELECT lower(%1$I.unaccent(%2$L::regdictionary, $1)) $f$',
      schema_name, schema_name || '.unaccent');
  ELSE
    EXECUTE format('CREATE OR REPLACE FUNCTION callqa_fold(text) RETURNS text '
      'LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS '
      '$f$ SELECT translate(lower($1), %L, %L) $f$', '""" + _TRANSLATE_FROM + """', '"""
               + _TRANSLATE_TO + """');
  END IF;
END
$body$""")
    # stored, so a phrase's recheck reads it rather than folding every candidate's text again
    op.execute("ALTER TABLE utterances ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
               "(to_tsvector('simple'::regconfig, callqa_fold(text))) STORED")
    op.execute("CREATE INDEX ix_utterances_search ON utterances USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS utterances_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS utterances_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_utterances_search")
        op.execute("ALTER TABLE utterances DROP COLUMN IF EXISTS search_vector")
        op.execute("DROP FUNCTION IF EXISTS callqa_fold(text)")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
        batch_op.drop_column('last_login_at')
