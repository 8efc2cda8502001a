import { useState } from "preact/hooks";
import { t } from "../i18n";

export function SignIn({ busy, error, onSignIn }: { busy: boolean; error: string; onSignIn: (key: string) => void }) {
  const [key, setKey] = useState("");
  return (
    <section class="signin" aria-labelledby="signin-title">
      <h1 id="signin-title">{t("signin.title")}</h1>
      <form
        id="signin-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) onSignIn(key.trim());
        }}
      >
        <label for="api-key">{t("signin.key")}</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          required
          aria-describedby="api-key-help"
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <p id="api-key-help" class="help">
          {t("signin.keyHelp")}
        </p>
        <button type="submit" id="signin-button" disabled={busy}>
          {t("signin.submit")}
        </button>
        <p id="signin-status" role="status">
          {busy ? t("signin.checking") : ""}
        </p>
        <p id="signin-error" class="error" role="alert">
          {error}
        </p>
      </form>
    </section>
  );
}
