// The gateway's answers, as far as the workspace reads them (see the OpenAPI document).

export type Role = "owner" | "editor" | "viewer";

export interface Me {
  subject: string;
  tenant: string;
  is_admin: boolean;
  scopes: string[];
  matters: Record<string, Role>;
  screened: string[];
}

export interface PageHighlight {
  page?: number | null;
  start?: number | null;
  end?: number | null;
  text: string;
}

export interface Hit {
  document_id: string;
  score: number | null;
  title: string | null;
  filename: string | null;
  kind: string | null;
  jurisdiction: string | null;
  court: string | null;
  decision_date: string | null;
  doc_type: string | null;
  language: string | null;
  matter_id: string | null;
  highlights: PageHighlight[];
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface JurisdictionNode {
  path: string;
  count: number;
  children: JurisdictionNode[];
}

export interface Facets {
  court: FacetValue[];
  doc_type: FacetValue[];
  language: FacetValue[];
  matter_id: FacetValue[];
  jurisdiction: JurisdictionNode[];
  /** the authorities cited, by canonical id (authority= filters by one) */
  authority?: FacetValue[];
  /** decision years with their counts, where the gateway answers them (value "2019") */
  decision_year?: FacetValue[];
}

export interface SearchAnswer {
  total: number;
  hits: Hit[];
  facets: Facets;
  next: string | null;
  suggestion?: { q: string; kind: "spelling" | "relaxed"; total?: number | null } | null;
}

export interface Citation {
  raw?: string;
  normalized?: string;
  kind?: string;
}

export interface DocumentMetadata {
  document_id: string;
  status: string;
  failure_reason: string | null;
  warnings: string[];
  filename: string | null;
  media_type: string | null;
  kind: string | null;
  matter_id: string | null;
  title: string | null;
  court: string | null;
  jurisdiction: string | null;
  decision_date: string | null;
  case_numbers: string[] | null;
  identifiers: { kind?: string; value?: string }[] | null;
  parties: string[] | null;
  judges: string[] | null;
  citations: Citation[] | null;
  doc_type: string | null;
  language: string | null;
  page_count: number | null;
  duration: number | null;
}

export interface WordBox {
  text: string;
  left: number;
  top: number;
  width: number;
  height: number;
  confidence?: number | null;
}

export interface TextPage {
  number: number;
  text: string;
  method: string;
  width?: number | null;
  height?: number | null;
  words?: WordBox[];
}

export interface DocumentText {
  document_id: string;
  pages: TextPage[];
}

export interface TranscriptWord {
  start: number;
  end: number;
  word: string;
}

export interface Segment {
  start: number;
  end: number;
  speaker: string | null;
  text: string;
  words: TranscriptWord[];
}

export interface Transcript {
  duration: number;
  segments: Segment[];
}

export interface Matter {
  matter_id: string;
  name: string;
  description: string | null;
  client: string | null;
  status: string;
  role: Role | null;
  members?: { subject: string; role: Role }[];
  screened?: string[];
}

export interface SavedSearch {
  search_id: string;
  name: string;
  q: string;
  filters: Record<string, string>;
  created_at: string;
}

/** GET /v1/documents/{id}/near-duplicates: the document's group, what the caller may see. */
export interface NearDuplicate {
  document_id: string;
  title: string | null;
  filename: string | null;
  matter_id: string | null;
  kind: string | null;
  similarity: number | null;
  principal: boolean;
}

export interface NearDuplicates {
  document_id: string;
  signed: boolean;
  principal_id: string | null;
  total: number;
  near_duplicates: NearDuplicate[];
}

export interface ChildDocument {
  document_id: string;
  filename: string | null;
  media_type: string | null;
  status: string | null;
}

/** One message of an e-mail's thread (GET /v1/documents/{id}/thread): its headers. */
export interface ThreadMessage {
  document_id: string;
  sender: string | null;
  to: string[];
  cc: string[];
  date: string | null;
  subject: string | null;
  attachments: string[];
}

export interface Thread {
  document_id: string;
  thread_id: string | null;
  total: number;
  messages: ThreadMessage[];
}
