// Calls to the gateway: every one carries the caller's key; nothing from the server is ever
// parsed as HTML (screens render text through Preact, which sets textContent).
import { t } from "./i18n";

const KEY = "lexstream-key";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let key = sessionStorage.getItem(KEY) ?? "";
let unauthorized: () => void = () => {};

export const session = {
  key: (): string => key,
  set(value: string): void {
    key = value;
    sessionStorage.setItem(KEY, value);
  },
  clear(): void {
    key = "";
    sessionStorage.removeItem(KEY);
  },
  onUnauthorized(callback: () => void): void {
    unauthorized = callback;
  },
};

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("X-API-Key", key);
  if (typeof init.body === "string") headers.set("Content-Type", "application/json");
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError(0, t("error.network"));
  }
  if (response.status === 401) {
    unauthorized();
    throw new ApiError(401, t("signin.refused"));
  }
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try {
      const body: unknown = await response.json();
      if (body && typeof body === "object" && "detail" in body) detail = String(body.detail);
    } catch {
      /* not JSON */
    }
    throw new ApiError(response.status, detail);
  }
  return response;
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await send(path, init);
  return (await response.json()) as T;
}

/** A call whose answer has no body to read (a 204): only a refusal is an error. */
export async function apiDo(path: string, init: RequestInit = {}): Promise<void> {
  await send(path, init);
}

export async function apiText(path: string): Promise<string> {
  return (await send(path)).text();
}

/** An image the gateway serves behind the key, as a data: URL (the CSP allows img data:). */
export async function imageUrl(path: string): Promise<string> {
  const blob = await (await send(path)).blob();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new ApiError(0, t("error.network")));
    reader.readAsDataURL(blob);
  });
}

export const enc = encodeURIComponent;
