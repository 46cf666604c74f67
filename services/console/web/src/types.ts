// The JSON API of the console gateway (docs/CONSOLE.md, "The JSON API"). Every string
// field may be absent (proto3 JSON omits defaults), so readers default them.

export type CaseStateName =
  | "PENDING_REVIEW"
  | "UNMATCHED"
  | "AUTO_RESOLVED"
  | "CONFIRMED"
  | "REJECTED";

export const kStates: readonly CaseStateName[] = [
  "PENDING_REVIEW",
  "UNMATCHED",
  "AUTO_RESOLVED",
  "CONFIRMED",
  "REJECTED",
];

/**
 * A case state by its short name. The gateway's own rows (queue, same signature, a
 * conflict's `current`) say "CONFIRMED"; a `kuromaru.v1.Case` in proto3 JSON says
 * "CASE_STATE_CONFIRMED". Compare and style states only through this.
 */
export function stateName(state: string | undefined | null): string {
  return (state ?? "").replace(/^CASE_STATE_/, "");
}

export const kReasons: readonly string[] = [
  "stale_card",
  "fusho",
  "wildcard_name",
  "variant_kanji",
  "marriage",
  "insurer_typo",
  "member_typo",
  "birth_date_near",
  "namesakes",
  "no_candidate",
  "not_valid_in_month",
  "not_in_roster_route",
];

export interface ApiErrorBody {
  error?: { code?: string; message?: string; field?: string };
  current?: { state?: string; version?: string; last_event?: CaseEvent };
  claim?: Claim | null;
}

export interface Session {
  subject: string;
  roles: string[];
  csrf_token: string;
  idle_timeout_seconds?: number;
}

export interface Claim {
  subject: string;
  expires_at: string;
  mine: boolean;
}

export interface QueueRow {
  receipt_id: string;
  state: CaseStateName;
  version: string;
  service_month?: string;
  billed_insurer_number?: string;
  top_insurer_number?: string;
  top_probability?: number;
  lead?: number | null;
  candidate_count?: number;
  reasons?: string[];
  created_at?: string;
  claim?: Claim | null;
}

export interface QueueCounts {
  total?: number;
  by_state?: Record<string, number>;
  by_reason?: Record<string, number>;
}

export interface QueueResponse {
  cases: QueueRow[];
  next_page_token?: string;
  counts?: QueueCounts;
}

export interface QueueFilter {
  state: string[];
  month_from: string;
  month_to: string;
  insurer: string;
  reason: string;
}

export type CharKind = "plain" | "wildcard" | "gaiji" | "ivs" | "variant" | "kana_fold";

export interface Char {
  text: string;
  kind?: CharKind | string;
  folded?: string;
  against?: string;
}

export interface BirthDate {
  raw?: string;
  iso?: string;
  wareki?: string;
}

export interface Display {
  name_kanji?: Char[];
  name_kana?: Char[];
  birth_date?: BirthDate | null;
  sex?: string;
  insurer_number?: string;
  symbol?: string;
  number?: string;
  branch?: string;
  postal_code?: string;
  address?: string;
  insurer_name?: string;
  employer?: string;
}

export type Agreement = "agree" | "partial" | "disagree" | "missing";

export interface FieldRow {
  field: string;
  receipt_original?: string;
  receipt_normalized?: string;
  roster_original?: string;
  roster_normalized?: string;
  level?: string;
  weight?: number;
  agreement?: Agreement | string;
  explanation_key?: string | null;
}

export interface WaterfallBar {
  field: string;
  level?: string;
  weight: number;
}

export interface Waterfall {
  prior: number;
  bars: WaterfallBar[];
  total: number;
  probability: number;
}

export interface EnrollmentRow {
  insurer_number?: string;
  insurer_name?: string;
  symbol?: string;
  number?: string;
  branch?: string;
  qualified_from?: string;
  qualified_until?: string;
  valid_in_service_month?: boolean;
  is_candidate?: boolean;
}

export interface EnrollmentKey {
  insurer_number?: string;
  symbol?: string;
  number?: string;
  branch?: string;
  qualified_from?: string;
}

export interface CandidateView {
  rank: number;
  person_label?: string;
  probability?: number;
  match_weight?: number;
  name_kanji?: Char[];
  name_kana?: Char[];
  receipt_name_kanji?: Char[];
  receipt_name_kana?: Char[];
  birth_date?: BirthDate | null;
  fields?: FieldRow[];
  waterfall?: Waterfall | null;
  enrollments?: EnrollmentRow[];
  supporting?: string[];
}

