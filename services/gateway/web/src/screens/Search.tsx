import { useEffect, useRef, useState } from "preact/hooks";
import { api, apiDo, ApiError } from "../api";
import { t, type MessageKey } from "../i18n";
import { go, href, type Params } from "../router";
import { fragmentPieces } from "../text";
import type { FacetValue, Hit, JurisdictionNode, SavedSearch, SearchAnswer } from "../types";

export const FILTERS = ["jurisdiction", "court", "doc_type", "language", "matter_id", "authority", "date_from", "date_to"] as const;
type FilterName = (typeof FILTERS)[number];
const PAGE_SIZE = 20;

const SYNTAX: { example: string; help: MessageKey }[] = [
  { example: '"due process"', help: "search.help.phrase" },
  { example: "contract AND breach", help: "search.help.and" },
  { example: "tort OR negligence", help: "search.help.or" },
  { example: "NOT dissent", help: "search.help.not" },
  { example: "arbitra*", help: "search.help.prefix" },
  { example: "judgement~1", help: "search.help.fuzzy" },
  { example: '"breach contract"~5', help: "search.help.near" },
  { example: 'court:"Court of Appeal"', help: "search.help.court" },
  { example: "judge:Ginsburg", help: "search.help.judge" },
  { example: "party:Nelson", help: "search.help.party" },
  { example: 'cites:"410 U.S. 113"', help: "search.help.cites" },
  { example: "jurisdiction:US/FED", help: "search.help.jurisdiction" },
  { example: "type:judgment", help: "search.help.type" },
  { example: "date:[2019-01-01 TO 2021-12-31]", help: "search.help.date" },
];

let running: Promise<unknown> = Promise.resolve();

/** One search in flight at a time (the gateway bounds a caller's searches in flight): a search
 * asked for while one runs waits for it, and is dropped if another was asked for meanwhile.
 * A 429 (a search of this caller from another tab) is retried after a pause. */
function searchOneAtATime(wanted: () => boolean, path: string): Promise<SearchAnswer | null> {
  const mine = running.then(async () => {
    for (let attempt = 0; wanted(); attempt++) {
      try {
        return await api<SearchAnswer>(path);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 429) || attempt >= 4) throw err;
        await new Promise((resolve) => setTimeout(resolve, 400 * (attempt + 1)));
      }
    }
    return null;
  });
  running = mine.catch(() => null);
  return mine;
}

/** The search's own address: query, sort, filters and page (the cursors that led to it). */
function searchParams(params: URLSearchParams, changes: Params): Params {
  const base: Params = { q: params.get("q"), sort: params.get("sort"), collapse: params.get("collapse") };
  for (const name of FILTERS) base[name] = params.get(name);
  return { ...base, ...changes };
}

