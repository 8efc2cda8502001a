import { useEffect, useState } from "preact/hooks";
import { api, ApiError, enc, session } from "../api";
import { t } from "../i18n";
import { go, href } from "../router";
import type { Matter, Me, Role } from "../types";

const ROLES: Role[] = ["viewer", "editor", "owner"];

function message(err: unknown): string {
  return err instanceof ApiError ? err.message : String(err);
}

export function MattersScreen({ me }: { me: Me }) {
  const [matters, setMatters] = useState<Matter[] | null>(null);
  const [error, setError] = useState("");
  const [name, setName] = useState("");
  const [matterId, setMatterId] = useState("");
  const [client, setClient] = useState("");
  const [description, setDescription] = useState("");

  useEffect(() => {
    api<{ matters: Matter[] }>("/v1/matters")
      .then((answer) => setMatters(answer.matters))
      .catch((err: unknown) => setError(message(err)));
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    setError("");
    try {
      const body = { name: name.trim(), matter_id: matterId.trim() || undefined, client: client.trim() || undefined, description: description.trim() || undefined };
      const created = await api<Matter>("/v1/matters", { method: "POST", body: JSON.stringify(body) });
      go(["matters", created.matter_id]);
    } catch (err) {
      setError(message(err));
    }
  };

  return (
    <section aria-labelledby="matters-title">
      <h1 id="matters-title">{t("matters.title")}</h1>
      <p class="error" role="alert" id="matters-error">
        {error}
      </p>
      {matters && matters.length === 0 && <p id="no-matters">{t("matters.none")}</p>}
      {matters && matters.length > 0 && (
        <table id="matters" class="list">
          <thead>
            <tr>
              <th scope="col">{t("matters.id")}</th>
              <th scope="col">{t("matters.name")}</th>
              <th scope="col">{t("matters.status")}</th>
              <th scope="col">{t("matters.role")}</th>
            </tr>
          </thead>
          <tbody>
            {matters.map((m) => (
              <tr key={m.matter_id} data-matter-id={m.matter_id}>
                <td>
                  <a href={href(["matters", m.matter_id])}>{m.matter_id}</a>
                </td>
                <td>{m.name}</td>
                <td>{m.status}</td>
                <td>{m.role ? t(`role.${m.role}`) : me.is_admin ? t("nav.admin") : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {me.scopes.includes("matters") && (
        <form id="new-matter" class="stacked" onSubmit={create} aria-labelledby="new-matter-title">
          <h2 id="new-matter-title">{t("matters.create")}</h2>
          <label for="matter-name">{t("matters.newName")}</label>
          <input id="matter-name" required maxLength={500} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <label for="matter-id">{t("matters.newId")}</label>
          <input id="matter-id" maxLength={100} pattern="[A-Za-z0-9._\-]+" value={matterId} onInput={(e) => setMatterId(e.currentTarget.value)} />
          <label for="matter-client">{t("matters.newClient")}</label>
          <input id="matter-client" maxLength={500} value={client} onInput={(e) => setClient(e.currentTarget.value)} />
          <label for="matter-description">{t("matters.newDescription")}</label>
          <textarea id="matter-description" maxLength={5000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          <button type="submit" id="create-matter">
            {t("matters.submit")}
          </button>
        </form>
      )}
    </section>
  );
}

export function MatterScreen({ matterId, me }: { matterId: string; me: Me }) {
  const [matter, setMatter] = useState<Matter | null>(null);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [missing, setMissing] = useState(false);
  const [subject, setSubject] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [screenSubject, setScreenSubject] = useState("");
  const path = `/v1/matters/${enc(matterId)}`;

  const load = async () => {
    try {
      setMatter(await api<Matter>(path));
      setMissing(false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setMissing(true);
      else setError(message(err));
    }
  };
  useEffect(() => {
    setMatter(null);
    void load();
  }, [matterId]);

  const act = async (call: () => Promise<unknown>) => {
    setError("");
    setStatus("");
    try {
      await call();
      await load();
      setStatus(t("matters.saved"));
    } catch (err) {
      setError(message(err));
    }
  };
  const back = (
    <p>
      <a href={href(["matters"])}>{t("matters.back")}</a>
    </p>
  );
  if (missing) {
    return (
      <section aria-labelledby="matter-missing-title">
        {back}
        <h1 id="matter-missing-title">{t("matters.title")}</h1>
        <p id="matter-missing" role="alert">
          {t("matters.notFound")}
        </p>
      </section>
    );
  }
  if (!matter) {
    return (
      <section>
        {back}
        <p class="error" role="alert">
          {error}
        </p>
      </section>
    );
  }
  const owner = matter.role === "owner" || me.is_admin;
  const open = matter.status === "open";
  return (
    <section aria-labelledby="matter-title" id="matter" data-matter-id={matter.matter_id}>
      {back}
      <h1 id="matter-title">
        {matter.name} <span class="muted">({matter.matter_id})</span>
      </h1>
      {matter.client && <p>{matter.client}</p>}
      {matter.description && <p>{matter.description}</p>}
      {!open && <p>{t("matters.archived")}</p>}
      <p>
        <a href={href(["search"], { matter_id: matter.matter_id })} id="search-matter">
          {t("matters.searchIn")}
        </a>
      </p>
      <p id="matter-status" role="status">
        {status}
      </p>
      <p class="error" role="alert" id="matter-error">
        {error}
      </p>
      {matter.members && (
        <section aria-labelledby="members-title">
          <h2 id="members-title">{t("matters.members")}</h2>
          <table id="members" class="list">
            <thead>
              <tr>
                <th scope="col">{t("matters.subject")}</th>
                <th scope="col">{t("matters.memberRole")}</th>
                {owner && <td />}
              </tr>
            </thead>
            <tbody>
              {matter.members.map((m) => (
                <tr key={m.subject} data-subject={m.subject}>
                  <td>{m.subject}</td>
                  <td>{t(`role.${m.role}`)}</td>
                  {owner && (
                    <td>
                      <button type="button" onClick={() => void act(() => api(`${path}/members/${enc(m.subject)}`, { method: "DELETE" }))}>
                        {t("matters.remove", { subject: m.subject })}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {owner && open && (
            <form
              id="add-member"
              class="inline"
              aria-label={t("matters.addMember")}
              onSubmit={(event) => {
                event.preventDefault();
                const who = subject.trim();
                if (!who) return;
                void act(() => api(`${path}/members/${enc(who)}`, { method: "PUT", body: JSON.stringify({ role }) })).then(() => setSubject(""));
              }}
            >
              <label for="member-subject">{t("matters.subject")}</label>
              <input id="member-subject" required value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
              <label for="member-role">{t("matters.memberRole")}</label>
              <select id="member-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`role.${r}`)}
                  </option>
                ))}
              </select>
              <button type="submit" id="add-member-button">
                {t("matters.add")}
              </button>
            </form>
          )}
        </section>
      )}
      {me.is_admin && (
        <section aria-labelledby="screens-title">
          <h2 id="screens-title">{t("matters.screens")}</h2>
          <p class="help">{t("matters.screensHelp")}</p>
          {matter.screened && matter.screened.length > 0 ? (
            <ul id="screens">
              {matter.screened.map((who) => (
                <li key={who} data-subject={who}>
                  {who}{" "}
                  <button type="button" onClick={() => void act(() => api(`${path}/screens/${enc(who)}`, { method: "DELETE" }))}>
                    {t("matters.lift", { subject: who })}
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p>{t("matters.noScreens")}</p>
          )}
          <form
            id="add-screen"
            class="inline"
            aria-label={t("matters.screen")}
            onSubmit={(event) => {
              event.preventDefault();
              const who = screenSubject.trim();
              if (!who) return;
              void act(() => api(`${path}/screens/${enc(who)}`, { method: "PUT" })).then(() => setScreenSubject(""));
            }}
          >
            <label for="screen-subject">{t("matters.subject")}</label>
            <input id="screen-subject" required value={screenSubject} onInput={(e) => setScreenSubject(e.currentTarget.value)} />
            <button type="submit" id="add-screen-button">
              {t("matters.screenSubmit")}
            </button>
          </form>
        </section>
      )}
      {open && (matter.role === "owner" || matter.role === "editor" || me.is_admin) && <UploadBox matterId={matter.matter_id} />}
      <ProcessingBoard matterId={matter.matter_id} admin={me.is_admin} />
      {owner && open && (
        <p>
          <button type="button" id="archive-matter" onClick={() => void act(() => api(`${path}/archive`, { method: "POST" }))}>
            {t("matters.archive")}
          </button>
        </p>
      )}
    </section>
  );
}

interface Upload {
  name: string;
  progress: number;
  status: string;
  documentId?: string;
}

/** Drop files (or choose them) into the matter: each is sent with its own progress, then its
 * processing status is followed until it is indexed or failed. */
function UploadBox({ matterId }: { matterId: string }) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [over, setOver] = useState(false);
  const update = (index: number, change: Partial<Upload>) =>
    setUploads((old) => old.map((u, i) => (i === index ? { ...u, ...change } : u)));

  const send = (files: FileList | null) => {
    if (!files) return;
    const start = uploads.length;
    const list = Array.from(files);
    setUploads((old) => [...old, ...list.map((f) => ({ name: f.name, progress: 0, status: "uploading" }))]);
    list.forEach((file, i) => uploadOne(file, start + i));
  };

  const uploadOne = (file: File, index: number) => {
    const form = new FormData();
    form.append("matter_id", matterId); // fields before the file: the gateway streams it
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/documents");
    xhr.setRequestHeader("X-API-Key", session.key());
    xhr.upload.onprogress = (e) => e.lengthComputable && update(index, { progress: Math.round((100 * e.loaded) / e.total) });
    xhr.onerror = () => update(index, { status: t("error.network") });
    xhr.onload = () => {
      let body: { document_id?: string; detail?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        /* not JSON */
      }
      if (xhr.status !== 202 || !body.document_id) {
        update(index, { status: body.detail ?? `HTTP ${xhr.status}` });
        return;
      }
      update(index, { progress: 100, status: "received", documentId: body.document_id });
      void follow(body.document_id, index);
    };
    xhr.send(form);
  };

  const follow = async (documentId: string, index: number) => {
    for (let i = 0; i < 600; i++) {
      try {
        const doc = await api<{ status: string; failure_reason: string | null }>(`/v1/documents/${enc(documentId)}`);
        update(index, { status: doc.status + (doc.failure_reason ? `: ${doc.failure_reason}` : "") });
        if (doc.status === "indexed" || doc.status === "failed") return;
      } catch {
        /* not visible yet */
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };

  return (
    <section aria-labelledby="upload-title" class="upload">
      <h2 id="upload-title">{t("matters.upload")}</h2>
      <div
        id="drop-zone"
        class={`drop-zone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          send(e.dataTransfer?.files ?? null);
        }}
      >
        <p>{t("matters.uploadHelp")}</p>
        <label for="upload-files">{t("matters.uploadChoose")}</label>{" "}
        <input id="upload-files" type="file" multiple onChange={(e) => send(e.currentTarget.files)} />
      </div>
      {uploads.length > 0 && (
        <p id="upload-counts" role="status">
          {Object.entries(
            uploads.reduce<Record<string, number>>((counts, u) => {
              const stage = u.status.split(":")[0];
              counts[stage] = (counts[stage] ?? 0) + 1;
              return counts;
            }, {}),
          )
            .map(([stage, count]) => t("matters.stageCount", { stage, count }))
            .join(" · ")}
        </p>
      )}
      <ul id="uploads">
        {uploads.map((u, i) => (
          <li key={i} data-document-id={u.documentId ?? ""} data-status={u.status}>
            <progress max={100} value={u.progress} aria-label={u.name} /> {t("matters.uploadStatus", { name: u.name, status: u.status })}
            {u.documentId && u.status === "indexed" && (
              <>
                {" "}
                <a href={href(["documents", u.documentId])}>{u.name}</a>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

interface Board {
  total: number;
  by_status: Record<string, number>;
  in_progress_by_stage: Record<string, number>;
  failures: { document_id: string; filename: string | null; failure_stage: string | null; failure_reason: string | null }[];
}

/** The matter's documents as the server counts them (every upload, not only this tab's),
 * refreshed every two seconds; tenant admins can send the failed ones through again. */
function ProcessingBoard({ matterId, admin }: { matterId: string; admin: boolean }) {
  const [board, setBoard] = useState<Board | null>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  const path = `/v1/matters/${enc(matterId)}`;
  const refresh = async () => {
    try {
      setBoard(await api<Board>(`${path}/board`));
      setError("");
    } catch (err) {
      setError(message(err));
    }
  };
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 2000);
    return () => clearInterval(timer);
  }, [matterId]);
  const replay = async () => {
    setNote("");
    try {
      const done = await api<{ replayed: string[]; skipped: unknown[] }>(`${path}/replay`, { method: "POST" });
      setNote(t("matters.boardReplayed", { replayed: done.replayed.length, skipped: done.skipped.length }));
      await refresh();
    } catch (err) {
      setError(message(err));
    }
  };
  const open = board ? Object.entries(board.in_progress_by_stage) : [];
  return (
    <section aria-labelledby="board-title" id="board">
      <h2 id="board-title">{t("matters.board")}</h2>
      <p class="error" role="alert">
        {error}
      </p>
      {board && (
        <>
          <p id="board-total">{t("matters.boardTotal", { total: board.total })}</p>
          <table id="board-counts" class="list">
            <thead>
              <tr>
                <th scope="col">{t("matters.boardStatus")}</th>
                <th scope="col">{t("matters.boardCount")}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(board.by_status).map(([status, count]) => (
                <tr key={status} data-status={status} data-count={count}>
                  <td>{status}</td>
                  <td>{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {open.length > 0 && (
            <p id="board-in-progress">
              {t("matters.boardInProgress", { stages: open.map(([stage, count]) => t("matters.stageCount", { stage, count })).join(" · ") })}
            </p>
          )}
          <h3>{t("matters.boardFailures")}</h3>
          {board.failures.length === 0 ? (
            <p id="board-no-failures">{t("matters.boardNoFailures")}</p>
          ) : (
            <ul id="board-failures">
              {board.failures.map((f) => (
                <li key={f.document_id} data-document-id={f.document_id}>
                  <a href={href(["documents", f.document_id])}>{f.filename ?? f.document_id}</a>
                  {f.failure_stage ? ` (${f.failure_stage})` : ""}: {f.failure_reason}
                </li>
              ))}
            </ul>
          )}
          {admin && board.failures.length > 0 && (
            <p>
              <button type="button" id="board-replay" onClick={() => void replay()}>
                {t("matters.boardReplay")}
              </button>{" "}
              <span id="board-replay-note" role="status">
                {note}
              </span>
            </p>
          )}
        </>
      )}
    </section>
  );
}