export interface Evidence {
  field?: string;
  level?: string;
  weight?: number;
  receipt_value?: string;
  roster_value?: string;
}

export interface Candidate extends EnrollmentKey {
  probability?: number;
  match_weight?: number;
  evidence?: Evidence[];
  qualified_until?: string;
  valid_in_service_month?: boolean;
  name_kanji?: string;
  name_kana?: string;
  birth_date?: string;
  sex?: string;
}

export interface InsurerSuggestion {
  insurer_number?: string;
  name?: string;
  probability?: number;
  evidence?: Evidence[];
}

export interface CaseEvent {
  sequence?: string;
  at?: string;
  actor?: string;
  actor_kind?: string;
  action?: string;
  from_state?: string;
  to_state?: string;
  version?: string;
  comment?: string;
}

export interface Case {
  receipt_id: string;
  state: string;
  version: string;
  receipt?: Record<string, string>;
  result?: {
    decision?: string;
    candidates?: Candidate[];
    insurer_suggestions?: InsurerSuggestion[];
    prior_weight?: number;
    roster_version?: string;
    model_version?: string;
  };
  resolved?: EnrollmentKey | null;
  resolved_by?: string;
  roster_version?: string;
  model_version?: string;
  created_at?: string;
  updated_at?: string;
  history?: CaseEvent[];
}

export interface SameSignature {
  receipt_id: string;
  state: string;
  version: string;
  service_month?: string;
  candidates?: EnrollmentKey[];
  claim?: Claim | null;
}

export interface CaseView {
  case: Case;
  claim: Claim | null;
  reasons?: string[];
  service_month?: string;
  receipt: Display;
  candidates: CandidateView[];
  same_signature?: SameSignature[];
}

export interface DecisionResponse {
  case: Case;
  replayed?: boolean;
}

export interface SearchResult extends EnrollmentKey {
  insurer_name?: string;
  qualified_until?: string;
  name_kanji?: string;
  name_kana?: string;
  birth_date?: string;
  sex?: string;
  valid_in_service_month?: boolean;
}

export interface SearchResponse {
  results: SearchResult[];
  truncated?: boolean;
}

export interface Overview {
  counts_by_state?: Record<string, number>;
  cases_by_day?: {
    date: string;
    created?: number;
    auto_resolved?: number;
    confirmed?: number;
    rejected?: number;
  }[];
  reviewers?: {
    subject: string;
    decisions?: number;
    confirmed?: number;
    rejected?: number;
    reopened?: number;
    agreement?: number | null;
  }[];
  roster?: {
    version?: string;
    counts?: Record<string, string | number>;
    snapshot_path?: string;
    delta_paths?: string[];
    loaded_at?: string;
    model_version?: string;
    directory_version?: string;
  } | null;
  model?: { version?: string; source?: string; fitted_at?: string; labelled_pairs?: string } | null;
  rematch?: {
    job_id?: string;
    state?: string;
    total?: string;
    examined?: string;
    resolved?: string;
    changed?: string;
    errors?: string;
    started_at?: string;
    finished_at?: string;
    message?: string;
  } | null;
}

export interface AuditRecord {
  sequence?: string;
  at?: string;
  actor?: string;
  role?: string;
  action?: string;
  receipt_id?: string;
  request_id?: string;
  peer?: string;
  version_before?: string;
  version_after?: string;
  detail?: string;
}

/** The enrollment key of a candidate or search result, as the decision body wants it. */
export function enrollmentKey(e: EnrollmentKey): Required<EnrollmentKey> {
  return {
    insurer_number: e.insurer_number ?? "",
    symbol: e.symbol ?? "",
    number: e.number ?? "",
    branch: e.branch ?? "",
    qualified_from: e.qualified_from ?? "",
  };
}

export function sameEnrollment(a: EnrollmentKey, b: EnrollmentKey): boolean {
  const x = enrollmentKey(a);
  const y = enrollmentKey(b);
  return (
    x.insurer_number === y.insurer_number &&
    x.symbol === y.symbol &&
    x.number === y.number &&
    x.branch === y.branch &&
    x.qualified_from === y.qualified_from
  );
}
