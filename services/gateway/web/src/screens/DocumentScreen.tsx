import { Fragment } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, enc, imageUrl } from "../api";
import { t, type MessageKey } from "../i18n";
import { go, href } from "../router";
import { matchesTerm, queryTerms, type Term } from "../text";
import type { ChildDocument, DocumentMetadata, DocumentText, NearDuplicates, TextPage, Thread, ThreadMessage } from "../types";
import { RecordingViewer } from "./RecordingViewer";

/** Display widths of the page image (zoom steps); the server renders the next size up. */
const ZOOMS = [480, 720, 960, 1280, 1600];
const THUMBNAILS_SHOWN = 200;
const THUMBNAILS_AROUND = 4;

export function DocumentScreen({ documentId, params }: { documentId: string; params: URLSearchParams }) {
  const [doc, setDoc] = useState<DocumentMetadata | null>(null);
  const [error, setError] = useState("");
  const q = params.get("q") ?? "";

  useEffect(() => {
    let live = true;
    setDoc(null);
    setError("");
    api<DocumentMetadata>(`/v1/documents/${enc(documentId)}`)
      .then((found) => live && setDoc(found))
      .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [documentId]);

  const back = (
    <p>
      <a href={href(["search"], { q })} id="back">
        {t("doc.back")}
      </a>
    </p>
  );
  if (error) {
    return (
      <section aria-labelledby="doc-missing-title">
        {back}
        <h1 id="doc-missing-title">{t("doc.title")}</h1>
        <p class="error" role="alert">
          {error}
        </p>
      </section>
    );
  }
  if (!doc) return <p role="status">{t("doc.loading")}</p>;
  const title = doc.title || doc.filename || doc.document_id;
  const recording = doc.duration != null || doc.kind === "audio" || doc.kind === "video";
  return (
    <article class="document" id="viewer" data-document-id={documentId} aria-labelledby="doc-title">
      {back}
      <h1 id="doc-title">{title}</h1>
      <div class="viewer-columns">
        {recording ? (
          <RecordingViewer doc={doc} q={q} startAt={Number(params.get("t") ?? 0) || 0} />
        ) : (
          <PageViewer doc={doc} title={title} q={q} page={Math.max(1, Number(params.get("page") ?? 1) || 1)} />
        )}
        <Fields doc={doc} />
      </div>
    </article>
  );
}

function PageViewer({ doc, title, q, page }: { doc: DocumentMetadata; title: string; q: string; page: number }) {
  const [text, setText] = useState<DocumentText | null>(null);
  const [image, setImage] = useState<string | null>(null);
  const [noImage, setNoImage] = useState(false);
  const [zoom, setZoom] = useState(2);
  const [error, setError] = useState("");
  const id = doc.document_id;
  const terms = queryTerms(q);
  const renderWidth = Math.ceil(ZOOMS[zoom] * Math.min(window.devicePixelRatio || 1, 2));

  useEffect(() => {
    let live = true;
    api<DocumentText>(`/v1/documents/${enc(id)}/text?words=true`)
      .then((found) => live && setText(found))
      .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [id]);

  useEffect(() => {
    let live = true;
    setImage(null);
    imageUrl(`/v1/documents/${enc(id)}/pages/${page}.png?width=${renderWidth}`)
      .then((url) => live && setImage(url))
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 404) setNoImage(true);
        else setError(err instanceof ApiError ? err.message : String(err));
      });
    return () => {
      live = false;
    };
  }, [id, page, renderWidth]);

  const pages = text?.pages ?? [];
  const count = pages.length || doc.page_count || 1;
  const current = pages.find((p) => p.number === page);
  const goPage = (n: number) => go(["documents", id], { q, page: Math.min(Math.max(1, n), count) });
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "ArrowRight" || event.key === "PageDown") goPage(page + 1);
    else if (event.key === "ArrowLeft" || event.key === "PageUp") goPage(page - 1);
    else return;
    event.preventDefault();
  };
  const hits = current ? hitBoxes(current, terms) : [];

  return (
    <section class="pages" aria-label={t("doc.pages")}>
      <div class="toolbar" role="toolbar" aria-label={t("doc.pages")}>
        <button type="button" id="prev-page" onClick={() => goPage(page - 1)} disabled={page <= 1}>
          {t("doc.previousPage")}
        </button>
        <span id="page-of" aria-live="polite">
          {t("doc.pageOf", { page, pages: count })}
        </span>
        <button type="button" id="next-page" onClick={() => goPage(page + 1)} disabled={page >= count}>
          {t("doc.nextPage")}
        </button>
        <button type="button" id="zoom-out" onClick={() => setZoom(Math.max(0, zoom - 1))} disabled={zoom === 0}>
          {t("doc.zoomOut")}
        </button>
        <button type="button" id="zoom-in" onClick={() => setZoom(Math.min(ZOOMS.length - 1, zoom + 1))} disabled={zoom === ZOOMS.length - 1}>
          {t("doc.zoomIn")}
        </button>
        {terms.length > 0 && current && <span id="hits-on-page">{hits.length === 1 ? t("doc.hitsOnPageOne") : t("doc.hitsOnPage", { count: hits.length })}</span>}
      </div>
      <p class="error" role="alert">
        {error}
      </p>
      {noImage ? (
        <p id="no-image">{t("doc.noImage")}</p>
      ) : (
        <figure
          class={`page-frame zoom-${zoom}`}
          id="page-frame"
          data-page={page}
          tabIndex={0}
          onKeyDown={onKey}
          aria-label={t("doc.image", { page, title })}
        >
          {image && <img id="page-image" src={image} alt={t("doc.image", { page, title })} />}
          {image && current?.width && current.height && (
            <svg
              id="page-hits"
              class="hits"
              viewBox={`0 0 ${current.width} ${current.height}`}
              preserveAspectRatio="none"
              aria-hidden="true"
              data-page-width={current.width}
              data-page-height={current.height}
            >
              {hits.map((w, i) => (
                <rect
                  key={i}
                  class="hit-box"
                  x={w.left}
                  y={w.top}
                  width={w.width}
                  height={w.height}
                  data-word={w.text}
                />
              ))}
            </svg>
          )}
        </figure>
      )}
      {current && (
        <details class="text-layer" open={noImage}>
          <summary>{t("doc.textLayer")}</summary>
          <div id={`page-${page}`} class="page-text" data-page={page}>
            {current.text}
          </div>
        </details>
      )}
      {!noImage && count > 1 && <Thumbnails id={id} q={q} count={count} page={page} />}
    </section>
  );
}

