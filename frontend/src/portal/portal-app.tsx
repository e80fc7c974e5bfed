import createClient from "openapi-fetch";
import { useCallback, useEffect, useState, type CSSProperties, type FormEvent } from "react";

import type { components, paths } from "../lib/api/schema";
import { fill, formatDate, formatSize, languages, pickLanguage, reasonText } from "./i18n";
import { PREVIEW_READY, PREVIEW_VIEW } from "./preview-protocol";

type PortalView = components["schemas"]["PortalView"];
type PortalFile = components["schemas"]["PortalFile"];
type Problem = components["schemas"]["Problem"];

const api = createClient<paths>({ baseUrl: "" });

type Load = { state: "loading" } | { state: "ready"; view: PortalView } | { state: "failed"; code: string };

/** The customer's download page for one order. */
export function PortalApp({ code }: { code: string }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [language, setLanguage] = useState<string>(() => pickLanguage(navigator.language.slice(0, 2)));

  const refresh = useCallback(async () => {
    const { data, error, response } = await api.GET("/api/portal/{code}", { params: { path: { code } } });
    if (data) {
      setLoad({ state: "ready", view: data });
      return data;
    }
    setLoad({ state: "failed", code: problemCode(error, response.status) });
    return null;
  }, [code]);

  useEffect(() => {
    refresh().then((view) => {
      if (view) setLanguage(pickLanguage(view.order.language));
    });
  }, [refresh]);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const texts = languages[language] ?? languages.de!;

  if (load.state === "loading") {
    return <main className="portal" aria-busy="true"><p>{texts.loading}</p></main>;
  }
  if (load.state === "failed") {
    return (
      <main className="portal">
        <LanguageSwitch language={language} onChange={setLanguage} />
        <p role="alert" className="notice">{reasonText(texts, load.code)}</p>
      </main>
    );
  }
  return <PortalPage code={code} view={load.view} language={language} onLanguage={setLanguage} onCounted={refresh} />;
}

/**
 * The portal as the seller's settings form stands, inside the dashboard's
 * preview frame: the same page a customer sees, fed a sample order by the
 * dashboard (same origin only) instead of loading one. Nothing is counted or
 * sent from here.
 */