export function SearchScreen({ params }: { params: URLSearchParams }) {
  const q = params.get("q") ?? "";
  const sort = params.get("sort") === "date" ? "date" : "relevance";
  const after = params.get("after");
  // one hit per near-duplicate group (the API's collapse=near_duplicates; one page, no cursor)
  const collapsed = params.get("collapse") === "near_duplicates";
  const trail = params.getAll("trail");
  const [draft, setDraft] = useState(q);
  const [result, setResult] = useState<{ key: string; answer: SearchAnswer } | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLInputElement>(null);
  const key = params.toString();

  useEffect(() => setDraft(q), [q]);

  useEffect(() => {
    let live = true;
    const query = new URLSearchParams({ size: String(PAGE_SIZE), sort });
    if (q) query.set("q", q);
    for (const name of FILTERS) {
      const value = params.get(name);
      if (value) query.set(name, value);
    }
    if (collapsed) query.set("collapse", "near_duplicates");
    else if (after) query.set("search_after", after);
    if (!q && !FILTERS.some((name) => params.get(name))) {
      setResult(null); // nothing asked yet: the syntax help, no search
      return;
    }
    setBusy(true);
    setError("");
    searchOneAtATime(() => live, `/v1/search?${query}`)
      .then((found) => live && found && setResult({ key, answer: found }))
      .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : String(err)))
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [key]);

  const submit = (event: Event) => {
    event.preventDefault();
    go(["search"], searchParams(params, { q: draft.trim(), after: null }));
  };
  const setFilter = (name: FilterName, value: string | null) =>
    go(["search"], searchParams(params, { [name]: value, after: null }));
  const addExample = (example: string) => {
    setDraft((draft ? `${draft} ` : "") + example);
    box.current?.focus();
  };
  const page = trail.length + 1;
  // the answer shown may be the last search's while this one runs: only a fresh one counts
  const answer = result?.answer ?? null;
  const fresh = result !== null && result.key === key;
  const active = FILTERS.filter((name) => params.get(name));

  return (
    <section class="search" aria-labelledby="search-title">
      <h1 id="search-title" class="visually-hidden">
        {t("search.title")}
      </h1>
      <form id="search-form" role="search" onSubmit={submit}>
        <label for="q" class="visually-hidden">
          {t("search.query")}
        </label>
        <input
          id="q"
          ref={box}
          type="search"
          value={draft}
          placeholder={t("search.placeholder")}
          aria-describedby="syntax-help"
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <label for="sort">{t("search.sort")}</label>
        <select
          id="sort"
          value={sort}
          onChange={(event) => go(["search"], searchParams(params, { sort: event.currentTarget.value, after: null }))}
        >
          <option value="relevance">{t("search.sort.relevance")}</option>
          <option value="date">{t("search.sort.date")}</option>
        </select>
        <button type="submit" id="search-button">
          {t("search.submit")}
        </button>
        <label class="toggle">
          <input
            type="checkbox"
            id="collapse"
            checked={collapsed}
            onChange={(event) =>
              go(["search"], searchParams(params, { collapse: event.currentTarget.checked ? "near_duplicates" : null, after: null, trail: [] }))
            }
          />{" "}
          {t("search.collapse")}
        </label>
      </form>
      <details id="syntax-help" class="syntax">
        <summary>{t("search.help")}</summary>
        <p>{t("search.help.intro")}</p>
        <ul>
          {SYNTAX.map(({ example, help }) => (
            <li key={example}>
              <button type="button" class="example" onClick={() => addExample(example)}>
                <code>{example}</code>
              </button>{" "}
              {t(help)}
            </li>
          ))}
        </ul>
      </details>
      {active.length > 0 && (
        <ul class="chips" aria-label={t("search.filters")}>
          {active.map((name) => (
            <li key={name}>
              <button
                type="button"
                class="chip"
                data-filter={name}
                aria-label={t("search.removeFilter", { name: t(`facet.${name}`), value: params.get(name) ?? "" })}
                onClick={() => setFilter(name, null)}
              >
                {t(`facet.${name}`)}: {params.get(name)} <span aria-hidden="true">✕</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <p id="search-error" class="error" role="alert">
        {error}
      </p>
      <div class="columns">
        <aside id="facets" aria-labelledby="facets-title">
          <h2 id="facets-title" class="visually-hidden">
            {t("search.facets")}
          </h2>
          <SavedSearches params={params} />
          {answer && <FacetPanel answer={answer} onPick={setFilter} params={params} />}
        </aside>
        <section class="results" aria-labelledby="results-title" aria-busy={busy}>
          <h2 id="results-title" class="visually-hidden">
            {t("search.results")}
          </h2>
          <p id="total" role="status" data-total={fresh && answer ? answer.total : ""}>
            {busy || !fresh ? (busy ? t("search.searching") : "") : answer ? countText(answer.total) : ""}
          </p>
          {fresh && answer?.suggestion && answer.total === 0 && (
            <p id="suggestion">
              {answer.suggestion.kind === "spelling" ? t("search.suggestion") : t("search.suggestionRelaxed")}{" "}
              <a href={href(["search"], searchParams(params, { q: answer.suggestion.q, after: null }))}>
                {answer.suggestion.q}
              </a>
              {answer.suggestion.total ? ` ${t("search.suggestionTotal", { count: answer.suggestion.total })}` : ""}
              {answer.suggestion.kind === "spelling" ? "?" : ""}
            </p>
          )}
          <ol id="results" start={(page - 1) * PAGE_SIZE + 1}>
            {answer?.hits.map((hit) => <HitItem key={hit.document_id} hit={hit} q={q} />)}
          </ol>
          <nav class="pager" aria-label={t("search.page", { page })}>
            {page > 1 && (
              <a
                id="previous"
                href={href(["search"], searchParams(params, { after: trail[trail.length - 1] ?? null, trail: trail.slice(0, -1) }))}
              >
                {t("search.previous")}
              </a>
            )}
            {page > 1 && <span>{t("search.page", { page })}</span>}
            {collapsed && fresh && answer && answer.total > 0 && <span id="collapsed-note">{t("search.collapsed")}</span>}
            {answer?.next && !collapsed && (
              <a id="next" href={href(["search"], searchParams(params, { after: answer.next, trail: after ? [...trail, after] : [...trail, ""] }))}>
                {t("search.next")}
              </a>
            )}
          </nav>
        </section>
      </div>
    </section>
  );
}

function countText(total: number): string {
  if (total === 0) return t("search.countNone");
  if (total === 1) return t("search.countOne");
  return t("search.count", { count: total.toLocaleString("en") });
}

function HitItem({ hit, q }: { hit: Hit; q: string }) {
  const title = hit.title || hit.filename || hit.document_id;
  const meta = [hit.jurisdiction, hit.court, hit.decision_date, hit.doc_type, hit.matter_id].filter(Boolean).join(" · ");
  const open = (extra: Params = {}) => href(["documents", hit.document_id], { q, ...extra });
  return (
    <li class="hit" data-document-id={hit.document_id}>
      <a class="title" href={open()}>
        {title}
      </a>
      {meta && <div class="meta">{meta}</div>}
      {hit.highlights.map((h, i) => {
        const where = h.page != null ? t("search.atPage", { page: h.page }) : h.start != null ? clockOf(h.start) : "";
        return (
          <a
            key={i}
            class="hl"
            data-page={h.page ?? ""}
            data-start={h.start ?? ""}
            href={open(h.page != null ? { page: h.page } : h.start != null ? { t: h.start } : {})}
          >
            {where && <strong>{where}: </strong>}
            {fragmentPieces(h.text).map((piece, j) => (piece.mark ? <mark key={j}>{piece.text}</mark> : piece.text))}
          </a>
        );
      })}
    </li>
  );
}

function clockOf(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function FacetPanel({
  answer,
  onPick,
  params,
}: {
  answer: SearchAnswer;
  onPick: (name: FilterName, value: string) => void;
  params: URLSearchParams;
}) {
  const facets = answer.facets;
  const lists: ["court" | "doc_type" | "language" | "matter_id" | "authority", FacetValue[]][] = [
    ["court", facets.court],
    ["doc_type", facets.doc_type],
    ["language", facets.language],
    ["matter_id", facets.matter_id],
    ["authority", facets.authority ?? []],
  ];
  return (
    <>
      {facets.jurisdiction.length > 0 && (
        <section class="facet" aria-labelledby="facet-jurisdiction">
          <h3 id="facet-jurisdiction">{t("facet.jurisdiction")}</h3>
          <Tree nodes={facets.jurisdiction} onPick={(path) => onPick("jurisdiction", path)} current={params.get("jurisdiction")} />
        </section>
      )}
      {lists
        .filter(([, values]) => values.length > 0)
        .map(([name, values]) => (
          <section class="facet" key={name} aria-labelledby={`facet-${name}`}>
            <h3 id={`facet-${name}`}>{t(`facet.${name}`)}</h3>
            <ul>
              {values.map((b) => (
                <li key={b.value}>
                  <button
                    type="button"
                    class="facet-value"
                    data-facet={name}
                    data-value={b.value}
                    aria-pressed={params.get(name) === b.value}
                    onClick={() => onPick(name, b.value)}
                  >
                    {t("facet.count", { value: b.value, count: b.count })}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      {facets.decision_year && facets.decision_year.length > 0 && (
        <YearHistogram years={facets.decision_year} params={params} />
      )}
      <DateRange params={params} onPick={onPick} />
    </>
  );
}

function Tree({ nodes, onPick, current }: { nodes: JurisdictionNode[]; onPick: (path: string) => void; current: string | null }) {
  return (
    <ul>
      {nodes.map((node) => (
        <li key={node.path}>
          <button
            type="button"
            class="facet-value"
            data-facet="jurisdiction"
            data-value={node.path}
            aria-pressed={current === node.path}
            onClick={() => onPick(node.path)}
          >
            {t("facet.count", { value: node.path.split("/").pop() ?? node.path, count: node.count })}
          </button>
          {node.children.length > 0 && <Tree nodes={node.children} onPick={onPick} current={current} />}
        </li>
      ))}
    </ul>
  );
}

function DateRange({ params, onPick }: { params: URLSearchParams; onPick: (name: FilterName, value: string) => void }) {
  return (
    <section class="facet" aria-labelledby="facet-dates">
      <h3 id="facet-dates">{t("field.decision_date")}</h3>
      {(["date_from", "date_to"] as const).map((name) => (
        <p key={name}>
          <label for={name}>{t(`facet.${name}`)}</label>{" "}
          <input
            id={name}
            type="date"
            value={params.get(name) ?? ""}
            onChange={(event) => onPick(name, event.currentTarget.value)}
          />
        </p>
      ))}
    </section>
  );
}

/** Decision years as bars (the gateway's yearly histogram); a bar picks its year as the range. */
function YearHistogram({ years, params }: { years: FacetValue[]; params: URLSearchParams }) {
  const most = Math.max(1, ...years.map((y) => y.count));
  const picked = (year: string) => params.get("date_from") === `${year}-01-01` && params.get("date_to") === `${year}-12-31`;
  return (
    <section class="facet" aria-labelledby="facet-decision_year">
      <h3 id="facet-decision_year">{t("facet.decision_year")}</h3>
      <ul class="histogram" id="year-histogram">
        {years.map((y) => (
          <li key={y.value}>
            <button
              type="button"
              class="facet-value year"
              data-facet="decision_year"
              data-value={y.value}
              aria-pressed={picked(y.value)}
              onClick={() => {
                go(["search"], searchParams(params, { date_from: `${y.value}-01-01`, date_to: `${y.value}-12-31`, after: null }));
              }}
            >
              {/* the name is what is seen ("2019 3") and what it counts: an aria-label that
                  said it otherwise ("2019: 3 documents") did not contain the visible text */}
              <span class="year-label">{y.value}</span>{" "}
              <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                <rect x={0} y={0} height={10} width={Math.max(2, Math.round((100 * y.count) / most))} />
              </svg>{" "}
              <span class="year-count">
                {y.count}
                <span class="visually-hidden"> {t("facet.year_unit")}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** What a saved search keeps of the current address: the query, the sort and the filters. */
function currentFilters(params: URLSearchParams): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ["sort", ...FILTERS]) {
    const value = params.get(name);
    if (value) kept[name] = value;
  }
  return kept;
}

function SavedSearches({ params }: { params: URLSearchParams }) {
  const [saved, setSaved] = useState<SavedSearch[] | null>(null);
  const [name, setName] = useState("");
  const [status, setStatus] = useState("");
  const [error, setError] = useState("");
  const q = (params.get("q") ?? "").trim();
  const filters = currentFilters(params);
  const savable = Boolean(q) || FILTERS.some((f) => params.get(f));

  const load = () =>
    api<{ saved_searches: SavedSearch[] }>("/v1/saved-searches")
      .then((answer) => setSaved(answer.saved_searches))
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : String(err)));
  useEffect(() => {
    void load();
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    setError("");
    setStatus("");
    const wanted = name.trim() || q;
    if (!wanted) return;
    try {
      await api<SavedSearch>("/v1/saved-searches", { method: "POST", body: JSON.stringify({ name: wanted, q, filters }) });
      setName("");
      setStatus(t("saved.saved", { name: wanted }));
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const remove = async (one: SavedSearch) => {
    setError("");
    setStatus("");
    try {
      await apiDo(`/v1/saved-searches/${encodeURIComponent(one.search_id)}`, { method: "DELETE" });
      setStatus(t("saved.deleted", { name: one.name }));
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  return (
    <section class="facet saved" aria-labelledby="saved-title" id="saved-searches" data-loaded={saved !== null || error !== ""}>
      <h3 id="saved-title">{t("saved.title")}</h3>
      <p role="status" id="saved-status" class="help">
        {status}
      </p>
      <p role="alert" class="error" id="saved-error">
        {error}
      </p>
      {saved && saved.length === 0 && <p class="help">{t("saved.none")}</p>}
      {saved && saved.length > 0 && (
        <ul id="saved-list">
          {saved.map((one) => (
            <li key={one.search_id} data-search-id={one.search_id}>
              <a class="saved-open" href={href(["search"], { q: one.q, ...one.filters })}>
                {one.name}
              </a>{" "}
              <button type="button" class="saved-delete" aria-label={t("saved.delete", { name: one.name })} onClick={() => void remove(one)}>
                {t("saved.deleteShort")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {savable && (
        <form id="save-search" class="stacked" onSubmit={(event) => void save(event)}>
          <label for="saved-name">{t("saved.name")}</label>
          <input id="saved-name" maxLength={200} value={name} placeholder={q} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" id="save-search-button">
            {t("saved.save")}
          </button>
        </form>
      )}
    </section>
  );
}
