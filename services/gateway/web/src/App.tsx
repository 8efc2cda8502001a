import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, session } from "./api";
import { isLanguage, language, LANGUAGES, setLanguage, t, type Language } from "./i18n";
import { href, useRoute } from "./router";
import { DocumentScreen } from "./screens/DocumentScreen";
import { MatterScreen, MattersScreen } from "./screens/Matters";
import { SearchScreen } from "./screens/Search";
import { SignIn } from "./screens/SignIn";
import { AdminScreen } from "./screens/Admin";
import type { Me } from "./types";

const LANGUAGE_KEY = "lexstream-language";

/** The language chosen before in this browser, else the browser's own if offered, else English. */
function initialLanguage(): Language {
  const saved = localStorage.getItem(LANGUAGE_KEY);
  if (isLanguage(saved)) return saved;
  const browser = (navigator.language || "en").slice(0, 2).toLowerCase();
  return isLanguage(browser) ? browser : "en";
}

function applyLanguage(chosen: Language): void {
  setLanguage(chosen);
  document.documentElement.lang = chosen;
}

applyLanguage(initialLanguage());

export function App() {
  const route = useRoute();
  const [lang, setLang] = useState<Language>(language());
  const chooseLanguage = useCallback((chosen: Language) => {
    applyLanguage(chosen);
    localStorage.setItem(LANGUAGE_KEY, chosen);
    setLang(chosen); // a new render: every t() call reads the new catalogue
  }, []);
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(Boolean(session.key()));
  const [signInError, setSignInError] = useState("");

  const signOut = useCallback((message = "") => {
    session.clear();
    setMe(null);
    setSignInError(message);
  }, []);

  const signIn = useCallback(async (key: string) => {
    session.set(key);
    setChecking(true);
    try {
      setMe(await api<Me>("/v1/me"));
      setSignInError("");
    } catch (err) {
      session.clear();
      setSignInError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    session.onUnauthorized(() => signOut(t("signin.refused")));
    if (session.key()) void signIn(session.key());
  }, [signIn, signOut]);

  const screenPath = route.path.join("/");
  const shownPath = useRef<string | null>(null);
  useEffect(() => {
    // a new screen (not the first): focus moves to its content, so a screen reader reads it
    // and the next Tab starts there; on the first load the skip link stays the first stop
    if (shownPath.current !== null && shownPath.current !== screenPath) {
      document.getElementById("main")?.focus({ preventScroll: true });
    }
    shownPath.current = screenPath;
  }, [screenPath]);

  if (!me) {
    return (
      <>
        <Header me={null} onSignOut={signOut} section="" lang={lang} onLanguage={chooseLanguage} />
        <main id="main" tabIndex={-1}>
          <SignIn busy={checking} error={signInError} onSignIn={signIn} />
        </main>
      </>
    );
  }

  const [section = "search", id] = route.path;
  let screen;
  if (section === "documents" && id) screen = <DocumentScreen documentId={id} params={route.params} />;
  else if (section === "matters" && id) screen = <MatterScreen matterId={id} me={me} />;
  else if (section === "matters") screen = <MattersScreen me={me} />;
  else if (section === "admin" && me.is_admin) screen = <AdminScreen />;
  else screen = <SearchScreen params={route.params} />;

  return (
    <>
      <a class="skip" href="#main" onClick={skipToMain}>
        {t("app.skip")}
      </a>
      <Header me={me} onSignOut={signOut} section={section} lang={lang} onLanguage={chooseLanguage} />
      <main id="main" tabIndex={-1}>
        {screen}
      </main>
    </>
  );
}

function skipToMain(event: Event) {
  event.preventDefault(); // the fragment is the router's: move focus without changing it
  document.getElementById("main")?.focus();
}

function Header({
  me,
  onSignOut,
  section,
  lang,
  onLanguage,
}: {
  me: Me | null;
  onSignOut: () => void;
  section: string;
  lang: Language;
  onLanguage: (chosen: Language) => void;
}) {
  return (
    <header class="top">
      <span class="brand">{t("app.name")}</span>
      {me && (
        <nav aria-label={t("nav.label")}>
          <a href={href(["search"])} aria-current={section === "search" || section === "documents" ? "page" : undefined}>
            {t("nav.search")}
          </a>
          <a href={href(["matters"])} aria-current={section === "matters" ? "page" : undefined}>
            {t("nav.matters")}
          </a>
          {me.is_admin && (
            <a href={href(["admin"])} aria-current={section === "admin" ? "page" : undefined}>
              {t("nav.adminScreen")}
            </a>
          )}
        </nav>
      )}
      {me && (
        <span class="who" id="who">
          {t("nav.signedInAs", { subject: me.subject })} {me.is_admin ? t("nav.admin") : ""}
        </span>
      )}
      <span class={me ? "language" : "language alone"}>
        <label for="language" class="visually-hidden">
          {t("nav.language")}
        </label>
        <select id="language" value={lang} onChange={(event) => isLanguage(event.currentTarget.value) && onLanguage(event.currentTarget.value)}>
          {Object.entries(LANGUAGES).map(([code, name]) => (
            <option key={code} value={code} lang={code}>
              {name}
            </option>
          ))}
        </select>
      </span>
      {me && (
        <button type="button" id="sign-out" onClick={() => onSignOut()}>
          {t("nav.signOut")}
        </button>
      )}
    </header>
  );
}