export function PortalPreview() {
  const [view, setView] = useState<PortalView | null>(null);
  const [language, setLanguage] = useState("de");
  useEffect(() => {
    let orderLanguage: string | null = null;
    const receive = (event: MessageEvent) => {
      if (event.origin !== window.location.origin || event.source !== window.parent || event.data?.type !== PREVIEW_VIEW) return;
      const next = event.data.view as PortalView;
      setView(next);
      // Follow the sample order's language when it changes, not on every
      // keystroke in the form: the seller may have switched the preview.
      if (next.order.language !== orderLanguage) {
        orderLanguage = next.order.language;
        setLanguage(pickLanguage(next.order.language));
      }
    };
    window.addEventListener("message", receive);
    window.parent.postMessage({ type: PREVIEW_READY }, window.location.origin);
    return () => window.removeEventListener("message", receive);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  if (!view) return <main className="portal" aria-busy="true" />;
  return <PortalPage code="" view={view} language={language} onLanguage={setLanguage} preview />;
}

type PageProps = {
  code: string;
  view: PortalView;
  language: string;
  onLanguage: (language: string) => void;
  /** Reloads the order after a download; absent in the preview. */
  onCounted?: () => Promise<unknown>;
  preview?: boolean;
};

/** The page for one order: shop look, files with their downloads left, invoice, contact form. */
function PortalPage({ code, view, language, onLanguage, onCounted, preview = false }: PageProps) {
  const texts = languages[language] ?? languages.de!;
  const style = { "--accent": view.shop.accent_color } as CSSProperties;
  return (
    <div className="portal" style={style}>
      <header>
        {view.shop.logo_url && <img src={view.shop.logo_url} alt={view.shop.name} className="logo" referrerPolicy="no-referrer" />}
        <h1>{view.shop.title}</h1>
        <LanguageSwitch language={language} onChange={onLanguage} />
      </header>
      <main>
        {view.shop.welcome_text && <p className="welcome">{view.shop.welcome_text}</p>}
        <h2>
          {fill(texts.orderNumber, { number: view.order.number })}{" "}
          <small>{fill(texts.orderedOn, { date: formatDate(view.order.created_at, language) })}</small>
        </h2>
        {view.order_state && (
          <p role="status" className="notice">{reasonText(texts, view.order_state)}</p>
        )}
        <ul className="items">
          {view.order.items.map((item, index) => (
            <li key={index}>
              <h3>
                {item.quantity > 1 ? `${item.quantity} × ` : ""}
                {item.title}
              </h3>
              {item.files.length === 0 ? (
                <p className="muted">{texts.noFiles}</p>
              ) : (
                <ul className="files">
                  {item.files.map((file) => (
                    <FileRow key={file.grant_id} code={code} file={file} language={language} onCounted={onCounted} />
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
        {view.invoice_available && (
          <p>
            <a className="button" href={preview ? "#invoice" : `/api/portal/${encodeURIComponent(code)}/invoice`}>{texts.invoice}</a>
          </p>
        )}
        {view.contact_form && <ContactForm code={code} language={language} email={view.order.customer_email} preview={preview} />}
      </main>
      <footer>
        {view.shop.support_email && (
          <p>{fill(texts.supportSeller, { email: "" })}<a href={`mailto:${view.shop.support_email}`}>{view.shop.support_email}</a></p>
        )}
        {view.shop.operator_support_email && (
          <p>{fill(texts.supportOperator, { email: "" })}<a href={`mailto:${view.shop.operator_support_email}`}>{view.shop.operator_support_email}</a></p>
        )}
        {view.shop.footer_text && <p className="imprint">{view.shop.footer_text}</p>}
      </footer>
    </div>
  );
}

function problemCode(error: Problem | undefined, status: number): string {
  if (error?.code) return error.code;
  if (status === 404) return "not_found";
  return "generic";
}

function LanguageSwitch({ language, onChange }: { language: string; onChange: (l: string) => void }) {
  return (
    <nav className="languages" aria-label="Language / Sprache">
      {Object.entries(languages).map(([key, texts]) => (
        <button key={key} type="button" lang={key} aria-pressed={key === language} onClick={() => onChange(key)}>
          {texts.languageName}
        </button>
      ))}
    </nav>
  );
}

function FileRow(props: { code: string; file: PortalFile; language: string; onCounted?: () => Promise<unknown> }) {
  const { code, file, language, onCounted } = props;
  const texts = languages[language] ?? languages.de!;
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const expiry = file.expires_at ? formatDate(file.expires_at, language) : "";
  const reason = refusal ?? (file.available ? null : file.reason);

  async function start() {
    if (!onCounted) return;
    setBusy(true);
    setRefusal(null);
    const { data, error, response } = await api.GET("/api/portal/{code}/downloads/{grant_id}", {
      params: { path: { code, grant_id: file.grant_id } },
      headers: { Accept: "application/json" },
    });
    setBusy(false);
    if (data && "url" in data) {
      // The URL answers with Content-Disposition: attachment, so the browser
      // saves the file under its name and this page stays.
      window.location.assign(data.url);
      await onCounted();
      return;
    }
    setRefusal(problemCode(error as Problem | undefined, response.status));
    await onCounted();
  }

  return (
    <li className="file">
      <div>
        <strong className="name">{file.name}</strong>
        <span className="meta">
          {formatSize(file.size, language)} ·{" "}
          {file.max_downloads == null
            ? texts.unlimited
            : fill(texts.left, { left: file.downloads_left ?? 0, max: file.max_downloads })}{" "}
          · {file.expires_at ? fill(texts.until, { date: expiry }) : texts.noEnd}
        </span>
        {reason && (
          <p role="alert" className="reason">
            {reasonText(texts, reason, { date: expiry })}
          </p>
        )}
      </div>
      <button type="button" className="button" disabled={busy || !file.available} onClick={start}>
        {busy ? texts.downloading : texts.download}
      </button>
    </li>
  );
}

function ContactForm({ code, language, email, preview }: { code: string; language: string; email: string; preview: boolean }) {
  const texts = languages[language] ?? languages.de!;
  const [state, setState] = useState<"idle" | "sending" | "sent">("idle");
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (preview) return;
    const form = new FormData(event.currentTarget);
    setState("sending");
    setError(null);
    const email = String(form.get("email") ?? "").trim();
    const { error: problem, response } = await api.POST("/api/portal/{code}/messages", {
      params: { path: { code } },
      body: { message: String(form.get("message") ?? ""), email: email || null },
    });
    if (response.ok) {
      setState("sent");
      return;
    }
    setState("idle");
    setError(reasonText(texts, problemCode(problem as Problem | undefined, response.status)));
  }

  if (state === "sent") {
    return <p role="status" className="notice success">{texts.sent}</p>;
  }
  return (
    <form className="contact" onSubmit={submit}>
      <h2>{texts.contactTitle}</h2>
      <label>
        {texts.yourEmail}
        <input name="email" type="email" autoComplete="email" defaultValue={email} />
      </label>
      <label>
        {texts.message}
        <textarea name="message" required maxLength={2000} rows={4} />
      </label>
      {error && <p role="alert" className="reason">{error}</p>}
      <button type="submit" className="button" disabled={state === "sending"}>
        {state === "sending" ? texts.sending : texts.send}
      </button>
    </form>
  );
}
