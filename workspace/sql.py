"""The SQL that keeps the search index fresh in the writing transaction (whatever the write path).

For each indexed table of a syndicate's schema, two statement-level triggers (``AFTER
INSERT OR UPDATE`` with the new rows, ``AFTER DELETE`` with the old rows) upsert or delete
the rows' ``SearchEntry`` in the public schema: one statement per write, however many rows
(an import of 13,000 sites, a bulk status change, COPY). The functions live in the public
schema (``workspace`` migrations); the triggers in each tenant schema (``perimeter``
migration ``0010``, run for every syndicate). ``rebuild_sql`` gives the same rows from
the tables themselves, for ``manage.py search_index_rebuild``.
"""

from __future__ import annotations

from dataclasses import dataclass

FOLD = "public.workspace_fold"

# unaccent + lower, IMMUTABLE so that it can be used in indexes and planned once.
FOLD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FOLD}(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;
"""


@dataclass(frozen=True)
class TableKind:
    """How the rows of one tenant table become search entries (SQL expressions over ``r``)."""

    kind: str
    table: str
    member_id: str
    label: str
    detail: str
    text: tuple[str, ...]

    def _select(self, source: str, syndicate: str) -> str:
        text = f"{FOLD}(concat_ws(' ', {', '.join(self.text)}))"
        return (
            f"SELECT {syndicate}, '{self.kind}', r.id, {self.member_id}, left(coalesce({self.label}, ''), 300), "
            f"left(coalesce({self.detail}, ''), 500), {text} FROM {source} r"
        )

    def _upsert(self, select: str) -> str:
        return (
            "INSERT INTO public.workspace_searchentry (syndicate_id, kind, object_id, member_id, label, detail, text) "
            f"{select} ON CONFLICT (syndicate_id, kind, object_id) DO UPDATE SET member_id = EXCLUDED.member_id, "
            "label = EXCLUDED.label, detail = EXCLUDED.detail, text = EXCLUDED.text "
            "WHERE (workspace_searchentry.member_id, workspace_searchentry.label, workspace_searchentry.detail, "
            "workspace_searchentry.text) IS DISTINCT FROM (EXCLUDED.member_id, EXCLUDED.label, EXCLUDED.detail, "
            "EXCLUDED.text)"
        )

    @property
    def upsert_function(self) -> str:
        return f"public.workspace_index_{self.kind}_upsert"

    @property
    def delete_function(self) -> str:
        return f"public.workspace_index_{self.kind}_delete"

    def functions_sql(self) -> str:
        syndicate = "(SELECT id FROM public.tenants_syndicate WHERE schema_name = TG_TABLE_SCHEMA)"
        select = self._select("new_rows", "s.id").replace(" FROM new_rows r", f" FROM new_rows r, {syndicate} s(id)")
        upsert = self._upsert(select)
        return f"""
CREATE OR REPLACE FUNCTION {self.upsert_function}() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  {upsert};
  RETURN NULL;
END $f$;
CREATE OR REPLACE FUNCTION {self.delete_function}() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  DELETE FROM public.workspace_searchentry e USING old_rows r
  WHERE e.syndicate_id = {syndicate} AND e.kind = '{self.kind}' AND e.object_id = r.id;
  RETURN NULL;
END $f$;
"""

    def triggers_sql(self) -> str:
        name = f"workspace_index_{self.kind}"
        return f"""
DROP TRIGGER IF EXISTS {name}_insert ON {self.table};
DROP TRIGGER IF EXISTS {name}_update ON {self.table};
DROP TRIGGER IF EXISTS {name}_delete ON {self.table};
CREATE TRIGGER {name}_insert AFTER INSERT ON {self.table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {self.upsert_function}();
CREATE TRIGGER {name}_update AFTER UPDATE ON {self.table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {self.upsert_function}();
CREATE TRIGGER {name}_delete AFTER DELETE ON {self.table} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {self.delete_function}();
"""

    def drop_triggers_sql(self) -> str:
        name = f"workspace_index_{self.kind}"
        return "".join(f"DROP TRIGGER IF EXISTS {name}_{op} ON {self.table};" for op in ("insert", "update", "delete"))

    def rebuild_sql(self, *, schema: str, syndicate_id: int) -> list[str]:
        """Upsert every row of the table, then drop the entries of rows no longer there."""
        source = f'"{schema}".{self.table}'
        return [
            self._upsert(self._select(source, str(int(syndicate_id)))),
            f"DELETE FROM public.workspace_searchentry e WHERE e.syndicate_id = {int(syndicate_id)} "
            f"AND e.kind = '{self.kind}' AND NOT EXISTS (SELECT 1 FROM {source} r WHERE r.id = e.object_id)",
        ]


def _place(*parts: str) -> str:
    """ "address, postcode city" without empty pieces."""
    return "concat_ws(' ', " + ", ".join(f"nullif({p}, '')" for p in parts) + ")"


TABLE_KINDS: tuple[TableKind, ...] = (
    TableKind(
        kind="member",
        table="perimeter_member",
        member_id="r.id",
        label="r.legal_name",
        detail="concat_ws(' · ', r.customer_number, 'SIRET ' || nullif(r.siret, ''), nullif(r.city, ''))",
        text=("r.legal_name", "r.customer_number", "r.siret", "r.siren", "r.postcode", "r.city"),
    ),
    TableKind(
        kind="site",
        table="perimeter_site",
        member_id="r.member_id",
        label="r.site_name",
        detail=f"concat_ws(' · ', r.delivery_point, nullif({_place('r.address_line', 'r.postcode', 'r.city')}, ''))",
        text=("r.delivery_point", "r.site_name", "r.address_line", "r.postcode", "r.city", "r.internal_reference"),
    ),
    TableKind(
        kind="contact",
        table="perimeter_contact",
        member_id="r.member_id",
        label=_place("r.first_name", "r.last_name"),
        detail="concat_ws(' · ', nullif(r.job_title, ''), nullif(r.email, ''), nullif(r.phone, ''))",
        text=("r.first_name", "r.last_name", "r.email", "r.phone"),
    ),
    TableKind(
        kind="user",
        table="accounts_user",
        member_id="r.member_id",
        label="r.email",
        detail=_place("r.first_name", "r.last_name"),
        text=("r.email", "r.first_name", "r.last_name"),
    ),
)
