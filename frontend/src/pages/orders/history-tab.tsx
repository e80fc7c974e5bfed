import { useState } from "react";
import { Badge, Button, Card, Group, Spoiler, Stack, Text, Textarea, Timeline, Title } from "@mantine/core";
import { zodResolver } from "@hookform/resolvers/zod";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import { Empty, ErrorState, FormError, Loading, QueryState } from "../../components/states";
import { api } from "../../lib/api/client";
import { call } from "../../lib/api/call";
import { asProblem, describeProblem } from "../../lib/api/problem";
import type { components } from "../../lib/api/schema";
import { dateTime } from "../../lib/format";
import { showProblem } from "../../lib/forms";
import { freeText, type Translate } from "../../lib/validation";
import { language } from "../../lib/i18n";
import type { Order } from "./overview-tab";
import { notify } from "../../lib/notify";

type Entry = components["schemas"]["HistoryEntry"];
type Limits = { max_downloads?: number | null; used_downloads?: number; expires_at?: string | null };

function actorLabel(actor: string, t: (key: string) => string): string {
  if (actor === "customer") return t("history.customer");
  if (actor === "system") return t("history.system");
  return actor.replace(/^user:/, "").replace(/^api_key:/, "API: ");
}

/** What one entry says, by kind. */
function EntryText({ entry }: { entry: Entry }) {
  const { t } = useTranslation();
  const lng = language();
  const d = entry.details as Record<string, unknown>;
  const limit = (l: Limits | undefined) =>
    l ? `${l.used_downloads ?? 0} / ${l.max_downloads ?? "∞"}, ${l.expires_at ? dateTime(l.expires_at, lng) : t("downloads.noEnd")}` : "";
  switch (entry.kind) {
    case "download":
      return (
        <Text size="sm">
          {String(d.file)} — {String(d.used_downloads)} / {d.max_downloads == null ? "∞" : String(d.max_downloads)}
          <br />
          <Text span size="xs" c="dimmed">
            {entry.ip} · {entry.user_agent}
          </Text>
        </Text>
      );
    case "limits_changed":
      return (
        <Text size="sm">
          {String(d.file)}: {limit(d.old as Limits)} → {limit(d.new as Limits)}
        </Text>
      );
    case "status_changed":
      return (
        <Text size="sm">
          {t(`status.${String(d.from)}`)} → {t(`status.${String(d.to)}`)}
        </Text>
      );
    case "note":
      return <Text size="sm">{String(d.text)}</Text>;
    case "customer_message":
      return (
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
          {String(d.message)} <Text span size="xs" c="dimmed">({String(d.email)})</Text>
        </Text>
      );
    case "message_queued":
      return (
        <Spoiler maxHeight={44} showLabel={t("history.more")} hideLabel={t("history.less")}>
          <Text size="sm" fw={500}>
            {String(d.subject)} → {String(d.to)}
          </Text>
          <Text size="xs" style={{ whiteSpace: "pre-wrap" }}>
            {String(d.text)}
          </Text>
        </Spoiler>
      );
    case "message_failed":
      return (
        <Text size="sm" c="red">
          {String(d.error)}
        </Text>
      );
    case "invoice_issued":
    case "invoice_downloaded":
      return <Text size="sm">{String(d.number)}</Text>;
    default:
      return null;
  }
}

