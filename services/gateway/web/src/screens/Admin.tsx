import { useEffect, useState } from "preact/hooks";
import { api, ApiError, enc } from "../api";
import { t } from "../i18n";

interface ApiKey {
  key_id: string;
  subject: string;
  name: string;
  scopes: string[];
  revoked: boolean;
  created_at: string;
  last_used_at: string | null;
}

interface AuditEntry {
  event_id: string;
  at: string;
  subject: string | null;
  action: string;
  document_id: string | null;
  matter_id: string | null;
  status_code: number;
  hits: number | null;
}

const SCOPES = ["read", "write", "matters", "admin"];

function message(err: unknown): string {
  return err instanceof ApiError ? err.message : String(err);
}

/** Tenant administration: API keys (create with scopes, revoke) and the audit trail. */
export function AdminScreen() {
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">{t("admin.title")}</h1>
      <Keys />
      <Audit />
    </section>
  );
}

function Keys() {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState("");
  const [subject, setSubject] = useState("");
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["read"]);
  const [created, setCreated] = useState<{ key: string; key_id: string } | null>(null);

  const load = () =>
    api<{ keys: ApiKey[] }>("/v1/apikeys")
      .then((answer) => setKeys(answer.keys))
      .catch((err: unknown) => setError(message(err)));
  useEffect(() => void load(), []);

  const create = async (event: Event) => {
    event.preventDefault();
    setError("");
    try {
      const body = { subject: subject.trim(), name: name.trim(), scopes };
      setCreated(await api<{ key: string; key_id: string }>("/v1/apikeys", { method: "POST", body: JSON.stringify(body) }));
      setSubject("");
      setName("");
      await load();
    } catch (err) {
      setError(message(err));
    }
  };
  const revoke = async (keyId: string) => {
    setError("");
    try {
      await api(`/v1/apikeys/${enc(keyId)}/revoke`, { method: "POST" });
      await load();
    } catch (err) {
      setError(message(err));
    }
  };

  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">{t("admin.keys")}</h2>
      <p class="error" role="alert">
        {error}
      </p>
      <form id="new-key" class="inline" onSubmit={create} aria-label={t("admin.newKey")}>
        <label for="key-subject">{t("admin.subject")}</label>
        <input id="key-subject" required value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
        <label for="key-name">{t("admin.keyName")}</label>
        <input id="key-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <fieldset>
          <legend>{t("admin.scopes")}</legend>
          {SCOPES.map((scope) => (
            <label key={scope} class="check">
              <input
                type="checkbox"
                name="scope"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
              />{" "}
              {scope}
            </label>
          ))}
        </fieldset>
        <button type="submit" id="create-key" disabled={!scopes.length}>
          {t("admin.create")}
        </button>
      </form>
      {created && (
        <p id="created-key" role="status" data-key-id={created.key_id}>
          {t("admin.createdKey")} <code id="created-key-value">{created.key}</code>
        </p>
      )}
      {keys && (
        <table id="keys" class="list">
          <thead>
            <tr>
              <th scope="col">{t("admin.keyId")}</th>
              <th scope="col">{t("admin.subject")}</th>
              <th scope="col">{t("admin.keyName")}</th>
              <th scope="col">{t("admin.scopes")}</th>
              <th scope="col">{t("admin.created")}</th>
              <th scope="col">{t("admin.lastUsed")}</th>
              <th scope="col">{t("admin.state")}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.key_id} data-key-id={k.key_id} data-revoked={String(k.revoked)}>
                <td>
                  <code>{k.key_id}</code>
                </td>
                <td>{k.subject}</td>
                <td>{k.name}</td>
                <td>{k.scopes.join(", ")}</td>
                <td>{k.created_at.slice(0, 16).replace("T", " ")}</td>
                <td>{k.last_used_at ? k.last_used_at.slice(0, 16).replace("T", " ") : ""}</td>
                <td>
                  {k.revoked ? (
                    t("admin.revoked")
                  ) : (
                    <button
                      type="button"
                      class="revoke"
                      aria-label={t("admin.revoke", { name: `${k.name} (${k.key_id})` })}
                      onClick={() => void revoke(k.key_id)}
                    >
                      {t("admin.revokeShort")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Audit() {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState("");
  const [filters, setFilters] = useState({ subject: "", action: "", document_id: "" });

  const load = async (event?: Event) => {
    event?.preventDefault();
    setError("");
    const query = new URLSearchParams({ size: "100" });
    for (const [name, value] of Object.entries(filters)) if (value.trim()) query.set(name, value.trim());
    try {
      setEntries((await api<{ entries: AuditEntry[] }>(`/v1/audit?${query}`)).entries);
    } catch (err) {
      setError(message(err));
    }
  };
  useEffect(() => void load(), []);

  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{t("admin.audit")}</h2>
      <form id="audit-filters" class="inline" onSubmit={load} aria-label={t("admin.auditFilters")}>
        {(["subject", "action", "document_id"] as const).map((name) => (
          <span key={name}>
            <label for={`audit-${name}`}>{t(`admin.filter.${name}`)}</label>{" "}
            <input id={`audit-${name}`} value={filters[name]} onInput={(e) => setFilters({ ...filters, [name]: e.currentTarget.value })} />
          </span>
        ))}
        <button type="submit" id="audit-search">
          {t("admin.auditShow")}
        </button>
      </form>
      <p class="error" role="alert">
        {error}
      </p>
      {entries && (
        <table id="audit" class="list" data-count={entries.length}>
          <thead>
            <tr>
              <th scope="col">{t("admin.at")}</th>
              <th scope="col">{t("admin.subject")}</th>
              <th scope="col">{t("admin.filter.action")}</th>
              <th scope="col">{t("admin.filter.document_id")}</th>
              <th scope="col">{t("field.matter_id")}</th>
              <th scope="col">{t("admin.status")}</th>
              <th scope="col">{t("admin.hits")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.event_id} data-action={e.action} data-subject={e.subject ?? ""}>
                <td>{e.at.slice(0, 19).replace("T", " ")}</td>
                <td>{e.subject}</td>
                <td>{e.action}</td>
                <td>{e.document_id}</td>
                <td>{e.matter_id}</td>
                <td>{e.status_code}</td>
                <td>{e.hits ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
