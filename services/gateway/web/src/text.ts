// Pure helpers: highlight fragments, query terms, word matching, clocks.

export interface Piece {
  text: string;
  mark: boolean;
}

/** A highlight fragment ("the <em>court</em> finds") as pieces: marks come from the <em>
 * markers only; everything else, HTML included, stays text. */
export function fragmentPieces(fragment: string): Piece[] {
  const pieces: Piece[] = [];
  let mark = false;
  for (const part of fragment.split(/(<em>|<\/em>)/)) {
    if (part === "<em>") mark = true;
    else if (part === "</em>") mark = false;
    else if (part) pieces.push({ text: part, mark });
  }
  return pieces;
}

const FIELDS = /(?:^|\s)-?[a-z_]+:(?:"[^"]*"|\[[^\]]*\]|\S+)/gi;
const OPERATORS = new Set(["and", "or", "not"]);

export interface Term {
  word: string;
  prefix: boolean;
}

/** The words of a query to look for on a page: fielded filters and operators left out. */
export function queryTerms(q: string): Term[] {
  const free = q.replace(FIELDS, " ");
  const terms: Term[] = [];
  for (const raw of free.split(/[\s"()+|~]+/)) {
    if (!raw || raw.startsWith("-")) continue;
    const prefix = raw.endsWith("*");
    const word = normalWord(raw.replace(/\*+$/, "").replace(/~\d*$/, ""));
    if (word && !OPERATORS.has(word) && !/^\d+$/.test(raw.replace(/~/g, ""))) terms.push({ word, prefix });
  }
  return terms;
}

/** Letters and digits only, lower case, accents kept: "Court's," -> "courts". */
export function normalWord(text: string): string {
  return text.toLocaleLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

export function matchesTerm(word: string, terms: Term[]): boolean {
  const plain = normalWord(word);
  if (!plain) return false;
  return terms.some((term) => (term.prefix ? plain.startsWith(term.word) : plain === term.word));
}

/** Seconds as h:mm:ss or m:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `${hh ? `${hh}:` : ""}${String(mm).padStart(hh ? 2 : 1, "0")}:${String(ss).padStart(2, "0")}`;
}