function hitBoxes(page: TextPage, terms: Term[]) {
  if (!terms.length) return [];
  return (page.words ?? []).filter((word) => matchesTerm(word.text, terms));
}

function Thumbnails({ id, q, count, page }: { id: string; q: string; count: number; page: number }) {
  const [urls, setUrls] = useState<Record<number, string>>({});
  useEffect(() => {
    let live = true;
    (async () => {
      // the pages around the one being read, one at a time (each is a render on the server
      // the first time); the others stay numbered placeholders until the reader comes near
      const near = [];
      for (let n = Math.max(1, page - THUMBNAILS_AROUND); n <= Math.min(count, page + THUMBNAILS_AROUND); n++) near.push(n);
      for (const n of near) {
        if (urls[n]) continue;
        try {
          const url = await imageUrl(`/v1/documents/${enc(id)}/pages/${n}.png?width=160`);
          if (!live) return;
          setUrls((old) => ({ ...old, [n]: url }));
        } catch {
          return;
        }
      }
    })();
    return () => {
      live = false;
    };
  }, [id, count, page]);
  const shown = Array.from({ length: Math.min(count, THUMBNAILS_SHOWN) }, (_, i) => i + 1);
  return (
    <nav class="thumbnails" aria-label={t("doc.pages")}>
      <ol>
        {shown.map((n) => (
          <li key={n}>
            <a href={href(["documents", id], { q, page: n })} aria-current={n === page ? "page" : undefined} aria-label={t("doc.thumbnail", { page: n })}>
              {urls[n] ? <img src={urls[n]} alt="" /> : <span class="thumb-placeholder" />}
              <span class="thumb-number" aria-hidden="true">
                {n}
              </span>
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

const FIELD_NAMES = [
  "filename",
  "status",
  "failure_reason",
  "matter_id",
  "court",
  "jurisdiction",
  "decision_date",
  "doc_type",
  "language",
  "case_numbers",
  "identifiers",
  "parties",
  "judges",
  "citations",
  "page_count",
] as const;

function fieldText(doc: DocumentMetadata, name: (typeof FIELD_NAMES)[number]): string | null {
  const value = doc[name];
  if (value === null || value === undefined || value === "") return null;
  if (Array.isArray(value)) {
    if (!value.length) return null;
    return value
      .map((item: string | { raw?: string; normalized?: string; kind?: string; value?: string }) => {
        if (typeof item === "string") return item;
        if (item.value !== undefined) return `${item.kind ?? ""} ${item.value}`.trim();
        return item.raw ?? item.normalized ?? "";
      })
      .join("; ");
  }
  return String(value);
}

function Fields({ doc }: { doc: DocumentMetadata }) {
  const rows = FIELD_NAMES.map((name) => [name, fieldText(doc, name)] as const).filter(([, value]) => value);
  return (
    <aside class="fields" aria-labelledby="fields-title">
      <h2 id="fields-title">{t("doc.fields")}</h2>
      {isEmail(doc) && <EmailHeaders documentId={doc.document_id} />}
      <dl id="doc-meta">
        {rows.map(([name, value]) => (
          <div key={name}>
            <dt>{t(`field.${name}` as MessageKey)}</dt>
            <dd class={`meta-${name}`}>{value}</dd>
          </div>
        ))}
      </dl>
      <Attachments documentId={doc.document_id} email={isEmail(doc)} />
      <NearDuplicateList documentId={doc.document_id} />
      {doc.warnings.length > 0 && (
        <>
          <h3>{t("doc.warnings")}</h3>
          <ul class="warnings">
            {doc.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}

const MAIL_TYPES = new Set(["message/rfc822", "application/vnd.ms-outlook"]);

function isEmail(doc: DocumentMetadata): boolean {
  return doc.doc_type === "email" || MAIL_TYPES.has(doc.media_type ?? "") || /\.(eml|msg)$/i.test(doc.filename ?? "");
}

const THREAD_TRIES = 6;
const THREAD_RETRY_MS = 2000;

/** An e-mail's headers, as its thread's record of it has them (GET /thread). */
function EmailHeaders({ documentId }: { documentId: string }) {
  const [message, setMessage] = useState<ThreadMessage | null>(null);
  const [count, setCount] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setMessage(null);
    // A message just indexed may not be in its thread yet (the thread record is written
    // after the document): asked again a few times before the headers are left out.
    const load = (triesLeft: number) => {
      const retry = () => {
        if (live && triesLeft > 1) timer = setTimeout(() => load(triesLeft - 1), THREAD_RETRY_MS);
      };
      api<Thread>(`/v1/documents/${enc(documentId)}/thread`)
        .then((thread) => {
          if (!live) return;
          const own = thread.messages.find((m) => m.document_id === documentId) ?? null;
          setMessage(own);
          setCount(thread.total);
          if (!own) retry();
        })
        .catch(retry); // not indexed yet, or no thread: no headers (yet)
    };
    load(THREAD_TRIES);
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [documentId]);
  if (!message) return null;
  const rows: [MessageKey, string | null][] = [
    ["mail.from", message.sender],
    ["mail.to", message.to.join(", ") || null],
    ["mail.cc", message.cc.join(", ") || null],
    ["mail.date", message.date],
    ["mail.subject", message.subject],
  ];
  return (
    <section aria-labelledby="email-title" id="email">
      <h3 id="email-title">{t("doc.email")}</h3>
      <dl class="email-headers" id="email-headers">
        {rows
          .filter(([, value]) => value)
          .map(([key, value]) => (
            <Fragment key={key}>
              <dt>{t(key)}</dt>
              <dd data-header={key.slice(5)}>{value}</dd>
            </Fragment>
          ))}
      </dl>
      {count > 1 && <p class="help">{t("mail.thread", { count })}</p>}
    </section>
  );
}

/** The document's near-duplicates the caller may see (its group: the same text as a copy, a
 * draft or a reply quoting it), each with its estimated similarity and a link; the group's
 * earliest document is marked as the principal. Nothing is shown for a document without any. */
function NearDuplicateList({ documentId }: { documentId: string }) {
  const [group, setGroup] = useState<NearDuplicates | null>(null);
  useEffect(() => {
    let live = true;
    setGroup(null);
    api<NearDuplicates>(`/v1/documents/${enc(documentId)}/near-duplicates`)
      .then((answer) => live && setGroup(answer))
      .catch(() => live && setGroup(null)); // not indexed yet: nothing to show
    return () => {
      live = false;
    };
  }, [documentId]);
  if (!group || group.total === 0) return null;
  return (
    <section aria-labelledby="near-duplicates-title" id="near-duplicates" data-total={group.total}>
      <h3 id="near-duplicates-title">{t("doc.nearDuplicates", { count: group.total })}</h3>
      {group.principal_id === documentId && <p class="help">{t("doc.principal")}</p>}
      <ul>
        {group.near_duplicates.map((near) => {
          const name = near.title || near.filename || near.document_id;
          const similar = near.similarity == null ? "" : ` ${t("doc.similarity", { percent: Math.round(near.similarity * 100) })}`;
          return (
            <li key={near.document_id} data-document-id={near.document_id} data-similarity={near.similarity ?? ""}>
              <a href={href(["documents", near.document_id])}>{name}</a>
              {similar}
              {near.principal ? ` ${t("doc.principalMark")}` : ""}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** A document's attachments or archive members the caller may see, each a link to open it. */
function Attachments({ documentId, email }: { documentId: string; email: boolean }) {
  const [children, setChildren] = useState<ChildDocument[] | null>(null);
  useEffect(() => {
    let live = true;
    setChildren(null);
    api<{ children: ChildDocument[] }>(`/v1/documents/${enc(documentId)}/children`)
      .then((answer) => live && setChildren(answer.children))
      .catch(() => live && setChildren([]));
    return () => {
      live = false;
    };
  }, [documentId]);
  if (!children || (children.length === 0 && !email)) return null;
  return (
    <section aria-labelledby="attachments-title" id="attachments">
      <h3 id="attachments-title">{t("doc.attachments")}</h3>
      {children.length === 0 ? (
        <p class="help">{t("doc.noAttachments")}</p>
      ) : (
        <ul>
          {children.map((child) => {
            const name = child.filename || child.document_id;
            return (
              <li key={child.document_id} data-document-id={child.document_id} data-status={child.status ?? ""}>
                <a href={href(["documents", child.document_id])}>
                  {child.status && child.status !== "indexed" ? t("doc.attachmentPending", { name, status: child.status }) : name}
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
