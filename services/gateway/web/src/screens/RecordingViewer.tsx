import type { Ref } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, apiText, ApiError, enc } from "../api";
import { t } from "../i18n";
import { clock, matchesTerm, queryTerms } from "../text";
import type { DocumentMetadata, Transcript, TranscriptWord } from "../types";

interface Timed extends TranscriptWord {
  index: number;
}

export function RecordingViewer({ doc, q, startAt }: { doc: DocumentMetadata; q: string; startAt: number }) {
  const id = doc.document_id;
  const player = useRef<HTMLMediaElement>(null);
  const video = (doc.media_type ?? "").startsWith("video/");
  const [source, setSource] = useState<string | null>(null);
  const [captions, setCaptions] = useState<string | null>(null);
  const [transcript, setTranscript] = useState<Transcript | null>(null);
  const [error, setError] = useState("");
  const [now, setNow] = useState(startAt);

  useEffect(() => {
    let live = true;
    api<{ url: string }>(`/v1/documents/${enc(id)}/original?redirect=false`)
      .then((answer) => live && setSource(answer.url))
      .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : String(err)));
    api<Transcript>(`/v1/documents/${enc(id)}/transcript`)
      .then((found) => live && setTranscript(found))
      .catch((err: unknown) => live && setError(err instanceof ApiError && err.status === 404 ? t("rec.noTranscript") : String(err)));
    return () => {
      live = false;
    };
  }, [id]);

  // a video shows the transcript as captions on the picture: the WebVTT the API makes, as a
  // blob URL (a <track> cannot send the API key), released when the viewer closes
  useEffect(() => {
    if (!video) return;
    let live = true;
    let url: string | null = null;
    apiText(`/v1/documents/${enc(id)}/transcript?format=vtt`)
      .then((vtt) => {
        if (!live) return;
        url = URL.createObjectURL(new Blob([vtt], { type: "text/vtt" }));
        setCaptions(url);
      })
      .catch(() => {}); // no transcript yet: the error above already says so
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [id, video]);

  useEffect(() => {
    const audio = player.current;
    if (!audio || !source) return;
    const seekToStart = () => {
      audio.currentTime = startAt;
      setNow(startAt);
    };
    if (audio.readyState >= 1) seekToStart();
    else audio.addEventListener("loadedmetadata", seekToStart, { once: true });
    return () => audio.removeEventListener("loadedmetadata", seekToStart);
  }, [source, startAt]);

  const seek = (seconds: number) => {
    const audio = player.current;
    if (!audio) return;
    audio.currentTime = seconds;
    setNow(seconds);
    void audio.play().catch(() => {});
  };

  const words: Timed[] = [];
  for (const segment of transcript?.segments ?? []) for (const word of segment.words) words.push({ ...word, index: words.length });
  const current = words.find((w) => w.start <= now && now < w.end);
  const terms = queryTerms(q);
  const hits = terms.length ? words.filter((w) => matchesTerm(w.word, terms)) : [];
  let offset = 0;
  // what the video and the audio player share
  const media = {
    id: "player",
    controls: true,
    preload: "metadata" as const,
    src: source ?? undefined,
    "data-start": startAt,
    "aria-label": t("rec.player"),
    onTimeUpdate: (event: Event) => setNow((event.currentTarget as HTMLMediaElement).currentTime),
    onSeeked: (event: Event) => setNow((event.currentTarget as HTMLMediaElement).currentTime),
  };

  return (
    <section class="recording" aria-label={t("rec.player")}>
      {video ? (
        <video {...media} ref={player as Ref<HTMLVideoElement>} class="video">
          {captions && <track kind="captions" src={captions} srclang={doc.language ?? "en"} label={t("rec.captions")} default />}
        </video>
      ) : (
        <audio {...media} ref={player as Ref<HTMLAudioElement>} />
      )}
      <p class="error" role="alert">
        {error}
      </p>
      {q && (
        <section aria-labelledby="rec-hits-title">
          <h2 id="rec-hits-title">{t("rec.hits")}</h2>
          {hits.length ? (
            <ul id="rec-hits" class="rec-hits">
              {hits.map((w) => (
                <li key={w.index}>
                  <button type="button" class="seek" data-start={w.start} onClick={() => seek(w.start)}>
                    {clock(w.start)} {w.word.trim()}
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p>{t("rec.noHits")}</p>
          )}
        </section>
      )}
      <p class="captions">
        {t("rec.captions")}: <CaptionLink id={id} format="vtt" /> <CaptionLink id={id} format="srt" />
      </p>
      {transcript && (
        <section aria-labelledby="transcript-title">
          <h2 id="transcript-title">{t("rec.transcript")}</h2>
          <div id="transcript" class="transcript">
            {transcript.segments.map((segment, i) => {
              const first = offset;
              offset += segment.words.length;
              return (
                <p class="turn" key={i} data-start={segment.start}>
                  <span class="speaker">{segment.speaker ? t("rec.speaker", { speaker: segment.speaker }) : t("rec.unknownSpeaker")}</span>{" "}
                  <button type="button" class="seek time" aria-label={t("rec.seek", { time: clock(segment.start) })} onClick={() => seek(segment.start)}>
                    {clock(segment.start)}
                  </button>{" "}
                  {segment.words.length
                    ? segment.words.map((word, j) => {
                        const index = first + j;
                        const isCurrent = current?.index === index;
                        return (
                          <button
                            type="button"
                            key={j}
                            class={`word${isCurrent ? " current" : ""}${matchesTerm(word.word, terms) ? " match" : ""}`}
                            data-start={word.start}
                            aria-current={isCurrent ? "true" : undefined}
                            onClick={() => seek(word.start)}
                          >
                            {word.word}
                          </button>
                        );
                      })
                    : segment.text}
                </p>
              );
            })}
          </div>
        </section>
      )}
    </section>
  );
}

function CaptionLink({ id, format }: { id: string; format: "vtt" | "srt" }) {
  const download = async () => {
    const text = await apiText(`/v1/documents/${enc(id)}/transcript?format=${format}`);
    const link = document.createElement("a");
    link.href = `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
    link.download = `${id}.${format}`;
    link.click();
  };
  return (
    <button type="button" class="link" id={`captions-${format}`} onClick={() => void download()}>
      {format === "vtt" ? t("rec.vtt") : t("rec.srt")}
    </button>
  );
}