export function HistoryTab({ order }: { order: Order }) {
  const { t } = useTranslation();
  const lng = language();
  const history = useInfiniteQuery({
    queryKey: ["orders", order.id, "history"],
    queryFn: ({ pageParam }) =>
      call(
        api.GET("/api/v1/orders/{id}/history", {
          params: { path: { id: order.id }, query: { cursor: pageParam ?? undefined, limit: 100 } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
  const entries = history.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack>
      <NoteForm orderId={order.id} />
      <Card withBorder>
        <Title order={2} size="h5" mb="sm">
          {t("history.title")}
        </Title>
        {history.isPending ? (
          <Loading />
        ) : history.isError ? (
          <ErrorState error={history.error} retry={() => void history.refetch()} />
        ) : entries.length === 0 ? (
          <Empty>{t("history.none")}</Empty>
        ) : (
          <Timeline bulletSize={14} lineWidth={2}>
            {entries.map((entry) => (
              <Timeline.Item
                key={entry.id}
                title={
                  <Group gap="xs">
                    <Text size="sm" fw={600}>
                      {t(`history.kinds.${entry.kind}`)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {dateTime(entry.created_at, lng)} · {actorLabel(entry.actor, t)}
                    </Text>
                  </Group>
                }
              >
                <EntryText entry={entry} />
              </Timeline.Item>
            ))}
          </Timeline>
        )}
        {history.hasNextPage && (
          <Button mt="sm" variant="default" onClick={() => void history.fetchNextPage()}>
            {t("common.loadMore")}
          </Button>
        )}
      </Card>
      <Messages orderId={order.id} />
    </Stack>
  );
}

/** A note as the server takes it: 1–5000 characters, trimmed, no NUL. */
function noteSchema(t: Translate) {
  return z.object({ text: freeText(t, 5000).min(1, t("validation.required")) });
}

function NoteForm({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, setError, reset, formState } = useForm<{ text: string }>({
    resolver: zodResolver(noteSchema(t)),
    defaultValues: { text: "" },
  });
  const add = handleSubmit(async ({ text }) => {
    setFormError(null);
    try {
      await call(api.POST("/api/v1/orders/{id}/history", { params: { path: { id: orderId } }, body: { text } }));
      reset();
      await queryClient.invalidateQueries({ queryKey: ["orders", orderId, "history"] });
    } catch (error) {
      setFormError(showProblem(error, setError, ["text"]));
    }
  });
  return (
    <Card withBorder>
      <form onSubmit={add} noValidate>
        <Stack gap="xs">
          <Textarea label={t("history.addNote")} {...register("text")} error={formState.errors.text?.message} autosize minRows={2} />
          <FormError message={formError} />
          <Group>
            <Button size="xs" type="submit" loading={formState.isSubmitting}>
              {t("history.saveNote")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function Messages({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const lng = language();
  const queryClient = useQueryClient();
  const messages = useQuery({
    queryKey: ["orders", orderId, "messages"],
    queryFn: () => call(api.GET("/api/v1/orders/{id}/messages", { params: { path: { id: orderId } } })),
  });
  const resend = async (messageId: string) => {
    try {
      await call(api.POST("/api/v1/orders/{id}/messages/{message_id}/resend", { params: { path: { id: orderId, message_id: messageId } } }));
      notify(t("history.resent"));
    } catch (e) {
      notify(describeProblem(asProblem(e)), "red");
    }
    await queryClient.invalidateQueries({ queryKey: ["orders", orderId] });
  };
  return (
    <Card withBorder>
      <Title order={2} size="h5" mb="sm">
        {t("history.messages")}
      </Title>
      <QueryState query={messages}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty>{t("history.noMessages")}</Empty>
          ) : (
            <Stack gap="sm">
              {items.map((m) => (
                <Group key={m.id} justify="space-between" align="flex-start" wrap="nowrap">
                  <Stack gap={2} style={{ minWidth: 0 }}>
                    <Group gap="xs">
                      <Badge color={m.status === "sent" ? "teal" : m.status === "failed" ? "red" : "blue"} variant="light">
                        {t(`history.messageStatus.${m.status}`)}
                      </Badge>
                      <Text size="sm" fw={500}>
                        {m.subject}
                      </Text>
                    </Group>
                    <Text size="xs" c="dimmed">
                      {m.recipient} · {dateTime(m.sent_at ?? m.created_at, lng)}
                      {m.last_error ? ` · ${m.last_error}` : ""}
                    </Text>
                  </Stack>
                  <Button size="xs" variant="light" onClick={() => void resend(m.id)}>
                    {t("history.resend")}
                  </Button>
                </Group>
              ))}
            </Stack>
          )
        }
      </QueryState>
    </Card>
  );
}
